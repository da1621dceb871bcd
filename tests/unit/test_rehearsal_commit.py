"""The rehearsal's copy of HEAD, as a push sends it (src/simple_deploy/rehearsal/commit.py)."""

from __future__ import annotations

import os
import subprocess

import pytest

from simple_deploy.rehearsal.commit import export_head

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows"),
    pytest.mark.needs_programs,
]


def _git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_a_committed_link_to_an_absolute_path_stays_a_link_and_nothing_is_written_through_it(
    tmp_path,
):
    # A committed virtualenv: bin/python points at this machine's interpreter.
    repo = tmp_path / "repo"
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").symlink_to("/usr/bin/python3")
    (repo / "inside").symlink_to("manage.py")
    (repo / "manage.py").write_text("print('hi')\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x")

    dest = tmp_path / "copy"
    export_head(repo, dest, timeout=60)

    assert os.readlink(dest / ".venv" / "bin" / "python") == "/usr/bin/python3"
    assert os.readlink(dest / "inside") == "manage.py"
    assert (dest / "manage.py").read_text() == "print('hi')\n"
