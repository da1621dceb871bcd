"""Render end to end (half the matrix; the Django 6 session rehearses the other half):
configure each sample project, check its render.yaml against Render's Blueprint schema,
commit, and rehearse it against a real PostgreSQL server: the build command's install
(the project's own manager, from its lock file) and collectstatic, the pre-deploy
migrations, and gunicorn as startCommand declares it."""

from __future__ import annotations

import pytest
import render_schema
from project_files import deploy, git
from rehearsals import HALVES, MAIN_HALF, configure_commit_and_rehearse, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


@pytest.mark.parametrize(("manager", "layout", "django"), HALVES[MAIN_HALF["render"]])
def test_render_configuration_rehearses_on_postgres(
    sample_project, database_url, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    out = configure_commit_and_rehearse(root, "render", database_url)
    render_schema.assert_valid((root / "render.yaml").read_text())
    # The rehearsal replayed what the committed render.yaml declares.
    assert "differs from what" not in out, out
    # The pre-deploy command ran the migrations, against PostgreSQL.
    assert migrations_applied(database_url) > 10


def test_free_instance_migrates_in_the_build(sample_project, database_url):
    """The free instance type has no pre-deploy command: the rehearsal follows the
    Blueprint, whose build command migrates last."""
    root = sample_project("requirements_txt", "flat")
    assert deploy(root, "render", "--render-plan", "free").returncode == 0
    blueprint = render_schema.assert_valid((root / "render.yaml").read_text())
    [web] = blueprint["services"]
    assert "preDeployCommand" not in web
    assert web["buildCommand"].endswith("python manage.py migrate --noinput")
    assert blueprint["databases"][0]["plan"] == "free"
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Render, free")
    rehearsal = deploy(
        root, "render", "--render-plan", "free", "--rehearse", "--database-url", database_url
    )
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    assert "Rehearsal passed." in out
    assert migrations_applied(database_url) > 10
