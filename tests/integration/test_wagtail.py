"""A Wagtail site (tests/sample_projects.py's "wagtail" shape), configured for each
platform, then its settings imported in that platform's environment: the block sets
WAGTAILADMIN_BASE_URL to the app's own origin (else `check --deploy` warns
wagtailadmin.W003) and installs django.contrib.postgres, whose fields wagtailsearch's
PostgreSQL index uses (else Django 6's checks stop `migrate` with postgres.E005)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
from project_files import deploy, git, manage_dir, snapshot

pytestmark = pytest.mark.needs_programs

_DB = "postgres://user:pw@db.internal:5432/site"
_KEY = "k" * 50


def _b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def _platform_sh_env(app: str) -> dict[str, str]:
    routes = {"https://main-abc.eu-3.platformsh.site/": {"type": "upstream", "upstream": app}}
    database = {"host": "db.internal", "port": 5432, "username": "main", "password": "pw"}
    return {
        "PLATFORM_APPLICATION_NAME": app,
        "PLATFORM_PROJECT_ENTROPY": "x" * 56,
        "PLATFORM_ENVIRONMENT": "main-abc",
        "PLATFORM_ROUTES": _b64(routes),
        "PLATFORM_RELATIONSHIPS": _b64({"database": [{**database, "path": "main"}]}),
    }


# Each platform's run-time environment, and the origin its block must give Wagtail.
RUNTIME = {
    "heroku": (
        {"DYNO": "web.1", "SECRET_KEY": _KEY, "DATABASE_URL": _DB, "ALLOWED_HOSTS": "site.example"},
        "https://site.example",
    ),
    "fly_io": (
        {"FLY_APP_NAME": "blog-site", "SECRET_KEY": _KEY, "DATABASE_URL": _DB},
        "https://blog-site.fly.dev",
    ),
    "railway": (
        {
            "RAILWAY_ENVIRONMENT_NAME": "production",
            "RAILWAY_PUBLIC_DOMAIN": "blog.up.railway.app",
            "SECRET_KEY": _KEY,
            "DATABASE_URL": _DB,
        },
        "https://blog.up.railway.app",
    ),
    "render": (
        {
            "RENDER": "true",
            "RENDER_EXTERNAL_HOSTNAME": "blog.onrender.com",
            "SECRET_KEY": _KEY,
            "DATABASE_URL": _DB,
        },
        "https://blog.onrender.com",
    ),
    "upsun": (_platform_sh_env("app"), "https://main-abc.eu-3.platformsh.site"),
    "platform_sh": (_platform_sh_env("app"), "https://main-abc.eu-3.platformsh.site"),
}


def _settings_in(root, env: dict[str, str]) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'apps': settings.INSTALLED_APPS,"
        " 'base_url': getattr(settings, 'WAGTAILADMIN_BASE_URL', None)}))"
    )
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=manage_dir(root),
        capture_output=True,
        text=True,
        env={**base, "DJANGO_SETTINGS_MODULE": "blog.settings", **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("platform", sorted(RUNTIME))
def test_wagtail_gets_its_base_url_and_the_postgres_app(sample_project, platform):
    root = sample_project("requirements_txt", "nested", settings="wagtail")
    # Locally nothing changes: no base URL, no postgres app (the site runs on SQLite).
    local = _settings_in(root, {})
    assert "django.contrib.postgres" not in local["apps"] and local["base_url"] is None

    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    env, origin = RUNTIME[platform]
    deployed = _settings_in(root, env)
    assert deployed["base_url"] == origin
    assert deployed["apps"].count("django.contrib.postgres") == 1
    assert "wagtail.search" in deployed["apps"]
    assert _settings_in(root, {})["base_url"] is None

    # A re-run finds the block's own lines, not the user's: nothing changes.
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"Configure for {platform}")
    before = snapshot(root, logs=False)
    again = deploy(root, platform)
    assert again.returncode == 0, again.stderr + again.stdout
    assert snapshot(root, logs=False) == before


def test_the_projects_own_base_url_and_postgres_app_are_kept(sample_project):
    root = sample_project("requirements_txt", "nested", settings="wagtail")
    settings = manage_dir(root) / "blog" / "settings.py"
    text = settings.read_text()
    text = text.replace(
        "    'wagtail.search',\n", "    'wagtail.search',\n    'django.contrib.postgres',\n"
    )
    settings.write_text(text + 'WAGTAILADMIN_BASE_URL = "https://www.blog.example"\n')
    git(root, "commit", "-qam", "The site's own admin URL")

    assert deploy(root, "heroku").returncode == 0
    block = settings.read_text().split("# >>> django-simple-deploy: heroku >>>")[1]
    assert "WAGTAILADMIN_BASE_URL" not in block and "django.contrib.postgres" not in block
    deployed = _settings_in(root, RUNTIME["heroku"][0])
    assert deployed["base_url"] == "https://www.blog.example"
    assert deployed["apps"].count("django.contrib.postgres") == 1


def test_a_project_without_wagtail_gets_no_wagtail_lines(sample_project):
    root = sample_project("requirements_txt", "nested")
    assert deploy(root, "render").returncode == 0
    assert "WAGTAIL" not in (manage_dir(root) / "blog" / "settings.py").read_text()


@pytest.mark.parametrize("platform", ["heroku", "railway"])
def test_a_base_url_set_only_under_a_variable_the_platform_lacks_is_set_by_the_block(
    sample_project, platform
):
    # As wagtail/bakerydemo's production.py: the origin from a host variable, when set.
    root = sample_project("requirements_txt", "nested", settings="wagtail")
    settings = manage_dir(root) / "blog" / "settings.py"
    settings.write_text(
        "import os\n"
        + settings.read_text()
        + 'if "PRIMARY_HOST" in os.environ:\n'
        + '    WAGTAILADMIN_BASE_URL = "https://{}".format(os.environ["PRIMARY_HOST"])\n'
    )
    git(root, "commit", "-qam", "The admin's URL from PRIMARY_HOST, when set")

    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    env, origin = RUNTIME[platform]
    assert _settings_in(root, env)["base_url"] == origin
    assert _settings_in(root, {})["base_url"] is None
