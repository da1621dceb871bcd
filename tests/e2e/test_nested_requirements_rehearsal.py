"""A requirements.txt beside a nested manage.py, none in the root: configured and
rehearsed on Render (a root requirements.txt including it; Render's build runs
`pip install -r requirements.txt` in the root, as Heroku's, Railway's, Upsun's
and Platform.sh's do). One cell: the configure-only test covers every platform."""

from __future__ import annotations

import pytest
from project_files import git
from rehearsals import configure_commit_and_rehearse, migrations_applied

pytestmark = [pytest.mark.needs_programs, pytest.mark.e2e]


def test_nested_requirements_rehearse_from_the_root(sample_project, database_url):
    root = sample_project("requirements_txt", "nested")
    git(root, "mv", "requirements.txt", "blog/requirements.txt")
    git(root, "commit", "-qm", "Requirements beside manage.py")

    configure_commit_and_rehearse(root, "render", database_url)

    assert migrations_applied(database_url) > 10
    assert git(root, "show", "HEAD:requirements.txt").startswith("-r blog/requirements.txt\n")
