"""Fly.io end to end: configure each sample project, commit, and rehearse what the
image does (install from the lock file with the project's own manager, collectstatic
without secrets, the release command against a real PostgreSQL server, the CMD's
gunicorn on $PORT) from the Runtime that also renders the Dockerfile and fly.toml."""

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
def test_fly_io_configuration_rehearses_on_postgres(
    sample_project, database_url, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    manage_dir = root if layout == "flat" else root / "blog"

    configured = _run(manage_dir, sys.executable, "manage.py", "deploy", "--platform", "fly_io")
    assert configured.returncode == 0, configured.stderr + configured.stdout
    _run(root, "git", "add", "-A")
    _run(root, "git", "commit", "-qm", "Configure for Fly.io")

    rehearsal = _run(
        manage_dir,
        sys.executable,
        "manage.py",
        "deploy",
        "--platform",
        "fly_io",
        "--rehearse",
        "--database-url",
        database_url,
    )
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    for step in ("install", "build", "release", "check --deploy", "web", "GET /", "static file"):
        assert f"[pass] {step}" in out, out
    assert "Rehearsal passed." in out

    # The release command's migrations really ran against PostgreSQL.
    tables = _run(root, "psql", database_url, "-Atc", "select count(*) from django_migrations")
    assert tables.returncode == 0, tables.stderr
    assert int(tables.stdout.strip()) > 10
