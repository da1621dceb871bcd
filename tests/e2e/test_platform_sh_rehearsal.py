"""Platform.sh end to end (half the matrix; the Django 6 session rehearses the other
half): configure each sample project, commit, and rehearse it against
a real PostgreSQL server, with PLATFORM_RELATIONSHIPS built from that database and
PLATFORM_ROUTES from the rehearsal host, serving with gunicorn as .platform.app.yaml says."""

from __future__ import annotations

import pytest
from project_files import deploy, git
from rehearsals import HALVES, configure_commit_and_rehearse, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


@pytest.mark.parametrize(("manager", "layout", "django"), HALVES[1])
def test_platform_sh_configuration_rehearses_on_postgres(
    sample_project, database_url, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    configure_commit_and_rehearse(root, "platform_sh", database_url)
    # Migrations really ran against PostgreSQL, reached through PLATFORM_RELATIONSHIPS.
    assert migrations_applied(database_url) > 10


def test_rehearsal_without_postgres_says_what_it_needs(sample_project):
    root = sample_project("requirements_txt", "flat")
    assert deploy(root, "platform_sh").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Platform.sh")
    rehearsal = deploy(root, "platform_sh", "--rehearse", "--database-url", "sqlite:///x.db")
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode != 0
    # Said before any work (no step ran), naming the option that gives one.
    assert "needs a PostgreSQL database" in out and "Rehearsing" not in out
    assert "--database-url postgresql://" in out
