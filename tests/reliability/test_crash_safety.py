"""Crash safety: a failure after any single file write leaves the project untouched.

`apply_changes` is run in-process with `simple_deploy.changes.write_atomic`
wrapped to fail once: before the Nth write, or right after it (the file is
on disk, then the run dies). Afterwards every file must be byte-for-byte what it
was before; and a run without failures leaves exactly the planned bytes. So
a project is either untouched or fully configured, never in between.
"""

from __future__ import annotations

import io

import pytest
from project_files import snapshot
from support import PLATFORMS, prepared, skip_if_declined

from simple_deploy import changes
from simple_deploy.changes import ApplyError, apply_changes
from simple_deploy.configure import with_lock
from simple_deploy.runner import Runner

pytestmark = pytest.mark.needs_programs

# A lock-file project in a subfolder (most files: settings, platform files, the
# manifest and the refreshed lock) and the plainest one.
KINDS = [("uv", "nested"), ("requirements_txt", "flat")]


class Injected(Exception):
    """The failure we inject; anything but the errors apply expects."""


def failing_writer(fail_at: int, after: bool, exc: type[BaseException]):
    """write_atomic that fails once, at its `fail_at`-th call (1-based)."""
    real = changes.write_atomic
    calls = {"n": 0}

    def write(path, data, **kwargs):
        calls["n"] += 1
        if calls["n"] == fail_at and not after:
            raise exc("injected before the write")
        real(path, data, **kwargs)
        if calls["n"] == fail_at and after:
            raise exc("injected after the write")

    return write


@pytest.mark.parametrize(("manager", "layout"), KINDS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_failure_after_any_write_restores_every_file(
    sample_project, monkeypatch, cases, platform, manager, layout
):
    root = sample_project(manager, layout)
    skip_if_declined(root, platform)
    plan = with_lock(prepared(root, platform), Runner(stream=io.StringIO()))
    written = plan.effective
    assert len(written) >= 2, "too few files to test partial writes"
    before = snapshot(root)

    for fail_at in range(1, len(written) + 1):
        for after in (False, True):
            for exc in (Injected, OSError, KeyboardInterrupt):
                label = f"{'after' if after else 'before'} write {fail_at}: {exc.__name__}"
                cases.tried(label)
                monkeypatch.setattr(changes, "write_atomic", failing_writer(fail_at, after, exc))
                expected = KeyboardInterrupt if exc is KeyboardInterrupt else ApplyError
                with pytest.raises(expected):
                    apply_changes(root, plan.changes)
                assert snapshot(root) == before, f"{label}: the project was left half-configured"

    monkeypatch.undo()
    cases.tried("no failure")
    apply_changes(root, plan.changes)
    for change in written:
        assert (root / change.path).read_bytes() == change.after, change.path
    after_run = snapshot(root)
    untouched = {k for k in before if k not in {c.path for c in written}}
    assert {k: after_run[k] for k in untouched} == {k: before[k] for k in untouched}
    assert set(after_run) == set(before) | {c.path for c in written}
