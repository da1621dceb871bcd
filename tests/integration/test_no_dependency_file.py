"""A bare `startproject` records no dependencies: the run writes requirements.txt itself.

Every beginner's first project is in this state. The file holds Django pinned to
the release this command runs under plus what the platform needs, never a line
for this tool; it is a planned change like any other (shown by --dry-run, written
atomically, restored when a later write fails).
"""

from __future__ import annotations

from importlib import metadata

import django
import pytest
from django.conf import settings
from project_files import deploy, git, manage_dir, snapshot
from project_shapes import scm_pyproject

from simple_deploy import plugins
from simple_deploy.changes import ApplyError, apply_changes
from simple_deploy.configure import prepare
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

# Plugins render templates with Django's engine (as the deploy command's process does).
if not settings.configured:
    settings.configure()
    django.setup()

DJANGO = metadata.version("django")


def _bare(sample_project):
    """A sample project as `startproject` left it: no dependency file committed."""
    root = sample_project("requirements_txt", "flat")
    git(root, "rm", "-q", "requirements.txt")
    git(root, "commit", "-qm", "Just startproject")
    return root


def test_dry_run_shows_the_requirements_file_it_would_create(sample_project):
    root = _bare(sample_project)
    before = snapshot(root, logs=False)
    result = deploy(root, "heroku", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "--- /dev/null\n+++ b/requirements.txt" in result.stdout
    assert f"+Django=={DJANGO}\n" in result.stdout
    assert "+gunicorn" in result.stdout
    assert "No dependency file existed, so requirements.txt is created" in result.stdout
    assert snapshot(root, logs=False) == before


@pytest.mark.parametrize("platform", ["heroku", "upsun"])
def test_run_writes_requirements_pinning_this_django_and_says_so(sample_project, platform):
    root = _bare(sample_project)
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr
    lines = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"Django=={DJANGO}"
    names = {line.split("~=")[0].split("[")[0].lower() for line in lines[1:]}
    assert {"gunicorn", "whitenoise", "psycopg"} <= names
    assert not any("simple" in line.lower() or "file:" in line for line in lines), lines
    out = " ".join(result.stdout.split())
    assert "No dependency file existed, so requirements.txt is created" in out
    assert f"`Django=={DJANGO}` (the Django this command runs under)" in out


def test_a_failed_apply_removes_the_created_requirements_file(sample_project):
    root = _bare(sample_project)
    before = snapshot(root, logs=False)
    plan = prepare(inspect(manage_dir(root)), plugins.load("heroku"), {}).plan
    created = [c for c in plan.effective if c.path == "requirements.txt"]
    assert created and created[0].before is None
    written = []

    def disk_full(change):
        # Called as each file is written: the run fails once requirements.txt exists.
        written.append(change.path)
        if change.path == "requirements.txt":
            assert (root / "requirements.txt").is_file()
            raise OSError("No space left on device")

    with pytest.raises(ApplyError, match="restored"):
        apply_changes(root, plan.changes, on_write=disk_full)
    assert len(written) > 1, "requirements.txt was written first; nothing else to restore"
    assert not (root / "requirements.txt").exists()
    assert snapshot(root, logs=False) == before


def test_a_requirements_folder_without_a_top_file_still_stops_with_the_fix(sample_project):
    # Dependencies recorded elsewhere: a file of ours would miss what they list.
    root = _bare(sample_project)
    (root / "requirements").mkdir()
    (root / "requirements" / "base.txt").write_text(f"Django=={DJANGO}\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Requirements in a folder")
    before = snapshot(root, logs=False)
    result = deploy(root, "heroku")
    assert result.returncode != 0
    assert "No dependency file found" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root, logs=False) == before


def _stops_unchanged(root, pyproject: str) -> str:
    """Commit `pyproject` and configure for Heroku: the run stops with one message (no
    traceback) and no file changed; the message, whitespace collapsed."""
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    git(root, "add", "pyproject.toml")
    git(root, "commit", "-qm", "Dependencies in pyproject.toml, installed with pip")
    before = snapshot(root, logs=False)
    result = deploy(root, "heroku")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert snapshot(root, logs=False) == before
    return " ".join(result.stderr.split())


PIP_PYPROJECT = f"""[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "blog-site"
version = "1.0"
requires-python = ">=3.10"
dependencies = ["Django=={DJANGO}"]

[project.optional-dependencies]
dev = ["pytest"]

[tool.setuptools]
packages = []
"""


def test_dependencies_in_pyproject_without_a_lock_ask_for_uv_lock(sample_project):
    """cal-itp/benefits' shape: `pip install -e .[dev]` from pyproject.toml, no lock and
    no manager. The message names the one command that records them; following it, the
    project deploys as a uv project."""
    from sample_projects import run

    root = _bare(sample_project)
    message = _stops_unchanged(root, PIP_PYPROJECT)
    assert "pyproject.toml lists your dependencies under [project] dependencies" in message
    assert "Run `uv lock`, commit uv.lock, and run again" in message

    run(root, "uv", "lock")
    git(root, "add", "uv.lock")
    git(root, "commit", "-qm", "uv.lock")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    text = (root / "pyproject.toml").read_text("utf-8")
    assert "gunicorn" in text and not (root / "requirements.txt").exists()


def _floor_of_this_django() -> str | None:
    """The lowest Python 3 minor this Django's own metadata admits, as ">=3.N"."""
    from packaging.specifiers import SpecifierSet

    needs = SpecifierSet(metadata.metadata("django")["Requires-Python"])
    return next((f">=3.{m}" for m in range(6, 20) if needs.contains(f"3.{m}.0")), None)


def test_a_requires_python_below_what_the_pins_need_is_raised_before_uv_lock(sample_project):
    """cal-itp/benefits kept `requires-python = ">=3.9"` beside pins that need 3.11: uv
    locks for every Python the range admits, so the `uv lock` the tool asked for failed.
    The message names the floor the installed pins' own metadata gives, and following
    it, the lock is made and the project deploys."""
    from sample_projects import run

    floor = _floor_of_this_django()
    if floor in (None, ">=3.6"):
        pytest.skip("this Django installs on any Python 3 the range admits")
    root = _bare(sample_project)
    low = PIP_PYPROJECT.replace('requires-python = ">=3.10"', 'requires-python = ">=3.6"')
    message = _stops_unchanged(root, low)
    assert f'First set requires-python = "{floor}" in pyproject.toml and commit it' in message
    needs = metadata.metadata("django")["Requires-Python"]
    assert f"Django {DJANGO} needs Python {needs}" in message
    # Without the change, the lock the message asks for cannot be made.
    with pytest.raises(RuntimeError, match="requires-python"):
        run(root, "uv", "lock")

    (root / "pyproject.toml").write_text(low.replace('">=3.6"', f'"{floor}"'), encoding="utf-8")
    run(root, "uv", "lock")
    git(root, "add", "pyproject.toml", "uv.lock")
    git(root, "commit", "-qm", "requires-python raised; uv.lock")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout


SCM_PYPROJECT = scm_pyproject(DJANGO, packages="[]")


def test_a_project_versioned_by_setuptools_scm_is_relocked_without_its_git(sample_project):
    """cal-itp/benefits: `dynamic = ["version"]` read by setuptools-scm from git. The lock
    is refreshed in a copy without .git, where the version cannot be found; uv.lock
    records no version for a dynamic one, so the copy locks with a stand-in."""
    from sample_projects import run

    root = _bare(sample_project)
    (root / "pyproject.toml").write_text(SCM_PYPROJECT, encoding="utf-8")
    with (root / ".gitignore").open("a", encoding="utf-8") as ignore:
        ignore.write("*.egg-info/\n")  # what setuptools writes when uv builds the project
    git(root, "add", "pyproject.toml", ".gitignore")
    git(root, "commit", "-qm", "Versioned from git tags")
    run(root, "uv", "lock")
    git(root, "add", "uv.lock")
    git(root, "commit", "-qm", "uv.lock")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    lock = (root / "uv.lock").read_text("utf-8")
    assert 'name = "gunicorn"' in lock
    assert "0.0.0" not in lock
