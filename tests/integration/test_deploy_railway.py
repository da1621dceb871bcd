"""`manage.py deploy --platform railway` in configuration-only mode, on real sample projects.

`.railway/railway.ts` is evaluated with node and a stand-in for `railway/iac`
(tests/railway_iac), as `railway config apply` evaluates it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import project_files
import pytest
import railway_iac
from project_files import git, manage_dir, snapshot

pytestmark = pytest.mark.needs_programs

MANAGERS = ["requirements_txt", "poetry", "pipenv", "uv"]
LAYOUTS = ["flat", "nested"]


def deploy(root: Path, *args: str) -> subprocess.CompletedProcess:
    return project_files.deploy(root, "railway", *args)


def settings_path(root: Path) -> Path:
    blog = manage_dir(root) / "blog"
    return (
        blog / "settings.py"
        if (blog / "settings.py").exists()
        else blog / "settings" / "production.py"
    )


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    keys = before.keys() | after.keys()
    return {
        k
        for k in keys
        if before.get(k) != after.get(k) and not k.startswith(("simple_deploy_logs/", ".git/"))
    }


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("manager", MANAGERS)
def test_configures_railway_and_second_run_changes_nothing(sample_project, manager, layout):
    root = sample_project(manager, layout)
    result = deploy(root)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "configured this project for Railway" in result.stdout
    assert "railway config apply" in result.stdout
    assert "--stdin" in result.stdout

    # No deprecated Config as Code file: Railway stopped reading it on 2026-12-01.
    assert not (root / "railway.json").exists() and not (root / "railway.toml").exists()
    config = root / ".railway" / "railway.ts"
    assert b"\r\n" not in config.read_bytes()
    graph = railway_iac.evaluate(config)
    resources = railway_iac.services(graph)
    assert graph["name"].startswith("blog-site-")
    assert set(resources) == {"web", "Postgres"}
    assert resources["Postgres"] == {
        "type": "database",
        "engine": "postgres",
        "name": "Postgres",
        "env": {},
    }
    web = resources["web"]
    prefix = "blog/" if layout == "nested" else ""
    chdir = "--chdir blog " if layout == "nested" else ""
    # Collected once at build; migrated once per deploy, never at boot; gunicorn on $PORT.
    assert web["build"] == f"python {prefix}manage.py collectstatic --noinput"
    assert web["deploy"] == {"preDeployCommand": [f"python {prefix}manage.py migrate --noinput"]}
    assert web["start"] == f"gunicorn {chdir}blog.wsgi"
    assert "migrate" not in web["start"]
    assert web["healthcheck"] == "/railway-health/"
    # SECRET_KEY is set by `railway variable set`, never in the file: preserve() keeps it
    # through `config apply`, which deletes an undeclared variable.
    assert web["env"] == {
        "DATABASE_URL": "${{Postgres.DATABASE_URL}}",
        "SECRET_KEY": {"type": "preserve"},
    }
    if manager == "pipenv":
        # Railpack reads the Pipfile's python_version itself: nothing to pin.
        assert not (root / ".python-version").exists()
        assert "Railway will use Python 3." in result.stdout
    else:
        assert (root / ".python-version").read_text().strip().startswith("3.")

    settings = settings_path(root).read_text()
    assert settings.count("# >>> django-simple-deploy: railway >>>") == 1
    assert 'if "RAILWAY_ENVIRONMENT_NAME" in _os.environ:' in settings
    assert "RAILWAY_PUBLIC_DOMAIN" in settings
    assert "ALLOWED_HOSTS = ['*']" not in settings and '"*"' not in settings

    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Railway")
    before = snapshot(root)
    again = deploy(root)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "Nothing to change" in again.stdout
    assert changed(before, snapshot(root)) == set()


def test_a_second_manager_in_the_root_stops_before_writing(sample_project):
    # Railpack installs with pip whenever requirements.txt is in the root.
    root = sample_project("poetry", "flat")
    (root / "requirements.txt").write_text("django\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "export")
    before = snapshot(root)
    result = deploy(root)
    assert result.returncode != 0
    assert "Railpack" in result.stdout + result.stderr
    assert "git rm requirements.txt" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert changed(before, snapshot(root)) == set()


HEALTH_PROBE = """
import django
from django.test import Client

django.setup()
client = Client()
health = client.get("/railway-health/", HTTP_HOST="healthcheck.railway.app")
home = client.get("/", HTTP_HOST="healthcheck.railway.app")
stranger = client.get("/", HTTP_HOST="evil.example", secure=True)
print(health.status_code, health.content.decode(), home.status_code, stranger.status_code)
"""


def test_health_check_gets_200_over_plain_http_and_hosts_stay_specific(sample_project):
    # Railway's health check comes over HTTP from healthcheck.railway.app and needs a
    # 200 (docs deployments/healthchecks.md): SECURE_SSL_REDIRECT alone would answer 301.
    root = sample_project("requirements_txt", "nested")
    assert deploy(root).returncode == 0
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "blog.settings",
        "RAILWAY_ENVIRONMENT_NAME": "production",
        "RAILWAY_PUBLIC_DOMAIN": "web-production-1a2b.up.railway.app",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgresql://u:p@127.0.0.1:9/db",
    }
    out = subprocess.run(
        [sys.executable, "-c", HEALTH_PROBE],
        cwd=manage_dir(root),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["200", "ok", "301", "400"]


def test_a_legacy_railway_json_is_named_with_the_migration(sample_project):
    root = sample_project("uv", "flat")
    (root / "railway.json").write_text('{"deploy": {"startCommand": "gunicorn blog.wsgi"}}\n')
    git(root, "add", "-A")
    git(root, "commit", "-qm", "old Railway config")
    result = deploy(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Your railway.json is Railway's deprecated Config as Code" in result.stdout
    assert "railway config migrate --apply --delete-files" in result.stdout
    # The user's file is theirs: left as it was.
    assert (root / "railway.json").read_text() == (
        '{"deploy": {"startCommand": "gunicorn blog.wsgi"}}\n'
    )
