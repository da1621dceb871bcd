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


@pytest.mark.parametrize(
    ("shape", "lock", "locked"),
    [
        # uv locks the site itself: hatchling reads its version from blog/__about__.py.
        ("uv-hatchling-dynamic-version", "uv.lock", 'name = "blog-site"'),
        # Poetry locks the path dependency: hatchling reads its version from its folder.
        ("poetry-path-dependency-dynamic-version", "poetry.lock", 'version = "2.1.0"'),
    ],
)
def test_a_dynamic_version_read_from_a_file_locks(sample_project, shape, lock, locked):
    """The build backend reads files the manager's own files only name (a version file
    in the package, a path dependency's folder): the lock refresh gives it them."""
    manager = "uv" if lock == "uv.lock" else "poetry"
    root = sample_project(manager, "flat", shape=shape)

    result = project_files.deploy(root, "heroku")

    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert f"`{lock}` (updated): refreshed with `{manager} lock`" in out
    text = (root / lock).read_text("utf-8")
    assert 'name = "gunicorn"' in text and locked in text
    assert "does not exist" not in out
