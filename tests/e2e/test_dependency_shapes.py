"""Dependency files shaped like real projects', configured and rehearsed on PostgreSQL on
every platform: `-r` includes with a `pip freeze` listing this tool from a local path and
runtime.txt plus a commented .python-version; pip-tools with hashes; a Poetry production
group; a uv workspace with a member. Each sample is made by the real tools."""

from __future__ import annotations

import pytest
from project_files import deploy, git, snapshot
from rehearsals import STEPS, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

PLATFORMS = ("heroku", "fly_io", "platform_sh")
SHAPES = {
    "includes-freeze-runtime": "requirements_txt",
    "pip-tools-hashes": "requirements_txt",
    "poetry-production-group": "poetry",
    "uv-workspace": "uv",
    "uv-hatchling-dynamic-version": "uv",
    "poetry-path-dependency-dynamic-version": "poetry",
}


def _configure(root, platform):
    out = deploy(root, platform)
    assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout


def _rehearse(root, platform, database_url):
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"Configure for {platform}")
    rehearsal = deploy(root, platform, "--rehearse", "--database-url", database_url)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    for step in STEPS:
        assert f"[pass] {step}" in out, out
    assert migrations_applied(database_url) > 10
    return out


def _read(root, name):
    return (root / name).read_text(encoding="utf-8")


# Each shape is rehearsed where it changes what a platform does; the configuration
# itself is checked on every platform by the integration tests.
@pytest.mark.parametrize("platform", ["heroku", "fly_io"])
def test_includes_freeze_and_runtime_txt(sample_project, database_url, platform):
    root = sample_project("requirements_txt", "flat", shape="includes-freeze-runtime")
    base_before = _read(root, "requirements/base.txt")
    out = _configure(root, platform)
    # This tool left production; the other frozen pins stayed; new lines went to the
    # production file, not the top file or base.txt.
    base = _read(root, "requirements/base.txt")
    assert "django-simple-deploy" not in base
    assert base == "".join(
        line for line in base_before.splitlines(keepends=True) if "django-simple-deploy" not in line
    )
    production = _read(root, "requirements/production.txt")
    assert production.startswith("-r base.txt\n") and "gunicorn" in production
    assert _read(root, "requirements.txt").endswith("-r requirements/production.txt\n")
    python = _read(root, ".python-version").splitlines()[-1]
    assert f"Python {python} (from runtime.txt)." in out
    if platform == "heroku":
        assert f"Heroku will use Python {python} from your existing runtime.txt." in out
    if platform == "fly_io":
        dockerfile = _read(root, "Dockerfile")
        assert "COPY requirements/production.txt requirements/production.txt" in dockerfile
        assert "COPY requirements/base.txt requirements/base.txt" in dockerfile
    _rehearse(root, platform, database_url)


@pytest.mark.parametrize("platform", ["fly_io", "platform_sh"])
def test_pip_tools_with_hashes_is_recompiled(sample_project, database_url, platform):
    root = sample_project("requirements_txt", "flat", shape="pip-tools-hashes")
    out = _configure(root, platform)
    assert "gunicorn" in _read(root, "requirements.in")
    compiled = _read(root, "requirements.txt")
    assert "uv pip compile" in compiled.splitlines()[1]
    # Every pin, old and new, is hashed: pip would refuse the file otherwise.
    pins = [line for line in compiled.splitlines() if line and line[0].isalpha()]
    assert any(p.startswith("gunicorn==") for p in pins)
    assert all(p.endswith("\\") for p in pins), pins
    assert "is compiled from requirements.in by uv pip compile" in out
    _rehearse(root, platform, database_url)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_poetry_production_group(sample_project, database_url, platform):
    root = sample_project("poetry", "flat", shape="poetry-production-group")
    if platform == "heroku":
        before = snapshot(root)
        out = deploy(root, platform)
        assert out.returncode != 0
        assert "Heroku's Python buildpack installs only the main dependencies" in out.stderr
        assert snapshot(root) == before
        return
    out = _configure(root, platform)
    pyproject = _read(root, "pyproject.toml")
    # gunicorn stays pinned in its group only: no second, conflicting constraint.
    assert pyproject.count("gunicorn") == 1
    assert "Poetry groups installed in production: main, production" in out
    if platform == "fly_io":
        assert "poetry sync --only main,production" in _read(root, "Dockerfile")
    else:
        assert "poetry sync --only main,production" in _read(root, ".platform.app.yaml")
    _rehearse(root, platform, database_url)


@pytest.mark.parametrize("platform", ["heroku", "fly_io"])
def test_uv_workspace_with_a_member(sample_project, database_url, platform):
    root = sample_project("uv", "flat", shape="uv-workspace")
    before = _read(root, "pyproject.toml")
    out = _configure(root, platform)
    after = _read(root, "pyproject.toml")
    # Only the new lines were added: the array keeps its indentation.
    assert [line for line in before.splitlines() if line not in after.splitlines()] == []
    assert "uv workspace: packages/sitelib locked and installed with the project." in out
    assert "sitelib" in _read(root, "uv.lock") and "gunicorn" in _read(root, "uv.lock")
    if platform == "fly_io":
        assert "COPY packages/sitelib packages/sitelib/" in _read(root, "Dockerfile")
    _rehearse(root, platform, database_url)


@pytest.mark.parametrize(
    ("manager", "shape"),
    [("uv", "uv-hatchling-dynamic-version"), ("poetry", "poetry-path-dependency-dynamic-version")],
)
def test_a_version_read_from_a_file_locks_and_installs(
    sample_project, database_url, manager, shape
):
    """The lock refresh's scratch copy holds the file hatchling reads the version from;
    Heroku then installs from that lock (the root package, or the path dependency)."""
    root = sample_project(manager, "flat", shape=shape)
    out = _configure(root, "heroku")
    lock = "uv.lock" if manager == "uv" else "poetry.lock"
    assert f"`{lock}` (updated): refreshed with `{manager} lock`" in out
    _rehearse(root, "heroku", database_url)
