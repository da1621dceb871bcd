"""Failures after the first write, and what the messages say about them.

The real cause is printed (a full disk says the disk is full), every file is
restored, and the message is true: "restored" only when something was, no
"could not restore" for a file never written. The log folder's name taken by
a file or a link, or a read-only log folder, is found before any write.
Temporary files a killed run left behind are removed by the next run.
"""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import stat

import pytest
from project_files import git, snapshot
from support import PLATFORMS, inspected, prepared, skip_if_declined

from simple_deploy import changes, plugins
from simple_deploy.automate import StepFailed
from simple_deploy.changes import TEMP_MARK, ApplyError, apply_changes
from simple_deploy.configure import ConfigureError, apply_plan
from simple_deploy.log import LOG_DIR_NAME
from simple_deploy.plan import FileChange
from simple_deploy.runner import Runner

per_platform = pytest.mark.parametrize("platform", PLATFORMS)

ERRORS = {
    "disk full": (errno.ENOSPC, "the disk is full"),
    "quota": (errno.EDQUOT, "quota"),
    "read-only file system": (errno.EROFS, "read-only"),
    "permission denied": (errno.EACCES, "permission denied"),
}


def _failing_at(fail_at: int, code: int):
    real = changes.write_atomic
    calls = {"n": 0}

    def write(path, data, **kwargs):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise OSError(code, os.strerror(code), str(path))
        real(path, data, **kwargs)

    return write


@pytest.mark.needs_programs
@per_platform
def test_a_write_failing_for_a_real_reason_says_that_reason_and_restores(
    sample_project, monkeypatch, platform, cases
):
    root = sample_project("requirements_txt", "flat")
    skip_if_declined(root, platform)
    plan = prepared(root, platform).plan
    before = snapshot(root)
    count = len(plan.effective)
    for fail_at in range(1, count + 1):
        for label, (code, words) in ERRORS.items():
            cases.tried(f"write {fail_at} of {count}: {label}")
            monkeypatch.setattr(changes, "write_atomic", _failing_at(fail_at, code))
            with pytest.raises(ApplyError) as failed:
                apply_changes(root, plan.changes)
            message = str(failed.value)
            assert words in message, message
            if fail_at == 1:
                assert "Nothing was changed" in message and "restored" not in message, message
            else:
                assert "were restored" in message, message
            assert "Could not restore" not in message, message
            cases.unchanged(before, snapshot(root))
    monkeypatch.undo()


def test_a_restore_that_fails_is_named_with_its_cause(tmp_path, monkeypatch, cases):
    (tmp_path / "a.txt").write_bytes(b"old\n")
    plan = [
        FileChange("a.txt", b"old\n", b"new\n", "r"),
        FileChange("b.txt", None, b"b\n", "r"),
    ]
    real = changes.write_atomic
    calls = {"n": 0}

    def write(path, data, **kwargs):
        calls["n"] += 1
        if calls["n"] >= 2:  # b.txt fails, then restoring a.txt fails too
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data, **kwargs)

    monkeypatch.setattr(changes, "write_atomic", write)
    cases.tried("restore fails")
    with pytest.raises(ApplyError) as failed:
        apply_changes(tmp_path, plan)
    message = str(failed.value)
    assert "Could not restore: a.txt (the disk is full" in message, message
    assert "b.txt (" not in message.split("Could not restore")[1], "b.txt was never written"


@pytest.mark.needs_programs
@per_platform
@pytest.mark.parametrize("taken_by", ["a file", "a link", "a read-only folder"])
def test_the_log_folder_unusable_is_found_before_any_write(
    sample_project, tmp_path, platform, taken_by, cases
):
    if taken_by == "a read-only folder" and (os.name == "nt" or os.geteuid() == 0):
        pytest.skip("root writes into read-only folders; Windows ignores a folder's mode")
    root = sample_project("requirements_txt", "flat")
    skip_if_declined(root, platform)
    folder = root / LOG_DIR_NAME
    if taken_by == "a file":
        folder.write_text("my notes\n")
    elif taken_by == "a link":
        (tmp_path / "elsewhere").mkdir()
        folder.symlink_to(tmp_path / "elsewhere")
    else:
        folder.mkdir()
        folder.chmod(0o500)
    cases.tried(taken_by)
    before = snapshot(root)
    try:
        with pytest.raises(ConfigureError) as refused:
            apply_plan(prepared(root, platform, ignore_unclean_git=True), Runner())
        assert LOG_DIR_NAME in str(refused.value) and "Nothing was changed" in str(refused.value)
        cases.unchanged(before, snapshot(root))
    finally:
        if folder.is_dir() and not folder.is_symlink():
            folder.chmod(0o700)


@pytest.mark.needs_programs
@per_platform
def test_a_failing_lock_refresh_changes_nothing(sample_project, tmp_path, platform, cases):
    root = sample_project("uv", "flat")
    skip_if_declined(root, platform)
    before = snapshot(root)
    cases.tried("uv lock fails")
    broken = tmp_path / "bin"
    broken.mkdir()
    (broken / "uv").write_text("#!/bin/sh\necho 'error: network unreachable' >&2\nexit 2\n")
    (broken / "uv").chmod(0o755)
    runner = Runner(path=f"{broken}{os.pathsep}{os.environ['PATH']}", stream=io.StringIO())
    with pytest.raises(ConfigureError) as failed:
        apply_plan(prepared(root, platform), runner)
    assert "network unreachable" in str(failed.value) and "nothing was changed" in str(failed.value)
    cases.unchanged(before, snapshot(root))


@pytest.mark.needs_programs
@per_platform
def test_a_failing_commit_restores_every_file_and_says_so(
    sample_project, tmp_path, monkeypatch, platform, cases
):
    """--automate-all commits right after writing; if git refuses (a hook), the files go back."""
    from simple_deploy.automate_all import automate_all

    plugin = plugins.load(platform)
    if plugin.automate is None:
        pytest.skip(f"{platform} has no --automate-all")
    root = sample_project("requirements_txt", "flat")
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'pre-commit: lint failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(root)
    cases.tried("pre-commit hook refuses")
    project = inspected(root)
    automation = plugin.automate(project, {})
    # Without the platform's steps: the commit is what fails here. The run first
    # looks for the platform's CLI on PATH: a stand-in is enough.
    if plugin.cli:
        bin_dir = tmp_path / "cli"
        bin_dir.mkdir()
        (bin_dir / plugin.cli).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / plugin.cli).chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    fake = dataclasses.replace(automation, prepare=(), finish=())
    quiet = dataclasses.replace(plugin, automate=lambda project, options: fake)
    with pytest.raises(StepFailed) as failed:
        automate_all(project, quiet, {}, Runner(stream=io.StringIO()), confirm=lambda n: True)
    message = str(failed.value)
    assert "lint failed" in message and "restored the files this run had written" in (
        message.lower()
    ), message
    assert git(root, "status", "--porcelain") == ""
    # `git add` stored the blobs before the commit failed: unreachable objects that
    # git's own gc removes, not a change to any file or to the index.
    cases.unchanged(_files(before), _files(snapshot(root)))


def _files(snap: dict) -> dict:
    return {k: v for k, v in snap.items() if not k.startswith((LOG_DIR_NAME, ".git/objects/"))}


@pytest.mark.needs_programs
@per_platform
def test_temporary_files_of_a_killed_run_are_removed_by_the_next_run(
    sample_project, platform, cases
):
    root = sample_project("requirements_txt", "flat")
    skip_if_declined(root, platform)
    plan = prepared(root, platform).plan
    left = []
    for change in plan.effective:
        folder = (root / change.path).parent
        folder.mkdir(parents=True, exist_ok=True)
        stale = folder / f".{(root / change.path).name}{TEMP_MARK}abc123.tmp"
        stale.write_bytes(b"half-written by a killed run")
        left.append(stale)
    mine = root / ".notes.tmp"  # the user's own file, not ours
    mine.write_text("keep me\n")
    cases.tried("stale temporary files")
    apply_changes(root, plan.changes)
    assert [p for p in left if p.exists()] == []
    assert mine.read_text() == "keep me\n"


@pytest.mark.needs_programs
def test_log_files_are_private(sample_project, cases):
    from simple_deploy.log import RunLog

    root = sample_project("requirements_txt", "flat")
    log = RunLog()
    log.add("a line")
    (root / LOG_DIR_NAME).mkdir(mode=0o755)  # an older version's folder: tightened
    for kind, path in (
        ("log", log.save(root)),
        ("summary", log.save_text(root, "summary", "text")),
    ):
        cases.tried(kind)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, kind
    assert stat.S_IMODE((root / LOG_DIR_NAME).stat().st_mode) == 0o700
    assert stat.S_IMODE((root / LOG_DIR_NAME / ".gitignore").stat().st_mode) == 0o600


@pytest.mark.needs_programs
@pytest.mark.parametrize("platform", PLATFORMS[:1])
def test_the_log_folder_taken_by_a_file_as_the_user_sees_it(sample_project, platform, cases):
    """Through `manage.py deploy`: one message, no traceback, even though no log is saved.
    (The log folder is the core's: one platform stands for all; in-process above for each.)"""
    from project_files import deploy

    root = sample_project("requirements_txt", "flat")
    (root / LOG_DIR_NAME).write_text("my notes\n")
    before = snapshot(root)
    cases.tried("simple_deploy_logs is a file")
    result = deploy(root, platform, "--ignore-unclean-git")
    assert result.returncode != 0, result.stdout
    assert LOG_DIR_NAME in result.stderr, result.stderr
    cases.no_traceback(result.stderr, result.stdout)
    cases.unchanged(before, snapshot(root))


@pytest.mark.needs_programs
@pytest.mark.skipif(os.name == "nt", reason="the stand-in's git hook is POSIX")
def test_a_push_heroku_took_without_a_release_is_named_without_waiting_out_the_timeout(
    sample_project, heroku_account, monkeypatch, cases
):
    from simple_deploy.automate_all import automate_all
    from simple_deploy.platforms.heroku import automate as heroku_automate

    cases.tried("push taken, no release")
    heroku_account.use_here(monkeypatch)
    monkeypatch.setattr(heroku_automate, "NO_RELEASE_WAIT_SECONDS", 2)
    heroku_account.world.release_lost = True
    root = sample_project("requirements_txt", "flat")
    out = io.StringIO()
    with pytest.raises(StepFailed) as failed:
        automate_all(
            inspected(root),
            plugins.load("heroku"),
            {"automate_all": True, "no_input": True},
            Runner(stream=out),
            confirm=lambda notice: True,
        )
    message = str(failed.value)
    head = git(root, "rev-parse", "HEAD").strip()[:8]
    assert f"Heroku took the push of commit {head} but lists no release of it after 2 s" in message
    assert "heroku releases --app=" in message
