"""One `git status` a run: what it reads, on real repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from simple_deploy import checks, committed_tree
from simple_deploy.git_status import GitStatus, read_status

pytestmark = pytest.mark.needs_programs

_ID = ("-c", "user.name=Test", "-c", "user.email=test@example.com")


def _git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", *_ID, *args], cwd=root, capture_output=True, text=True, check=True)
    return out.stdout


def _repo(root: Path, *, commit: bool = True) -> Path:
    _git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".venv/\n*.json\nlocal.py\n")
    (root / "app").mkdir()
    (root / "app/a.py").write_text("A = 1\n")
    (root / "app/b.py").write_text("B = 2\n")
    _git(root, "add", "-A")
    if commit:
        _git(root, "commit", "-qm", "first")
    return root


def test_a_clean_tree_has_a_head_a_branch_and_nothing_else(tmp_path):
    root = _repo(tmp_path)
    status = read_status(root)
    assert status == GitStatus(
        _git(root, "rev-parse", "HEAD").strip(), "main", changed=(), untracked=(), ignored=()
    )
    assert checks.git_tree_problems(_project(root, status)) == []


def test_changes_untracked_folders_and_ignored_paths_are_read(tmp_path):
    root = _repo(tmp_path)
    (root / "app/a.py").write_text("A = 3\n")
    _git(root, "mv", "app/b.py", "app/c.py")
    (root / "notes.txt").write_text("wip\n")
    (root / "docs").mkdir()
    (root / "docs/one.md").write_text("1\n")
    (root / "docs/two.md").write_text("2\n")
    (root / ".venv/lib").mkdir(parents=True)
    (root / ".venv/pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / ".venv/lib/m.py").write_text("")
    (root / "data").mkdir()
    (root / "data/x.json").write_text("{}")
    (root / "app/local.py").write_text("")
    (root / "sp ace é.txt").write_text("")
    status = read_status(root)
    assert status.changed == (" M app/a.py", "R  app/c.py")
    # A new folder is one entry, as `git status` shows it; so is an ignored one.
    assert status.untracked == ("docs/", "notes.txt", "sp ace é.txt")
    assert status.ignored == (".venv/", "app/local.py", "data/")
    problems = checks.git_tree_problems(_project(root, status))
    assert len(problems) == 1
    for line in ("M  app/a.py", "?? docs/", "?? notes.txt", "?? sp ace é.txt"):
        assert f"    {line}\n" in problems[0]
    assert "app/c.py" in problems[0]


def test_a_stat_only_change_is_not_uncommitted(tmp_path):
    """git status calls a file whose size changed modified; `git diff`, which compares
    content after line-ending conversion, does not: the check believes git diff."""
    root = _repo(tmp_path)
    _git(root, "config", "core.autocrlf", "true")
    (root / "app/a.py").write_bytes(b"A = 1\r\n")
    status = read_status(root)
    assert status.changed  # what status alone would have refused
    assert checks.git_tree_problems(_project(root, status)) == []


def test_before_the_first_commit_everything_is_uncommitted(tmp_path):
    root = _repo(tmp_path, commit=False)
    (root / "notes.txt").write_text("wip\n")
    status = read_status(root)
    assert status.head is None and status.branch == "main"
    problems = checks.git_tree_problems(_project(root, status))
    for line in ("A  .gitignore", "A  app/a.py", "A  app/b.py", "?? notes.txt"):
        assert f"    {line}\n" in problems[0]


def test_a_detached_head_has_no_branch(tmp_path):
    root = _repo(tmp_path)
    _git(root, "checkout", "-q", "--detach")
    assert read_status(root).branch is None


def test_outside_a_repository_git_cannot_say(tmp_path):
    assert read_status(tmp_path) is None


def test_the_probe_takes_the_ignored_paths_from_status(tmp_path):
    """The ignored paths status listed are filtered as before: noise (a virtual
    environment, caches) dropped, what an import could need kept."""
    root = _repo(tmp_path)
    (root / ".venv").mkdir()
    (root / ".venv/pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / "data").mkdir()
    (root / "data/x.json").write_text("{}")
    (root / "app/local.py").write_text("")
    listed = read_status(root).ignored
    assert committed_tree.ignored_present(root, root, listed) == ("app/local.py", "data/")
    assert committed_tree.ignored_present(root, root) == ("app/local.py", "data/")


def _project(root: Path, status: GitStatus | None):
    """Only what the clean-tree check reads of a Project."""

    class Seen:
        git_root = root
        git = status

    return Seen()
