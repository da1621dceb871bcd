"""The lock refresh runs the user's own tool and leaves nothing outside the repository.

`pipenv lock` hands its resolver a request file in the temp folder and does not
remove it: before the refresh gave the tool a temp folder of its own, each
configuration of a Pipenv project left a `pipenv-request-*.json` in /tmp.
"""

from __future__ import annotations

import os

import project_files
import pytest

pytestmark = pytest.mark.needs_programs


@pytest.mark.skipif(os.name == "nt", reason="TMPDIR names the temp folder on POSIX")
def test_refreshing_a_pipenv_lock_leaves_nothing_in_the_temp_folder(sample_project, tmp_path):
    root = sample_project("pipenv", "flat")
    temp = tmp_path / "temp"
    temp.mkdir()

    result = project_files.deploy(root, "heroku", env={"TMPDIR": str(temp)})

    assert result.returncode == 0, result.stderr + result.stdout
    assert "`Pipfile.lock` (updated): refreshed with `pipenv lock`" in result.stdout
    assert sorted(p.name for p in temp.iterdir()) == []
