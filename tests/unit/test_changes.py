import os
import stat

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
