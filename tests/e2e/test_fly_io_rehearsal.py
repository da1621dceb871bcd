"""Fly.io end to end: configure each sample project, commit, and rehearse what the
image does (install from the lock file with the project's own manager, collectstatic
without secrets, the release command against a real PostgreSQL server, the CMD's
gunicorn on $PORT) from the Runtime that also renders the Dockerfile and fly.toml."""

from __future__ import annotations

import pytest
from rehearsals import MATRIX, configure_commit_and_rehearse, migrations_applied

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("manager", "layout", "django"), MATRIX)
def test_fly_io_configuration_rehearses_on_postgres(
    sample_project, database_url, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    configure_commit_and_rehearse(root, "fly_io", database_url)
    # The release command's migrations really ran against PostgreSQL.
    assert migrations_applied(database_url) > 10
