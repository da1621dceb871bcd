"""Git's own reasons reach the user, and a settings block pasted twice is reported.

A repository git refuses to read (another user's folder: "dubious ownership";
a `.git` file pointing nowhere) gets git's words and fix, not "not inside a git
repository"; a settings file holding our block twice (pasted twice, or merged
from two branches) is refused with the count, for every installed platform.
"""

from __future__ import annotations

import pytest
from project_files import snapshot
from support import PLATFORMS, commit_all, inspected, settings_file

from simple_deploy import markers, plugins
from simple_deploy.configure import ConfigureError, prepare
from simple_deploy.project import InspectionError, inspect

pytestmark = pytest.mark.needs_programs


def test_dubious_ownership_gets_gits_reason_and_fix(sample_project, monkeypatch, cases):
    root = sample_project("requirements_txt", "flat")
    cases.tried("dubious ownership")
    # Git's own switch for this check (t0033-safe-directory uses it): the folder
    # is treated as another user's, as on a shared drive or after a `sudo git clone`.
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    with pytest.raises(InspectionError) as refused:
        inspect(root)
    message = str(refused.value)
    if "not inside a git repository" in message and "dubious" not in message:
        pytest.fail(f"git's reason was replaced by ours: {message}")
    assert "dubious ownership" in message and "safe.directory" in message, message


def test_a_git_file_pointing_nowhere_gets_gits_reason(sample_project, cases):
    root = sample_project("requirements_txt", "flat")
    cases.tried(".git file to nowhere")
    (root / "elsewhere").mkdir()
    import shutil

    shutil.rmtree(root / ".git")
    (root / ".git").write_text("gitdir: ../no-such-worktree/.git\n")
    with pytest.raises(InspectionError) as refused:
        inspect(root)
    message = str(refused.value)
    assert "no-such-worktree" in message or "not a git repository" in message, message


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("copies", [2, 3])
def test_a_settings_block_pasted_more_than_once_is_reported(
    sample_project, platform, copies, cases
):
    root = sample_project("requirements_txt", "flat")
    settings = settings_file(root)
    block = markers.replace_block("", platform, "PASTED = True")
    settings.write_text(settings.read_text() + ("\n" + block) * copies)
    commit_all(root, f"block pasted {copies} times")
    cases.tried(f"{copies} copies")
    before = snapshot(root)
    with pytest.raises(ConfigureError) as refused:
        prepare(inspected(root), plugins.load(platform), {})
    message = str(refused.value)
    assert f"{copies} times" in message and "pasted" in message, message
    cases.no_traceback(message)
    cases.unchanged(before, snapshot(root))
