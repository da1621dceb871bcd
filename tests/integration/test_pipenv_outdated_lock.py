"""A committed Pipfile.lock that the user's Pipenv calls out of date with Pipfile (an
edit not locked, or a newer Pipenv's hash of the Pipfile: field, TabbycatDebate/tabbycat):
every platform installs with `pipenv install --deploy`, which refuses it, so
configuration stops first with the command to run, and changes nothing."""

from __future__ import annotations

import pytest
from project_files import deploy, git

pytestmark = pytest.mark.needs_programs


@pytest.mark.parametrize("platform", ["heroku", "render"])
def test_an_outdated_lock_stops_with_pipenv_lock(sample_project, platform):
    root = sample_project("pipenv", "flat")
    pipfile = root / "Pipfile"
    # An edit the lock never saw: Pipfile's hash no longer matches the lock's.
    pipfile.write_text(pipfile.read_text("utf-8") + "\n# pinned by hand later\n", "utf-8")
    text = pipfile.read_text("utf-8").replace("[packages]\n", '[packages]\nsix = "*"\n', 1)
    pipfile.write_text(text, "utf-8")
    git(root, "commit", "-qam", "Pipfile edited, not locked")
    head = git(root, "rev-parse", "HEAD")

    result = deploy(root, platform)

    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, out
    assert (
        "Pipfile.lock is out of date with Pipfile (`pipenv verify` says so), and the "
        "platforms install with `pipenv install --deploy`, which refuses it. Run "
        "`pipenv lock`, commit Pipfile.lock, and run again."
    ) in out, out
    assert "Traceback" not in out
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "rev-parse", "HEAD") == head
