"""Render: a `render.yaml` Blueprint (web service and Render Postgres) and a settings block.

Facts this plugin relies on (render.com/docs, checked December 2026):
- A Blueprint is `render.yaml` at the repository root (blueprint-spec). Render
  reads it from the Git host (GitHub, GitLab, Bitbucket): it deploys pushed
  commits, never a local folder.
- A `runtime: python` web service runs `buildCommand`, then `preDeployCommand`
  (once per deploy, before the new version takes traffic; paid instance types
  only), then `startCommand`, which must listen on $PORT (gunicorn reads it).
- The Python runtime's `python` on PATH at build time is the app's environment,
  which the start command runs from. Python's version comes from PYTHON_VERSION,
  which must be a full version (3.13.5), else from `.python-version`, where
  "3.13" means its latest patch release (python-version).
- Service environment variables (`generateValue`, `fromDatabase`) exist at build
  time too. RENDER is set everywhere on Render; RENDER_EXTERNAL_HOSTNAME is the
  service's <name>.onrender.com host. Render's proxy ends HTTPS and sets
  X-Forwarded-Proto.
- `healthCheckPath` is requested with a GET straight to each instance (Host: the
  service's onrender.com name or a custom domain); a 2xx or 3xx answer within 5 s
  marks it healthy, and a new version takes traffic only once it is (health-checks).
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from typing import TYPE_CHECKING

from simple_deploy import __version__, block_lines, env_needs, service_config, static_storage
from simple_deploy.assets import COMPRESS_ARGS, TAILWIND_BUILD_ARGS, tailwind_note
from simple_deploy.package_managers import get as get_manager
from simple_deploy.plan import GENERATED_MARK
from simple_deploy.plugin import (
    Guide,
    NameRule,
    Options,
    PlatformPlan,
    PlatformPlugin,
    Project,
    Requirement,
    email_settings,
    generated_file,
    manage_py_argv,
    render_template,
    settings_block,
)

if TYPE_CHECKING:
    from simple_deploy.plugin import Command, Runtime
from simple_deploy.services import ServiceProcess
from simple_deploy.wagtail import wagtail_settings

from .._platform_common.asset_note import asset_note
from .._platform_common.install import TOOLS, node_commands, shell_line

NAME = "render"
LABEL = "Render"
_TEMPLATES = "simple_deploy.platforms.render"
REHEARSAL_HOST = "blog-site.onrender.com"

# The app's environment, as the build command finds it: the prefix of the `python`
# Render puts on PATH, which the start command runs from too.
VENV = '"$VENV"'
_FIND_VENV = "VENV=\"$(python -c 'import sys; print(sys.prefix)')\""
_MARK = "@@venv@@"
# The package manager is installed apart from the app's environment, which
# `poetry sync` and `uv sync` keep to exactly what is locked. /tmp is not deployed.
TOOL_DIR = "/tmp/simple-deploy-tools"
HEALTH_PATH = "/render-health"

# Instance types (render.com/pricing): `free` has no pre-deploy command and sleeps
# when idle; `starter` is the cheapest that runs migrations before each deploy.
PLANS = ("free", "starter", "standard", "pro")
DEFAULT_PLAN = "starter"
REGIONS = ("oregon", "ohio", "virginia", "frankfurt", "singapore")
DEFAULT_REGION = "oregon"
# Render Postgres: the free instance expires 30 days after creation (free).
DATABASE_PLANS = {"free": "free"}
DEFAULT_DATABASE_PLAN = "basic-256mb"

REQUIREMENTS = (
    Requirement(
        "gunicorn",
        "gunicorn~=27.0",
        "releases before 21.0 import pkg_resources, which a fresh install lacks",
        minimum="21.0",
    ),
    Requirement("psycopg", "psycopg[binary]~=3.3", "PostgreSQL driver for Render Postgres"),
    Requirement(
        "dj-database-url",
        "dj-database-url~=3.1",
        "the settings block passes conn_health_checks, which dj-database-url 1.1 added",
        minimum="1.1",
    ),
    Requirement("whitenoise", "whitenoise~=6.12", "serves static files compressed and cached"),
)

SERVICE_NAME = re.compile(r"[a-z][a-z0-9-]{0,61}[a-z0-9]")


# ---------------------------------------------------------------- names

# The web service's own lines in the render.yaml this plugin writes (its first entry).
_WEB_NAME = re.compile(r"^services:\n  - type: web\n    name: ([a-z0-9-]+)$", re.MULTILINE)
_WEB_REGION = re.compile(r"^services:\n(?:    .*\n|  - .*\n)*?    region: ([a-z]+)$", re.MULTILINE)
_WEB_PLAN = re.compile(r"^services:\n(?:    .*\n|  - .*\n)*?    plan: ([a-z -]+)$", re.MULTILINE)


def _declared(project: Project, pattern: re.Pattern) -> str:
    """A value of the render.yaml in the repository, when this plugin wrote it."""
    path = project.git_root / "render.yaml"
    try:
        text = path.read_text("utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return ""
    if GENERATED_MARK not in text[:400]:
        return ""
    match = pattern.search(text)
    return match.group(1).strip() if match else ""


def service_name(project: Project, options: Options) -> str:
    """The web service: the name chosen, else the one render.yaml already names (a re-run,
    or a copy of the repository in another folder), else the project folder's, as a slug.

    Render names need not be unique across accounts (the onrender.com host gets a
    suffix when taken), so a re-run finds the same service by this name."""
    wanted = options.get("deployed_project_name") or _declared(project, _WEB_NAME)
    if wanted and SERVICE_NAME.fullmatch(wanted):
        return wanted
    slug = re.sub(r"[^a-z0-9-]+", "-", project.git_root.name.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"django-{slug}".rstrip("-")
    return slug[:60].rstrip("-")


def database_name(project: Project, options: Options) -> str:
    return f"{service_name(project, options)}-db"


def with_declared(project: Project, options: Options) -> dict:
    """The options, with the instance type and region render.yaml already declares where
    none is given: a re-run without them keeps what the first run chose."""
    declared = {"render_plan": declared_plan(project), "region": _declared(project, _WEB_REGION)}
    return {
        **{
            k: v for k, v in declared.items() if v and v != DEFAULT_PLAN and v in (*PLANS, *REGIONS)
        },
        **{k: v for k, v in options.items() if v},
    }


def plan_of(options: Options) -> str:
    return options.get("render_plan") or DEFAULT_PLAN


def region_of(options: Options) -> str:
    return options.get("region") or DEFAULT_REGION


def database_plan(options: Options) -> str:
    return DATABASE_PLANS.get(plan_of(options), DEFAULT_DATABASE_PLAN)


# ---------------------------------------------------------------- commands


def _web_argv(project: Project) -> tuple[str, ...]:
    chdir = ("--chdir", project.manage_dir_rel) if project.nested else ()
    return ("gunicorn", *chdir, project.wsgi_module)


def _start(project: Project) -> str:
    asgi = service_config.asgi_web_argv(project, "$PORT")
    if asgi is None:
        return shlex.join(_web_argv(project))
    return shlex.join(asgi).replace(shlex.quote("$PORT"), "$PORT")


def _build_commands(project: Project, options: Options) -> tuple[Command, ...]:
    """What the build runs after the install: assets, collectstatic, and on the free
    instance type (no pre-deploy command) the migrations."""
    from simple_deploy.plugin import Command

    commands = [
        *node_commands(project),
        # django-tailwind-cli's CSS, before collectstatic collects it.
        *(
            Command(manage_py_argv(project, *args))
            for args in (TAILWIND_BUILD_ARGS if project.tailwind_cli else ())
        ),
        # Not for a project that commits its collected files (shipped_static).
        *(
            ()
            if project.static_shipped
            else (Command(manage_py_argv(project, "collectstatic", "--noinput")),)
        ),
    ]
    if project.compress_offline:
        # django-compressor's offline files, into STATIC_ROOT beside the collected ones.
        commands.append(Command(manage_py_argv(project, *COMPRESS_ARGS)))
    if plan_of(options) == "free":
        commands.append(Command(manage_py_argv(project, "migrate", "--noinput")))
    return tuple(commands)


def _release(project: Project, options: Options) -> tuple[Command, ...]:
    from simple_deploy.plugin import Command

    if plan_of(options) == "free":
        return ()
    return (Command(manage_py_argv(project, "migrate", "--noinput")),)


def _line(argv: tuple[str, ...], env, tool_dir: str = "") -> str:
    # A mark shlex leaves bare, then the shell variable the build command sets first.
    line = shell_line(argv, env, venv=_MARK, python=f"{_MARK}/bin/python", tool_dir=tool_dir)
    return line.replace(_MARK, VENV)


def _shell(command: Command) -> str:
    line = _line(command.argv, command.env)
    return f"(cd {shlex.quote(command.cwd)} && {line})" if command.cwd != "." else line


def build_command(project: Project, options: Options) -> str:
    """render.yaml's buildCommand: the manager's own install from the lock file (the
    steps the rehearsal runs), then the build steps the runtime declares."""
    tool = TOOLS.get(project.package_manager)
    steps = project.deps.install_steps
    texts = [text for step in steps for text in (*step.argv, *step.env.values())]
    parts = [_FIND_VENV] if any("{venv}" in t or "{python}" in t for t in texts) else []
    if tool:
        parts += [
            shlex.join(("python", "-m", "venv", TOOL_DIR)),
            shlex.join((f"{TOOL_DIR}/bin/pip", "install", "--no-input", "--quiet", tool)),
        ]
    parts += [_line(step.argv, step.env, tool_dir=TOOL_DIR) for step in steps]
    parts += [_shell(command) for command in _build_commands(project, options)]
    return " && ".join(parts)


def service_commands(project: Project, options: Options) -> dict[str, str]:
    """The web service's commands as render.yaml declares them, and as --automate-all
    gives them to Render's API: `build`, `pre_deploy` ("" on free), `start`."""
    release = _release(project, options)
    return {
        "build": build_command(project, options),
        "pre_deploy": " && ".join(_shell(c) for c in release),
        # An ASGI app is served by its ASGI server; startCommand runs in a shell.
        "start": _start(project),
    }


# ---------------------------------------------------------------- plan


def _lock_file(project: Project) -> str:
    files = [name for name in project.deps.install_files if not name.endswith("/")]
    return project.deps.lock_file or (files[0] if files else "requirements.txt")


def _provided(project: Project) -> set[str]:
    return {"DATABASE_URL", *env_needs.secret_key_names(project), *project.services.redis_env_names}


def database_keys(project: Project) -> tuple[str, ...]:
    """DATABASE_URL, and any other name the settings read their database URL from."""
    others = [v.name for v in project.env_vars if v.kind == "database_url"]
    return tuple(dict.fromkeys(("DATABASE_URL", *others)))


def secret_keys(project: Project) -> tuple[str, ...]:
    return tuple(dict.fromkeys(("SECRET_KEY", *env_needs.secret_key_names(project))))


def host_values(project: Project, options: Options) -> dict[str, str]:
    """The app's host under the names the settings read it by. A Blueprint cannot
    refer to RENDER_EXTERNAL_HOSTNAME, so it is the name Render gives the service
    (`<service>.onrender.com`); the block adds RENDER_EXTERNAL_HOSTNAME itself."""
    host = f"{service_name(project, options)}.onrender.com"
    return {
        k: v
        for k, v in env_needs.known_values(project, host=host).items()
        if k not in database_keys(project)
    }


def user_keys(project: Project) -> tuple[str, ...]:
    known = env_needs.known_values(project, host="<host>")
    provided = {
        *database_keys(project),
        *secret_keys(project),
        *project.services.redis_env_names,
        *known,
    }
    return tuple(v.name for v in env_needs.user_provided(project, provided))


def render_yaml(project: Project, options: Options) -> str:
    def q(value: str) -> str:
        # A JSON string is a YAML double-quoted scalar: any command stays one string.
        return json.dumps(value)

    commands = service_commands(project, options)
    return render_template(
        _TEMPLATES,
        "render.yaml-tpl",
        {
            "version": __version__,
            "service": service_name(project, options),
            "database": database_name(project, options),
            "plan": plan_of(options),
            "database_plan": database_plan(options),
            "region": region_of(options),
            "lock": _lock_file(project),
            "manager": get_manager(project.package_manager).label,
            "build_command": q(commands["build"]),
            "predeploy": q(commands["pre_deploy"]) if commands["pre_deploy"] else "",
            "start_command": q(commands["start"]),
            "health_path": q(HEALTH_PATH),
            "secret_keys": secret_keys(project),
            "database_keys": database_keys(project),
            "values": [
                (k, q(v))
                for k, v in sorted(
                    {
                        **project.settings_env,
                        **host_values(project, options),
                        **node_version_env(project),
                    }.items()
                )
            ],
            "user_keys": user_keys(project),
            "redis_keys": project.services.redis_env_names,
            "keyvalue": keyvalue_name(project, options),
            "service_blocks": _service_blocks(project, options, commands["build"]),
        },
    )


def node_version_env(project: Project) -> dict[str, str]:
    """NODE_VERSION for a frontend whose Node.js major only the project's Dockerfile names
    (its `node:18` stage): Render's Node.js follows that variable first, and otherwise
    reads .node-version, .nvmrc or package.json's engines, which the project lacks."""
    build = project.asset_build
    if build is None or not build.recipe or not build.node_source.startswith(build.recipe):
        return {}
    return {"NODE_VERSION": build.node_major}


def keyvalue_name(project: Project, options: Options) -> str:
    return f"{service_name(project, options)}-redis"


def worker_name(project: Project, options: Options, process: ServiceProcess) -> str:
    """A process's background worker service: the web service's name and the process's."""
    return f"{service_name(project, options)}-{process.name}"


def worker_plan(options: Options) -> str:
    # Background workers have no free instance type (render.com/pricing).
    return "starter" if plan_of(options) == "free" else plan_of(options)


def _keyvalue_plan(options: Options) -> str:
    return "free" if plan_of(options) == "free" else "starter"


def _origin(source: str) -> str:
    return "The command of your Procfile's line." if source == "Procfile" else source.capitalize()


def _service_blocks(project: Project, options: Options, build: str) -> str:
    """render.yaml entries after the web service: a `type: worker` service per process
    (the same build, the web service's secret key and the database), and one Key Value
    instance when the settings read a Redis URL. Empty for a project with neither."""
    q = json.dumps
    web = service_name(project, options)
    out = []
    for process in project.services.processes:
        once = (
            "\n    # A scheduler: exactly one instance (never add numInstances)."
            if process.role == "scheduler"
            else ""
        )
        lines = [
            "  - type: worker",
            f"    name: {worker_name(project, options, process)}",
            "    runtime: python",
            f"    plan: {worker_plan(options)}",
            f"    region: {region_of(options)}",
            f"    buildCommand: {q(build)}",
            f"    # {_origin(process.source)}{once}",
            f"    startCommand: {q(shlex.join(process.argv))}",
            "    envVars:",
        ]
        for key in secret_keys(project):
            lines += [
                f"      - key: {key}",
                "        fromService:",
                "          type: web",
                f"          name: {web}",
                f"          envVarKey: {key}",
            ]
        for key in database_keys(project):
            lines += [
                f"      - key: {key}",
                "        fromDatabase:",
                f"          name: {database_name(project, options)}",
                "          property: connectionString",
            ]
        for key, value in sorted({**project.settings_env, **node_version_env(project)}.items()):
            lines += [f"      - key: {key}", f"        value: {q(value)}"]
        for key in project.services.redis_env_names:
            lines += [
                f"      - key: {key}",
                "        fromService:",
                "          type: keyvalue",
                f"          name: {keyvalue_name(project, options)}",
                "          property: connectionString",
            ]
        for key, value in process.env:
            lines += [f"      - key: {key}", f"        value: {q(value)}"]
        out.append("\n".join(lines))
    if project.services.needs_redis:
        out.append(
            "\n".join(
                [
                    "  # Render Key Value (Redis-compatible), on the private network only.",
                    "  - type: keyvalue",
                    f"    name: {keyvalue_name(project, options)}",
                    f"    plan: {_keyvalue_plan(options)}",
                    f"    region: {region_of(options)}",
                    "    # Queued tasks are never evicted to make room.",
                    "    maxmemoryPolicy: noeviction",
                    "    ipAllowList: []",
                ]
            )
        )
    return "".join(block + "\n" for block in out)


def _notes(project: Project, options: Options) -> tuple[str, ...]:
    notes = []
    if plan_of(options) == "free":
        notes.append(
            "Free instance type: Render runs no pre-deploy command there, so migrations run "
            "at the end of the build (a failed migration fails the build and the running "
            "version keeps serving). The service sleeps after 15 idle minutes, and the free "
            "database expires 30 days after it is created. --render-plan starter migrates "
            "before each deploy instead."
        )
    build = project.asset_build
    if build is not None:
        notes.append(
            asset_note(
                build,
                "The build command",
                (
                    f"Node.js {build.node_major} from NODE_VERSION, as {build.node_source}"
                    if node_version_env(project)
                    else "Render's Python runtime includes Node.js"
                ),
                f"add {build.other_manager}'s install and build before collectstatic in "
                "render.yaml's buildCommand, or commit the built files.",
            )
        )
    notes.extend(static_storage.note(project))
    if project.tailwind_cli:
        notes.append(tailwind_note("render.yaml's buildCommand"))
    if project.compress_offline:
        notes.append(
            "django-compressor with COMPRESS_OFFLINE = True found: render.yaml's buildCommand "
            "runs `python manage.py compress --force` after collectstatic, so pages "
            "using {% compress %} find their files."
        )
    driver = project.postgres_driver
    if driver is not None and driver.needs_compiler:
        notes.append(
            f"Your `{driver.name}` compiles from source in the build: if it fails with "
            "`pg_config executable not found`, switch to `psycopg[binary]`."
        )
    return tuple(notes)


def plan(project: Project, options: Options) -> PlatformPlan:
    options = with_declared(project, options)
    name = service_name(project, options)
    changes = (
        settings_block(
            project,
            NAME,
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
                    "health_path": HEALTH_PATH,
                    "services_settings": "",
                    "email_settings": email_settings(project=project),
                },
            ),
            "Render-only settings: DEBUG off, generated secret key, the service's own host, "
            "HTTPS, Render Postgres, WhiteNoise, the health check",
        ),
        generated_file(
            project,
            "render.yaml",
            render_yaml(project, options),
            f"the Blueprint: web service '{name}' ({plan_of(options)}, "
            f"{region_of(options)}: install from your lock file and collect static files at "
            f"build, migrate {'at build' if plan_of(options) == 'free' else 'before each deploy'}"
            f", serve with gunicorn), PostgreSQL '{database_name(project, options)}', a "
            "generated secret key",
        ),
    )
    if (project.git_root / ".python-version").is_file():
        python_notes: tuple[str, ...] = (
            f"Render will use the Python your .python-version names ({project.python_version}).",
        )
    else:
        # PYTHON_VERSION would need a full version (3.13.5); .python-version takes "3.13"
        # and Render builds with that version's latest patch release.
        changes += (
            generated_file(
                project,
                ".python-version",
                f"{project.python_version}\n",
                f"Render builds with Python {project.python_version} (its latest patch "
                "release), the version you develop with",
            ),
        )
        python_notes = ()
    notes = (
        *python_notes,
        f"Render service name: `{name}` (its site will be https://{name}.onrender.com, or "
        "with a suffix if that name is taken); choose another with --deployed-project-name.",
        *_notes(project, options),
        # --automate-all skips the manual steps, but not these.
        *(_automated_notes(project) if options.get("automate_all") else ()),
    )
    requirements = REQUIREMENTS + service_config.service_requirements(project)
    return PlatformPlan(changes, requirements, notes)


def _own(project: Project, how: str) -> tuple[str, ...]:
    """One line for each variable the settings need at import that only the user can give."""
    known = env_needs.known_values(project, host="<host>")
    provided = {
        *database_keys(project),
        *secret_keys(project),
        *project.services.redis_env_names,
        *known,
    }
    return tuple(
        f"Your settings read `{var.name}` at import ({var.where}) and Render does not set it: "
        + how
        for var in env_needs.user_provided(project, provided)
    )


def _automated_notes(project: Project) -> tuple[str, ...]:
    return (
        *_own(project, "add it in the web service's Environment tab (a deploy follows)."),
        "--automate-all makes the web service and the database through Render's API with "
        "the settings render.yaml declares; Render syncs only Blueprint-made services from "
        "render.yaml, so after changing it, commit and run --automate-all again.",
    )


# ---------------------------------------------------------------- runtime


def declared_plan(project: Project) -> str:
    """The web service's instance type in render.yaml as it is, else the default."""
    plan = _declared(project, _WEB_PLAN)
    return plan if plan in PLANS else DEFAULT_PLAN


def runtime(project: Project) -> Runtime:
    """What the Blueprint runs, for the rehearsal: with the instance type render.yaml
    declares (free: migrations in the build, no pre-deploy command)."""
    from simple_deploy.plugin import Command, Runtime

    options = {"render_plan": declared_plan(project)}
    web = service_config.asgi_web_argv(project, "{port}") or _web_argv(project)
    return Runtime(
        # Service variables exist at build, pre-deploy and run time alike.
        env={
            "RENDER": "true",
            "SECRET_KEY": "{secret_key}",
            "DATABASE_URL": "{database_url}",
            **project.settings_env,
            **env_needs.platform_provided(project, database_names=database_keys(project)),
            # The Key Value instance's connectionString, under each name the settings read.
            **service_config.redis_env(project),
            **env_needs.known_values(project, host="{host}", database="{database_url}"),
        },
        build=_build_commands(project, options),
        release=_release(project, options),
        web=Command(web),
        host=REHEARSAL_HOST,
        run_env={
            "PORT": "{port}",
            "RENDER_EXTERNAL_HOSTNAME": "{host}",
            "RENDER_SERVICE_NAME": "blog-site",
        },
        processes=service_config.runtime_processes(project),
        needs_redis=project.services.needs_redis,
        websocket_path=project.services.websocket_path,
    )


# ---------------------------------------------------------------- guide


def guide(project: Project, options: Options) -> Guide:
    options = with_declared(project, options)
    name = service_name(project, options)
    manage = shlex.join(manage_py_argv(project))
    return Guide(
        finish=(
            "Review the changes with `git diff`, then commit them: "
            '`git add -A` and `git commit -m "Configure for Render"`.',
            "Push the repository to GitHub, GitLab or Bitbucket (Render deploys from there): "
            "`git push`.",
            "In the Render Dashboard choose New > Blueprint, connect your Git account if asked, "
            f"pick this repository and click Apply: Render creates the web service `{name}` "
            f"and the database `{database_name(project, options)}`, generates SECRET_KEY, "
            "builds, migrates and deploys.",
            *_own(
                project,
                "render.yaml declares it `sync: false`, so Render asks for its value when you "
                "apply the Blueprint.",
            ),
            f"Open the site: https://{name}.onrender.com (the service's page shows its URL).",
        ),
        redeploy="commit and push: Render deploys every push to the branch the Blueprint "
        "follows (or Manual Deploy in the service's page; `render deploys create` with the "
        "Render CLI)",
        logs="the service's Logs tab, or `render logs` with the Render CLI",
        run_command=f"the service's Shell tab (paid instance types): `{manage} createsuperuser`",
        remote_shell="the service's Shell tab, or `render ssh` with the Render CLI",
        scale="change `plan:` (instance type) or add `numInstances:` in render.yaml, commit "
        "and push; or Scaling in the service's page",
        rollback="the service's Events tab: Rollback on an earlier deploy (the database is "
        "not rolled back)",
        processes=service_config.process_rows(
            project,
            _web_argv(project)
            if project.services.asgi_application is None
            else tuple(_start(project).split()),
            "a Render service of its own in render.yaml",
            f"an instance each ({plan_of(options)}; workers start at starter, $7 a month)",
            {
                "web": "`numInstances:` in render.yaml, or the service's Scaling page",
                "worker": f"`numInstances:` under `{name}-{{name}}` in render.yaml; stop: "
                "Suspend in the service's Settings page",
                "scheduler": f"exactly one instance of `{name}-{{name}}`, never more; stop: "
                "Suspend in the service's Settings page",
                "channels": f"`numInstances:` under `{name}-{{name}}` in render.yaml; stop: "
                "Suspend in the service's Settings page",
            },
            redis=(
                "Redis",
                f"Render Key Value `{keyvalue_name(project, options)}` in render.yaml",
                f"{_keyvalue_plan(options)} (free: no persistence; starter: $10 a month)",
                "change its `plan:` in render.yaml; stop: delete the instance in the Dashboard",
            ),
        ),
        links=(
            ("Deploy a Django app on Render", "https://render.com/docs/deploy-django"),
            ("Blueprint YAML reference", "https://render.com/docs/blueprint-spec"),
            ("Deploys and pre-deploy commands", "https://render.com/docs/deploys"),
            ("Setting your Python version", "https://render.com/docs/python-version"),
            ("Render Postgres", "https://render.com/docs/postgresql"),
            ("Health checks", "https://render.com/docs/health-checks"),
            ("Pricing", "https://render.com/pricing"),
        ),
        costs=(
            "Render bills the web service's instance type and the database monthly, by the "
            "second while they exist (starter and basic-256mb are the cheapest paid ones; "
            "see https://render.com/pricing). Free instances sleep when idle and a free "
            "database expires after 30 days. Delete both in the Dashboard to stop the charges."
        ),
        email=(
            "Render sends no mail itself. Take SMTP credentials from a provider as "
            "`smtp+tls://USER:PASSWORD@HOST:587`, then add EMAIL_URL and DEFAULT_FROM_EMAIL "
            "in the service's Environment tab (or as `sync: false` variables in render.yaml). "
            "Until then sending mail fails with an error in the log, and nothing is sent."
        ),
    )


# ---------------------------------------------------------------- options


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--render-plan",
        choices=PLANS,
        help=f"Instance type of the web service (default {DEFAULT_PLAN}; free has no "
        "pre-deploy command, so migrations then run in the build).",
    )
    group.add_argument(
        "--render-workspace",
        metavar="ID",
        help="Render workspace (owner ID, tea-...) for --automate-all, when your API key "
        "sees several.",
    )


def _automate(project: Project, options: Options):
    from .automate import automation

    return automation(project, options)


platform = PlatformPlugin(
    name=NAME,
    label=LABEL,
    plan=plan,
    runtime=runtime,
    guide=guide,
    add_arguments=add_arguments,
    automate=_automate,
    names=(
        NameRule(
            "deployed_project_name",
            "--deployed-project-name",
            SERVICE_NAME.pattern,
            "2 to 63 lowercase letters, digits and dashes, starting with a letter",
            "my-blog",
        ),
        NameRule(
            "region",
            "--region",
            "|".join(REGIONS),
            "a Render region: " + ", ".join(REGIONS),
            "ohio",
        ),
        NameRule(
            "render_workspace",
            "--render-workspace",
            r"(tea|usr)-[a-z0-9]{10,40}",
            "a workspace ID (tea-... or usr-...)",
            "tea-cs1abcdefghijklmnop0",
        ),
    ),
    docs_url="https://render.com/docs/deploy-django",
    # Render's Python runtime (python-version): any 3.x release it builds; 3.9 is past
    # its end of life.
    python_support={
        "3.9": "deprecated",
        "3.10": "supported",
        "3.11": "supported",
        "3.12": "supported",
        "3.13": "supported",
        "3.14": "supported",
    },
)
