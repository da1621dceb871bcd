"""Dependency files this tool must not change: the run stops with the fix, 0 bytes changed.

Configuration only (no rehearsal): each case is a real sample project reshaped the
way users' projects are, and `manage.py deploy` as the user runs it.
"""

from __future__ import annotations

import pytest
from project_files import deploy, git, snapshot
from sample_projects import run

pytestmark = pytest.mark.needs_programs


def _commit(root, message):
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def test_hand_hashed_requirements_stop_with_the_fix(sample_project):
    root = sample_project("requirements_txt", "flat", shape="pip-tools-hashes")
    # The same hashed file without the header that names its compiler.
    text = (root / "requirements.txt").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#")) + "\n"
    (root / "requirements.txt").write_text(body, encoding="utf-8")
    (root / "requirements.in").unlink()
    _commit(root, "Hashed requirements, no compiler header")
    before = snapshot(root)
    result = deploy(root, "heroku")
    assert result.returncode != 0
    assert "requirements.txt pins its requirements with --hash" in result.stderr
    assert "gunicorn~=" in result.stderr and "--generate-hashes" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize(
    "line",
    ["-e .", "mylib @ file:///home/me/mylib", "../wheels/mylib-1.0-py3-none-any.whl"],
)
def test_requirement_on_the_users_disk_stops_with_the_line(sample_project, line):
    root = sample_project("requirements_txt", "flat")
    with open(root / "requirements.txt", "a", encoding="utf-8") as file:
        file.write(line + "\n")
    _commit(root, "A local requirement")
    before = snapshot(root)
    result = deploy(root, "fly_io")
    assert result.returncode != 0
    assert f"`{line}` installs from a path on your computer" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert snapshot(root) == before


def test_python_version_platform_lacks_is_a_warning_naming_supported_ones(sample_project):
    root = sample_project("requirements_txt", "flat")
    (root / ".python-version").write_text("# old\n3.8\n", encoding="utf-8")
    _commit(root, "Pin Python 3.8")
    result = deploy(root, "platform_sh")
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Python 3.8 (from .python-version)." in out
    assert "Warning: Platform.sh does not offer Python 3.8 (from .python-version)" in out
    assert "3.13, 3.14" in out


def test_production_group_named_by_the_user_is_installed(sample_project):
    root = sample_project("uv", "flat")
    run(root, "uv", "add", "--no-sync", "--group", "webserver", "gunicorn==23.0.0")
    _commit(root, "gunicorn in a group named webserver")
    result = deploy(root, "fly_io", "--production-group", "webserver")
    assert result.returncode == 0, result.stderr
    dockerfile = (root / "Dockerfile").read_text(encoding="utf-8")
    assert "--group webserver" in dockerfile
    assert (root / "pyproject.toml").read_text(encoding="utf-8").count("gunicorn") == 1


def test_pip_compile_project_is_recompiled_by_pip_compile_with_hashes(sample_project):
    root = sample_project("requirements_txt", "flat")
    (root / "requirements.in").write_text("django~=5.2.0\n", encoding="utf-8")
    (root / "requirements.txt").unlink()
    run(root, "pip-compile", "--quiet", "--generate-hashes", "--strip-extras", "requirements.in")
    _commit(root, "pip-tools layout")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    compiled = (root / "requirements.txt").read_text(encoding="utf-8")
    assert "pip-compile --generate-hashes" in compiled and "--strip-extras" in compiled
    pins = [line for line in compiled.splitlines() if line and line[0].isalpha()]
    assert any(p.startswith("gunicorn==") for p in pins)
    assert all(p.endswith("\\") for p in pins), pins
    assert "gunicorn~=" in (root / "requirements.in").read_text(encoding="utf-8")


def test_a_second_manager_file_for_pip_readers_is_explained_and_kept_with_slugignore(
    sample_project,
):
    root = sample_project("uv", "flat")
    # A requirements.txt for readers who use pip, as a README of a uv project offers.
    (root / "requirements.txt").write_text("django\n", encoding="utf-8")
    (root / "README.md").write_text("pip install -r requirements.txt\n", encoding="utf-8")
    _commit(root, "requirements.txt for pip users")
    before = snapshot(root)

    result = deploy(root, "heroku")

    assert result.returncode != 0
    message = result.stderr
    assert "`requirements.txt` (pip), `uv.lock` (uv). Nothing was changed." in message
    assert "so Heroku would install from `uv.lock`, the file this tool updates" in message
    assert "`requirements.txt` is read by your README.md." in message
    assert "list `requirements.txt` in a `.slugignore` file" in message
    assert "uv export --no-dev --no-hashes --format requirements-txt -o requirements.txt" in message
    assert "Traceback" not in message
    assert snapshot(root) == before

    # The way the message offers: Heroku no longer sees the file; both stay.
    (root / ".slugignore").write_text("requirements.txt\n", encoding="utf-8")
    _commit(root, "Heroku ignores requirements.txt")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr
    assert (root / "requirements.txt").read_text(encoding="utf-8") == "django\n"


_EXPORT = ("uv", "export", "--frozen", "--no-hashes", "--no-header", "--no-annotate")


def _pins(text: str) -> set[str]:
    return {line.split(";")[0].strip() for line in text.splitlines() if "==" in line}


@pytest.mark.parametrize("platform", ["heroku", "railway"])
def test_a_requirements_txt_exported_from_uv_lock_is_kept_in_step_and_the_run_goes_on(
    sample_project, platform
):
    # Heroku refuses both files and Railpack installs requirements.txt with pip; an
    # export of the lock pins exactly what is locked, so stopping helped no one.
    root = sample_project("uv", "flat")
    run(root, *_EXPORT, "--output-file", "requirements.txt")
    _commit(root, "requirements.txt for pip users: uv export")

    result = deploy(root, platform)

    assert result.returncode == 0, result.stderr + result.stdout
    summary = " ".join(result.stdout.split())
    assert "requirements.txt is an export of uv.lock (the same pins)" in summary
    # Still an export of the refreshed lock: the packages this run added are pinned at
    # the versions uv locked, so pip on the platform installs what uv would.
    kept = (root / "requirements.txt").read_text(encoding="utf-8")
    assert _pins(kept) == _pins(run(root, *_EXPORT))
    assert any(pin.startswith("gunicorn==") for pin in _pins(kept))
    slugignore = root / ".slugignore"
    if platform == "heroku":
        assert slugignore.read_text(encoding="utf-8") == "requirements.txt\n"
    else:
        assert not slugignore.exists()


def _pipenv_export(root) -> str:
    """What `pipenv requirements` prints: the file a Pipenv project keeps for pip users."""
    return run(root, "pipenv", "requirements")


@pytest.mark.parametrize("platform", ["heroku", "railway"])
def test_a_requirements_txt_exported_from_pipfile_lock_is_kept_in_step_and_the_run_goes_on(
    sample_project, platform
):
    # The Pipenv analog: Railpack would install the export with pip, which is the
    # locked install; Heroku installs from Pipfile.lock once it ignores the export.
    root = sample_project("pipenv", "flat")
    (root / "requirements.txt").write_text(_pipenv_export(root), encoding="utf-8")
    _commit(root, "requirements.txt for the Docker image: pipenv requirements")

    result = deploy(root, platform)

    assert result.returncode == 0, result.stderr + result.stdout
    summary = " ".join(result.stdout.split())
    assert "requirements.txt is the export of Pipfile.lock (`pipenv requirements`" in summary
    kept = (root / "requirements.txt").read_text(encoding="utf-8")
    assert _pins(kept) == _pins(_pipenv_export(root))
    assert any(pin.startswith("gunicorn==") for pin in _pins(kept))
    slugignore = root / ".slugignore"
    if platform == "heroku":
        assert slugignore.read_text(encoding="utf-8") == "requirements.txt\n"
    else:
        assert not slugignore.exists()
        config = (root / ".railway" / "railway.ts").read_text(encoding="utf-8")
        assert "with pip: pip install -r requirements.txt, the export of Pipfile.lock" in config


@pytest.mark.parametrize("platform", ["heroku", "railway"])
def test_a_stale_pipfile_lock_export_stops_with_the_command_that_writes_it(
    sample_project, platform
):
    root = sample_project("pipenv", "flat")
    export = _pipenv_export(root)
    django = next(line for line in export.splitlines() if line.startswith("django=="))
    locked = django.split("==")[1].split(";")[0]
    (root / "requirements.txt").write_text(
        export.replace(django, django.replace(locked, "4.2")), encoding="utf-8"
    )
    _commit(root, "an export from an older lock")
    before = snapshot(root)

    result = deploy(root, platform)

    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert "requirements.txt is not the export of Pipfile.lock" in message
    assert f"it pins django==4.2 where Pipfile.lock locks {locked}" in message
    assert "run `pipenv requirements` and save what it prints as requirements.txt" in message
    assert "> requirements.txt" not in message
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before

    # As the message says: the export written again, committed; the run goes on.
    (root / "requirements.txt").write_text(_pipenv_export(root), encoding="utf-8")
    _commit(root, "pipenv requirements")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    assert (root / ".slugignore").is_file() == (platform == "heroku")
