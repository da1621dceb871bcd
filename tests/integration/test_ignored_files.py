"""Files that exist only on the user's disk: the platform gets the commit, without what git
ignores. The settings are probed as committed, and a git-ignored file or folder they need
at import is named before anything is written (issue 33, part 2)."""

from __future__ import annotations

import time

import pytest
from project_files import deploy, snapshot
from project_shapes import ignored_data_folder, split_settings_with_ignored_local

pytestmark = pytest.mark.needs_programs


def test_a_required_ignored_local_py_stops_before_writing_and_is_named(sample_project):
    root = sample_project("requirements_txt", "flat")
    split_settings_with_ignored_local(root, "required")
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
    split_settings_with_ignored_local(root, "switch")
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
    split_settings_with_ignored_local(root, "optional")
    result = deploy(root, "heroku", "--dry-run")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "ignores blog/settings/local.py" not in result.stdout.lower()
    assert "ON_HEROKU" not in result.stdout


def test_an_ignored_data_folder_opened_at_import_is_named(sample_project):
    root = sample_project("requirements_txt", "flat")
    ignored_data_folder(root)
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
    split_settings_with_ignored_local(root, "required")
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
