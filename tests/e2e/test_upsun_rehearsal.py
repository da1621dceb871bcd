"""Upsun end to end (half the matrix; the Django 6 session rehearses the other
half): configure each sample project for Upsun, commit, and rehearse it
against a real PostgreSQL server, with PLATFORM_RELATIONSHIPS built from that database
and PLATFORM_ROUTES from the rehearsal host, serving with gunicorn as
.upsun/config.yaml says. Upsun's validator checks each generated file first."""

from __future__ import annotations

import pytest
from rehearsals import HALVES, configure_commit_and_rehearse, migrations_applied
from upsun_validator import assert_valid

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


@pytest.mark.parametrize(("manager", "layout", "django"), HALVES[0])
def test_upsun_configuration_rehearses_on_postgres(
    sample_project, database_url, upsun_validator, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    configure_commit_and_rehearse(root, "upsun", database_url)
    assert_valid(upsun_validator, root)
    assert migrations_applied(database_url) > 10
