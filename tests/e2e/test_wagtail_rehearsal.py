"""A Wagtail site rehearsed on PostgreSQL (one platform; every platform's block is checked
by tests/integration/test_wagtail.py): wagtailsearch's PostgreSQL index migrates with
django.contrib.postgres installed, and `check --deploy` has no wagtailadmin.W003."""

from __future__ import annotations

import pytest
from rehearsals import configure_commit_and_rehearse, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


def test_wagtail_site_migrates_and_checks_clean_on_heroku(sample_project, database_url):
    root = sample_project("requirements_txt", "nested", settings="wagtail")
    out = configure_commit_and_rehearse(root, "heroku", database_url)
    assert "wagtailadmin.W003" not in out, out
    assert "postgres.E005" not in out, out
    # Wagtail's own migrations ran (wagtailcore alone has dozens).
    assert migrations_applied(database_url) > 100
