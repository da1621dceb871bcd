"""Settings shapes the field corpus showed (issue 27): which module production runs,
and what the platform sets so the project's own production branches run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from project_files import deploy, manage_dir

pytestmark = pytest.mark.needs_programs

ALL_PLATFORMS = ("heroku", "fly_io", "railway", "render", "upsun", "platform_sh")
# Each platform's block, switched on as on a running instance.
PLATFORM_ENV = {
    "heroku": {"DYNO": "web.1"},
    "fly_io": {"FLY_APP_NAME": "blog"},
    "railway": {"RAILWAY_ENVIRONMENT_NAME": "production", "RAILWAY_PUBLIC_DOMAIN": "blog.example"},
    "render": {"RENDER": "true", "RENDER_EXTERNAL_HOSTNAME": "blog.example"},
    "upsun": {"PLATFORM_APPLICATION_NAME": "app", "PLATFORM_PROJECT_ENTROPY": "x" * 56},
    "platform_sh": {"PLATFORM_APPLICATION_NAME": "app", "PLATFORM_PROJECT_ENTROPY": "x" * 56},
}


def read_settings(folder: Path, env: dict[str, str], expression: str) -> object:
    """`expression` evaluated on django.conf.settings, imported in `env` (JSON back)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "DATABASE_URL")
    }
    code = f"from django.conf import settings as s; import json; print(json.dumps({expression}))"
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=folder,
        env={**base, "ALLOWED_HOSTS": "blog.example", "SECRET_KEY": "k" * 50, **env},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_the_production_module_that_star_imports_the_named_one_is_extended(
    sample_project, platform
):
    # manage.py and wsgi.py name blog/django/base.py; production.py beside it builds on it.
    root = sample_project("requirements_txt", "nested", settings="named-base")
    folder = manage_dir(root)
    base_before = (folder / "blog/django/base.py").read_bytes()
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    assert (folder / "blog/django/base.py").read_bytes() == base_before
    production = (folder / "blog/django/production.py").read_text("utf-8")
    assert f"# >>> django-simple-deploy: {platform} >>>" in production
    assert "the production module beside blog.django.base" in " ".join(result.stdout.split())
    env = {
        **PLATFORM_ENV[platform],
        "DJANGO_SETTINGS_MODULE": "blog.django.production",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    session, debug = read_settings(folder, env, "[s.SESSION_COOKIE_NAME, s.DEBUG]")
    assert (session, debug) == ("blog_production_session", False)


def _debug_set_by(root: Path, platform: str, stdout: str) -> bool:
    """True when the platform's own configuration sets DJANGO_DEBUG=False."""
    if platform == "heroku":
        return any(
            "heroku config:set" in line and "DJANGO_DEBUG=False" in line
            for line in stdout.splitlines()
        )
    if platform == "fly_io":
        return "DJANGO_DEBUG=False" in (root / "Dockerfile").read_text("utf-8")
    if platform == "railway":
        import railway_iac

        graph = railway_iac.evaluate(root / ".railway" / "railway.ts")
        return '"DJANGO_DEBUG": "False"' in json.dumps(graph)
    if platform == "render":
        import render_schema

        blueprint = render_schema.assert_valid((root / "render.yaml").read_text("utf-8"))
        env = {var["key"]: var for var in blueprint["services"][0]["envVars"]}
        return env.get("DJANGO_DEBUG", {}).get("value") == "False"
    config = root / (".upsun/config.yaml" if platform == "upsun" else ".platform.app.yaml")
    return "DJANGO_DEBUG: 'False'" in config.read_text("utf-8")


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_the_projects_debug_variable_is_set_off_so_its_production_branch_runs(
    sample_project, platform
):
    # DEBUG = env.bool("DJANGO_DEBUG", default=True); `if not DEBUG:` picks the storage.
    root = sample_project("requirements_txt", "flat", settings="debug-variable")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    assert _debug_set_by(root, platform, result.stdout)
    assert "Your settings read DEBUG from `DJANGO_DEBUG`" in " ".join(result.stdout.split())

    # The rehearsal replays the same environment.
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    runtime = load(platform).runtime(inspect(root))
    assert runtime.env["DJANGO_DEBUG"] == "False"

    env = {
        **PLATFORM_ENV[platform],
        "DJANGO_DEBUG": "False",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    backend = read_settings(root, env, "s.STORAGES['staticfiles']['BACKEND']")
    # The project's own choice; the block adds no manifest storage of its own.
    assert backend == "whitenoise.storage.CompressedStaticFilesStorage"
