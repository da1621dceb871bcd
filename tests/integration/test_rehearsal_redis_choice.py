"""A rehearsal of a project whose settings read Redis decides its Redis before any
work: a URL that is not Redis, an empty prompt, or no redis-server stops at once
with the option to give, the URL never shown, the user's files untouched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import service_shapes
from project_files import deploy, git, snapshot

pytestmark = pytest.mark.needs_programs


@pytest.fixture
def celery_project(tmp_path) -> Path:
    root = service_shapes.copy("celery-beat", tmp_path)
    configured = deploy(root, "heroku")
    assert configured.returncode == 0, configured.stdout + configured.stderr
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Heroku")
    return root


def test_a_url_that_is_not_redis_stops_before_any_work_without_showing_it(celery_project):
    before = snapshot(celery_project, logs=False)
    result = deploy(
        celery_project, "heroku", "--rehearse", "--redis-url", "postgres://me:s3cret@db/app"
    )
    assert result.returncode != 0
    assert "--redis-url must be a redis:// or rediss:// URL" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Rehearsing" not in result.stdout
    assert snapshot(celery_project, logs=False) == before


def test_the_url_typed_at_the_prompt_is_used_and_an_empty_one_stops(celery_project):
    before = snapshot(celery_project, logs=False)
    typed = deploy(
        celery_project, "heroku", "--rehearse", "--redis-url", stdin="mysql://me:s3cret@db/app\n"
    )
    assert "--redis-url must be a redis:// or rediss:// URL" in typed.stderr
    assert "s3cret" not in typed.stdout + typed.stderr
    empty = deploy(celery_project, "heroku", "--rehearse", "--redis-url", stdin="\n")
    assert empty.returncode != 0 and "none was typed at its prompt" in empty.stderr
    assert "Traceback" not in typed.stderr + empty.stderr
    assert snapshot(celery_project, logs=False) == before


def test_no_redis_server_stops_before_any_work_naming_the_option_and_the_package(
    celery_project, tmp_path
):
    # A PATH with git only: no redis-server to start.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("git"), bin_dir / "git")
    before = snapshot(celery_project, logs=False)
    result = deploy(celery_project, "heroku", "--rehearse", env={"PATH": str(bin_dir)})
    assert result.returncode != 0
    assert "The Heroku rehearsal needs Redis" in result.stderr
    assert "--redis-url redis://:PASSWORD@HOST:PORT/0" in result.stderr
    assert "apt install redis-server" in result.stderr
    assert "Traceback" not in result.stderr and "Rehearsing" not in result.stdout
    assert snapshot(celery_project, logs=False) == before
