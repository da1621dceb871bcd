"""Files that exist only on the user's disk: the platform gets the commit, without what git
ignores. The settings are probed as committed, and a git-ignored file or folder they need
at import is named before anything is written (issue 33, part 2)."""

from __future__ import annotations

import time

import pytest
from project_files import deploy, git, snapshot

# django-split-settings assembles blog/settings/ from its parts; local.py is the
# developer's own and git-ignored, as such projects keep it.
_SPLIT_INIT = '''"""Settings assembled by django-split-settings."""

import os

from split_settings.tools import include, optional

include("base.py")
{local}
'''
_LOCAL_INCLUDES = {
    "required": 'include("local.py")',
    "switch": 'if not os.environ.get("ON_HEROKU"):\n    include("local.py")',
    "optional": 'include(optional("local.py"))',
}


def _split_settings(root, local: str) -> None:
    """blog/settings.py -> blog/settings/{__init__,base}.py, plus an ignored local.py."""
    package = root / "blog"
    folder = package / "settings"
    folder.mkdir()
    base = (package / "settings.py").read_text(encoding="utf-8")
    base = base.replace(
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        "BASE_DIR = Path(__file__).resolve().parent.parent.parent",
    )
    (package / "settings.py").unlink()
    (folder / "base.py").write_text(base, encoding="utf-8")
    init = _SPLIT_INIT.format(local=_LOCAL_INCLUDES[local])
    (folder / "__init__.py").write_text(init, encoding="utf-8")
    (folder / "local.py").write_text("DEBUG = True\n", encoding="utf-8")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("blog/settings/local.py\n")
    with open(root / "requirements.txt", "a", encoding="utf-8") as requirements:
        requirements.write("django-split-settings==1.3.2\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Settings assembled by django-split-settings")


def _data_folder(root) -> None:
    """A SQLite task store in a git-ignored data/ folder, opened when the settings import."""
    with open(root / "blog/settings.py", "a", encoding="utf-8") as settings:
        settings.write(
            "\nimport sqlite3\n\n"
            'TASK_STORE = sqlite3.connect(BASE_DIR / "data" / "tasks.sqlite3")\n'
        )
    (root / "data").mkdir()
    (root / "data/tasks.sqlite3").write_bytes(b"")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("data/\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "A task store")


def test_a_required_ignored_local_py_stops_before_writing_and_is_named(sample_project):
    root = sample_project("requirements_txt", "flat")
    _split_settings(root, "required")
    before = snapshot(root)
    result = deploy(root, "heroku")
    assert result.returncode != 0
    err = " ".join(result.stderr.split())
    assert (
        "The platform builds from your commit, and git ignores blog/settings/local.py, which "
        "your settings need at import (blog/settings/__init__.py, line 8): without it the "
        "settings fail with `OSError: No such file: " in err
    ), err
    assert f"{root}/blog/settings/local.py" in err  # the user's path, not our copy's
    assert 'with django-split-settings, `optional("local.py")`' in err
    assert "Nothing was changed." in err
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_an_ignored_local_py_skipped_by_a_platform_variable_asks_for_that_variable(
    sample_project,
):
    root = sample_project("requirements_txt", "flat")
    _split_settings(root, "switch")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    out = " ".join(result.stdout.split())
    assert (
        "Git ignores blog/settings/local.py, so the platform (given your commit) will not have "
        "it; your settings (blog/settings/__init__.py, line 8) do without it when `ON_HEROKU` "
        "is set: set `ON_HEROKU` (for example to 1) in the platform's environment." in out
    ), out
    assert "heroku config:set ON_HEROKU=<value>" in out


def test_an_optional_ignored_local_py_needs_nothing(sample_project):
    root = sample_project("requirements_txt", "flat")
    _split_settings(root, "optional")
    result = deploy(root, "heroku", "--dry-run")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "ignores blog/settings/local.py" not in result.stdout.lower()
    assert "ON_HEROKU" not in result.stdout


def test_an_ignored_data_folder_opened_at_import_is_named(sample_project):
    root = sample_project("requirements_txt", "flat")
    _data_folder(root)
    before = snapshot(root)
    result = deploy(root, "fly_io")
    assert result.returncode != 0
    err = " ".join(result.stderr.split())
    assert (
        "The platform builds from your commit, and git ignores data/, which your settings "
        "need at import (blog/settings.py, line 127): without it the settings fail with "
        "`sqlite3.OperationalError: unable to open database file`. Create data/ before it is "
        "used" in err
    ), err
    assert snapshot(root) == before


def test_uncommitted_work_is_probed_as_it_will_be_committed(sample_project):
    """--ignore-unclean-git: a tracked edit that makes the include optional counts."""
    root = sample_project("requirements_txt", "flat")
    _split_settings(root, "required")
    init = root / "blog/settings/__init__.py"
    init.write_text(
        init.read_text().replace('include("local.py")', 'include(optional("local.py"))')
    )
    result = deploy(root, "heroku", "--dry-run", "--ignore-unclean-git")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "ignores blog/settings/local.py" not in result.stdout.lower()


@pytest.mark.parametrize("ignored", [False, True])
def test_the_probe_copies_only_when_git_ignores_files_that_matter(sample_project, ignored):
    """The usual ignored files (.venv, __pycache__, db.sqlite3) cost no copy."""
    from simple_deploy import committed_tree

    root = sample_project("requirements_txt", "flat")
    (root / "db.sqlite3").write_bytes(b"")
    (root / ".venv").mkdir()
    (root / ".venv/pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / "blog/__pycache__").mkdir()
    if ignored:
        (root / "secrets.json").write_text("{}")
        with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
            ignore.write("secrets.json\n")
    start = time.monotonic()
    found = committed_tree.ignored_present(root, root)
    assert time.monotonic() - start < 2
    assert found == (("secrets.json",) if ignored else ())
