"""`--rehearse` rehearses the last commit as it is and writes nothing to the user's files.

A user removes a line from a generated file on purpose and commits: the rehearsal
says the commit differs from what `deploy` would write now, rehearses the user's
version, and leaves every file byte-for-byte as it was.
"""

from __future__ import annotations

import pytest
from project_files import deploy, git, manage_dir, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

REMOVED = "    # Errors go to the log stream, where `heroku logs --tail` shows them.\n"


def test_rehearse_keeps_an_edited_generated_file_and_writes_nothing(sample_project, database_url):
    root = sample_project("requirements_txt", "flat")
    assert deploy(root, "heroku").returncode == 0
    settings = manage_dir(root) / "blog" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    assert REMOVED in text
    settings.write_text(text.replace(REMOVED, ""), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Heroku, without one comment")
    before = snapshot(root, logs=False)

    rehearsal = deploy(root, "heroku", "--rehearse", "--database-url", database_url)

    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    assert (
        "differs from what `python manage.py deploy --platform heroku` would write now: "
        "blog/settings.py. Rehearsing the commit as it is: your edits are what Heroku will get."
    ) in " ".join(out.split())
    assert "[pass] pages" in out and "Rehearsal passed. " in out
    assert snapshot(root, logs=False) == before
    assert git(root, "status", "--porcelain") == ""
