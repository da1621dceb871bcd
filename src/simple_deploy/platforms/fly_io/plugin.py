"""Fly.io: a Dockerfile built by Fly's remote builder, fly.toml, and Managed Postgres.

Facts this plugin relies on (fly.io docs, checked November 2026):
- `fly deploy` builds the Dockerfile and runs fly.toml's `[deploy] release_command`
  in a temporary Machine, with the app's secrets, before the new version starts.
  flyctl sets RELEASE_COMMAND=1 and FLY_PROCESS_GROUP=fly_app_release_command in that
  Machine's environment (superfly/flyctl, internal/appconfig/machines.go,
  `ToReleaseMachineConfig`); the settings use it to migrate through the direct address.
- Secrets are environment variables at run time only, never during the build.
- Every Machine has FLY_APP_NAME, FLY_REGION and PRIMARY_REGION; the public host
  is <app>.fly.dev. Fly's proxy ends HTTPS and sets X-Forwarded-Proto.
- Managed Postgres (`fly mpg`) is the database Fly supports; `fly mpg attach` sets
  the DATABASE_URL secret.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shlex
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from simple_deploy import __version__, block_lines, env_needs, service_config, static_storage
from simple_deploy.assets import tailwind_note
from simple_deploy.git_status import root_commits
from simple_deploy.plan import GENERATED_MARK
from simple_deploy.plugin import (
    FileChange,
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

from . import dockerignore
from . import image as _image
from .user_dockerfile import (
    build_target,
    flag_build_steps,
    other_asset_builds,
    replay,
    runs_asset_build,
    with_build_step,
)


def _is_ours(data: bytes) -> bool:
    return GENERATED_MARK in data[:400].decode("utf-8", errors="replace")


NAME = "fly_io"
LABEL = "Fly.io"
_TEMPLATES = "simple_deploy.platforms.fly_io"
DEFAULT_REGION = "iad"
DEFAULT_MEMORY_MB = 512
DEFAULT_ORG = "personal"
REHEARSAL_APP = "simple-deploy-rehearsal"
# What flyctl adds to the release command Machine's environment (superfly/flyctl,
# internal/appconfig/machines.go, ToReleaseMachineConfig); the rehearsal's release
# step gets the same, and only it.
RELEASE_MACHINE_ENV = {"RELEASE_COMMAND": "1", "FLY_PROCESS_GROUP": "fly_app_release_command"}

# Fly app names: lowercase letters, digits and dashes (they become <name>.fly.dev).
APP_NAME = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
REGION = re.compile(r"^[a-z]{3}$")

REQUIREMENTS = (
    Requirement(
        "gunicorn",
        "gunicorn~=27.0",
        "releases before 21.0 import pkg_resources, which a fresh install lacks",
        minimum="21.0",
    ),
    Requirement("psycopg", "psycopg[binary]~=3.3", "PostgreSQL driver for Fly Managed Postgres"),
    Requirement(
        "dj-database-url",
        "dj-database-url~=3.1",
        "the settings block passes conn_health_checks, which dj-database-url 1.1 added",
        minimum="1.1",
    ),
    Requirement("whitenoise", "whitenoise~=6.12", "serves static files compressed and cached"),
)


# ---------------------------------------------------------------- options


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--fly-vm-memory",
        type=int,
        metavar="MB",
        help=f"Memory of each Machine in MB, a multiple of 256 (default {DEFAULT_MEMORY_MB}, "
        "or what fly.toml says).",
    )
    group.add_argument(
        "--fly-org",
        metavar="SLUG",
        help=f"Fly organization for a new app and database (default '{DEFAULT_ORG}').",
    )


def check(project: Project, options: Options) -> list[str]:
    """Bad option values stop the run before anything is written."""
    problems = []
    name = options.get("deployed_project_name")
    if name and not APP_NAME.match(name):
        problems.append(
            f"'{name}' is not a valid Fly app name: use 3 to 63 lowercase letters, digits "
            "and dashes, starting with a letter (e.g. --deployed-project-name my-blog)."
        )
    region = options.get("region")
    if region and not REGION.match(region):
        problems.append(
            f"'{region}' is not a Fly region code: use three letters such as iad, ams or "
            "syd (`fly platform regions` lists them all)."
        )
    memory = options.get("fly_vm_memory")
    if memory is not None and (memory < 256 or memory % 256 or memory > 16384):
        problems.append(
            f"--fly-vm-memory {memory} is not a Machine size: use a multiple of 256 MB "
            "between 256 and 16384, such as 512 or 1024."
        )
    return problems


# ---------------------------------------------------------------- names


def _existing_config(project: Project) -> dict:
    """fly.toml as it is now (empty when missing or unreadable)."""
    path = project.git_root / "fly.toml"
    if not path.is_file():
        return {}
    try:
        return _parsed(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}


@functools.lru_cache(maxsize=4)
def _parsed(text: str) -> dict:
    # One plan asks fly.toml for several values; parse each content once. Only values
    # are read here (the summary reads the fly.toml this run wrote): Python's own
    # reader where it has one, which loads in a fraction of tomlkit's time.
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomlkit

        return tomlkit.parse(text).unwrap()
    return tomllib.loads(text)


def _root_commit(project: Project) -> str:
    commits = root_commits(project.git_root)
    return commits[-1] if commits else ""


def derived_app_name(project: Project) -> str:
    """The folder's name plus the first commit's hash: the same on every run of this
    project (so a re-run finds its app), different for another project (Fly app names
    are global, so plain "blog" would be taken)."""
    slug = re.sub(r"[^a-z0-9]+", "-", project.git_root.name.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"django-{slug}".rstrip("-")
    suffix = _root_commit(project)[:6]
    return f"{slug[:50].rstrip('-')}-{suffix}" if suffix else slug[:56]


def app_name(project: Project, options: Options) -> str:
    """The app: the one automation created or reused, the one named on the command
    line, the one fly.toml already names, else one derived from the project."""
    existing = _existing_config(project).get("app")
    return (
        options.get("app_name")
        or options.get("deployed_project_name")
        or (existing if isinstance(existing, str) and APP_NAME.match(existing) else None)
        or derived_app_name(project)
    )


def region(project: Project, options: Options) -> str:
    existing = _existing_config(project).get("primary_region")
    if options.get("region"):
        return options["region"]
    return existing if isinstance(existing, str) and REGION.match(existing) else DEFAULT_REGION


def memory_mb(project: Project, options: Options) -> int:
    if options.get("fly_vm_memory"):
        return int(options["fly_vm_memory"])
    vms = _existing_config(project).get("vm") or [{}]
    match = re.match(r"^(\d+)\s*mb$", str(vms[0].get("memory", "")).lower())
    return int(match.group(1)) if match else DEFAULT_MEMORY_MB


def org(options: Options) -> str:
    return options.get("fly_org") or DEFAULT_ORG


# ---------------------------------------------------------------- plan


def _toml_string(value: str) -> str:
    # A literal string like `fly launch` writes, unless the value holds a quote.
    return f"'{value}'" if "'" not in value and "\n" not in value else json.dumps(value)


def _asset_context(project: Project) -> dict:
    build = _node_build(project)
    if build is None:
        return {"node": False}
    folder = _image.APP_ROOT if build.folder == "." else f"{_image.APP_ROOT}/{build.folder}"
    return {
        "node": True,
        "node_label": ", ".join(build.tools) or "package.json",
        "node_major": build.node_major,
        # The full image (git, python3, make, g++) when the install needs them.
        "node_full": build.needs_build_tools,
        "node_image": f"node:{build.node_major}" + ("" if build.needs_build_tools else "-slim"),
        "node_dir": folder,
        "node_files": " ".join(build.files),
        "node_install": shlex.join(build.install_argv),
        # No build script: the stage installs, and node_modules is what it hands on.
        "node_build": shlex.join(build.build_argv) if build.script else "",
        # A frontend the project's Dockerfile builds and copies: its build variables,
        # and the copy of its output to where the settings read it.
        "node_env": " ".join(f"{key}={json.dumps(value)}" for key, value in build.env),
        "node_place": shlex.join(build.place_argv),
        "node_recipe": build.recipe,
    }


def _driver_context(project: Project) -> dict:
    driver = project.postgres_driver
    if driver is None:
        return {"libpq": False, "compile": False}
    return {"driver": driver.name, "libpq": driver.needs_libpq, "compile": driver.needs_compiler}


def render_dockerfile(project: Project) -> str:
    img = _image.build_image(project)
    env_lines = " \\\n    ".join(f"{key}={value}" for key, value in img.env.items())
    return render_template(
        _TEMPLATES,
        "Dockerfile-tpl",
        {
            **_asset_context(project),
            **_driver_context(project),
            "version": __version__,
            "python_version": img.python_version,
            "env": env_lines,
            "tool": img.tool,
            "venv": _image.VENV,
            "app_root": _image.APP_ROOT,
            "copy_dependency_files": _image.copy_lines(img.dependency_files),
            "install": " && \\\n    ".join(
                _image.shell_line(step.argv, step.env)
                for step in img.install
                if not step.after_source
            ),
            # The project itself, installed once its source is in the image.
            "install_project": " && \\\n    ".join(
                _image.shell_line(step.argv, step.env) for step in img.install if step.after_source
            ),
            # Each build step, then `&& \`: none for a project shipping its static files.
            "collectstatic": "".join(
                _image.shell_line(cmd.argv, cmd.env) + " && \\\n    " for cmd in img.build
            ),
            "static_dir": img.static_dir,
            "build_flag": _image.BUILD_FLAG,
            "run_env": " ".join(f"{key}={value}" for key, value in img.run_env.items()),
            "port": _image.INTERNAL_PORT,
            "cmd": json.dumps(list(img.web.argv)),
        },
    )


class UserImage(NamedTuple):
    """What fly.toml needs from a Dockerfile the user wrote: where the app lives in
    the image (its last WORKDIR) and the port it EXPOSEs."""

    workdir: str
    port: str | None
    #: An EXPOSEd port other than the one the start command listens on (it is ignored).
    exposed_other: str | None = None
    #: The stage to build when it is not the last one (user_dockerfile.build_target).
    target: str | None = None


_WORKDIR = re.compile(r"^\s*WORKDIR\s+(\S+)", re.IGNORECASE | re.MULTILINE)
_EXPOSE = re.compile(r"^\s*EXPOSE\s+(\d+)", re.IGNORECASE | re.MULTILINE)
# The server's start command (CMD or ENTRYPOINT, continuation lines joined).
_START = re.compile(r"^\s*(?:CMD|ENTRYPOINT)\s+(.*(?:\\\n.*)*)", re.IGNORECASE | re.MULTILINE)
# Where that command listens: gunicorn --bind/-b, uwsgi --http/--http-socket/--socket,
# uvicorn/daphne --port, runserver ADDR:PORT. EXPOSE only documents a port; the
# command is what Fly's proxy must reach.
_LISTEN = re.compile(
    r"(?:--bind|-b|--http|--http-socket|--socket|--port|-p|runserver)[\s=\"',]+"
    r"(?:[\w.\[\]-]*:)?(\d{2,5})\b"
)


def user_image(project: Project, options: Options) -> UserImage | None:
    """The user's own Dockerfile, kept (unless --overwrite); None when we write it."""
    if options.get("overwrite"):
        return None
    path = project.git_root / "Dockerfile"
    if not path.is_file():
        return None
    data = path.read_bytes()
    if _is_ours(data):
        return None
    text = data.decode("utf-8", errors="replace")
    workdirs = _WORKDIR.findall(text)
    ports = _EXPOSE.findall(text)
    workdir = workdirs[-1] if workdirs and workdirs[-1].startswith("/") else _image.APP_ROOT
    starts = _START.findall(text)
    listens = _LISTEN.findall(starts[-1]) if starts else []
    port = listens[-1] if listens else (ports[-1] if ports else None)
    exposed = ports[-1] if ports and listens and ports[-1] != listens[-1] else None
    return UserImage(
        workdir=workdir.rstrip("/") or "/",
        port=port,
        exposed_other=exposed,
        target=build_target(text),
    )


def _manage_in(root: str, project: Project) -> str:
    return f"{root.rstrip('/')}/{project.manage_dir_rel}/manage.py".replace("/./", "/")


def _kept_runner(project: Project, theirs: UserImage) -> tuple[str, ...]:
    """The `uv run [--options]` the kept Dockerfile's collectstatic goes through, or ()."""
    text = (project.git_root / "Dockerfile").read_bytes().decode("utf-8", errors="replace")
    return replay(text, theirs.workdir, theirs.target).runner


def render_fly_toml(project: Project, options: Options) -> str:
    img = _image.build_image(project)
    theirs = user_image(project, options)
    root = theirs.workdir if theirs else _image.APP_ROOT
    manage = _manage_in(root, project)
    # An image whose collectstatic goes through `uv run` keeps its dependencies in the
    # project's environment, not on PATH: the release and console commands go through
    # it too (jefftriplett/django-startproject: `python` there has no Django).
    runner = _kept_runner(project, theirs) if theirs else ()
    release = (
        shlex.join((*runner, "python", manage, "migrate", "--noinput"))
        if theirs
        else shlex.join(img.release.argv)
    )
    return render_template(
        _TEMPLATES,
        "fly.toml-tpl",
        {
            "version": __version__,
            "app": _toml_string(app_name(project, options)),
            "region": _toml_string(region(project, options)),
            "console_command": _toml_string(shlex.join((*runner, "python", manage, "shell"))),
            "release_command": _toml_string(release),
            "build_target": _toml_string(theirs.target) if theirs and theirs.target else "",
            "port": (theirs.port or _image.INTERNAL_PORT) if theirs else _image.INTERNAL_PORT,
            # A string: Django's template engine would localize an int ("1,024").
            "memory": str(memory_mb(project, options)),
            # Fly's proxy would answer 404 for /static/ from a folder your image may
            # not fill: with your Dockerfile, WhiteNoise serves static files.
            "static_dir": "" if theirs else _toml_string(img.static_dir),
            **_processes_context(project, img.web.argv),
            # Our Dockerfile sets the settings module and debug switch with ENV (the build
            # needs them too); a Dockerfile of the user's does not: fly.toml gives them.
            "env": [
                (k, _toml_string(v))
                for k, v in {
                    **(project.settings_env if theirs else {}),
                    # The app's host under the names the settings read it by.
                    **env_needs.known_values(project, host=f"{app_name(project, options)}.fly.dev"),
                }.items()
            ],
        },
    )


def _processes_context(project: Project, web: tuple[str, ...]) -> dict:
    """fly.toml's [processes]: "app" (the web command, the image's CMD) and one group
    per service process; none for a project that runs only web."""
    processes = project.services.processes
    if not processes:
        return {"processes": ()}
    groups = [("app", _toml_string(shlex.join(web)))]
    groups += [(p.name, _toml_string(shlex.join(service_config.exec_argv(p)))) for p in processes]
    once = [p.name for p in processes if p.role == "scheduler"]
    note = (
        f"{', '.join(once)} must run on exactly one Machine: `fly scale count {once[0]}=1`."
        if once
        else "Scale each with `fly scale count <group>=<n>`."
    )
    return {"processes": groups, "once_note": note}


def _user_dockerfile_note(project: Project, theirs: UserImage) -> str:
    port = theirs.port or _image.INTERNAL_PORT
    manage = _manage_in(theirs.workdir, project)
    runner = _kept_runner(project, theirs)
    python = (
        f"`{shlex.join(runner)}` finding your dependencies"
        if runner
        else "`python` with your dependencies on PATH"
    )
    release = shlex.join((*runner, "python", manage, "migrate", "--noinput"))
    return (
        "Your Dockerfile is kept (--overwrite replaces it with ours; --dry-run shows that "
        f"diff). fly.toml is written around it; for Fly it must: listen on 0.0.0.0:{port} "
        f"(fly.toml's internal_port{'' if theirs.port else '; your Dockerfile has no EXPOSE'}"
        + (
            f", the port its start command serves on, not the EXPOSEd {theirs.exposed_other}"
            if theirs.exposed_other
            else ""
        )
        + "); "
        f"have {python} and {manage} in the image (fly.toml's "
        f"release command `{release}` runs there with your secrets); "
        f"run `{_image.BUILD_FLAG}=1 python {manage} collectstatic --noinput` while building "
        "(the settings block needs that flag when there is no secret or database yet); "
        "and start gunicorn as its CMD (gunicorn reads $PORT)."
        + (
            f" It must also run your asset build ({project.asset_build.label}) before "
            "collectstatic."
            if project.asset_build is not None
            else ""
        )
        + (
            f" Its last stage starts nothing of its own, so fly.toml's build-target names "
            f"the stage that starts the server: `{theirs.target}` (Fly builds the last stage "
            "otherwise)."
            if theirs.target
            else ""
        )
        + " The rehearsal builds your Dockerfile when a container engine answers; without "
        "one it replays your Dockerfile's manage.py steps (collectstatic ...) in a virtual "
        "environment, and fails naming what your Dockerfile lacks."
    )


def _node_build(project: Project):
    """The asset build the image runs with npm, or None (none, or another manager)."""
    build = project.asset_build
    if build is None or build.other_manager:
        return None
    return build


def _asset_notes(project: Project) -> list[str]:
    build = project.asset_build
    notes = []
    if build is not None and build.other_manager:
        notes.append(
            f"Asset build found: {build.label}, locked by {build.other_manager}. The "
            "Dockerfile builds assets with npm, pnpm or Yarn only: add a stage running "
            f"{build.other_manager} "
            "and copy its output into the image before collectstatic, or commit the built files."
        )
    elif build is not None:
        notes.append(
            f"Asset build found: {build.label}. The Dockerfile builds it in a Node.js "
            f"{build.node_major} stage ({build.node_source}): `{' '.join(build.install_argv)}`, "
            + (
                f"`{' '.join(build.build_argv)}`, "
                + (f"copies {build.output}/ to {build.target}/, " if build.target else "")
                + "and copies the result into the image before collectstatic."
                if build.script
                else "and copies node_modules into the image before collectstatic."
            )
        )
    if project.tailwind_cli:
        notes.append(tailwind_note("the Dockerfile"))
    if project.compress_offline:
        notes.append(
            "django-compressor with COMPRESS_OFFLINE = True found: the Dockerfile runs `python "
            "manage.py compress --force` after collectstatic, so pages using {% compress %} "
            "find their files."
        )
    driver = project.postgres_driver
    if driver is not None and driver.needs_compiler:
        notes.append(
            f"Your `{driver.name}` compiles from source: the Dockerfile compiles it in a build "
            "stage with gcc and libpq-dev, and the image gets libpq5 to load at run time."
        )
    elif driver is not None and driver.needs_libpq:
        notes.append(
            f"Your `{driver.name}` (without [binary]) loads libpq at run time: the image "
            "installs libpq5."
        )
    return notes


def _static_rel(project: Project) -> str:
    return f"{project.manage_dir_rel}/staticfiles" if project.nested else "staticfiles"


def _own_variables(project: Project, app: str) -> tuple[str, ...]:
    """Commands for the variables the settings need that only the user can give."""
    known = env_needs.known_values(project, host="<host>", database="<url>")
    provided = {"DATABASE_URL", *env_needs.secret_key_names(project), *known}
    steps = env_needs.finish_steps(
        project, provided, lambda var: f"fly secrets set {var}=<value> --app {app} --stage"
    )
    # `fly mpg attach` sets DATABASE_URL, or the name given (flyctl mpg/attach.go).
    attach = tuple(
        f"Your settings read the database URL as `{name}`: also "
        f"`fly mpg attach <ID> --app {app} --variable-name {name}`."
        for name in env_needs.known_values(project, database="<url>")
        if name != "DATABASE_URL"
    )
    return (*steps, *attach)


def plan(project: Project, options: Options) -> PlatformPlan:
    name = app_name(project, options)
    settings = render_template(
        _TEMPLATES,
        "settings.py-tpl",
        {
            "version": __version__,
            "static_and_apps": block_lines.static_and_apps(project),
            "kept_choices": block_lines.kept_choices(project),
            "databases_head": block_lines.databases_head(project),
            "wagtail_settings": wagtail_settings(
                project.wagtail, 'f"https://{_fly_app_name}.fly.dev"'
            ),
            "build_flag": _image.BUILD_FLAG,
            "email_settings": email_settings(project=project),
            # Upstash Redis's URL is a plain redis:// on Fly's private network: no lines.
            "services_settings": "",
        },
    )
    changes = (
        settings_block(
            project,
            NAME,
            settings,
            "Fly-only settings: DEBUG off, secret key from a Fly secret, the app's own host, "
            "HTTPS, Managed Postgres, WhiteNoise",
        ),
        *_image_files(project, options),
        generated_file(
            project,
            "fly.toml",
            render_fly_toml(project, options),
            f"Fly's app configuration: app '{name}' in {region(project, options)}, HTTPS, "
            "migrations as the release command, static files",
        ),
    )
    notes = [
        f"Fly app name: `{name}` (its site will be https://{name}.fly.dev); choose another "
        "with --deployed-project-name.",
        # --automate-all skips the manual steps, but not these.
        *(_own_variables(project, name) if options.get("automate_all") else ()),
    ]
    theirs = user_image(project, options)
    if theirs is not None:
        notes.append(_user_dockerfile_note(project, theirs))
    else:
        notes += _asset_notes(project)
    # The settings block is the same with the user's own Dockerfile.
    notes += static_storage.note(project)
    requirements = REQUIREMENTS + service_config.service_requirements(project)
    return PlatformPlan(changes, requirements, tuple(notes))


def _flagged_dockerfile(project: Project, theirs: UserImage) -> tuple[FileChange, ...]:
    """The user's kept Dockerfile with the build flag (and the build placeholders of
    variables the settings need) set on its collectstatic/compress lines, if any lacks
    it: the settings block must be on while Fly builds the image."""
    path = project.git_root / "Dockerfile"
    before = path.read_bytes()
    text = before.decode("utf-8", errors="surrogateescape")
    env = {_image.BUILD_FLAG: "1", **env_needs.build_placeholders(project)}
    added = None
    # A project shipping its collected files (shipped_static) needs no collectstatic.
    if "collectstatic" in replay(text, theirs.workdir).lacks and not project.static_shipped:
        assigns = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
        step = f"{assigns} python {_manage_in(theirs.workdir, project)} collectstatic --noinput"
        added = with_build_step(text, step)
    if added is not None:
        why = (
            "your Dockerfile, kept: it never collected static files, so a line after the "
            f"one that copies your project runs collectstatic with {_image.BUILD_FLAG}=1 "
            "(WhiteNoise serves what it collects; the flag turns the settings block on "
            "while Fly builds the image, where there is no secret or database)"
        )
        return (FileChange("Dockerfile", before, added.encode("utf-8", "surrogateescape"), why),)
    after = flag_build_steps(text, env).encode("utf-8", errors="surrogateescape")
    if after == before:
        return ()
    return (
        FileChange(
            "Dockerfile",
            before,
            after,
            f"your Dockerfile, kept: its collectstatic line now sets {_image.BUILD_FLAG}=1, "
            "so the settings block is on while Fly builds the image (no secret, database "
            "or FLY_APP_NAME there): without it the settings still list simple_deploy, "
            "which the image does not install, and WhiteNoise gets no manifest",
        ),
    )


def _image_files(project: Project, options: Options) -> tuple:
    """Dockerfile and .dockerignore: ours, unless the user's own are kept."""
    theirs = user_image(project, options)
    if theirs is not None:
        edited = _flagged_dockerfile(project, theirs)
        ignore = project.git_root / ".dockerignore"
        if ignore.is_file() and not _is_ours(ignore.read_bytes()):
            return edited
    else:
        edited = ()
    files = [*edited]
    if user_image(project, options) is None:
        files.append(
            generated_file(
                project,
                "Dockerfile",
                render_dockerfile(project),
                f"the image Fly builds: Python {project.python_version}, your locked "
                "dependencies, collected static files, gunicorn as a non-root user",
            )
        )
    ignore = generated_file(
        project,
        ".dockerignore",
        render_template(
            _TEMPLATES,
            "dockerignore-tpl",
            {"version": __version__, "static_rel": _static_rel(project)},
        ),
        "keeps virtual environments, node_modules, .git, local databases, logs and .env "
        "files out of the image",
    )
    # A .dockerignore of the user's gets our entries merged in: no --overwrite needed.
    files.append(dockerignore.merged(ignore))
    return tuple(files)


# ---------------------------------------------------------------- runtime


def _kept_dockerfile_build(project: Project, theirs: UserImage) -> tuple[tuple, tuple, tuple]:
    """(build commands, release commands, build problems) of the user's kept Dockerfile."""
    from simple_deploy.plugin import Command

    text = (project.git_root / "Dockerfile").read_bytes().decode("utf-8", errors="replace")
    found = replay(text, theirs.workdir, theirs.target)
    problems = ()
    if "collectstatic" in found.lacks and not project.static_shipped:
        manage = _manage_in(theirs.workdir, project)
        problems = (
            "Your Dockerfile (kept as yours) never runs collectstatic, so the image Fly "
            "builds holds no collected static files: WhiteNoise finds no manifest and every "
            "page using {% static %} answers 500. Add a line after the one that copies your "
            f"project into the image: `RUN {_image.BUILD_FLAG}=1 python {manage} "
            "collectstatic --noinput` (the settings block needs that flag while building, "
            "where there is no secret or database yet), commit, and rehearse again; or "
            "configure again with --overwrite to deploy with our Dockerfile, which does.",
        )
    unflagged = [
        c
        for c in found.commands
        if "collectstatic" in c.argv and c.env.get(_image.BUILD_FLAG) != "1"
    ]
    if unflagged:
        # Seen on a public project: the block is off during such a build, so the
        # settings still name simple_deploy (not installed in the image) and lack
        # STATIC_ROOT: the image build fails on Fly exactly as it does here.
        manage = _manage_in(theirs.workdir, project)
        problems += (
            f"Your Dockerfile (kept as yours) runs collectstatic without {_image.BUILD_FLAG}=1, "
            "so the settings block is off while the image is built: the settings still list "
            "simple_deploy (a development tool, not installed in the image) and have no "
            "STATIC_ROOT, and the build fails. Change that line to "
            f"`RUN {_image.BUILD_FLAG}=1 python {manage} collectstatic --noinput`, commit, "
            "and rehearse again.",
        )
    problems += _other_asset_build(project, text)
    # fly.toml's release command for a kept Dockerfile (see render_fly_toml).
    release = (Command(manage_py_argv(project, "migrate", "--noinput")),)
    return found.commands, release, problems


def _runs_own_build(project: Project) -> bool:
    """True when the kept Dockerfile runs the project's production asset build."""
    build = project.asset_build
    if build is None or not build.script:
        return False
    text = (project.git_root / "Dockerfile").read_bytes().decode("utf-8", errors="replace")
    wanted = ("gulp", "build") if build.task_argv else ("script", build.script_name)
    return runs_asset_build(text, wanted)


def _other_asset_build(project: Project, text: str) -> tuple[str, ...]:
    """A kept Dockerfile that runs another asset build than the production one (a
    development build made for docker compose): the image lacks what the settings serve."""
    build = project.asset_build
    if build is None or not build.script or build.target:
        return ()
    wanted = ("gulp", "build") if build.task_argv else ("script", build.script_name)
    others = other_asset_builds(text, wanted)
    if not others:
        return ()
    ran = ", ".join(f"`{other}`" for other in others)
    return (
        f"Your Dockerfile (kept as yours) runs {ran}, not your production asset build "
        f"`{' '.join(build.build_argv)}` ({build.label}), so the image Fly builds lacks the "
        "files it makes. Run it in your Dockerfile before collectstatic, commit, and "
        "rehearse again; or configure again with --overwrite to deploy with our Dockerfile, "
        "which runs it.",
    )


def runtime(project: Project) -> Runtime:
    """What the image does, from the same `Image` the Dockerfile and fly.toml render;
    with the user's own Dockerfile kept, its build steps and what it lacks."""
    from simple_deploy.plugin import Command, Runtime

    img = _image.build_image(project, port="{port}")
    theirs = user_image(project, {})
    node = _node_build(project)
    # The image's asset stage: npm in the package.json's folder, before collectstatic.
    assets = (
        tuple(Command(argv, cwd=node.folder, env=node.build_env) for argv in node.commands)
        if node is not None
        else ()
    )
    if theirs is not None:
        build, release, problems = _kept_dockerfile_build(project, theirs)
        if node is not None and (node.recipe == "Dockerfile" or _runs_own_build(project)):
            # The kept Dockerfile builds the assets itself: in a Node.js stage whose output
            # it copies in (that is how a frontend was found), or with RUN lines of its
            # own. The replay, which runs only the manage.py steps, runs that build first,
            # as the image does.
            build = (*assets, *build)
    else:
        build, release, problems = (*assets, *img.build), (img.release,), ()
    return Runtime(
        env=dict(img.env),
        build=build,
        release=tuple(replace(c, env={**c.env, **RELEASE_MACHINE_ENV}) for c in release),
        web=img.web,
        host=f"{REHEARSAL_APP}.fly.dev",
        run_env={
            **img.run_env,
            # What Fly sets in every Machine, and the app's secrets.
            "FLY_APP_NAME": REHEARSAL_APP,
            "FLY_REGION": DEFAULT_REGION,
            "PRIMARY_REGION": DEFAULT_REGION,
            "SECRET_KEY": "{secret_key}",
            "DATABASE_URL": "{database_url}",
            **env_needs.platform_provided(project, database_names=("DATABASE_URL",)),
            # One database here: the release's direct address is the same server.
            "DIRECT_DATABASE_URL": "{database_url}",
            # Secrets set from `fly redis status`, under each name the settings read.
            **service_config.redis_env(project),
            # fly.toml's [env] (the host) and the attached database, by the settings' names.
            **env_needs.known_values(project, host="{host}", database="{database_url}"),
        },
        dockerfile="Dockerfile",
        build_target=theirs.target if theirs is not None else None,
        build_problems=problems,
        processes=service_config.runtime_processes(project),
        needs_redis=project.services.needs_redis,
        websocket_path=project.services.websocket_path,
    )


# ---------------------------------------------------------------- guide


def _redis_steps(project: Project, name: str) -> tuple[str, ...]:
    """Upstash Redis through flyctl (`fly redis create`); its URL becomes a secret under
    each name the settings read, typed into `fly secrets import` (never a command line)."""
    names = project.services.redis_env_names
    if not names:
        return ()
    lines = " ".join(f"`{n}=<that URL>`" for n in names)
    return (
        f"Add Redis: `fly redis create --name {name}-redis --region {DEFAULT_REGION} "
        "--no-replicas`; `fly redis status "
        f"{name}-redis` shows its Private URL. Run `fly secrets import --app {name} --stage` "
        f"and type {lines}, one a line, then Ctrl-D.",
    )


def _scale_steps(project: Project, name: str) -> tuple[str, ...]:
    """A scheduler runs on exactly one Machine, whatever fly deploy created."""
    once = [p.name for p in project.services.processes if p.role == "scheduler"]
    return tuple(
        f"Keep `{group}` on exactly one Machine: `fly scale count {group}=1 --app {name}`."
        for group in once
    )


def guide(project: Project, options: Options) -> Guide:
    name = app_name(project, options)
    where = region(project, options)
    manage = " ".join(manage_py_argv(project))
    in_image = f"/opt/venv/bin/python {_image.APP_ROOT}/{manage.split(' ', 1)[1]}"
    # Secret values reach flyctl on stdin (`fly secrets import`, internal/command/secrets/
    # import.go reads NAME=VALUE lines), never as arguments: an argument is visible in the
    # process list and kept in the shell's history.
    key_names = tuple(dict.fromkeys(("SECRET_KEY", *env_needs.secret_key_names(project))))
    prints = "; ".join(f"print('{key}=' + k)" for key in key_names)
    make_key = f'python -c "import secrets; k = secrets.token_urlsafe(50); {prints}"'
    own = _own_variables(project, name)
    return Guide(
        finish=(
            "Review the changes with `git diff`, then commit them: "
            '`git add -A` and `git commit -m "Configure for Fly.io"`.',
            "Install flyctl (https://fly.io/docs/flyctl/install/) and log in: `fly auth login`.",
            f"Create the app: `fly apps create {name} --org {org(options)}`.",
            f"Create a database: `fly mpg create --name {name}-db --region {where} --plan basic "
            f"--org {org(options)}`; find its ID with `fly mpg list`, then "
            f"`fly mpg attach <ID> --app {name}` (this sets the DATABASE_URL secret, the "
            "pooled address the web Machines use). Migrations run in the release Machine "
            "on one connection: through the cluster's direct address, as Fly advises, once "
            "you copy it from the cluster's Connect tab in the dashboard and set it: run "
            f"`fly secrets import --app {name} --stage`, paste `DIRECT_DATABASE_URL=<direct "
            "URL>` on its own line, then press Ctrl-D (Ctrl-Z then Enter on Windows): read "
            "from the terminal, the password stays off the command line and out of the shell's "
            "history. Until then through the pooled one.",
            f"Make a secret key and set it, never shown: `{make_key} | fly secrets import "
            f"--app {name} --stage`.",
            *own,
            *_redis_steps(project, name),
            f"Deploy: `fly deploy --app {name}` (builds the Dockerfile, runs migrations).",
            *_scale_steps(project, name),
            f"Open the site: `fly apps open --app {name}`.",
        ),
        redeploy="commit your changes, then `fly deploy`",
        logs=f"`fly logs --app {name}`",
        # --pty: without it `fly ssh console -C` gives the command no terminal, and an
        # interactive one (createsuperuser asks for a password) cannot prompt.
        run_command=f'`fly ssh console --pty --app {name} -C "{in_image} createsuperuser"`',
        remote_shell=f"`fly ssh console --app {name}`",
        scale=(
            f"`fly scale count 2 --app {name}` (more Machines) or "
            f"`fly scale memory 1024 --app {name}` (also change [[vm]] memory in fly.toml)"
        ),
        rollback=f"`fly releases --app {name} --image`, then `fly deploy --image <image>`",
        processes=service_config.process_rows(
            project,
            _image.build_image(project).web.argv,
            "its own Machines, fly.toml [processes]",
            "per Machine-second while it runs (shared-cpu-1x: a few dollars a month)",
            {
                "web": f"`fly scale count app=2 --app {name}`",
                "worker": f"`fly scale count {{name}}=2 --app {name}`; stop: "
                f"`fly scale count {{name}}=0 --app {name}`",
                "scheduler": f"exactly one: `fly scale count {{name}}=1 --app {name}`, never "
                f"more; stop: `fly scale count {{name}}=0 --app {name}`",
                "channels": f"`fly scale count {{name}}=2 --app {name}`; stop: "
                f"`fly scale count {{name}}=0 --app {name}`",
            },
            redis=(
                "Redis",
                f"Upstash Redis for Fly (`fly redis create --name {name}-redis`)",
                "pay as you go (per command), or a fixed plan",
                f"`fly redis update {name}-redis`; stop: `fly redis destroy {name}-redis`",
            ),
        ),
        links=(
            ("Django on Fly.io", "https://fly.io/docs/django/"),
            (
                "Existing Django apps on Fly.io",
                "https://fly.io/docs/django/getting-started/existing/",
            ),
            ("fly.toml reference", "https://fly.io/docs/reference/configuration/"),
            ("Managed Postgres", "https://fly.io/docs/mpg/"),
            ("Secrets", "https://fly.io/docs/apps/secrets/"),
            ("Scaling the number of Machines", "https://fly.io/docs/apps/scale-count/"),
            ("Scaling Machine CPU and RAM", "https://fly.io/docs/apps/scale-machine/"),
            ("Pricing", "https://fly.io/docs/about/pricing/"),
        ),
        costs=(
            "Fly bills Machines per second while they run (they stop when idle here) and "
            "Managed Postgres monthly (the Basic plan is about $38 a month); see "
            "https://fly.io/docs/about/pricing/."
        ),
        email=(
            "Fly sends no mail itself. Take SMTP credentials from a provider as "
            "`smtp+tls://USER:PASSWORD@HOST:587`, then "
            "`fly secrets set EMAIL_URL=<that URL> DEFAULT_FROM_EMAIL=<your address>`. "
            "Until then sending mail fails with an error in the log, and nothing is sent."
        ),
    )


def automate(project: Project, options: Options) -> Automation:
    from .automation import recipe

    return recipe(project, options)


platform = PlatformPlugin(
    name=NAME,
    label=LABEL,
    plan=plan,
    runtime=runtime,
    guide=guide,
    check=check,
    add_arguments=add_arguments,
    names=(
        NameRule(
            "deployed_project_name",
            "--deployed-project-name",
            APP_NAME.pattern[1:-1],
            "'{value}' is not a valid Fly app name: use 3 to 63 lowercase letters, digits "
            "and dashes, starting with a letter (e.g. --deployed-project-name my-blog).",
            "my-blog",
        ),
        NameRule(
            "region",
            "--region",
            REGION.pattern[1:-1],
            "'{value}' is not a Fly region code ({flag}): use three letters such as iad, "
            "ams or syd (`fly platform regions` lists them all).",
            "ams",
        ),
        NameRule(
            "fly_org", "--fly-org", r"[a-z0-9][a-z0-9-]{0,62}", "an organization slug", "personal"
        ),
    ),
    automate=automate,
    cli="fly",
    # flyctl's installers put it on PATH as both `fly` and `flyctl`.
    extra={"cli_names": ("flyctl",), "cli_install_url": "https://fly.io/docs/flyctl/install/"},
    docs_url="https://fly.io/docs/django/",
    # The image builds FROM Docker's official python:X-slim; tags for these
    # versions get updates (3.9 reached its end of life in October 2025).
    python_support={
        "3.9": "deprecated",
        "3.10": "supported",
        "3.11": "supported",
        "3.12": "supported",
        "3.13": "supported",
        "3.14": "supported",
    },
)
