"""Settings shapes the field corpus showed (issue 27): which module production runs,
and what the platform sets so the project's own production branches run."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from project_files import deploy, git, manage_dir, snapshot

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


def _sourced_on_the_platform(root, variables: str) -> str:
    """The variables (`"$A" "$B"`) as .environment sets them on an Upsun or Platform.sh
    container whose one route is https://main-abc.example.site/, space-separated."""
    routes = {"https://main-abc.example.site/": {"type": "upstream", "upstream": "app"}}
    env = {
        **os.environ,
        "PLATFORM_APPLICATION_NAME": "app",
        "PLATFORM_ROUTES": base64.b64encode(json.dumps(routes).encode()).decode(),
    }
    shown = subprocess.run(
        ["bash", "-c", f"source ./.environment && echo -n {variables}"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout


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


def _debug_set_by(root: Path, platform: str, stdout: str, off: str = "False") -> bool:
    """True when the platform's own configuration sets DJANGO_DEBUG to `off`."""
    return _set_by(root, platform, stdout, "DJANGO_DEBUG", off)


def _set_by(root: Path, platform: str, stdout: str, name: str, value: str) -> bool:
    """True when the platform's own configuration sets the variable `name` to `value`."""
    if platform == "heroku":
        return any(
            "heroku config:set" in line and f"{name}={value}" in line
            for line in stdout.splitlines()
        )
    if platform == "fly_io":
        return f"{name}={value}" in (root / "Dockerfile").read_text("utf-8")
    if platform == "railway":
        import railway_iac

        graph = railway_iac.evaluate(root / ".railway" / "railway.ts")
        return f'"{name}": "{value}"' in json.dumps(graph)
    if platform == "render":
        import render_schema

        blueprint = render_schema.assert_valid((root / "render.yaml").read_text("utf-8"))
        env = {var["key"]: var for var in blueprint["services"][0]["envVars"]}
        return env.get(name, {}).get("value") == value
    config = root / (".upsun/config.yaml" if platform == "upsun" else ".platform.app.yaml")
    return f"{name}: '{value}'" in config.read_text("utf-8")


# DEBUG = env.bool("DJANGO_DEBUG", default=True), and DEBUG = os.getenv("DJANGO_DEBUG")
# != "FALSE" (where "False" would leave DEBUG on); `if not DEBUG:` picks the storage.
DEBUG_SHAPES = [("debug-variable", "False"), ("debug-spelled", "FALSE")]


@pytest.mark.parametrize(("shape", "off"), DEBUG_SHAPES)
@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_the_projects_debug_variable_is_set_off_so_its_production_branch_runs(
    sample_project, platform, shape, off
):
    root = sample_project("requirements_txt", "flat", settings=shape)
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    assert _debug_set_by(root, platform, result.stdout, off)
    assert "Your settings read DEBUG from `DJANGO_DEBUG`" in " ".join(result.stdout.split())

    # The rehearsal replays the same environment.
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    runtime = load(platform).runtime(inspect(root))
    assert runtime.env["DJANGO_DEBUG"] == off

    env = {
        **PLATFORM_ENV[platform],
        "DJANGO_DEBUG": off,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    backend = read_settings(root, env, "[s.DEBUG, s.STORAGES['staticfiles']['BACKEND']]")
    # The project's own choice; the block adds no manifest storage of its own.
    assert backend == [False, "whitenoise.storage.CompressedStaticFilesStorage"]


# The developer's own shell holds these; the platform gets them from the tool.
OWN_NAMES_LOCAL = {
    "DJANGO_ALLOWED_HOSTS": "localhost",
    "DJANGO_DATABASE_URL": "sqlite:///local.sqlite3",
}


def _own_names_on(root: Path, platform: str, stdout: str) -> None:
    """The platform's own configuration gives the host and the database by their names."""
    said = " ".join(stdout.split())
    if platform == "heroku":
        assert (
            "`heroku config:set ALLOWED_HOSTS=<host name> DJANGO_ALLOWED_HOSTS=<host name> "
            "DJANGO_CSRF_TRUSTED_ORIGINS=https://<host name>`" in said
        )
        assert "--as DJANGO_DATABASE`" in said
    elif platform == "fly_io":
        import tomllib

        fly_toml = tomllib.loads((root / "fly.toml").read_text("utf-8"))
        host = f"{fly_toml['app']}.fly.dev"
        assert fly_toml["env"]["DJANGO_ALLOWED_HOSTS"] == host
        assert fly_toml["env"]["DJANGO_CSRF_TRUSTED_ORIGINS"] == f"https://{host}"
        assert "--variable-name DJANGO_DATABASE_URL`" in said
    elif platform == "railway":
        config = (root / ".railway" / "railway.ts").read_text("utf-8")
        assert 'DJANGO_ALLOWED_HOSTS: "${{RAILWAY_PUBLIC_DOMAIN}}",' in config
        assert "DJANGO_DATABASE_URL: db.env.DATABASE_URL," in config
    elif platform == "render":
        import render_schema

        blueprint = render_schema.assert_valid((root / "render.yaml").read_text("utf-8"))
        env = {var["key"]: var for var in blueprint["services"][0]["envVars"]}
        assert env["DJANGO_DATABASE_URL"]["fromDatabase"]["property"] == "connectionString"
        assert env["DJANGO_ALLOWED_HOSTS"]["value"] == "blog-site.onrender.com"
    else:
        shown = _sourced_on_the_platform(
            root, '"$DJANGO_ALLOWED_HOSTS" "$DJANGO_CSRF_TRUSTED_ORIGINS"'
        )
        assert shown == "main-abc.example.site https://main-abc.example.site"
    assert "`DJANGO_ALLOWED_HOSTS`" not in " ".join(
        line for line in stdout.splitlines() if "=<value>" in line
    )


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_the_host_and_database_are_set_under_the_names_the_settings_read(sample_project, platform):
    root = sample_project("requirements_txt", "flat", settings="own-names")
    result = deploy(root, platform, env=OWN_NAMES_LOCAL)
    assert result.returncode == 0, result.stderr + result.stdout
    _own_names_on(root, platform, result.stdout)

    # The rehearsal is given them too: it asks for no --env.
    from simple_deploy.management.commands.deploy import Command
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    plugin = load(platform)
    assert Command._missing_rehearsal_env(inspect(root), plugin, {}) == ""


def _settings_module_on(root: Path, platform: str, stdout: str) -> str:
    """The DJANGO_SETTINGS_MODULE the platform's own configuration sets."""
    import re

    if platform == "heroku":
        found = re.search(r"heroku config:set DJANGO_SETTINGS_MODULE=(\S+)", stdout)
        return found.group(1) if found else ""
    files = {
        "fly_io": "Dockerfile",
        "railway": ".railway/railway.ts",
        "render": "render.yaml",
        "upsun": ".upsun/config.yaml",
        "platform_sh": ".platform.app.yaml",
    }
    text = (root / files[platform]).read_text("utf-8")
    found = re.search(r"DJANGO_SETTINGS_MODULE\W+([\w.]+)", text)
    if platform == "render":
        found = re.search(r"key: DJANGO_SETTINGS_MODULE\s+value: \"?([\w.]+)", text)
    return found.group(1) if found else ""


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_a_production_module_is_made_beside_the_only_development_one(sample_project, platform):
    # manage.py and wsgi.py name blog.settings.development; there is no production module.
    root = sample_project("requirements_txt", "flat", settings="development-only")
    development = (root / "blog/settings/development.py").read_bytes()
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    assert (root / "blog/settings/development.py").read_bytes() == development
    production = (root / "blog/settings/production.py").read_text("utf-8")
    # It builds on what development builds on, never on development itself.
    assert "from .base import *" in production
    assert not [line for line in production.splitlines() if "import" in line and "develop" in line]
    assert f"# >>> django-simple-deploy: {platform} >>>" in production
    said = " ".join(result.stdout.split())
    assert "`blog/settings/production.py` (new" in said
    assert _settings_module_on(root, platform, result.stdout) == "blog.settings.production"
    env = {
        **PLATFORM_ENV[platform],
        "DJANGO_SETTINGS_MODULE": "blog.settings.production",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    session, debug = read_settings(root, env, "[s.SESSION_COOKIE_NAME, s.DEBUG]")
    assert (session, debug) == ("sessionid", False)


@pytest.mark.parametrize("platform", ["heroku", "render", "fly_io"])
def test_the_module_the_settings_load_under_a_platform_flag_is_extended(sample_project, platform):
    # __init__.py: ON_HEROKU -> settings_heroku, Render's RENDER -> settings_render, else dev.
    root = sample_project("requirements_txt", "flat", settings="platform-flag")
    folder = root / "blog" / "settings"
    before = {path.name: path.read_bytes() for path in folder.glob("*.py")}
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    extended = {path.name for path in folder.glob("*.py") if path.read_bytes() != before[path.name]}
    own = {"heroku": "settings_heroku.py", "render": "settings_render.py"}
    # Fly.io has no module of its own: the module manage.py names gets the block.
    assert extended == {own.get(platform, "__init__.py")}
    from simple_deploy.management.commands.deploy import _for_platform
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    plugin = load(platform)
    runtime = plugin.runtime(_for_platform(inspect(root), plugin))
    env = {**PLATFORM_ENV[platform], "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}
    if platform == "heroku":
        # The flag is the user's: set on the platform and in the rehearsal.
        assert "ON_HEROKU=1" in next(
            line for line in result.stdout.splitlines() if "heroku config:set" in line
        )
        assert runtime.env["ON_HEROKU"] == "1"
        env["ON_HEROKU"] = "1"
    elif platform == "render":
        # Render sets RENDER itself: render.yaml adds no such variable.
        import render_schema

        blueprint = render_schema.assert_valid((root / "render.yaml").read_text("utf-8"))
        keys = {var["key"] for var in blueprint["services"][0]["envVars"]}
        assert "RENDER" not in keys and "ON_HEROKU" not in keys
    session, redirect = read_settings(root, env, "[s.SESSION_COOKIE_NAME, s.SECURE_SSL_REDIRECT]")
    expected = {"heroku": "blog_heroku_session", "render": "blog_render_session"}
    assert (session, redirect) == (expected.get(platform, "sessionid"), True)


def test_redis_the_platforms_own_module_reads_is_provided_there(sample_project):
    """tabbycat's heroku.py, loaded only under ON_HEROKU, sets a Redis cache reading
    REDIS_URL: the services are those of the module the platform loads, so Heroku gets
    its Key-Value Store and the rehearsal a Redis under that name (before, nothing was
    provided, and every cached page answered 500: "Missing connections string")."""
    root = sample_project("requirements_txt", "flat", settings="platform-flag")
    module = root / "blog" / "settings" / "settings_heroku.py"
    cache = (
        '\nimport os\n\nCACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.'
        'RedisCache", "LOCATION": os.environ.get("REDIS_URL")}}\n'
    )
    module.write_text(module.read_text("utf-8") + cache, "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Redis cache on Heroku")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    said = " ".join(result.stdout.split())
    assert "heroku addons:create heroku-redis" in said, said
    from simple_deploy.management.commands.deploy import _for_platform
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    plugin = load("heroku")
    runtime = plugin.runtime(_for_platform(inspect(root), plugin))
    assert runtime.needs_redis
    assert runtime.env.get("REDIS_URL") == "{redis_url}"


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_variables_the_settings_use_at_once_without_a_default_are_found_and_given(
    sample_project, platform
):
    # `os.environ.get("DJANGO_ALLOWED_HOSTS").split(" ")`: without the variable the import
    # fails with "'NoneType' object has no attribute 'split'", which names nothing.
    root = sample_project("requirements_txt", "flat", settings="own-names-unchecked")
    local = {
        **OWN_NAMES_LOCAL,
        "DJANGO_CSRF_TRUSTED_ORIGINS": "http://localhost",
        "PAYMENTS_TOKEN": "local-token",
    }
    result = deploy(root, platform, env=local)
    assert result.returncode == 0, result.stderr + result.stdout
    # What the tool knows is set under the settings' names, as for settings that say so.
    _own_names_on(root, platform, result.stdout)
    said = " ".join(result.stdout.split())
    assert "cannot import without `DJANGO_ALLOWED_HOSTS`, `DJANGO_CSRF_TRUSTED_ORIGINS`" in said
    # The one only the developer knows is named, with the platform's way to set it.
    assert "Your settings read `PAYMENTS_TOKEN` at import (blog/settings.py:" in said

    # The rehearsal gets the same values, and asks for PAYMENTS_TOKEN alone.
    from simple_deploy.management.commands.deploy import Command
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    asked = Command._missing_rehearsal_env(inspect(root), load(platform), {})
    assert asked.split("Give the rehearsal values: ")[1].startswith(
        "--env PAYMENTS_TOKEN=<value> (or"
    )


def _deploy_with_own_dockerfile(root, theirs: str):
    """Commit `theirs` as the project's Dockerfile (its bytes as given), then configure
    for Fly.io; the run must succeed."""
    from project_files import git

    (root / "Dockerfile").write_bytes(theirs.encode())
    git(root, "add", "Dockerfile")
    git(root, "commit", "-qm", "Our own Dockerfile")
    result = deploy(root, "fly_io")
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def test_a_kept_dockerfile_s_collectstatic_gets_the_build_flag_and_nothing_else_changes(
    sample_project,
):
    # django-cms-quickstart's Dockerfile: collectstatic without the flag, so on Fly the
    # block was off at build (simple_deploy still in INSTALLED_APPS, no manifest).
    from project_files import git

    root = sample_project("requirements_txt", "flat")
    theirs = (
        "FROM python:3.11\r\nWORKDIR /app\r\nCOPY . .\r\n"
        "RUN pip install -r requirements.txt\r\n"
        "RUN python manage.py collectstatic --noinput\r\n"
        "CMD gunicorn --bind 0.0.0.0:8000 blog.wsgi\r\n"
    )
    result = _deploy_with_own_dockerfile(root, theirs)
    expected = theirs.replace(
        "RUN python manage.py", "RUN SIMPLE_DEPLOY_FLY_BUILD=1 python manage.py"
    )
    assert (root / "Dockerfile").read_bytes() == expected.encode()
    said = " ".join(result.stdout.split())
    assert (
        "your Dockerfile, kept: its collectstatic line now sets SIMPLE_DEPLOY_FLY_BUILD=1" in said
    )
    # A second run changes nothing more.
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Fly.io")
    again = deploy(root, "fly_io")
    assert again.returncode == 0, again.stderr + again.stdout
    assert (root / "Dockerfile").read_bytes() == expected.encode()


def test_a_kept_dockerfile_that_never_collects_static_files_gets_the_one_line(sample_project):
    # djangox's Dockerfile (written for development) copies the project and starts
    # gunicorn: without collectstatic WhiteNoise has no manifest and pages answer 500.
    from project_files import git

    from simple_deploy.platforms.fly_io.user_dockerfile import replay

    root = sample_project("requirements_txt", "flat")
    theirs = (
        "FROM python:3.12-slim\nWORKDIR /code\nCOPY requirements.txt /tmp/requirements.txt\n"
        "RUN pip install -r /tmp/requirements.txt\n"
        "# Copy local project\nCOPY . /code/\n\nEXPOSE 8000\n"
        'CMD ["gunicorn", "--bind", ":8000", "blog.wsgi"]\n'
    )
    result = _deploy_with_own_dockerfile(root, theirs)
    expected = theirs.replace(
        "COPY . /code/\n",
        "COPY . /code/\n"
        "RUN SIMPLE_DEPLOY_FLY_BUILD=1 python /code/manage.py collectstatic --noinput\n",
    )
    assert (root / "Dockerfile").read_text("utf-8") == expected
    assert replay(expected, "/code").lacks == ()
    said = " ".join(result.stdout.split())
    assert "your Dockerfile, kept: it never collected static files" in said
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Fly.io")
    again = deploy(root, "fly_io")
    assert again.returncode == 0, again.stderr + again.stdout
    assert (root / "Dockerfile").read_text("utf-8") == expected


@pytest.mark.parametrize(
    ("line", "flagged"),
    [
        # wagtail.org's image: django-admin, the settings module from an ENV line.
        (
            "RUN SECRET_KEY=none django-admin collectstatic --noinput --clear",
            "RUN SECRET_KEY=none SIMPLE_DEPLOY_FLY_BUILD=1 django-admin collectstatic "
            "--noinput --clear",
        ),
        # uv's project template (jefftriplett/django-startproject): `uv run -m manage`.
        (
            "RUN DATABASE_URL=sqlite://:memory: uv run --frozen -m manage collectstatic --noinput",
            "RUN DATABASE_URL=sqlite://:memory: SIMPLE_DEPLOY_FLY_BUILD=1 uv run --frozen -m "
            "manage collectstatic --noinput",
        ),
    ],
)
def test_a_kept_dockerfile_collecting_through_another_launcher_gets_the_flag_there(
    sample_project, line, flagged
):
    """The line is the image's collectstatic: flagged where it is, no second one added,
    and the rehearsal's replay runs it (it used to say the image never collects). With
    `uv run`, fly.toml's release and console commands go through it too."""
    import tomllib
    from project_files import git

    from simple_deploy.management.commands.deploy import _for_platform
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    root = sample_project("uv", "flat")
    theirs = (
        "FROM python:3.12-slim\nENV DJANGO_SETTINGS_MODULE=blog.settings\nWORKDIR /app\n"
        f"COPY . .\nRUN uv sync --frozen\n{line}\n"
        'CMD ["gunicorn", "--bind", ":8000", "blog.wsgi"]\n'
    )
    _deploy_with_own_dockerfile(root, theirs)
    assert (root / "Dockerfile").read_text("utf-8") == theirs.replace(line, flagged)
    assert "collectstatic" not in theirs.replace(line, "")
    # The release and console commands go through the same runner as the build's line:
    # with `uv run`, the image's dependencies are in the project's environment.
    fly_toml = tomllib.loads((root / "fly.toml").read_text("utf-8"))
    runner = "uv run --frozen " if "uv run" in line else ""
    assert fly_toml["deploy"]["release_command"] == (
        f"{runner}python /app/manage.py migrate --noinput"
    )
    assert fly_toml["console_command"] == f"{runner}python /app/manage.py shell"
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Fly.io")
    plugin = load("fly_io")
    build = plugin.runtime(_for_platform(inspect(root), plugin))
    assert build.build_problems == ()
    assert [c.env["SIMPLE_DEPLOY_FLY_BUILD"] for c in build.build if "collectstatic" in c.argv]


def test_a_kept_dockerfile_ending_in_a_dev_stage_is_built_at_its_server_stage(sample_project):
    """wagtail.org's Dockerfile: `prod` collects static files through django-admin and
    starts gunicorn; the last stage, `dev`, starts nothing. Fly builds the last stage,
    so fly.toml names `prod`, and the rehearsal replays (or builds) that one."""
    import tomllib
    from project_files import git

    from simple_deploy.management.commands.deploy import _for_platform
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    root = sample_project("uv", "flat")
    theirs = (
        "FROM python:3.12-slim AS backend\nENV DJANGO_SETTINGS_MODULE=blog.settings\n"
        "WORKDIR /app\n\nFROM backend AS prod\nCOPY . .\nRUN uv sync --frozen\n"
        "RUN SECRET_KEY=none django-admin collectstatic --noinput --clear\n"
        "CMD gunicorn --bind :8000 blog.wsgi\n\nFROM backend AS dev\nRUN uv sync --frozen\n"
    )
    result = _deploy_with_own_dockerfile(root, theirs)
    fly_toml = tomllib.loads((root / "fly.toml").read_text("utf-8"))
    assert fly_toml["build"]["build-target"] == "prod"
    assert "fly.toml's build-target names the stage that starts the server: `prod`" in " ".join(
        result.stdout.split()
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Fly.io")
    plugin = load("fly_io")
    runtime = plugin.runtime(_for_platform(inspect(root), plugin))
    assert runtime.build_target == "prod" and runtime.build_problems == ()
    (step,) = [c for c in runtime.build if "collectstatic" in c.argv]
    assert step.argv[:4] == ("python", "-m", "django", "collectstatic")
    assert step.env["DJANGO_SETTINGS_MODULE"] == "blog.settings"
    assert step.env["SIMPLE_DEPLOY_FLY_BUILD"] == "1"


def _site_root_on(root: Path, platform: str, stdout: str) -> None:
    """The platform's own configuration sets SITE_ROOT to https://<the app's host>."""
    said = " ".join(stdout.split())
    if platform == "heroku":
        assert "SITE_ROOT=https://<host name>" in said
    elif platform == "fly_io":
        import tomllib

        fly_toml = tomllib.loads((root / "fly.toml").read_text("utf-8"))
        assert fly_toml["env"]["SITE_ROOT"] == f"https://{fly_toml['app']}.fly.dev"
    elif platform == "railway":
        config = (root / ".railway" / "railway.ts").read_text("utf-8")
        assert 'SITE_ROOT: "https://${{RAILWAY_PUBLIC_DOMAIN}}",' in config
    elif platform == "render":
        import render_schema

        blueprint = render_schema.assert_valid((root / "render.yaml").read_text("utf-8"))
        env = {var["key"]: var for var in blueprint["services"][0]["envVars"]}
        assert env["SITE_ROOT"]["value"] == "https://blog-site.onrender.com"
    else:
        assert _sourced_on_the_platform(root, '"$SITE_ROOT"') == "https://main-abc.example.site"


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_the_sites_own_url_variable_gets_the_apps_https_url(sample_project, platform):
    # healthchecks reads SITE_ROOT (default http://localhost:8000) and its own system
    # check stops migrate unless that host is in ALLOWED_HOSTS: the tool knows the host.
    root = sample_project("requirements_txt", "flat", settings="site-root")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    _site_root_on(root, platform, result.stdout)


@pytest.mark.parametrize(("platform", "variable"), [("render", "RENDER"), ("heroku", "DYNO")])
def test_a_storage_the_settings_choose_on_the_platforms_own_variable_is_the_one_used(
    sample_project, platform, variable
):
    # render-examples/django: `DEBUG = "RENDER" not in os.environ`, and under `if not
    # DEBUG:` its own storage. The block is written from the branch the platform takes
    # (before: a second storage beside it, which Django 4.2 and 5.0 refuse), and a
    # re-run, with that block in place, writes the same block.
    root = sample_project("requirements_txt", "flat")
    settings = root / "blog/settings.py"
    text = settings.read_text("utf-8").replace(
        "DEBUG = True", f"DEBUG = {variable!r} not in os.environ"
    )
    text = text.replace("from pathlib import Path\n", "import os\nfrom pathlib import Path\n")
    settings.write_text(
        text
        + "\nif not DEBUG:\n"
        + '    STATIC_ROOT = os.path.join(BASE_DIR, "staticfiles")\n'
        + '    STATICFILES_STORAGE = "whitenoise.storage.CompressedStaticFilesStorage"\n',
        "utf-8",
    )
    subprocess.run(["git", "commit", "-qam", "a branch for the platform"], cwd=root, check=True)
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    env = {**PLATFORM_ENV[platform], "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}
    backend = read_settings(root, env, 's.STORAGES["staticfiles"]["BACKEND"]')
    assert backend == "whitenoise.storage.CompressedStaticFilesStorage"
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "configured"], cwd=root, check=True)
    again = deploy(root, platform)
    assert again.returncode == 0, again.stderr + again.stdout
    changed = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
    ).stdout
    assert [line for line in changed.splitlines() if "simple_deploy_logs" not in line] == []


def test_a_variable_read_from_an_untracked_env_file_is_given_to_the_image_build(sample_project):
    # dfp-ch18: the settings read DJANGO_SECRET_KEY from a .env the .gitignore forgot.
    # The platform builds the commit, which never holds it (a .env is not committed):
    # Fly's image build needs a placeholder, as if the file were ignored.
    root = sample_project("requirements_txt", "flat")
    settings = root / "blog/settings.py"
    text = settings.read_text("utf-8").replace(
        "from pathlib import Path\n", "import os\nfrom pathlib import Path\n"
    )
    settings.write_text(
        text
        + "\n_dotenv = BASE_DIR / '.env'\n"
        + "if _dotenv.exists():\n"
        + "    for _line in _dotenv.read_text().splitlines():\n"
        + "        _key, _, _value = _line.partition('=')\n"
        + "        os.environ.setdefault(_key, _value)\n"
        + "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\n",
        "utf-8",
    )
    subprocess.run(["git", "commit", "-qam", "secret key from .env"], cwd=root, check=True)
    (root / ".env").write_text("DJANGO_SECRET_KEY=local-dev-key\n", "utf-8")
    result = deploy(root, "fly_io", "--ignore-unclean-git")
    assert result.returncode == 0, result.stderr + result.stdout
    dockerfile = (root / "Dockerfile").read_text("utf-8")
    collect = next(line for line in dockerfile.splitlines() if "collectstatic" in line)
    assert "DJANGO_SECRET_KEY=" in collect
    assert "local-dev-key" not in dockerfile


def _manage(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=folder,
        env={**base, "ALLOWED_HOSTS": "blog.example", "SECRET_KEY": "k" * 50, **env},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_settings_older_than_django_3_2_get_the_auto_field_their_migrations_have(
    sample_project, platform
):
    # No DEFAULT_AUTO_FIELD, a model whose migration made an AutoField: Django 3.2-5.2 warn
    # models.W042 for it, so check --deploy is not clean. The platform gets the value they
    # already use: the warning goes, and no migration is needed.
    import django

    root = sample_project("requirements_txt", "nested", settings="before-auto-field")
    folder = manage_dir(root)
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    env = {**PLATFORM_ENV[platform], "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}
    checked = _manage(folder, env, "check")
    assert checked.returncode == 0, checked.stderr
    assert "W042" not in checked.stdout + checked.stderr
    unchanged = _manage(folder, env, "makemigrations", "--check", "--dry-run", "notes")
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    settings = (folder / "blog" / "settings.py").read_text("utf-8")
    written = 'DEFAULT_AUTO_FIELD = "django.db.models.AutoField"' in settings
    # Django 6.0 made BigAutoField the default and dropped the warning: nothing to write.
    assert written == (django.VERSION < (6, 0))


@pytest.mark.parametrize("platform", ["heroku", "fly_io"])
def test_an_asgi_module_that_imports_its_routing_before_django_is_set_up_is_stopped(
    tmp_path, platform
):
    # asgi.py imports its routing (consumers, their models) before its settings line and
    # get_asgi_application(): runserver forgives it, a server importing asgi.py alone
    # stops. One message names the line and the order to write; nothing is changed.
    import service_shapes

    root = service_shapes.copy("channels-late-settings", tmp_path)
    before = snapshot(root)
    result = deploy(root, platform)
    assert result.returncode != 0
    said = " ".join((result.stderr + result.stdout).split())
    assert "blog/asgi.py runs `import chat.routing` (line 7) before Django is set up" in said
    assert "AppRegistryNotReady" in said and "get_asgi_application()" in said
    assert "Traceback" not in said
    assert snapshot(root) == before


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "render"])
def test_an_empty_static_root_is_set_so_collectstatic_runs(sample_project, platform):
    # STATIC_ROOT = "" is no folder: collectstatic refuses to run ("without having set the
    # STATIC_ROOT setting to a filesystem path"), so the platform's build stopped.
    root = sample_project("requirements_txt", "nested", settings="empty-static-root")
    folder = manage_dir(root)
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    env = {**PLATFORM_ENV[platform], "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}
    if platform == "fly_io":
        env = {"SIMPLE_DEPLOY_FLY_BUILD": "1"}  # the image build, where collectstatic runs
    static_root = read_settings(folder, env, "str(s.STATIC_ROOT)")
    assert static_root == str(folder / "staticfiles")
    collected = _manage(folder, env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    assert (folder / "staticfiles" / "admin").is_dir()


@pytest.mark.parametrize("platform", ["heroku", "railway", "upsun"])
def test_a_middleware_list_without_clickjacking_protection_gets_it_last(sample_project, platform):
    # A MIDDLEWARE tuple of an old layout: no SecurityMiddleware, no XFrameOptionsMiddleware
    # (check --deploy warns security.W002). Both are added; the project's order is kept.
    root = sample_project("requirements_txt", "nested", settings="old-middleware")
    folder = manage_dir(root)
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    env = {**PLATFORM_ENV[platform], "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}
    names = read_settings(folder, env, "list(s.MIDDLEWARE)")
    assert names[-1] == "django.middleware.clickjacking.XFrameOptionsMiddleware"
    order = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ]
    assert sorted(order, key=names.index) == order, names
    checked = _manage(folder, env, "check", "--deploy")
    assert "security.W002" not in checked.stdout + checked.stderr


def test_hosts_a_pydantic_settings_model_reads_as_a_json_list_are_given_as_one(sample_project):
    """django-layout's goodconf model has `ALLOWED_HOSTS: list[str]`; pydantic-settings
    reads such a field's variable as JSON. Heroku's config var ALLOWED_HOSTS=<host> (what
    the block reads the host from) failed its validation at the build's collectstatic
    (`SettingsError: error parsing value for field "ALLOWED_HOSTS"`): the value is a JSON
    list on Heroku, in its guide and its rehearsal, and the block reads that form."""
    root = sample_project("requirements_txt", "flat")
    settings = root / "blog" / "settings.py"
    settings.write_text(
        settings.read_text("utf-8")
        + "\nfrom pydantic_settings import BaseSettings\n\n\nclass Env(BaseSettings):\n"
        '    allowed_hosts: list[str] = ["localhost", "127.0.0.1"]\n\n\n'
        "ALLOWED_HOSTS = Env().allowed_hosts\n",
        "utf-8",
    )
    with open(root / "requirements.txt", "a", encoding="utf-8") as requirements:
        requirements.write("pydantic-settings\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Settings from a pydantic-settings model")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    said = " ".join(result.stdout.split())
    assert "heroku config:set ALLOWED_HOSTS='[\"<host name>\"]'" in said, said
    from simple_deploy.plugins import load
    from simple_deploy.project import inspect

    assert load("heroku").runtime(inspect(root)).env["ALLOWED_HOSTS"] == '["{host}"]'
    env = {
        **PLATFORM_ENV["heroku"],
        "ALLOWED_HOSTS": '["blog.example"]',
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    hosts = read_settings(root, env, "[s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS]")
    assert hosts == [["blog.example"], ["https://blog.example"]]


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "render"])
def test_haystack_without_connections_in_production_searches_the_database(sample_project, platform):
    """pythondotorg: django-haystack in the base settings, HAYSTACK_CONNECTIONS set only
    by the development module (Elasticsearch on localhost) and its own platform's. The
    production module made from base had none, and haystack stopped the build's
    collectstatic ("The HAYSTACK_CONNECTIONS setting is required")."""
    root = sample_project("requirements_txt", "flat", settings="development-only")
    folder = root / "blog" / "settings"
    with (folder / "base.py").open("a", encoding="utf-8") as base:
        base.write('\nINSTALLED_APPS += ["haystack"]\n')
    with (folder / "development.py").open("a", encoding="utf-8") as development:
        development.write(
            '\nHAYSTACK_CONNECTIONS = {"default": {"ENGINE": '
            '"haystack.backends.simple_backend.SimpleEngine"}}\n'
        )
    with (root / "requirements.txt").open("a", encoding="utf-8") as requirements:
        requirements.write("django-haystack\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Search with haystack")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    production = (folder / "production.py").read_text("utf-8")
    assert "haystack.backends.simple_backend.SimpleEngine" in production, production
    env = {
        **PLATFORM_ENV[platform],
        "DJANGO_SETTINGS_MODULE": "blog.settings.production",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    engine = read_settings(root, env, 's.HAYSTACK_CONNECTIONS["default"]["ENGINE"]')
    assert engine == "haystack.backends.simple_backend.SimpleEngine"
