"""Heroku end to end (half the matrix; the Django 6 session rehearses the other
half): configure each sample project, commit, and rehearse it against
a real PostgreSQL server, installing from its lock file with its own package manager
and serving it with gunicorn exactly as the generated Procfile says."""

from __future__ import annotations

import pytest
from rehearsals import HALVES, configure_commit_and_rehearse, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


@pytest.mark.parametrize(("manager", "layout", "django"), HALVES[0])
def test_heroku_configuration_rehearses_on_postgres(
    sample_project, database_url, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    configure_commit_and_rehearse(root, "heroku", database_url)
    # Migrations really ran against PostgreSQL.
    assert migrations_applied(database_url) > 10
