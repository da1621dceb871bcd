"""The lock refresh runs the user's own tool and leaves nothing outside the repository.

`pipenv lock` hands its resolver a request file in the temp folder and does not
remove it: before the refresh gave the tool a temp folder of its own, each
configuration of a Pipenv project left a `pipenv-request-*.json` in /tmp.
"""

from __future__ import annotations

import os

import project_files
import pytest
import tomllib
from sample_projects import run

pytestmark = pytest.mark.needs_programs


@pytest.mark.skipif(os.name == "nt", reason="TMPDIR names the temp folder on POSIX")
def test_refreshing_a_pipenv_lock_leaves_nothing_in_the_temp_folder(sample_project, tmp_path):
    root = sample_project("pipenv", "flat")
    temp = tmp_path / "temp"
    temp.mkdir()

    result = project_files.deploy(root, "heroku", env={"TMPDIR": str(temp)})

    assert result.returncode == 0, result.stderr + result.stdout
    assert "`Pipfile.lock` (updated): refreshed with `pipenv lock`" in result.stdout
    assert sorted(p.name for p in temp.iterdir()) == []


@pytest.mark.parametrize(
    ("shape", "lock", "locked"),
    [
        # uv locks the site itself: hatchling reads its version from blog/__about__.py.
        ("uv-hatchling-dynamic-version", "uv.lock", 'name = "blog-site"'),
        # Poetry locks the path dependency: hatchling reads its version from its folder.
        ("poetry-path-dependency-dynamic-version", "poetry.lock", 'version = "2.1.0"'),
    ],
)
def test_a_dynamic_version_read_from_a_file_locks(sample_project, shape, lock, locked):
    """The build backend reads files the manager's own files only name (a version file
    in the package, a path dependency's folder): the lock refresh gives it them."""
    manager = "uv" if lock == "uv.lock" else "poetry"
    root = sample_project(manager, "flat", shape=shape)

    result = project_files.deploy(root, "heroku")

    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert f"`{lock}` (updated): refreshed with `{manager} lock`" in out
    text = (root / lock).read_text("utf-8")
    assert 'name = "gunicorn"' in text and locked in text
    assert "does not exist" not in out


@pytest.mark.parametrize("manager", ["uv", "poetry"])
def test_a_server_pinned_in_an_extra_joins_the_main_dependencies_with_its_pin(
    sample_project, manager
):
    """gunicorn and WhiteNoise pinned in a `prod` extra (python.org's shape): the platform
    installs no extra, so they join the main dependencies, with the extra's own pins; the
    tool's `whitenoise~=6.12` beside `whitenoise==6.11.0` would lock to nothing."""
    root = sample_project(manager, "flat", shape=f"{manager}-production-extra")

    result = project_files.deploy(root, "heroku")

    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 0, out
    lock = "uv.lock" if manager == "uv" else "poetry.lock"
    assert f"`{lock}` (updated): refreshed with `{manager} lock`" in out
    assert "gunicorn (extra prod), whitenoise (extra prod) also in the main dependencies" in out
    project = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    pinned = {d.replace(" ", "").replace("(", "").replace(")", "") for d in project["dependencies"]}
    assert {"gunicorn==23.0.0", "whitenoise==6.11.0"} <= pinned
    assert len(project["optional-dependencies"]["prod"]) == 2
    run(root, *(("uv", "lock", "--check") if manager == "uv" else ("poetry", "check", "--lock")))


@pytest.mark.parametrize(
    ("manager", "platform"), [("uv", "railway"), ("uv", "heroku"), ("poetry", "render")]
)
def test_a_pin_older_than_the_block_needs_is_raised_in_place(sample_project, manager, platform):
    """`dj-database-url==0.5.0` in `[project] dependencies` (python.org): the block passes
    conn_health_checks (1.1+), so the settings failed at import on the platform with
    "config() got an unexpected keyword argument". The pin is raised where it is."""
    root = sample_project(manager, "flat", shape=f"{manager}-old-database-url")

    result = project_files.deploy(root, platform)

    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 0, out
    assert "raised `dj-database-url" in out and "0.5.0" in out
    assert "to `dj-database-url~=3.1`: the generated files need dj-database-url 1.1" in out
    dependencies = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"][
        "dependencies"
    ]
    named = [d for d in dependencies if d.startswith("dj-database-url")]
    assert named == ["dj-database-url~=3.1"]
    lock = "uv.lock" if manager == "uv" else "poetry.lock"
    assert 'name = "dj-database-url"\nversion = "0.5.0"' not in (root / lock).read_text("utf-8")
    run(root, *(("uv", "lock", "--check") if manager == "uv" else ("poetry", "check", "--lock")))
