"""Platform.sh: `.platform.app.yaml`, `.platform/services.yaml`, `.platform/routes.yaml`.

For existing Platform.sh customers (now "Upsun Fixed"). New organizations get Upsun
(Flex), served by the `upsun` plugin, which renders this plugin's templates into one
`.upsun/config.yaml` (see platforms/_platform_common).

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
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from simple_deploy import __version__, block_lines, env_needs, service_config, static_storage
from simple_deploy.assets import COMPRESS_ARGS, TAILWIND_BUILD_ARGS, tailwind_note
from simple_deploy.plugin import (
    Guide,
    NameRule,
    Options,
    PlatformPlan,
    PlatformPlugin,
    Project,
    Requirement,
    generated_file,
    manage_py_argv,
    quoted,
    render_template,
    settings_block,
)

if TYPE_CHECKING:
    from simple_deploy.plugin import Automation, Runtime
from simple_deploy.wagtail import wagtail_settings

from .._platform_common.asset_note import asset_note
from .._platform_common.flavor import FIXED, FLEX, Flavor
from .._platform_common.install import node_commands
from .._platform_common.titles import project_title

NAME = "platform_sh"
APP_NAME = "app"
_TEMPLATES = "simple_deploy.platforms.platform_sh"
REHEARSAL_HOST = "main-bvxea6i-abcdefgh1234k.eu-3.platformsh.site"

REQUIREMENTS = (
    Requirement(
        "gunicorn",
        "gunicorn~=27.0",
        "releases before 21.0 import pkg_resources, which a fresh install lacks",
        minimum="21.0",
    ),
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
        ("poetry sync --only {only} --no-root --no-interaction",),
    ),
    # `install --deploy` fails on a Pipfile.lock out of date with Pipfile.
    "pipenv": ("pipenv", "*", ("pipenv install --deploy",)),
    # {no_project}: --no-install-project, unless the project's code needs it installed.
    "uv": ("uv", "*", ("uv sync --locked --no-default-groups {groups}{no_project}",)),
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
        return {"node": False, "assets": [], "node_manager": ""}
    prefix = f"cd {shlex.quote(build.folder)} && " if build.folder != "." else ""
    # A subshell keeps the hook's folder for collectstatic.
    # The variables the project's own recipe sets for its frontend build (a public path).
    assigns = "".join(f"{key}={shlex.quote(value)} " for key, value in build.env)
    lines = [assigns + shlex.join(argv) for argv in build.commands]
    if prefix:
        lines = [f"({prefix}{line})" for line in lines]
    return {
        "node": True,
        "npm_version": NPM_VERSION,
        "assets": lines,
        "node_manager": build.manager_label if build.manager != "npm" else "",
    }


def _notes(project: Project) -> tuple[str, ...]:
    notes = []
    build = project.asset_build
    if build is not None:
        notes.append(
            asset_note(
                build,
                "The build hook",
                "npm from `dependencies: nodejs:`",
                f"install {build.other_manager} under `dependencies: nodejs:` in "
                ".platform.app.yaml and run its install and build before collectstatic.",
            )
        )
    notes.extend(static_storage.note(project))
    if project.tailwind_cli:
        notes.append(tailwind_note("the build hook"))
    if project.compress_offline:
        notes.append(
            "django-compressor with COMPRESS_OFFLINE = True found: the build hook runs `python "
            "manage.py compress --force` after collectstatic, so pages using {% compress %} "
            "find their files."
        )
    driver = project.postgres_driver
    if driver is not None and driver.needs_compiler:
        notes.append(
            f"Your `{driver.name}` compiles from source in the build hook: it needs pg_config "
            "and libpq's headers there. If the build fails with `pg_config executable not "
            "found`, switch to `psycopg[binary]` (or `psycopg2-binary`)."
        )
    return tuple(notes)


# Read the database URL from PLATFORM_RELATIONSHIPS in the shell that sources
# .environment (Platform.sh's documented way to give a URL-reading app its database).
_DATABASE_URL_CODE = (
    "import base64, json, os; from urllib.parse import quote; "
    'd = json.loads(base64.b64decode(os.environ["PLATFORM_RELATIONSHIPS"]))["database"][0]; '
    'print("postgresql://%s:%s@%s:%s/%s" % (quote(d["username"], safe=""), '
    'quote(d["password"], safe=""), d["host"], d["port"], d["path"]))'
)


_REDIS_URL_CODE = (
    "import base64, json, os; "
    'r = json.loads(base64.b64decode(os.environ["PLATFORM_RELATIONSHIPS"]))["redis"][0]; '
    'print("redis://%s:%s" % (r["host"], r["port"]))'
)


def _collectstatic_line(project: Project) -> str:
    """The build hook has no runtime variables: the ones the settings need to import get
    build-only placeholders on this line only."""
    assigns = [f"{k}={shlex.quote(v)}" for k, v in env_needs.build_placeholders(project).items()]
    # None for a project that commits its collected files (shipped_static).
    steps = (
        [] if project.static_shipped else [manage_py_argv(project, "collectstatic", "--noinput")]
    )
    if project.tailwind_cli:
        # django-tailwind-cli's CSS, before collectstatic collects it.
        steps[:0] = [manage_py_argv(project, *args) for args in TAILWIND_BUILD_ARGS]
    if project.compress_offline:
        # django-compressor's offline files, into STATIC_ROOT beside the collected ones.
        steps.append(manage_py_argv(project, *COMPRESS_ARGS))
    # One hook line per step, at the hook's indentation (the template's).
    return "\n        ".join(" ".join([*assigns, shlex.join(argv)]) for argv in steps)


def _database_url_names(project: Project) -> list[str]:
    """DATABASE_URL, which many projects read or test (`.startswith("postgres")`) before
    the block builds DATABASES, and every other database-URL name the settings read."""
    names = ["DATABASE_URL"]
    names += [v.name for v in project.env_vars if v.kind == "database_url"]
    return list(dict.fromkeys(names))


def environment_exports(project: Project) -> list[str]:
    """Lines for .environment: the variables the settings read by their own names, made
    from what Platform.sh provides (a value the user set as a variable wins). The URL is
    computed in the shell that sources the file, never printed."""
    lines = []
    for var in project.required_env:
        if var.kind == "secret_key":
            lines.append(f'export {var.name}="${{{var.name}:-$PLATFORM_PROJECT_ENTROPY}}"')
    for name in _database_url_names(project):
        lines.append(
            f'if [ -z "${{{name}:-}}" ] && [ -n "${{PLATFORM_RELATIONSHIPS:-}}" ]; then\n'
            f"    export {name}=\"$(python -c '{_DATABASE_URL_CODE}')\"\nfi"
        )
    # The "redis" relationship as a URL, under each name the settings read it from.
    for name in project.services.redis_env_names:
        lines.append(
            f'if [ -z "${{{name}:-}}" ] && [ -n "${{PLATFORM_RELATIONSHIPS:-}}" ]; then\n'
            f"    export {name}=\"$(python -c '{_REDIS_URL_CODE}')\"\nfi"
        )
    # The app's host names (its upstream routes), and their HTTPS origins, under the
    # names the settings read them by.
    for name, value in env_needs.known_values(project, host="h").items():
        if name in _database_url_names(project):
            continue
        code = _HOSTS_CODE % ("https://" if value.startswith("https://") else "")
        lines.append(
            f'if [ -z "${{{name}:-}}" ] && [ -n "${{PLATFORM_ROUTES:-}}" ]; then\n'
            f"    export {name}=\"$(python -c '{code}')\"\nfi"
        )
    return lines


# The hosts of the routes that lead to this app, comma-separated, from PLATFORM_ROUTES.
_HOSTS_CODE = (
    "import base64, json, os; from urllib.parse import urlsplit; "
    'r = json.loads(base64.b64decode(os.environ["PLATFORM_ROUTES"])); '
    'a = os.environ["PLATFORM_APPLICATION_NAME"]; '
    'print(",".join(sorted({"%s" + urlsplit(u).hostname for u, v in r.items() '
    'if v.get("type") == "upstream" and v.get("upstream", "").split(":")[0] == a})))'
)


def _platform_provided(project: Project) -> set[str]:
    return {
        *(
            v.name
            for v in project.required_env
            if v.kind in ("secret_key", "database_url", "allowed_hosts", "csrf_origins", "site_url")
        ),
        *project.services.redis_env_names,
    }


def _own_variables(project: Project, cli: str = "platform") -> tuple[str, ...]:
    """Commands for the variables the settings need that only the user can give."""
    return env_needs.finish_steps(
        project,
        _platform_provided(project),
        lambda name: (
            f"{cli} variable:create --level project --name env:{name} "
            "--value <value> --sensitive true"
        ),
    )


plan_notes = _notes  # the upsun plugin shows the same notes


def app_context(project: Project, flavor: Flavor, python_version: str) -> dict[str, Any]:
    """What platform.app.yaml-tpl, services.yaml-tpl and routes.yaml-tpl need; the upsun
    plugin renders the same templates (with `upsun` true) into .upsun/config.yaml."""
    tool, tool_version, lines = _INSTALL[project.package_manager]
    variables = {**_TOOL_ENV[project.package_manager], **project.settings_env}
    return {
        "version": __version__,
        "upsun": flavor.name != FIXED.name,
        "label": flavor.label,
        "services_file": ".platform/services.yaml"
        if flavor.name == FIXED.name
        else f"{flavor.app_file} (services:)",
        "app_name": APP_NAME,
        "python_version": python_version,
        "python_comment": f"The Python you develop with ({python_version})."
        if python_version == project.python_version
        else f"Python {python_version}, as you chose (you develop with {project.python_version}).",
        "tool": tool,
        "tool_version": tool_version,
        "manager_label": _LABELS.get(project.package_manager, ""),
        "variables": sorted(variables.items()),
        "install": [
            line.format(
                python=python_version,
                only=",".join(("main", *project.deps.groups)),
                groups="".join(f"--group {g} " for g in project.deps.groups),
                no_project="" if project.deps.own_distribution else "--no-install-project",
            ).rstrip()
            for line in lines
        ],
        **_asset_context(project),
        "collectstatic": _collectstatic_line(project),
        "migrate": shlex.join(manage_py_argv(project, "migrate", "--noinput")),
        # $PORT stays for the shell that runs the start command.
        "start": _start(project),
        "redis": project.services.needs_redis,
        **_workers_context(project),
    }


def _start(project: Project) -> str:
    """web.commands.start; an ASGI app is served by its ASGI server."""
    asgi = service_config.asgi_web_argv(project, "$PORT")
    if asgi is not None:
        return shlex.join(asgi).replace(shlex.quote("$PORT"), "$PORT")
    return shlex.join(_web_argv(project, "PORT")).replace("0.0.0.0:PORT", "0.0.0.0:$PORT")


def _workers_context(project: Project) -> dict[str, Any]:
    """`workers:` entries, one per process beside web (a single-quoted YAML string each)."""
    processes = project.services.processes
    once = [p.name for p in processes if p.role == "scheduler"]
    note = f"{', '.join(once)} must run as exactly one instance (never scale it)." if once else ""
    return {
        "workers": [
            (p.name, "'" + service_config.shell_line(p).replace("'", "''") + "'") for p in processes
        ],
        "workers_note": note,
    }


def _app_yaml(project: Project) -> str:
    return render_template(
        _TEMPLATES,
        "platform.app.yaml-tpl",
        app_context(project, FIXED, project.python_version),
    )


def settings_change(project: Project, flavor: Flavor, reason: str):
    """The settings block both products use: they set the same PLATFORM_* variables."""
    return settings_block(
        project,
        flavor.name,
        render_template(
            _TEMPLATES,
            "settings.py-tpl",
            {
                "version": __version__,
                "static_and_apps": block_lines.static_and_apps(project),
                "kept_choices": block_lines.kept_choices(project),
                "databases_head": block_lines.databases_head(project),
                "wagtail_settings": wagtail_settings(
                    project.wagtail, "CSRF_TRUSTED_ORIGINS[0] if CSRF_TRUSTED_ORIGINS else None"
                ),
                "services_settings": "",
                "app_name": APP_NAME,
                # Platform.sh and Upsun both relay mail through PLATFORM_SMTP_HOST.
                "email_settings": block_lines.email_lines(
                    project, "PLATFORM_SMTP_HOST", imported=True
                ),
                "label": flavor.label,
                "platform": flavor.name,
                "cli": flavor.cli,
                "docs": flavor.docs,
                "django_guide": flavor.django_guide,
                "routes_file": flavor.routes_file,
                "app_file": flavor.app_file,
            },
        ),
        reason,
    )


def plan(project: Project, options: Options) -> PlatformPlan:
    context = {
        "version": __version__,
        "app_name": APP_NAME,
        "label": FIXED.label,
        "docs": FIXED.docs,
        "redis": project.services.needs_redis,
    }
    changes = (
        settings_change(
            project,
            FIXED,
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
            "a PostgreSQL 16 database service"
            + (" and a Redis service" if project.services.needs_redis else ""),
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
            render_template(
                _TEMPLATES,
                "environment-tpl",
                {**context, "exports": environment_exports(project)},
            ),
            "puts the app's virtual environment on PATH for the start command and deploy hook, "
            "and the database relationship in DATABASE_URL",
        ),
    )
    # --automate-all skips the manual steps, but not these.
    own = _own_variables(project) if options.get("automate_all") else ()
    requirements = REQUIREMENTS + service_config.service_requirements(project)
    return PlatformPlan(changes, requirements, (*_notes(project), *own))


def relationships_env(placeholders: Mapping[str, str], label: str = FIXED.label) -> dict[str, str]:
    """PLATFORM_RELATIONSHIPS and PLATFORM_ROUTES as Platform.sh builds them, for the
    rehearsal: base64 JSON derived from the rehearsal's database URL and host."""
    url = urlsplit(placeholders["database_url"])
    if not url.scheme.startswith("postgres"):
        raise ValueError(
            f"The {label} rehearsal needs a PostgreSQL database: give "
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
    relationships: dict[str, list] = {"database": [database]}
    if placeholders.get("redis_url"):
        redis = urlsplit(placeholders["redis_url"])
        relationships["redis"] = [
            {
                "scheme": "redis",
                "host": redis.hostname or "127.0.0.1",
                "port": redis.port or 6379,
                "rel": "redis",
                "service": "redis",
            }
        ]
    return {
        "PLATFORM_RELATIONSHIPS": _encode(relationships),
        "PLATFORM_ROUTES": _encode(routes),
    }


def _encode(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode("utf-8")).decode("ascii")


def _derived_env(
    project: Project, label: str = FIXED.label
) -> Callable[[Mapping[str, str]], dict[str, str]]:
    """What .environment computes at run time, for the rehearsal (which does not source it)."""

    def derive(placeholders: Mapping[str, str]) -> dict[str, str]:
        env = relationships_env(placeholders, label=label)
        for var in project.required_env:
            if var.kind == "secret_key":
                env[var.name] = placeholders["secret_key"]
        for name in _database_url_names(project):
            env[name] = placeholders["database_url"]
        host = placeholders["host"]
        for name, value in env_needs.known_values(project, host=host).items():
            env.setdefault(name, value)
        return env

    return derive


def runtime(project: Project, host: str = REHEARSAL_HOST, label: str = FIXED.label) -> Runtime:
    """How Platform.sh and Upsun run the app (the same images, hooks and variables)."""
    from simple_deploy.plugin import Command, Runtime

    return Runtime(
        env={
            "PLATFORM_APPLICATION_NAME": APP_NAME,
            "PLATFORM_APP_DIR": "{app_root}",
            "PLATFORM_PROJECT_ENTROPY": "{secret_key}",
            **project.settings_env,
            # .environment exports the "redis" relationship under each name read.
            **service_config.redis_env(project),
        },
        build=(
            *node_commands(project),
            *(
                Command(manage_py_argv(project, *args), env=env_needs.build_placeholders(project))
                for args in (TAILWIND_BUILD_ARGS if project.tailwind_cli else ())
            ),
            *(
                ()
                if project.static_shipped
                else (
                    Command(
                        manage_py_argv(project, "collectstatic", "--noinput"),
                        env=env_needs.build_placeholders(project),
                    ),
                )
            ),
            *(
                (
                    Command(
                        manage_py_argv(project, *COMPRESS_ARGS),
                        env=env_needs.build_placeholders(project),
                    ),
                )
                if project.compress_offline
                else ()
            ),
        ),
        release=(Command(manage_py_argv(project, "migrate", "--noinput")),),
        web=Command(
            service_config.asgi_web_argv(project, "{port}") or _web_argv(project, "{port}")
        ),
        host=host,
        run_env={
            "PLATFORM_ENVIRONMENT": "main-bvxea6i",
            "PLATFORM_BRANCH": "main",
            "PORT": "{port}",
        },
        derived_env=(
            _derived_env(project, label)
            if project.required_env or env_needs.known_values(project, host="h")
            else partial(relationships_env, label=label)
        ),
        # PLATFORM_RELATIONSHIPS describes a PostgreSQL service.
        needs_postgres=True,
        processes=service_config.runtime_processes(project),
        needs_redis=project.services.needs_redis,
        websocket_path=project.services.websocket_path,
    )


def guide(project: Project, options: Options) -> Guide:
    manage = " ".join(manage_py_argv(project))
    title = quoted(project_title(project, options))
    region = quoted(options.get("region") or FIXED.region)
    own = env_needs.finish_steps(
        project,
        _platform_provided(project),
        lambda name: (
            f"platform variable:create --level project --name env:{name} "
            "--value <value> --sensitive true"
        ),
    )
    return Guide(
        finish=(
            "Review the changes with `git diff`, then commit them: "
            '`git add -A` and `git commit -m "Configure for Platform.sh"`.',
            f"Create the project and link this repository to it: `platform create --title "
            f"{title} --region {region} --set-remote` (add `--org <your org>` if you "
            "belong to several organizations).",
            *own,
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
        costs=FIXED.costs,
        processes=service_config.process_rows(
            project,
            tuple(_start(project).split()),
            "a container of its own, `workers:` in .platform.app.yaml",
            "within the project's plan (workers share its CPU and memory)",
            {
                "web": "upgrade the plan in the Console",
                "worker": "one instance; more CPU and memory with a larger plan; stop: remove "
                "it from `workers:` and push",
                "scheduler": "exactly one instance, always; stop: remove it from `workers:` "
                "and push",
                "channels": "one instance; stop: remove it from `workers:` and push",
            },
            web_runs="the app's `web:` in .platform.app.yaml",
            redis=(
                "Redis",
                "the `redis` service (redis-persistent:7.2, 256 MB disk), .platform/services.yaml",
                "within the project's plan",
                "`disk:` in .platform/services.yaml; stop: remove the service and its "
                "relationship, and push",
            ),
        ),
        email=(
            "where Platform.sh's outgoing email is on (the production environment, by "
            "default) mail goes through its SMTP relay (`PLATFORM_SMTP_HOST`); set "
            "`DEFAULT_FROM_EMAIL` to your address with `platform variable:create --level project "
            "--name env:DEFAULT_FROM_EMAIL --value <address>`. For your own SMTP provider, set "
            "`env:EMAIL_URL` (`smtp+tls://USER:PASSWORD@HOST:587`) the same way with "
            "`--sensitive true`. Where neither is on, sending fails with an error in the log."
        ),
    )


CUSTOMERS = (
    "For existing Platform.sh customers (Upsun Fixed: .platform.app.yaml, the `platform` CLI). "
    "New organizations get Upsun (Flex): use --platform upsun."
)


def check(project: Project, options: Options) -> list[str]:
    """A project holds one product's configuration: Flex fails a deploy that has both."""
    found = FLEX.configured_in(project.git_root)
    if not found:
        return []
    return [
        f"This project is configured for Upsun (Flex): it has {', '.join(found)}. Upsun reads "
        "only .upsun/config.yaml and fails a deploy that also holds .platform files. Run with "
        "--platform upsun instead; or, to move to Platform.sh (Upsun Fixed), delete those files "
        "and the settings block for 'upsun', commit, and run again. Nothing was changed."
    ]


def _add_arguments(group) -> None:
    group.description = CUSTOMERS
    group.add_argument(
        "--platform-sh-org",
        metavar="ORG",
        help="Platform.sh organization to create the project in (needed if you belong to several).",
    )


def automate(project: Project, options: Options) -> Automation:
    # Imported by --automate-all runs only: a configuration run never loads it.
    from .._platform_common.automate import automation

    return automation(FIXED, project, options)


platform = PlatformPlugin(
    name=NAME,
    label="Platform.sh",
    plan=plan,
    runtime=runtime,
    guide=guide,
    check=check,
    add_arguments=_add_arguments,
    names=(
        NameRule(
            "deployed_project_name",
            "--deployed-project-name",
            r"[^\x00-\x1f\x7f]{1,100}",
            "a project title of up to 100 characters",
            "my-blog",
        ),
        NameRule(
            "region",
            "--region",
            r"[a-z0-9][a-z0-9.-]{0,62}[a-z0-9]",
            "a Platform.sh region",
            "eu-3.platform.sh",
        ),
        NameRule(
            "platform_sh_org",
            "--platform-sh-org",
            r"[a-z0-9][a-z0-9-]{0,62}",
            "an organization's machine name",
            "my-org",
        ),
    ),
    automate=automate,
    cli="platform",
    docs_url="https://docs.platform.sh/languages/python.html",
    # The image registry (platformsh-docs shared/data/registry.json, 2026).
    python_support={
        "3.10": "deprecated",
        "3.11": "deprecated",
        "3.12": "deprecated",
        "3.13": "supported",
        "3.14": "supported",
    },
    # The CLI's own install page (docs.platform.sh, "Command line interface (CLI)": 1. Install).
    extra={"customers": CUSTOMERS, "cli_install_url": FIXED.install_url},
)
