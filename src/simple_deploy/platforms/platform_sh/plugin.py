"""Platform.sh: `.platform.app.yaml`, `.platform/services.yaml`, `.platform/routes.yaml`.

Facts this plugin relies on (https://docs.platform.sh):
- The Python image installs nothing by itself with `build: flavor: none`; the
  build hook installs from the lock file. Poetry, Pipenv and uv come from
  `dependencies: python3:` (PyPI), before the build hook runs.
- The build hook has no services: PLATFORM_RELATIONSHIPS and PLATFORM_ROUTES
  exist only at run time (deploy hook, start command). PLATFORM_APPLICATION_NAME
  and PLATFORM_PROJECT_ENTROPY exist at build time too.
- The deploy hook runs once per deployment with the database available.
- `web: upstream: socket_family: tcp` makes the router talk to $PORT.
- `.environment` is sourced before the start command, hooks after the build,
  and SSH sessions.
"""

from __future__ import annotations

import base64
import json
import shlex
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from simple_deploy import __version__
from simple_deploy.plugin import (
    Command,
    Guide,
    Options,
    PlatformPlan,
    PlatformPlugin,
    Project,
    Requirement,
    Runtime,
    email_settings,
    generated_file,
    manage_py_argv,
    render_template,
    settings_block,
)

from . import automate

NAME = "platform_sh"
APP_NAME = "app"
_TEMPLATES = "simple_deploy.platforms.platform_sh"
REHEARSAL_HOST = "main-bvxea6i-abcdefgh1234k.eu-3.platformsh.site"

REQUIREMENTS = (
    Requirement("gunicorn", "gunicorn~=27.0", "the web server the start command runs"),
    Requirement("psycopg", "psycopg[binary]~=3.3", "PostgreSQL driver for the db service"),
    Requirement("whitenoise", "whitenoise~=6.12", "serves static files compressed and cached"),
)

# How each package manager installs natively in the build hook, into .venv (on
# PATH through .environment): (tool from PyPI or None, its version, commands).
_INSTALL = {
    "requirements_txt": (
        None,
        "",
        ("python{python} -m venv .venv", "pip install --no-input --requirement requirements.txt"),
    ),
    "poetry": (
        "poetry",
        ">=2.0",
        ("poetry sync --only main --no-root --no-interaction",),
    ),
    "pipenv": ("pipenv", "*", ("pipenv sync",)),
    "uv": ("uv", "*", ("uv sync --locked --no-dev --no-install-project",)),
}

_LABELS = {"poetry": "Poetry", "pipenv": "Pipenv", "uv": "uv"}

# Environment for the tools above: the virtual environment lives in .venv, made
# with the image's own Python (no downloads).
_TOOL_ENV = {
    "requirements_txt": {},
    "poetry": {"POETRY_VIRTUALENVS_IN_PROJECT": "true", "POETRY_VIRTUALENVS_CREATE": "true"},
    "pipenv": {"PIPENV_VENV_IN_PROJECT": "1"},
    "uv": {"UV_PROJECT_ENVIRONMENT": ".venv", "UV_PYTHON_DOWNLOADS": "never"},
}


def _web_argv(project: Project, port: str) -> tuple[str, ...]:
    chdir = ("--chdir", project.manage_dir_rel) if project.nested else ()
    # Two workers fit the smallest containers; WEB_CONCURRENCY overrides it.
    return ("gunicorn", "--bind", f"0.0.0.0:{port}", "--workers", "2", *chdir, project.wsgi_module)


# npm from the npm registry (`dependencies: nodejs:`); 10 runs on every Node.js the
# images ship (18.17 and later).
NPM_VERSION = "^10"


def _node_build(project: Project):
    build = project.asset_build
    if build is None or build.other_manager:
        return None
    return build


def _asset_context(project: Project) -> dict:
    build = _node_build(project)
    if build is None:
        return {"node": False, "assets": []}
    prefix = f"cd {shlex.quote(build.folder)} && " if build.folder != "." else ""
    # A subshell keeps the hook's folder for collectstatic.
    lines = [shlex.join(build.install_argv), shlex.join(build.build_argv)]
    if prefix:
        lines = [f"({prefix}{line})" for line in lines]
    return {"node": True, "npm_version": NPM_VERSION, "assets": lines}


def _notes(project: Project) -> tuple[str, ...]:
    notes = []
    build = project.asset_build
    if build is not None and build.other_manager:
        notes.append(
            f"Asset build found: {build.label}, locked by {build.other_manager}. The build "
            f"hook runs npm only: install {build.other_manager} under `dependencies: nodejs:` "
            "in .platform.app.yaml and run its install and build before collectstatic."
        )
    elif build is not None:
        notes.append(
            f"Asset build found: {build.label}. The build hook runs "
            f"`{' '.join(build.install_argv)}` and `npm run build` before collectstatic "
            "(npm from `dependencies: nodejs:`)."
        )
    if project.compress_offline:
        notes.append(
            "django-compressor with COMPRESS_OFFLINE = True found: add `python manage.py "
            "compress --force` after collectstatic in the build hook, or pages using "
            "{% compress %} fail with OfflineGenerationError."
        )
    driver = project.postgres_driver
    if driver is not None and driver.needs_compiler:
        notes.append(
            f"Your `{driver.name}` compiles from source in the build hook: it needs pg_config "
            "and libpq's headers there. If the build fails with `pg_config executable not "
            "found`, switch to `psycopg[binary]` (or `psycopg2-binary`)."
        )
    return tuple(notes)


def _app_yaml(project: Project) -> str:
    tool, tool_version, lines = _INSTALL[project.package_manager]
    variables = {**_TOOL_ENV[project.package_manager], **project.settings_env}
    return render_template(
        _TEMPLATES,
        "platform.app.yaml-tpl",
        {
            "version": __version__,
            "app_name": APP_NAME,
            "python_version": project.python_version,
            "tool": tool,
            "tool_version": tool_version,
            "manager_label": _LABELS.get(project.package_manager, ""),
            "variables": sorted(variables.items()),
            "install": [line.format(python=project.python_version) for line in lines],
            **_asset_context(project),
            "collectstatic": shlex.join(manage_py_argv(project, "collectstatic", "--noinput")),
            "migrate": shlex.join(manage_py_argv(project, "migrate", "--noinput")),
            # $PORT stays for the shell that runs the start command.
            "start": shlex.join(_web_argv(project, "PORT")).replace(
                "0.0.0.0:PORT", "0.0.0.0:$PORT"
            ),
        },
    )


def plan(project: Project, options: Options) -> PlatformPlan:
    context = {"version": __version__, "app_name": APP_NAME}
    changes = (
        settings_block(
            project,
            NAME,
            render_template(
                _TEMPLATES,
                "settings.py-tpl",
                {
                    "version": __version__,
                    "base_dir_depth": project.base_dir_depth,
                    "email_settings": email_settings(relay_host_variable="PLATFORM_SMTP_HOST"),
                },
            ),
            "Platform.sh-only settings: DEBUG off, secret key from the project entropy, hosts "
            "from the routes, HTTPS, the PostgreSQL relationship, WhiteNoise",
        ),
        generated_file(
            project,
            ".platform.app.yaml",
            _app_yaml(project),
            f"the app: Python {project.python_version}, install from your lock file and collect "
            "static files at build, migrate at deploy, serve with gunicorn",
        ),
        generated_file(
            project,
            ".platform/services.yaml",
            render_template(_TEMPLATES, "services.yaml-tpl", context),
            "a PostgreSQL 16 database service",
        ),
        generated_file(
            project,
            ".platform/routes.yaml",
            render_template(_TEMPLATES, "routes.yaml-tpl", context),
            "sends HTTPS traffic for the environment's host to the app; www redirects",
        ),
        generated_file(
            project,
            ".environment",
            render_template(_TEMPLATES, "environment-tpl", context),
            "puts the app's virtual environment on PATH for the start command and deploy hook",
        ),
    )
    return PlatformPlan(changes, REQUIREMENTS, _notes(project))


def relationships_env(placeholders: Mapping[str, str]) -> dict[str, str]:
    """PLATFORM_RELATIONSHIPS and PLATFORM_ROUTES as Platform.sh builds them, for the
    rehearsal: base64 JSON derived from the rehearsal's database URL and host."""
    url = urlsplit(placeholders["database_url"])
    if not url.scheme.startswith("postgres"):
        raise ValueError(
            "The Platform.sh rehearsal needs a PostgreSQL database: give "
            "--database-url postgresql://USER:PASSWORD@HOST:PORT/NAME."
        )
    database = {
        "scheme": "pgsql",
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "username": unquote(url.username or ""),
        "password": unquote(url.password or ""),
        "path": url.path.lstrip("/"),
        "rel": "postgresql",
        "service": "db",
    }
    host = placeholders["host"]
    routes = {
        f"https://{host}/": {
            "type": "upstream",
            "upstream": APP_NAME,
            "original_url": "https://{default}/",
            "primary": True,
        },
        f"https://www.{host}/": {
            "type": "redirect",
            "to": f"https://{host}/",
            "original_url": "https://www.{default}/",
        },
    }
    return {
        "PLATFORM_RELATIONSHIPS": _encode({"database": [database]}),
        "PLATFORM_ROUTES": _encode(routes),
    }


def _encode(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode("utf-8")).decode("ascii")


def _node_commands(project: Project) -> tuple[Command, ...]:
    build = _node_build(project)
    if build is None:
        return ()
    return (
        Command(build.install_argv, cwd=build.folder),
        Command(build.build_argv, cwd=build.folder),
    )


def runtime(project: Project) -> Runtime:
    return Runtime(
        env={
            "PLATFORM_APPLICATION_NAME": APP_NAME,
            "PLATFORM_APP_DIR": "{app_root}",
            "PLATFORM_PROJECT_ENTROPY": "{secret_key}",
            **project.settings_env,
        },
        build=(
            *_node_commands(project),
            Command(manage_py_argv(project, "collectstatic", "--noinput")),
        ),
        release=(Command(manage_py_argv(project, "migrate", "--noinput")),),
        web=Command(_web_argv(project, "{port}")),
        host=REHEARSAL_HOST,
        run_env={
            "PLATFORM_ENVIRONMENT": "main-bvxea6i",
            "PLATFORM_BRANCH": "main",
            "PORT": "{port}",
        },
        derived_env=relationships_env,
    )


def guide(project: Project, options: Options) -> Guide:
    manage = " ".join(manage_py_argv(project))
    title = automate.project_title(project, options)
    region = options.get("region") or automate.DEFAULT_REGION
    return Guide(
        finish=(
            "Review the changes with `git diff`, then commit them: "
            '`git add -A` and `git commit -m "Configure for Platform.sh"`.',
            f"Create the project and link this repository to it: `platform create --title "
            f"{title} --region {region} --set-remote` (add `--org <your org>` if you "
            "belong to several organizations).",
            "Deploy: `platform push` (builds, then runs migrations in the deploy hook; the "
            "database and the secret key are provided by Platform.sh).",
            "Open the site: `platform url`.",
        ),
        redeploy="commit your changes, then `platform push`",
        logs="`platform log app --tail` (also `platform log deploy` for the deploy hook)",
        run_command=f'`platform ssh "{manage} createsuperuser"`',
        remote_shell="`platform ssh`",
        scale="upgrade the project's plan in the Console (Platform.sh sizes containers by plan)",
        rollback="`platform backup:create` before a risky change, `platform backup:restore` to "
        "go back; or revert the commit and `platform push`",
        links=(
            ("Deploy Django on Platform.sh", "https://docs.platform.sh/guides/django.html"),
            (
                "App configuration reference",
                "https://docs.platform.sh/create-apps/app-reference/single-runtime-image.html",
            ),
            (
                "Manage Python dependencies",
                "https://docs.platform.sh/languages/python/dependencies.html",
            ),
            ("PostgreSQL service", "https://docs.platform.sh/add-services/postgresql.html"),
            ("Routes", "https://docs.platform.sh/define-routes.html"),
            (
                "Platform.sh environment variables",
                "https://docs.platform.sh/development/variables/use-variables.html",
            ),
            ("CLI reference", "https://docs.platform.sh/administration/cli/reference.html"),
        ),
        costs=automate.COSTS,
        email=(
            "where Platform.sh's outgoing email is on (the production environment, by "
            "default) mail goes through its SMTP relay (`PLATFORM_SMTP_HOST`); set "
            "`DEFAULT_FROM_EMAIL` to your address with `platform variable:create --level project "
            "--name env:DEFAULT_FROM_EMAIL --value <address>`. For your own SMTP provider, set "
            "`env:EMAIL_URL` (`smtp+tls://USER:PASSWORD@HOST:587`) the same way with "
            "`--sensitive true`. Where neither is on, sending fails with an error in the log."
        ),
    )


def _add_arguments(group) -> None:
    group.add_argument(
        "--platform-sh-org",
        metavar="ORG",
        help="Platform.sh organization to create the project in (needed if you belong to several).",
    )


platform = PlatformPlugin(
    name=NAME,
    label="Platform.sh",
    plan=plan,
    runtime=runtime,
    guide=guide,
    add_arguments=_add_arguments,
    automate=automate.automation,
    cli="platform",
    docs_url="https://docs.platform.sh/languages/python.html",
)
