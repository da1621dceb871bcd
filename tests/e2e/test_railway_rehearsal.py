"""Railway end to end (half the matrix; the Django 6 session rehearses the other
half): configure each sample project, commit, and rehearse it against a real
PostgreSQL server: installed from its lock with its own package manager as Railpack
does, the build command (collectstatic), the pre-deploy command (migrate) and the
start command (gunicorn) exactly as .railway/railway.ts declares them."""

from __future__ import annotations

import shlex

import pytest
import railway_iac
from project_files import manage_dir
from rehearsals import HALVES, MAIN_HALF, configure_commit_and_rehearse, migrations_applied

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


@pytest.mark.parametrize(("manager", "layout", "django"), HALVES[MAIN_HALF["railway"]])
def test_railway_configuration_rehearses_on_postgres(
    sample_project, database_url, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    configure_commit_and_rehearse(root, "railway", database_url)
    # What the rehearsal replayed (the plugin's runtime) is what the file declares.
    web = railway_iac.services(railway_iac.evaluate(root / ".railway" / "railway.ts"))["web"]
    replayed = plugins.load("railway").runtime(inspect(manage_dir(root)))
    assert " && ".join(shlex.join(c.argv) for c in replayed.build) == web["build"]
    assert [shlex.join(c.argv) for c in replayed.release] == web["deploy"]["preDeployCommand"]
    assert shlex.join(replayed.web.argv) == web["start"]
    # Migrations really ran against PostgreSQL, in the pre-deploy step.
    assert migrations_applied(database_url) > 10
