"""Pins the project wrote that the generated files or Django cannot run with (issue 27):
the tool raises what its own settings need, and says why."""

from __future__ import annotations

import pytest
from project_files import deploy, git

pytestmark = pytest.mark.needs_programs


def _pin(root, lines: str) -> None:
    with open(root / "requirements.txt", "a", encoding="utf-8", newline="") as file:
        file.write(lines)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Pin dj-database-url")


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "railway", "render"])
def test_a_dj_database_url_pin_without_conn_health_checks_is_raised_in_place(
    sample_project, platform
):
    # dj-database-url 0.5 has no conn_health_checks (1.1 added it) and names the
    # postgresql_psycopg2 backend Django 3.0 removed: the block cannot run on it.
    root = sample_project("requirements_txt", "flat")
    _pin(root, "dj-database-url==0.5.0  # the DO sample's pin\nsqlparse==0.4.4\n")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    text = (root / "requirements.txt").read_text("utf-8")
    assert "dj-database-url~=3.1  # the DO sample's pin\nsqlparse==0.4.4\n" in text
    assert "0.5.0" not in text
    assert text.count("dj-database-url") == 1
    assert "raised `dj-database-url==0.5.0` to `dj-database-url~=3.1`" in result.stdout
    assert "1.1 or newer" in result.stdout


def test_a_pin_that_allows_a_new_enough_release_is_kept(sample_project):
    root = sample_project("requirements_txt", "flat")
    _pin(root, "dj-database-url>=0.5,<4\n")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    text = (root / "requirements.txt").read_text("utf-8")
    assert "dj-database-url>=0.5,<4\n" in text and text.count("dj-database-url") == 1
    assert "raised" not in result.stdout


@pytest.mark.parametrize("platform", ["heroku", "upsun", "platform_sh"])
def test_a_gunicorn_pin_that_imports_pkg_resources_is_raised(sample_project, platform):
    # gunicorn 20 imports pkg_resources, which a fresh install no longer has: the web
    # process would die at start.
    root = sample_project("requirements_txt", "flat")
    _pin(root, "gunicorn==20.1.0\n")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    text = (root / "requirements.txt").read_text("utf-8")
    assert "gunicorn~=27.0\n" in text and "20.1.0" not in text
    assert "raised `gunicorn==20.1.0` to `gunicorn~=27.0`" in result.stdout
