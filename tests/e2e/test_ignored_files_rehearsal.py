"""A rehearsal that fails on a git-ignored file the commit lacks says which file, not only
that it failed (issue 33, part 2). The project cannot be configured (that stops before
writing, tests/integration/test_ignored_files.py), so its last commit is rehearsed as it is."""

from __future__ import annotations

import pytest
from project_files import deploy
from project_shapes import ignored_data_folder, split_settings_with_ignored_local

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


@pytest.mark.parametrize(
    ("shape", "named"),
    [
        ("local", "git ignores blog/settings/local.py, which your settings need at import"),
        ("data", "git ignores data/, which your settings need at import"),
    ],
)
def test_the_failed_rehearsal_names_the_ignored_file(sample_project, database_url, shape, named):
    root = sample_project("requirements_txt", "flat")
    if shape == "local":
        split_settings_with_ignored_local(root, "required")
    else:
        ignored_data_folder(root)
    rehearsal = deploy(root, "heroku", "--rehearse", "--database-url", database_url)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 1, out
    assert "[FAIL] build (" in out, out
    err = " ".join(rehearsal.stderr.split())
    assert "The rehearsal failed after" in err
    assert f"The platform builds from your commit, and {named}" in err, err
    assert "Traceback" not in rehearsal.stderr
