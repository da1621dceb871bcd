import os
import stat
import subprocess

import pytest

from simple_deploy.changes import ApplyError, apply_changes
from simple_deploy.plan import FileChange


def _tree(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_apply_writes_new_and_changed_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old\n")
    changes = [
        FileChange("a.txt", b"old\n", b"new\n", "r"),
        FileChange("bin/run", None, b"#!/bin/sh\n", "r", executable=True),
    ]
    apply_changes(tmp_path, changes)
    assert _tree(tmp_path) == {"a.txt": b"new\n", "bin/run": b"#!/bin/sh\n"}
    if os.name == "posix":
        # Windows has no executable bit (st_mode says so by extension only): there the
        # script is recorded as executable in git's index, tested below with git.
        assert os.stat(tmp_path / "bin/run").st_mode & stat.S_IXUSR


def test_failure_half_way_restores_every_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old\n")
    before = _tree(tmp_path)
    changes = [
        FileChange("a.txt", b"old\n", b"new\n", "r"),
        FileChange("new/dir/b.txt", None, b"b\n", "r"),
        FileChange("c.txt", None, b"c\n", "r"),
    ]

    def explode(change):
        if change.path == "new/dir/b.txt":
            raise OSError("disk full")

    with pytest.raises(ApplyError, match="restored"):
        apply_changes(tmp_path, changes, on_write=explode)
    assert _tree(tmp_path) == before
    assert not (tmp_path / "new").exists()


def test_ctrl_c_half_way_restores_and_propagates(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old\n")

    def interrupt(change):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        apply_changes(tmp_path, [FileChange("a.txt", b"old\n", b"new\n", "r")], on_write=interrupt)
    assert (tmp_path / "a.txt").read_bytes() == b"old\n"


def test_file_edited_since_planning_stops_before_any_write(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"edited\n")
    with pytest.raises(ApplyError, match="changed while"):
        apply_changes(
            tmp_path,
            [FileChange("b.txt", None, b"b\n", "r"), FileChange("a.txt", b"old\n", b"new\n", "r")],
        )
    assert _tree(tmp_path) == {"a.txt": b"edited\n"}


def test_read_only_target_fails_and_leaves_files_unchanged(tmp_path):
    if os.name == "nt":
        pytest.skip("a read-only folder mode does not stop writes on Windows")
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    (tmp_path / "a.txt").write_bytes(b"old\n")
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(ApplyError):
            apply_changes(tmp_path, [FileChange("a.txt", b"old\n", b"new\n", "r")])
    finally:
        os.chmod(tmp_path, 0o755)
    assert (tmp_path / "a.txt").read_bytes() == b"old\n"


def test_unchanged_entries_write_nothing(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"same\n")
    mtime = os.stat(tmp_path / "a.txt").st_mtime_ns
    assert apply_changes(tmp_path, [FileChange("a.txt", b"same\n", b"same\n", "r")]) == []
    assert os.stat(tmp_path / "a.txt").st_mtime_ns == mtime


@pytest.mark.parametrize(
    ("existing", "ours"),
    [("procfile", "Procfile"), ("Bin/post_compile", "bin/post_compile"), ("BIN", "bin/x")],
)
def test_name_differing_only_in_case_is_refused_before_any_write(tmp_path, existing, ours):
    # On Windows and macOS these are one file; on Linux the platform reads only ours.
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_bytes(b"web: mine\n")
    before = _tree(tmp_path)
    with pytest.raises(ApplyError) as raised:
        apply_changes(
            tmp_path,
            [FileChange("a.txt", None, b"a\n", "r"), FileChange(ours, None, b"ours\n", "r")],
        )
    message = str(raised.value)
    assert "Nothing was written" in message and "only in case" in message
    assert existing.split("/")[0] in message and "git mv" in message
    assert _tree(tmp_path) == before


def _git(root, *args):
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def _git_repo(root, filemode: str):
    _git(root, "init", "-q")
    _git(root, "config", "core.fileMode", filemode)


@pytest.mark.needs_programs
def test_executable_script_is_committed_as_100755_where_git_ignores_the_file_mode(tmp_path):
    # Git for Windows sets core.fileMode=false: `git add` alone would record 100644.
    _git_repo(tmp_path, "false")
    apply_changes(tmp_path, [FileChange("bin/post_compile", None, b"#!/bin/sh\n", "r", True)])
    _git(tmp_path, "add", "-A")
    assert _git(tmp_path, "ls-files", "-s", "bin/post_compile").startswith("100755 ")


@pytest.mark.needs_programs
def test_executable_script_is_not_staged_where_git_reads_the_file_mode(tmp_path):
    _git_repo(tmp_path, "true")
    apply_changes(tmp_path, [FileChange("bin/post_compile", None, b"#!/bin/sh\n", "r", True)])
    # Nothing staged: the user's index is left alone when git can see the bit itself.
    assert _git(tmp_path, "status", "--porcelain") == "?? bin/\n"
