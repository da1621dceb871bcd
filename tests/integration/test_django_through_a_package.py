"""A requirements.txt that lists a package requiring Django (django-allauth, wagtail,
dj-database-url) but not Django itself, as django-allauth's example project does: pip
installs Django through it, so the project is complete and the run goes on; the
platform's resolver could pick a newer Django than the one tested here, so the plan
pins the one running."""

from __future__ import annotations

import django
import pytest
from project_files import deploy, git, snapshot

pytestmark = pytest.mark.needs_programs

RUNNING = "{}.{}".format(*django.VERSION[:2])


def _without_django(root, *lines: str) -> None:
    path = root / "requirements.txt"
    kept = [
        line
        for line in path.read_text("utf-8").splitlines()
        if not line.lower().startswith("django")
    ]
    path.write_text("\n".join([*kept, *lines]) + "\n", "utf-8")
    git(root, "commit", "-qam", "Django comes through a package")


@pytest.mark.parametrize("platform", ["heroku", "render"])
def test_django_through_a_listed_package_is_pinned_to_the_running_release(sample_project, platform):
    root = sample_project("requirements_txt", "flat")
    # dj-database-url requires Django (>=4.2): installed here, as in the project's venv.
    _without_django(root, "dj-database-url~=3.0")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    text = (root / "requirements.txt").read_text("utf-8")
    assert f"Django~={RUNNING}.0" in text.splitlines(), text
    said = " ".join(result.stdout.split())
    assert "it came only through dj-database-url" in said, said
    assert f"`Django~={RUNNING}.0` is added, the release you run" in said, said


def test_no_django_and_no_package_bringing_it_still_stops(sample_project):
    root = sample_project("requirements_txt", "flat")
    _without_django(root, "whitenoise~=6.12")
    before = snapshot(root)
    result = deploy(root, "heroku")
    assert result.returncode != 0
    assert "requirements.txt does not list Django" in result.stderr + result.stdout
    assert snapshot(root) == before
