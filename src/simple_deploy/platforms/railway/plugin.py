"""Railway: Railpack builds, Infrastructure as Code (`.railway/railway.ts`), Railway Postgres.

Facts this plugin relies on (sources read December 2026):
- Config as Code (`railway.json` / `railway.toml`) is deprecated: new services cannot
  opt into it and existing files stop being read on 2026-12-01; its replacement is
  `.railway/railway.ts`, applied by `railway config apply` (railwayapp/docs
  content/docs/infrastructure-as-code.md). This plugin writes that file in the shape
  `railway config pull` renders (railwayapp/cli src/commands/config/mod.rs,
  render_graph_as_railway_ts / render_deploy): `build`, `start`, `healthcheck`,
  `deploy: { preDeployCommand }`, `env` with `db.env.DATABASE_URL`, `postgres(name)`.
- Railpack (railwayapp/railpack core/providers/python/python.go) installs from the
  project's lock with its own manager: pip when requirements.txt exists, else uv
  (`uv sync --locked --no-dev`), Poetry (`poetry install --only main --no-root`), PDM,
  Pipenv (`pipenv install --deploy --ignore-pipfile`) into /app/.venv. Python comes from
  Pipfile, runtime.txt, .python-version or PYTHON_VERSION (not requires-python); 3.13
  by default. Its own Django start command migrates at every boot (django.go): ours
  replaces it.
- A pre-deploy command runs once per deploy, in its own container, before the new
  version starts (docs deployments/pre-deploy-command.md).
- Railway sets RAILWAY_ENVIRONMENT_NAME and RAILWAY_PUBLIC_DOMAIN in every build and
  deployment, and PORT at run time; health checks come from healthcheck.railway.app
  and need a 200 (docs variables/reference.md, deployments/healthchecks.md).
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

from simple_deploy import __version__, block_lines, env_needs, service_config, static_storage
from simple_deploy.assets import COMPRESS_ARGS, TAILWIND_BUILD_ARGS, tailwind_note
from simple_deploy.platforms._platform_common.titles import project_title
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
    from simple_deploy.plugin import Automation, Runtime
from simple_deploy.wagtail import wagtail_settings

from .._platform_common.asset_note import asset_note

NAME = "railway"
LABEL = "Railway"
_TEMPLATES = "simple_deploy.platforms.railway"
CONFIG_FILE = ".railway/railway.ts"
SERVICE = "web"
# The name Railway's Postgres template gives its service (`railway add --database
# postgres`), which reference variables name: ${{Postgres.DATABASE_URL}}.
DATABASE = "Postgres"
REFERENCE = "${{" + DATABASE + ".DATABASE_URL}}"
HEALTH_PATH = "/railway-health/"
REHEARSAL_HOST = "web-production-0123.up.railway.app"
DOCS = "https://docs.railway.com"

REQUIREMENTS = (
    Requirement(
        "gunicorn",
        "gunicorn~=27.0",
        "releases before 21.0 import pkg_resources, which a fresh install lacks",
        minimum="21.0",
    ),
    Requirement("psycopg", "psycopg[binary]~=3.3", "PostgreSQL driver for Railway Postgres"),
    Requirement(
        "dj-database-url",
        "dj-database-url~=3.1",
        "the settings block passes conn_health_checks, which dj-database-url 1.1 added",
        minimum="1.1",
    ),
    Requirement("whitenoise", "whitenoise~=6.12", "serves static files compressed and cached"),
)

# What Railpack runs to install, per package manager it picks (python.go).
RAILPACK_INSTALL = {
    "requirements_txt": "pip install -r requirements.txt",
    "uv": "uv sync --locked --no-dev",
    "poetry": "poetry install --only main --no-root",
    "pipenv": "pipenv install --deploy --ignore-pipfile",
}


def railpack_manager(project: Project) -> str | None:
    """The package manager Railpack picks from the repository root, in its order."""
    root = project.git_root
    pyproject = (root / "pyproject.toml").is_file()
    # This run creates a root requirements.txt when none is there (deps.new_text).
    created = project.deps.new_text is not None and project.deps.target == "requirements.txt"
    if (root / "requirements.txt").is_file() or created:
        return "requirements_txt"
    if pyproject and (root / "uv.lock").is_file():
        return "uv"
    if pyproject and (root / "poetry.lock").is_file():
        return "poetry"
    if pyproject and (root / "pdm.lock").is_file():
        return "pdm"
    if (root / "Pipfile").is_file():
        return "pipenv"
    return None


def check(project: Project, options: Options) -> list[str]:
    """Stop before writing anything when Railpack would install something else."""
    problems = []
    picked = railpack_manager(project)
    # An export of uv.lock or Pipfile.lock (the same pins, kept in step by this run):
    # pip installs exactly what is locked.
    exported = picked == "requirements_txt" and project.deps.export == "requirements.txt"
    if picked == "requirements_txt" and project.deps.export_stale:
        # A requirements.txt beside the lock that no longer holds its pins: Railpack
        # would install those, not what is locked; writing the export again fixes it.
        problems.append(
            "Railway's builder (Railpack) installs requirements.txt with pip whenever it "
            "is in the repository root, so it would install that file's pins, not what "
            f"{project.deps.lock_file} locks. Nothing was changed. "
            f"{project.deps.export_stale} Or, if requirements.txt is left over, remove it "
            "(`git rm requirements.txt`), commit, and run again."
        )
    elif picked != project.package_manager and not exported:
        problems.append(
            f"This project uses {project.package_manager}, but Railway's builder (Railpack) "
            f"would install it with {picked or 'nothing it recognizes'}: it picks pip whenever "
            "requirements.txt is in the repository root, then uv, Poetry, PDM, Pipenv. Nothing "
            "was changed. Remove the other manager's files from the root (for example "
            "`git rm requirements.txt`), commit, and run again."
        )
    if project.deps.groups:
        problems.append(
            f"Production needs the dependency group(s) {', '.join(project.deps.groups)}, but "
            "Railpack installs only the main dependencies (`--only main`, `--no-dev`). Nothing "
            "was changed. Move those packages into the main dependencies (then "
            f"`{project.package_manager} lock`), commit, and run again."
        )
    return problems


# ---------------------------------------------------------------- names


def project_name(project: Project, options: Options) -> str:
    """The Railway project: the one automation created or reused, else the one named on
    the command line, else the folder's name plus a short hash of the first commit and
    path, the naming Platform.sh and Upsun use (the same on every run, so a re-run finds
    its project; different for another one)."""
    return str(options.get("railway_project") or project_title(project, options))


# ---------------------------------------------------------------- commands


def commands(project: Project) -> dict[str, tuple[str, ...]]:
    """Build, pre-deploy and start commands: declared once, for railway.ts and the rehearsal."""
    chdir = ("--chdir", project.manage_dir_rel) if project.nested else ()
    return {
        # A project shipping its collected files (shipped_static) must keep its manifest:
        # the build then only checks that the settings import.
        "build": manage_py_argv(project, "check")
        if project.static_shipped
        else manage_py_argv(project, "collectstatic", "--noinput"),
        "pre_deploy": manage_py_argv(project, "migrate", "--noinput"),
        # An ASGI app is served by its ASGI server; Railpack starts it with bash.
        "start": service_config.asgi_web_argv(project, "$PORT")
        or ("gunicorn", *chdir, project.wsgi_module),
    }


# The name Railway's Redis template gives its service: ${{Redis.REDIS_URL}}.
REDIS = "Redis"


def _start_line(argv: tuple[str, ...]) -> str:
    return shlex.join(argv).replace(shlex.quote("$PORT"), "$PORT")


def _worker_var(name: str) -> str:
    return "worker_" + "".join(c if c.isalnum() else "_" for c in name)


def _workers(project: Project) -> str:
    """A Railway service per process beside web: the same build, its own start command,
    the web service's secret key and the database and Redis references; a scheduler
    with exactly one replica. Empty for a project with none."""
    out = []
    keys = ("SECRET_KEY", *env_needs.secret_key_names(project))
    for process in project.services.processes:
        origin = "from your Procfile" if process.source == "Procfile" else process.source
        env = [f"      {key}: {json.dumps('${{' + SERVICE + '.' + key + '}}')}," for key in keys]
        env.append("      DATABASE_URL: db.env.DATABASE_URL,")
        env += [f"      {k}: {json.dumps(v)}," for k, v in sorted(project.settings_env.items())]
        # The same build command as web's, so the same Node.js for it.
        env += [f"      {k}: {json.dumps(v)}," for k, v in node_packages(project).items()]
        env += [f"      {name}: cache.env.REDIS_URL," for name in project.services.redis_env_names]
        env += [f"      {name}: {json.dumps(value)}," for name, value in process.env]
        once = (
            "\n    // A scheduler: exactly one replica, never more."
            if process.role == "scheduler"
            else ""
        )
        out.append(
            "\n".join(
                [
                    "",
                    f"  // {process.name}: {origin}.",
                    f"  const {_worker_var(process.name)} = service({json.dumps(process.name)}, {{",
                    f"    build: {json.dumps(build_line(project))},",
                    f"    start: {json.dumps(shlex.join(process.argv))},{once}",
                    "    replicas: 1,",
                    "    env: {",
                    *env,
                    "    },",
                    "  });",
                ]
            )
            + "\n"
        )
    return "".join(out)


def _tailwind(project: Project) -> tuple[tuple[str, ...], ...]:
    """django-tailwind-cli's CSS, before collectstatic collects it."""
    return tuple(
        manage_py_argv(project, *args)
        for args in (TAILWIND_BUILD_ARGS if project.tailwind_cli else ())
    )


def _compress(project: Project) -> tuple[tuple[str, ...], ...]:
    """django-compressor's offline files, after collectstatic, into STATIC_ROOT."""
    return (manage_py_argv(project, *COMPRESS_ARGS),) if project.compress_offline else ()


def _node_build(project: Project) -> tuple[tuple[str, ...], ...]:
    build = project.asset_build
    if build is None or build.other_manager:
        return ()
    # A frontend in its own folder runs there (_node_line); other builds at the root only.
    if build.folder != "." and not build.target:
        return ()
    return tuple(tuple(argv) for argv in build.commands)


def _node_line(project: Project, argv: tuple[str, ...]) -> str:
    """A node step in the build command: in a subshell in the package.json's folder, with
    the variables the project's recipe sets for its build."""
    build = project.asset_build
    assigns = "".join(f"{key}={shlex.quote(value)} " for key, value in build.env)
    line = assigns + shlex.join(argv)
    return f"(cd {shlex.quote(build.folder)} && {line})" if build.folder != "." else line


def node_packages(project: Project) -> dict[str, str]:
    """RAILPACK_PACKAGES for an asset build: Railpack's Python provider installs no
    Node.js (railwayapp/railpack core/providers/python/python.go; the first provider that
    detects wins), so the build command's npm/npx would not exist. Mise packages named
    in that variable are installed before the build (docs config/environment-variables.md)."""
    if not _node_build(project):
        return {}
    return {"RAILPACK_PACKAGES": f"node@{project.asset_build.node_major}"}


def build_line(project: Project) -> str:
    steps = (*_tailwind(project), commands(project)["build"], *_compress(project))
    node = [_node_line(project, step) for step in _node_build(project)]
    return " && ".join([*node, *(shlex.join(step) for step in steps)])


def preserved_variables(project: Project) -> tuple[str, ...]:
    """The web service's variables set outside railway.ts: the secret keys automation sets
    and the ones only the user can give (`railway variable set`). `railway config apply`
    deletes every variable the file does not declare (railwayapp/cli src/iac/change_set.rs,
    diff_variables: "variable.delete"), unless it is declared `preserve()`."""
    keys = ("SECRET_KEY", *env_needs.secret_key_names(project))
    provided = {"DATABASE_URL", *keys, *project.services.redis_env_names}
    own = tuple(var.name for var in env_needs.user_provided(project, provided))
    return tuple(dict.fromkeys((*keys, *own)))


def _install_line(project: Project) -> str:
    """How Railpack installs, for the comment in railway.ts: pip for an export of the lock."""
    if project.deps.export and railpack_manager(project) == "requirements_txt":
        lock = project.deps.lock_file
        return f"with pip: {RAILPACK_INSTALL['requirements_txt']}, the export of {lock}"
    manager = RAILPACK_INSTALL.get(project.package_manager, "its lock file")
    return f"with the project's own manager: {manager}"


def render_config(project: Project, options: Options) -> str:
    cmds = commands(project)
    return render_template(
        _TEMPLATES,
        "railway.ts-tpl",
        {
            "version": __version__,
            "service": SERVICE,
            "service_json": json.dumps(SERVICE),
            "db_var": "db",
            "db_name": json.dumps(DATABASE),
            "install": _install_line(project),
            "build": json.dumps(build_line(project)),
            "start": json.dumps(_start_line(cmds["start"])),
            "redis": project.services.needs_redis,
            "redis_name": json.dumps(REDIS),
            "redis_names": project.services.redis_env_names,
            "preserved": preserved_variables(project),
            "workers": _workers(project),
            "worker_vars": "".join(f", {_worker_var(p.name)}" for p in project.services.processes),
            "healthcheck": json.dumps(HEALTH_PATH),
            # The settings module and the project's debug switch, and what Railway knows
            # under the names the settings read: the public domain (a reference to the
            # service's own variable, docs variables.md) and the database's URL.
            "settings_env": [
                *((k, json.dumps(v)) for k, v in sorted(project.settings_env.items())),
                *((k, json.dumps(v)) for k, v in node_packages(project).items()),
                *(
                    (k, "db.env.DATABASE_URL" if v == _DB_REF else json.dumps(v))
                    for k, v in env_needs.known_values(
                        project, host="${{RAILWAY_PUBLIC_DOMAIN}}", database=_DB_REF
                    ).items()
                    if k != "DATABASE_URL"
                ),
            ],
            "pre_deploy": json.dumps([shlex.join(cmds["pre_deploy"])]),
            "project_json": json.dumps(project_name(project, options)),
        },
    )


# ---------------------------------------------------------------- plan


# Stands for the database's URL reference in railway.ts (`db.env.DATABASE_URL`).
_DB_REF = "<database reference>"


def _own_variables(project: Project) -> tuple[str, ...]:
    known = env_needs.known_values(project, host="<host>", database="<url>")
    provided = {
        "DATABASE_URL",
        *env_needs.secret_key_names(project),
        *project.services.redis_env_names,
        *known,
    }
    return env_needs.finish_steps(
        project,
        provided,
        lambda name: f"railway variable set {name} --stdin --service {SERVICE}",
    )


def _asset_notes(project: Project) -> list[str]:
    build = project.asset_build
    notes = []
    if build is not None and _node_build(project):
        notes.append(
            asset_note(
                build,
                "The build command",
                f"Node.js {build.node_major} from RAILPACK_PACKAGES in {CONFIG_FILE}, as "
                "Railpack's Python build has none",
                f"add {build.other_manager}'s install and build to `build` in {CONFIG_FILE}.",
            )
        )
    elif build is not None:
        notes.append(
            f"Asset build found: {build.label}. Railway's build command does not run it: "
            "build the assets into your static folder and commit them, or add the steps to "
            f"`build` in {CONFIG_FILE}."
        )
    notes.extend(static_storage.note(project))
    if project.tailwind_cli:
        notes.append(tailwind_note(f"`build` in {CONFIG_FILE}"))
    if project.compress_offline:
        notes.append(
            f"django-compressor with COMPRESS_OFFLINE = True found: `build` in {CONFIG_FILE} "
            "runs `python manage.py compress --force` after collectstatic, so pages "
            "using {% compress %} find their files."
        )
    return notes


def _legacy_config_notes(project: Project) -> list[str]:
    """A railway.json / railway.toml (Config as Code) is no longer read, and
    `railway config plan` refuses a service it still manages (docs
    infrastructure-as-code.md, "Migrating from Config as Code")."""
    found = [n for n in ("railway.json", "railway.toml") if (project.git_root / n).is_file()]
    return [
        f"Your {name} is Railway's deprecated Config as Code, no longer read since "
        f"2026-12-01; {CONFIG_FILE} replaces it. If a service of yours still uses it, "
        "`railway config apply` refuses that service until you migrate: `railway config "
        f"migrate --apply --delete-files` (or delete {name} and clear the service's config "
        "file path in its settings)."
        for name in found
    ]


def plan(project: Project, options: Options) -> PlatformPlan:
    name = project_name(project, options)
    changes = [
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
                    "service": SERVICE,
                    "reference": REFERENCE,
                    "health_path": HEALTH_PATH,
                    "services_settings": "",
                    "email_settings": email_settings(project=project),
                },
            ),
            "Railway-only settings: DEBUG off, secret key from a variable, the public domain, "
            "HTTPS, Railway Postgres, WhiteNoise, the health check",
        ),
        generated_file(
            project,
            CONFIG_FILE,
            render_config(project, options),
            f"Railway's configuration (Infrastructure as Code) for project '{name}': service "
            f"'{SERVICE}' (collectstatic at build, migrations before each deploy, gunicorn, a "
            f"health check) and its {DATABASE} database",
        ),
    ]
    notes = [f"Railway project name: `{name}`; choose another with --deployed-project-name."]
    notes += _legacy_config_notes(project)
    notes += _asset_notes(project)
    if options.get("automate_all"):
        notes += list(_own_variables(project))
    if project.python_source in ("runtime.txt", ".python-version", "Pipfile [requires]"):
        notes.append(
            f"Railway will use Python {project.python_version} from your {project.python_source}."
        )
    else:
        changes.append(
            generated_file(
                project,
                ".python-version",
                f"{project.python_version}\n",
                f"pins Python {project.python_version} on Railway (Railpack reads "
                ".python-version, not requires-python)",
            )
        )
    requirements = REQUIREMENTS + service_config.service_requirements(project)
    return PlatformPlan(tuple(changes), requirements, tuple(notes))


# ---------------------------------------------------------------- runtime


def runtime(project: Project) -> Runtime:
    from simple_deploy.plugin import Command, Runtime

    cmds = commands(project)
    node = _node_build(project)
    railway = {
        "RAILWAY_ENVIRONMENT_NAME": "production",
        "RAILWAY_SERVICE_NAME": SERVICE,
        "RAILWAY_PUBLIC_DOMAIN": "{host}",
    }
    return Runtime(
        # Railway passes the service's variables to the build as well as to deployments.
        env={
            **railway,
            "SECRET_KEY": "{secret_key}",
            "DATABASE_URL": "{database_url}",
            **project.settings_env,
            **node_packages(project),
            **env_needs.platform_provided(project, database_names=("DATABASE_URL",)),
            # ${{Redis.REDIS_URL}} under each name the settings read.
            **service_config.redis_env(project),
            **env_needs.known_values(project, host="{host}", database="{database_url}"),
        },
        build=(
            *(
                Command(step, cwd=project.asset_build.folder, env=project.asset_build.build_env)
                for step in node
            ),
            *(Command(step) for step in _tailwind(project)),
            Command(cmds["build"]),
            *(Command(step) for step in _compress(project)),
        ),
        release=(Command(cmds["pre_deploy"]),),
        web=Command(service_config.asgi_web_argv(project, "{port}") or cmds["start"]),
        host=REHEARSAL_HOST,
        run_env={"PORT": "{port}"},
        processes=service_config.runtime_processes(project),
        needs_redis=project.services.needs_redis,
        websocket_path=project.services.websocket_path,
        # Railpack's build step runs `uv sync` again to install a package project itself.
        installs_project=True,
    )


# ---------------------------------------------------------------- guide


def guide(project: Project, options: Options) -> Guide:
    name = project_name(project, options)
    manage = " ".join(manage_py_argv(project))
    keys = [*env_needs.secret_key_names(project)]
    key_steps = tuple(
        f'Set `{key}` the same way: `python -c "import secrets; print(secrets.token_urlsafe(50))"'
        f" | railway variable set {key} --stdin --service {SERVICE}`."
        for key in keys
    )
    return Guide(
        finish=(
            "Review the changes with `git diff`, then commit them: "
            '`git add -A` and `git commit -m "Configure for Railway"`.',
            "Install the Railway CLI (https://docs.railway.com/cli) and log in: `railway login`.",
            f"Create the project and link this folder to it: `railway init --name {name}`.",
            f"Create the `{SERVICE}` service and its {DATABASE} database from {CONFIG_FILE}: "
            "`railway config plan`, then `railway config apply`.",
            "Set a secret key without it appearing on a command line: "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))" | '
            f"railway variable set SECRET_KEY --stdin --service {SERVICE} --skip-deploys`.",
            *key_steps,
            *_own_variables(project),
            f"Give the service its public domain: `railway domain --service {SERVICE}`.",
            f"Deploy: `railway up --service {SERVICE} --ci` (builds, migrates, starts).",
            *(
                f"Deploy `{p.name}` the same way: `railway up --service {p.name} --ci`."
                for p in project.services.processes
            ),
            "Open the site at the domain `railway domain` printed.",
        ),
        redeploy=f"commit your changes, then `railway up --service {SERVICE} --ci`",
        logs=f"`railway logs --service {SERVICE}` (add `--build` for the build's log)",
        run_command=f"`railway ssh --service {SERVICE} -- {manage} createsuperuser`",
        remote_shell=f"`railway ssh --service {SERVICE}`",
        scale=(
            f"`railway scale --service {SERVICE} us-west2=2` (replicas per region), or "
            f"`replicas: 2` in the service of {CONFIG_FILE}, then `railway config apply`"
        ),
        rollback=(
            "in the dashboard, open the service's Deployments, then Rollback in the menu of "
            f"a previous one (or `railway redeploy --service {SERVICE}` for the latest)"
        ),
        processes=service_config.process_rows(
            project,
            tuple(_start_line(commands(project)["start"]).split()),
            f"a Railway service of its own in {CONFIG_FILE}",
            "by usage: its RAM and CPU while it runs",
            {
                "web": f"`replicas:` of `{SERVICE}` in {CONFIG_FILE}, then `railway config apply`",
                "worker": f"`replicas:` of `{{name}}` in {CONFIG_FILE}, then `railway config "
                "apply`; stop: `railway down --service {name}`",
                "scheduler": "exactly one replica (`replicas: 1`), never more; stop: "
                "`railway down --service {name}`",
                "channels": f"`replicas:` of `{{name}}` in {CONFIG_FILE}; stop: "
                "`railway down --service {name}`",
            },
            redis=(
                "Redis",
                f"Railway's Redis (`{REDIS}` in {CONFIG_FILE}), as ${{{{{REDIS}.REDIS_URL}}}}",
                "by usage: its RAM, CPU and volume",
                f"its resources in the dashboard; stop: remove `{REDIS}` from {CONFIG_FILE} "
                "and `railway config apply`",
            ),
        ),
        links=(
            ("Deploy a Django app", f"{DOCS}/guides/django"),
            ("Infrastructure as Code", f"{DOCS}/infrastructure-as-code"),
            ("Pre-deploy command", f"{DOCS}/deployments/pre-deploy-command"),
            ("PostgreSQL", f"{DOCS}/databases/postgresql"),
            ("Variables and reference variables", f"{DOCS}/variables"),
            ("Pricing", f"{DOCS}/pricing"),
        ),
        costs=(
            "Railway bills by usage (RAM $10/GB/month, CPU $20/vCPU/month, volumes "
            "$0.15/GB/month) on top of a plan: Free ($1 of resources), Hobby $5/month, Pro "
            "$20/month, the fee counting toward usage; the Postgres service is billed the same "
            f"way while it exists. See {DOCS}/pricing."
        ),
        email=(
            "Railway sends no mail itself. Take SMTP credentials from a provider as "
            "`smtp+tls://USER:PASSWORD@HOST:587`, then "
            f"`railway variable set EMAIL_URL --stdin --service {SERVICE}` (paste it) and "
            f"`railway variable set DEFAULT_FROM_EMAIL=<your address> --service {SERVICE}`. "
            "Until then sending mail fails with an error in the log, and nothing is sent."
        ),
    )


def automate(project: Project, options: Options) -> Automation:
    from .automate import recipe

    return recipe(project, options)


platform = PlatformPlugin(
    name=NAME,
    label=LABEL,
    plan=plan,
    runtime=runtime,
    guide=guide,
    check=check,
    automate=automate,
    names=(
        NameRule(
            "deployed_project_name",
            "--deployed-project-name",
            # Railway accepts other names too; a slug is what the derived name is, and
            # what `railway init --name` and `railway link` take without quoting.
            r"[a-z0-9][a-z0-9-]{0,62}",
            "1 to 63 lowercase letters, digits and dashes",
            "my-blog",
        ),
    ),
    cli="railway",
    extra={"cli_install_url": "https://docs.railway.com/cli"},
    docs_url=f"{DOCS}/guides/django",
    # Railpack installs Python with mise; 3.13 is its default (python.go).
    python_support={
        "3.10": "supported",
        "3.11": "supported",
        "3.12": "supported",
        "3.13": "supported",
        "3.14": "supported",
    },
)
