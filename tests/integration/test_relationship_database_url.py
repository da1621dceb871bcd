"""Upsun and Platform.sh give the database as a relationship (PLATFORM_RELATIONSHIPS),
not as DATABASE_URL. Settings that read or test DATABASE_URL before the settings
block (`DATABASE_URL.startswith("postgres")`) see it because the generated
`.environment`, which the platform sources before the start command and the deploy
hook, exports it from the relationship; the password is never printed."""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest
from project_files import deploy, manage_dir
from project_shapes import database_url_tested

pytestmark = pytest.mark.needs_programs

PASSWORD = "p@ss/w:rd%"
RELATIONSHIP = {
    "host": "db.internal",
    "port": 5432,
    "username": "main",
    "password": PASSWORD,
    "path": "main",
    "scheme": "pgsql",
}
ROUTES = {"https://main-abc.example.site/": {"type": "upstream", "upstream": "app"}}
READ = (
    "import os; from django.conf import settings as s; "
    "print(s.POSTGRES_SEARCH, s.DATABASE_URL == os.environ['DATABASE_URL'])"
)


def _b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize("platform", ["upsun", "platform_sh"])
def test_environment_exports_database_url_from_the_relationship(sample_project, platform, tmp_path):
    root = sample_project("requirements_txt", "flat")
    database_url_tested(root, manage_dir(root) / "blog" / "settings.py")
    configured = deploy(root, platform)
    assert configured.returncode == 0, configured.stdout + configured.stderr
    assert PASSWORD not in (root / ".environment").read_text("utf-8")

    base = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env = {
        **base,
        "PLATFORM_APP_DIR": str(tmp_path / "app"),
        "PLATFORM_APPLICATION_NAME": "app",
        "PLATFORM_ENVIRONMENT": "main-abc",
        "PLATFORM_PROJECT_ENTROPY": "e" * 56,
        "PLATFORM_ROUTES": _b64(ROUTES),
        "PLATFORM_RELATIONSHIPS": _b64({"database": [RELATIONSHIP]}),
    }
    # What the platform does before the start command: source .environment, then run.
    shown = subprocess.run(
        ["bash", "-c", 'source ./.environment && printf "%s" "$DATABASE_URL"'],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == "postgresql://main:p%40ss%2Fw%3Ard%25@db.internal:5432/main"
    assert shown.stderr == ""
    settings = subprocess.run(
        ["bash", "-c", 'source ./.environment && exec python manage.py shell -c "$0"', READ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert settings.returncode == 0, settings.stderr
    assert settings.stdout.splitlines()[-1] == "True True"
    assert PASSWORD not in settings.stdout + settings.stderr

    # A DATABASE_URL the user set as a variable wins.
    own = subprocess.run(
        ["bash", "-c", 'source ./.environment && printf "%s" "$DATABASE_URL"'],
        cwd=root,
        env={**env, "DATABASE_URL": "postgres://own@db.example.com/site"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert own.stdout == "postgres://own@db.example.com/site"
