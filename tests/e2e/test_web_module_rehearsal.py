"""The platform serves what the commit holds, end to end: a top-level wsgi.py that
WSGI_APPLICATION names from a component django-split-settings includes, and a middleware
list without SecurityMiddleware (the settings block adds it, so the HTTPS redirect and
HSTS work and `check --deploy` reports nothing). Configured, committed and rehearsed on
PostgreSQL; the page answers through gunicorn serving `wsgi`."""

from __future__ import annotations

import pytest
from rehearsals import configure_commit_and_rehearse, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "platform_sh", "railway", "render"])
def test_a_top_level_wsgi_without_security_middleware_rehearses(
    sample_project, database_url, platform
):
    root = sample_project("requirements_txt", "flat", settings="toplevel-wsgi")
    out = configure_commit_and_rehearse(root, platform, database_url)
    assert migrations_applied(database_url) > 10
    assert "security.W001" not in out
