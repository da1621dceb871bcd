"""Platform.sh end to end: configure each sample project, commit, and rehearse it against
a real PostgreSQL server, with PLATFORM_RELATIONSHIPS built from that database and
PLATFORM_ROUTES from the rehearsal host, serving with gunicorn as .platform.app.yaml says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

MATRIX = [
    (manager, layout, django)
    for manager in ("requirements_txt", "poetry", "pipenv", "uv")
    for layout, django in (("flat", "5.2"), ("nested", "4.2"))
]


def _run(cwd: Path, *argv: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(("manager", "layout", "django"), MATRIX)
def test_platform_sh_configuration_rehearses_on_postgres(
    sample_project, database_url, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    manage_dir = root if layout == "flat" else root / "blog"
    deploy = (sys.executable, "manage.py", "deploy", "--platform", "platform_sh")

    configured = _run(manage_dir, *deploy)
    assert configured.returncode == 0, configured.stderr + configured.stdout
    _run(root, "git", "add", "-A")
    _run(root, "git", "commit", "-qm", "Configure for Platform.sh")

    rehearsal = _run(manage_dir, *deploy, "--rehearse", "--database-url", database_url)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    for step in ("install", "build", "release", "check --deploy", "web", "GET /", "static file"):
        assert f"[pass] {step}" in out, out
    assert "Rehearsal passed." in out

    # Migrations really ran against PostgreSQL, reached through PLATFORM_RELATIONSHIPS.
    tables = _run(root, "psql", database_url, "-Atc", "select count(*) from django_migrations")
    assert tables.returncode == 0, tables.stderr
    assert int(tables.stdout.strip()) > 10


def test_rehearsal_without_postgres_says_what_it_needs(sample_project):
    root = sample_project("requirements_txt", "flat")
    deploy = (sys.executable, "manage.py", "deploy", "--platform", "platform_sh")
    assert _run(root, *deploy).returncode == 0
    _run(root, "git", "add", "-A")
    _run(root, "git", "commit", "-qm", "Configure for Platform.sh")
    rehearsal = _run(root, *deploy, "--rehearse", "--database-url", "sqlite:///x.db")
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode != 0
    assert "[FAIL] release" in out and "needs a PostgreSQL database" in out
