"""Heroku: the official Python buildpack, a Procfile, and Heroku Postgres.

Facts this plugin relies on (Heroku Dev Center):
- The buildpack installs natively from requirements.txt, Pipfile.lock,
  poetry.lock or uv.lock at the repository root; `.python-version` picks Python.
- The classic buildpack runs `manage.py collectstatic` itself for a manage.py up
  to three folders deep (bin/steps/collectstatic), the shallowest first. The
  Cloud Native Buildpack generation (Fir) runs it only for a manage.py in the
  root (buildpacks-python src/django.rs) and has no bin/post_compile: a nested
  project gets a root manage.py that runs its own, found by both.
- The buildpack refuses more than one package-manager file in the root, and a
  Pipfile without Pipfile.lock (lib/package_manager.sh).
- Heroku sets DYNO on every dyno (release phase included), never at build time.
- Procfile `release:` runs before each new release starts; `web:` must listen
  on $PORT, which gunicorn reads by itself.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from dataclasses import replace
from typing import TYPE_CHECKING

from simple_deploy import (
    __version__,
    block_lines,
    env_needs,
    manage_shim,
    package_json,
    service_config,
    static_storage,
)
from simple_deploy.assets import COMPRESS_ARGS, TAILWIND_BUILD_ARGS, AssetBuild, tailwind_note
from simple_deploy.platforms.heroku import manager_files, procfile_web
from simple_deploy.platforms.heroku.root_package import (
    POSTBUILD,
    PREBUILD,
    root_package_text,
    root_scripts,
)
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
    from simple_deploy.plugin import Automation, Command, Runtime
from simple_deploy.wagtail import wagtail_settings

NAME = "heroku"
_TEMPLATES = "simple_deploy.platforms.heroku"
REHEARSAL_HOST = "simple-deploy-rehearsal-0123456789ab.herokuapp.com"

REQUIREMENTS = (
    Requirement(
        "gunicorn",
        "gunicorn~=27.0",
        "releases before 21.0 import pkg_resources, which a fresh install lacks",
        minimum="21.0",
    ),
    Requirement("psycopg", "psycopg[binary]~=3.3", "PostgreSQL driver for Heroku Postgres"),
    Requirement(
        "dj-database-url",
        "dj-database-url~=3.1",
        "the settings block passes conn_health_checks, which dj-database-url 1.1 added",
        minimum="1.1",
    ),
    Requirement("whitenoise", "whitenoise~=6.12", "serves static files compressed and cached"),
)


def _processes(project: Project) -> dict[str, tuple[str, ...]]:
    """The Procfile's commands, declared once for the Procfile and the rehearsal.

    A `web:` line of the user's that already serves this app with gunicorn is kept
    with its flags (workers, timeouts, log options are theirs to choose)."""
    chdir = ("--chdir", project.manage_dir_rel) if project.nested else ()
    ours = ("gunicorn", *chdir, project.wsgi_module)
    return {
        "release": manage_py_argv(project, "migrate", "--noinput"),
        # An ASGI app is served by its ASGI server, which Heroku tells the port in $PORT.
        "web": service_config.asgi_web_argv(project, PORT)
        or procfile_web.users_gunicorn(project, ours)
        or ours,
    }


# The Procfile runs each line with a shell, which expands it; the rehearsal gives {port}.
PORT = "$PORT"


def _shell_join(argv: tuple[str, ...]) -> str:
    return shlex.join(argv).replace(shlex.quote(PORT), PORT)


def _service_lines(project: Project, *, rewritten: bool = False) -> list[tuple[str, str]]:
    """Process types for the services inspection found that the Procfile lacks; with
    `rewritten` (the Procfile is the one an earlier run generated, and is written anew),
    also those read from it, which that run wrote there (as the user may have edited them)."""
    return [
        (p.name, _shell_join(p.argv))
        for p in project.services.processes
        if rewritten or p.source != "Procfile"
    ]


def check(project: Project, options: Options) -> list[str]:
    """Stop before writing anything when Heroku's buildpack would refuse the repository."""
    files = manager_files.found(project.git_root)
    problems = []
    if len(files) > 1 and not manager_files.export_kept(files, project.deps):
        problems.append(
            manager_files.two_files_message(
                project.git_root, files, project.package_manager, project.deps.export_stale
            )
        )
    # A Pipfile without Pipfile.lock, which the buildpack also refuses, is the core's
    # missing-lock stop for a Pipenv project, and a second manager file for any other.
    return problems + _group_problems(project)


# Both generations run the shallowest manage.py: the root one a nested project gets.
COLLECTSTATIC = ("python", "manage.py", "collectstatic", "--noinput")


def _collectstatic_env(project: Project) -> dict[str, str]:
    """The config var that stops the buildpack's collectstatic (bin/steps/collectstatic),
    for a project that commits its collected files (shipped_static)."""
    return {"DISABLE_COLLECTSTATIC": "1"} if project.static_shipped else {}


def _root_manage_py(project: Project) -> FileChange:
    """A root manage.py that runs the nested one, for Heroku's Fir generation.

    The classic buildpack runs collectstatic for a manage.py up to three folders
    deep, the shallowest first (bin/steps/collectstatic); the Cloud Native one only
    for a manage.py in the root (buildpacks-python src/django.rs), and it has no
    bin/post_compile hook. A root manage.py is found by both, so a nested project
    collects static files once on either generation without being moved.
    """
    folder = ", ".join(json.dumps(part) for part in project.manage_dir_rel.split("/"))
    return generated_file(
        project,
        "manage.py",
        render_template(
            _TEMPLATES,
            "manage.py-tpl",
            {
                "manage": f"{project.manage_dir_rel}/manage.py",
                "folder": folder,
                "mark": manage_shim.mark_line(project.manage_dir_rel + "/manage.py"),
            },
        ),
        f"runs {project.manage_dir_rel}/manage.py, so both of Heroku's build generations "
        "find a manage.py in the root and collect static files once",
        executable=True,
    )


_PROCESS_LINE = re.compile(r"^([A-Za-z0-9_-]+)\s*:")
OURS = ("release", "web")


def _procfile(project: Project, processes: dict[str, tuple[str, ...]]) -> FileChange:
    """Our Procfile; over the user's own, only `web:` and `release:` change.

    A project's other process types (`worker:` for Celery, `beat:` ...) are its
    own: they stay, in their order, and the reason says what was replaced.
    """
    ours = {k: _shell_join(v) for k, v in processes.items()}

    def generated_with(services: list[tuple[str, str]]) -> FileChange:
        return generated_file(
            project,
            "Procfile",
            render_template(
                _TEMPLATES,
                "Procfile-tpl",
                {**ours, "services": services, "asgi_server": project.services.asgi_server},
            ),
            "tells Heroku to migrate in the release phase and serve with gunicorn",
        )

    services = _service_lines(project)
    generated = generated_with(services)
    if not generated.user_file:
        if generated.before is None:
            return generated
        # Our own Procfile, from an earlier run: its service lines are read back from it.
        return generated_with(_service_lines(project, rewritten=True))
    text = generated.before.decode("utf-8", errors="replace").replace("\r\n", "\n")
    # Kept verbatim: its `$PORT` is for Heroku's shell, which a re-quoted line would hide.
    keep_web = procfile_web.users_gunicorn(project, ()) is not None
    lines, seen, replaced, kept = [], set(), [], []
    for line in text.splitlines():
        match = _PROCESS_LINE.match(line)
        name = match.group(1) if match else None
        if name == "web" and name not in seen and keep_web:
            kept.append("web: (gunicorn on your WSGI module, with your flags)")
            seen.add(name)
            lines.append(line)
            continue
        if name in OURS:
            if name not in seen:
                new = f"{name}: {ours[name]}"
                if line.strip() != new:
                    replaced.append(f"{name}: (was `{line.split(':', 1)[1].strip()}`)")
                lines.append(new)
            seen.add(name)  # a second web: line would be ambiguous: drop it
            continue
        if name:
            kept.append(name)
        lines.append(line)
    added = [name for name in OURS if name not in seen]
    lines = [f"{name}: {ours[name]}" for name in added] + lines
    for name, command in services:
        lines.append(f"{name}: {command}")
        added.append(name)
    parts = []
    if kept:
        parts.append("kept your " + ", ".join(k if ":" in k else f"{k}:" for k in kept))
    if replaced:
        parts.append("replaced " + "; ".join(replaced))
    if added:
        parts.append("added " + ", ".join(f"{a}:" for a in added))
    after = ("\n".join(lines) + "\n").encode("utf-8")
    return replace(
        generated,
        after=after,
        user_file=False,
        reason=f"your Procfile: {'; '.join(parts) or 'unchanged'} (Heroku runs release: "
        "before each new release starts and web: as the web process)",
    )


def _frontend_problem(build: AssetBuild) -> str:
    """What Heroku cannot do with a frontend in another folder that our root package.json
    cannot build either (root_package.root_scripts), and what the user does."""
    env = "".join(f"{key}={value} " for key, value in build.env)
    return (
        f"Frontend found: {build.path('package.json')} (built by {build.recipe}), which "
        "Heroku's Node.js buildpack cannot build (it reads only a package.json at the "
        f"repository root): run `{env}{' '.join(build.install_argv)}` and "
        f"`{env}{' '.join(build.build_argv)}` in {build.folder}/ and commit {build.output}/ "
        f"as {build.target}/ (or deploy with {build.recipe}), or Heroku serves no frontend "
        "and check --deploy warns W004."
    )


def _postbuild_command(build: AssetBuild) -> str | None:
    """The production build Heroku's Node.js buildpack would not run by itself (it runs
    package.json's `heroku-postbuild`, else `build`): a gulpfile's `build` task, or a
    production script beside a development `build` (djangogirls, wagtail.org)."""
    if build.folder != "." or build.target or build.other_manager or not build.script:
        return None
    if POSTBUILD in build.script_names:
        return None
    if build.task_argv:
        # npm runs a script with node_modules/.bin on PATH: the gulp the install put there.
        return build.script
    if build.script_name != "build":
        return " ".join(build.manager_commands[-1])
    return None


def _postbuild(project: Project) -> FileChange | None:
    """package.json with the `heroku-postbuild` script that makes the production build;
    None when none is needed or package.json is not in the form npm writes (then the
    summary says what to add)."""
    build = project.asset_build
    command = _postbuild_command(build) if build is not None else None
    if command is None:
        return None
    before = (project.git_root / "package.json").read_bytes()
    after = package_json.with_script(before, POSTBUILD, command)
    if after is None:
        return None
    return FileChange(
        "package.json",
        before,
        after,
        f"adds the script `{POSTBUILD}`: `{command}`, which Heroku's Node.js buildpack runs "
        "instead of `build`, so Heroku makes the production build",
    )


def _root_package(project: Project) -> FileChange | None:
    """A root package.json whose scripts build the asset build in its folder (Heroku's
    Node.js buildpack reads no other); None when the build is at the root, the scripts
    cannot make it, or the root holds a package.json of the user's."""
    build = project.asset_build
    scripts = root_scripts(build) if build is not None else None
    if scripts is None:
        return None
    change = generated_file(
        project,
        "package.json",
        root_package_text(build, scripts),
        f"Heroku's Node.js buildpack reads only a root package.json: its `{PREBUILD}` "
        f"script installs {build.folder}/'s packages and its `{POSTBUILD}` runs the build "
        "there, before Python's collectstatic",
    )
    return None if change.user_file else change


def _asset_notes(project: Project) -> list[str]:
    build = project.asset_build
    notes = []
    postbuild = _postbuild(project)
    root = _root_package(project)
    if build is not None:
        if root is not None:
            notes.append(
                f"Asset build found: {build.label}. Heroku builds it with the Node.js "
                "buildpack, which must run before Python's: `heroku buildpacks:add --index 1 "
                f"heroku/nodejs` (Node.js {build.node_major}, from {build.node_source}). It "
                "reads only a root package.json: the one added here runs "
                + " and ".join(f"`{command}`" for command in root_scripts(build).values())
                + ", then Python's collectstatic collects the output."
            )
        elif build.target:
            notes.append(_frontend_problem(build))
        elif build.folder != ".":
            notes.append(
                f"Asset build found: {build.label}. Heroku's Node.js buildpack reads only a "
                "package.json at the repository root: move it (and its lock file) there, or "
                "build the assets in bin/post_compile. Until then Heroku does not build them."
            )
        elif build.other_manager:
            notes.append(
                f"Asset build found: {build.label}, locked by {build.other_manager}, which "
                "Heroku's Node.js buildpack does not install: lock it with npm, pnpm or Yarn "
                "(then `heroku buildpacks:add --index 1 heroku/nodejs`), or commit the built "
                "files. Until then Heroku does not build them."
            )
        elif (
            postbuild is None
            and build.script_name != "build"
            and _buildpack_script(build) != POSTBUILD
        ):
            notes.append(
                f"Asset build found: {build.label}. Heroku's Node.js buildpack runs "
                "package.json's `heroku-postbuild` script, or else `build`, not "
                f"`{build.script_name}`, so Heroku would not make the production build: "
                f'add `"heroku-postbuild": "{" ".join(build.manager_commands[-1])}"` to '
                "package.json's scripts (the buildpack runs it instead of `build`), commit, "
                "and run again."
            )
        elif postbuild is None and build.task_argv:
            # The buildpack runs package.json's `build` (or `heroku-postbuild`) script
            # only, then prunes devDependencies (gulp among them): a task file's build
            # never runs unless a script names it.
            notes.append(
                f"Asset build found: {build.label}. Heroku's Node.js buildpack runs only "
                "package.json's `build` script, so Heroku does not build them yet: add "
                f'`"scripts": {{"build": "{build.script}"}}` to package.json, commit, and run '
                "again (then the buildpack, added with `heroku buildpacks:add --index 1 "
                "heroku/nodejs`, builds them before Python's collectstatic)."
            )
        else:
            commands = build.manager_commands
            if postbuild is not None:
                commands = (commands[0], (build.manager, "run", POSTBUILD))
            steps = " and ".join(f"`{' '.join(argv)}`" for argv in commands)
            notes.append(
                f"Asset build found: {build.label}. Heroku builds it with the Node.js "
                f"buildpack, which must run before Python's: `heroku buildpacks:add --index 1 "
                f"heroku/nodejs` (Node.js {build.node_major}, from {build.node_source}: pin it "
                f"with package.json `engines.node`). It runs {steps}"
                + (f" with {build.manager_label}" if build.manager != "npm" else "")
                + (
                    " (pin it with package.json `packageManager`)"
                    if build.manager != "npm" and not build.manager_pinned
                    else ""
                )
                + ", then Python's collectstatic collects the output."
            )
    notes.extend(static_storage.note(project))
    if project.static_shipped:
        notes.append(
            "Heroku's build runs collectstatic unless the config var DISABLE_COLLECTSTATIC "
            "is 1: `heroku config:set DISABLE_COLLECTSTATIC=1` (--automate-all sets it)."
        )
    if project.tailwind_cli:
        notes.append(
            tailwind_note(
                "bin/post_compile",
                "after the buildpack's collectstatic, then collectstatic again",
            )
            + " Heroku's Fir generation runs no bin/post_compile: there, the CSS is missing."
        )
    if project.compress_offline:
        notes.append(
            "django-compressor with COMPRESS_OFFLINE = True found: bin/post_compile runs "
            "`python manage.py compress --force` after the buildpack's collectstatic. Heroku's "
            "Fir generation (Cloud Native Buildpacks) runs no bin/post_compile: there, pages "
            "using {% compress %} fail with OfflineGenerationError."
        )
    return notes


# The classic buildpack runs bin/post_compile (bin/steps/hooks/post_compile) after its
# own collectstatic, in the root, with the build's environment (CACHE_DIR included).
COMPRESS = ("python", "manage.py", *COMPRESS_ARGS)
# bin/pre_compile runs before the Python install, so no manage.py command can run
# before the buildpack's collectstatic: django-tailwind-cli's CSS is built after it,
# and collectstatic runs again to collect (and hash) it.
TAILWIND = tuple(("python", "manage.py", *args) for args in TAILWIND_BUILD_ARGS)


def post_compile_steps(project: Project) -> tuple[tuple[str, ...], ...]:
    """What bin/post_compile runs, in order (none: no bin/post_compile)."""
    tailwind = (*TAILWIND, COLLECTSTATIC) if project.tailwind_cli else ()
    return (*tailwind, *((COMPRESS,) if project.compress_offline else ()))


def _post_compile(project: Project) -> FileChange:
    """bin/post_compile: django-tailwind-cli's CSS and django-compressor's offline files,
    after the buildpack's collectstatic."""
    whys = [
        *(["django-tailwind-cli builds its CSS, collected again"] if project.tailwind_cli else []),
        *(
            ["django-compressor's offline files go into STATIC_ROOT too"]
            if project.compress_offline
            else []
        ),
    ]
    steps = post_compile_steps(project)
    text = render_template(
        _TEMPLATES,
        "post_compile-tpl",
        {
            "version": __version__,
            "why": "; ".join(whys) + ".",
            "steps": "\n".join(shlex.join(argv) for argv in steps),
        },
    )
    return generated_file(
        project,
        "bin/post_compile",
        text,
        f"runs {' then '.join(f'`{shlex.join(argv[1:])}`' for argv in steps)} after Heroku's "
        "collectstatic",
        executable=True,
    )


def needs_node(project: Project) -> bool:
    """True when Heroku must run the Node.js buildpack before Python's: the asset build's
    package.json is at the root, or our root package.json builds its folder."""
    build = project.asset_build
    return build is not None and (build.folder == "." or _root_package(project) is not None)


def _own_variables(project: Project) -> tuple[str, ...]:
    """Commands for the variables the settings need that only the user can give."""
    known = env_needs.known_values(project, host="<host>", database="<url>")
    provided = {
        "DATABASE_URL",
        *env_needs.secret_key_names(project),
        *project.services.redis_env_names,
        *known,
    }
    return env_needs.finish_steps(
        project, provided, lambda name: f"heroku config:set {name}=<value>"
    )


def _database_attachments(project: Project) -> tuple[str, ...]:
    """Heroku sets DATABASE_URL; a settings name such as DJANGO_DATABASE_URL is the
    same database attached a second time under that name (`--as DJANGO_DATABASE`), so
    Heroku keeps it current when the credentials rotate."""
    names = env_needs.known_values(project, database="<url>")
    return tuple(
        f"Your settings read the database URL as `{name}`: attach the database under that "
        f"name too, `heroku addons:attach <add-on name from heroku addons> --as "
        f"{name.removesuffix('_URL')}`."
        for name in names
        if name != "DATABASE_URL" and name.endswith("_URL")
    )


def _host_names(project: Project, host: str) -> str:
    """`ALLOWED_HOSTS=<host>` and the settings' own host and origin names, for config:set."""
    known = env_needs.known_values(project, host=host)
    hosts = env_needs.in_form_read(project, "ALLOWED_HOSTS", host)
    # A JSON list is quoted: a shell would read its brackets and quotes.
    return " ".join(
        f"{k}='{v}'" if v.startswith("[") else f"{k}={v}"
        for k, v in {"ALLOWED_HOSTS": hosts, **known}.items()
    )


def plan(project: Project, options: Options) -> PlatformPlan:
    processes = _processes(project)
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
                        project.wagtail, "CSRF_TRUSTED_ORIGINS[0]"
                    ),
                    "services_settings": service_config.heroku_redis_tls(project),
                    "email_settings": email_settings(project=project),
                    "compress": project.compress_offline,
                    # The settings' own model reads ALLOWED_HOSTS as a JSON list.
                    "hosts_json": "ALLOWED_HOSTS" in project.json_variables,
                    # bin/post_compile's `tailwind` commands build without this tool too.
                    "tailwind": project.tailwind_cli,
                },
            ),
            "Heroku-only settings: DEBUG off, secret key and hosts from config vars, HTTPS, "
            "Heroku Postgres, WhiteNoise",
        ),
        _procfile(project, processes),
    ]
    if post_compile_steps(project):
        changes.append(_post_compile(project))
    postbuild = _postbuild(project)
    if postbuild is not None:
        changes.append(postbuild)
    root_package = _root_package(project)
    if root_package is not None:
        changes.append(root_package)
    export = manager_files.export_kept(manager_files.found(project.git_root), project.deps)
    if export:
        before, after = manager_files.slugignore_change(project.git_root, export)
        changes.append(
            FileChange(
                ".slugignore",
                before,
                after,
                f"lists {export}, an export of {project.deps.lock_file}: Heroku removes it "
                f"before building and installs from {project.deps.lock_file} (the same pins); "
                "it stays in your repository for pip users",
            )
        )
    # --automate-all skips the manual steps, but not these.
    notes = _asset_notes(project) + (
        list(_own_variables(project)) if options.get("automate_all") else []
    )
    if project.nested:
        root_manage = _root_manage_py(project)
        if project.root_manage_link:
            notes.append(
                f"Your root manage.py, a link to {project.manage_dir_rel}/manage.py, is kept as "
                "it is: Heroku's build finds it in the root and runs collectstatic with it."
            )
        elif root_manage.user_file:
            # A manage.py the user runs is never replaced, not even with --overwrite.
            notes.append(
                "Your own root manage.py is kept as it is (django-simple-deploy never replaces "
                "a manage.py you run): Heroku's build runs `python manage.py collectstatic "
                f"--noinput` with it, so it must run {project.manage_dir_rel}/manage.py's "
                "commands; `--rehearse` runs it as Heroku does."
            )
        else:
            changes.append(root_manage)
    if project.python_source in ("runtime.txt", ".python-version"):
        notes.append(
            f"Heroku will use Python {project.python_version} from your existing "
            f"{project.python_source}."
        )
    else:
        changes.append(
            generated_file(
                project,
                ".python-version",
                f"{project.python_version}\n",
                f"pins Python {project.python_version} on Heroku, the version you develop with",
            )
        )
    requirements = REQUIREMENTS + service_config.service_requirements(project)
    return PlatformPlan(tuple(changes), requirements, tuple(notes))


def _group_problems(project: Project) -> list[str]:
    """Heroku's buildpack installs only the main dependencies (`poetry sync --only main`,
    `uv sync --no-default-groups`): a production group would be left out."""
    groups = project.deps.groups
    if not groups:
        return []
    names = ", ".join(groups)
    return [
        f"Production needs the dependency group(s) {names}, but Heroku's Python buildpack "
        "installs only the main dependencies (Fly.io and Platform.sh install the group). "
        f"Nothing was changed. Move the packages of that group into the main dependencies "
        f"(then `{project.package_manager} lock`), commit, and run again."
    ]


def _node_build(project: Project) -> tuple[Command, ...]:
    from simple_deploy.plugin import Command

    build = project.asset_build
    if not needs_node(project) or build.other_manager:
        return ()
    if build.folder != ".":
        # Our root package.json: the buildpack runs its prebuild, installs (nothing of
        # its own, no lock file), then its postbuild.
        return tuple(
            Command(argv)
            for argv in (("npm", "run", PREBUILD), ("npm", "install"), ("npm", "run", POSTBUILD))
        )
    # What the buildpack runs: package.json's `heroku-postbuild` (ours, when we add it),
    # else its `build`; a task file's build only through one of those scripts.
    runs = POSTBUILD if _postbuild(project) is not None else _buildpack_script(build)
    steps = (build.install_argv, *((build.run_argv(runs),) if runs else ()))
    return tuple(Command(argv) for argv in steps)


def _buildpack_script(build: AssetBuild) -> str:
    """The package.json script Heroku's Node.js buildpack runs: `heroku-postbuild` when
    there is one, else `build` ("" when neither is there)."""
    for name in ("heroku-postbuild", "build"):
        if name in build.script_names:
            return name
    return ""


def runtime(project: Project) -> Runtime:
    from simple_deploy.plugin import Command, Runtime

    processes = _processes(project)
    env = {
        # Heroku's buildpack exports CACHE_DIR to the collectstatic it runs at build time.
        "CACHE_DIR": "{app_root}/.heroku-build-cache",
        "SECRET_KEY": "{secret_key}",
        "ALLOWED_HOSTS": env_needs.in_form_read(project, "ALLOWED_HOSTS", "{host}"),
        "DATABASE_URL": "{database_url}",
        **project.settings_env,
        **_collectstatic_env(project),
        # Config vars exist at build time too: the variables the settings need by name.
        **env_needs.platform_provided(project, database_names=("DATABASE_URL",)),
        # Heroku Key-Value Store sets REDIS_URL; the app reads it under its own names.
        **service_config.redis_env(project),
        # The host and the database under the names the settings read them by.
        **env_needs.known_values(project, host="{host}", database="{database_url}"),
    }
    web = service_config.asgi_web_argv(project, "{port}") or processes["web"]
    return Runtime(
        env=env,
        # The Node.js buildpack (first) installs and runs the build script. The Python
        # buildpack then runs collectstatic itself, once, with the shallowest manage.py
        # (a nested project's root manage.py on either generation).
        build=(
            *_node_build(project),
            # DISABLE_COLLECTSTATIC=1: a project shipping its collected files skips it.
            *(() if project.static_shipped else (Command(COLLECTSTATIC),)),
            # bin/post_compile: tailwind build and collectstatic again, compress.
            *(Command(argv) for argv in post_compile_steps(project)),
        ),
        release=(Command(processes["release"]),),
        # Heroku runs a Procfile line through a shell: $PORT is the router's port.
        web=Command(procfile_web.port_placeholders(web)),
        host=REHEARSAL_HOST,
        run_env={"DYNO": "web.1", "PORT": "{port}", "WEB_CONCURRENCY": "2"},
        # Heroku Postgres sets DATABASE_URL to postgres://...
        database_scheme="postgres",
        processes=service_config.runtime_processes(project),
        needs_redis=project.services.needs_redis,
        websocket_path=project.services.websocket_path,
        # The buildpack's `uv sync` installs a package project itself (lib/uv.sh).
        installs_project=True,
        # A frontend the Python build cannot make: the rehearsal's build fails saying so.
        build_problems=(
            (_frontend_problem(project.asset_build),)
            if project.asset_build is not None
            and project.asset_build.target
            and _root_package(project) is None
            else ()
        ),
    )


REDIS_PLAN = "heroku-redis:mini"


def _redis_steps(project: Project) -> tuple[str, ...]:
    """Heroku Key-Value Store sets REDIS_URL; other names the settings read get the same
    URL through an attachment (`--as NAME` sets NAME_URL), never a copied secret."""
    names = project.services.redis_env_names
    if not names:
        return ()
    steps = [
        f"Add Redis (Heroku Key-Value Store): `heroku addons:create {REDIS_PLAN} --wait`; "
        "it sets `REDIS_URL`."
    ]
    for name in names:
        if name == "REDIS_URL":
            continue
        if name.endswith("_URL"):
            steps.append(
                f"Give the same Redis to `{name}`: `heroku addons:attach <the add-on's name "
                f"from heroku addons> --as {name.removesuffix('_URL')}` (sets `{name}`)."
            )
        else:
            steps.append(
                f"Your settings read the Redis URL from `{name}`, which an attachment "
                "cannot name (it always ends in _URL): read `REDIS_URL` there instead."
            )
    return tuple(steps)


def _scale_steps(project: Project) -> tuple[str, ...]:
    """Heroku starts only web: every other process type begins at zero dynos."""
    processes = project.services.processes
    if not processes:
        return ()
    scale = " ".join(f"{p.name}=1" for p in processes)
    return (
        f"Start the other processes (Heroku starts only web by itself): `heroku ps:scale {scale}`.",
    )


def guide(project: Project, options: Options) -> Guide:
    manage = " ".join(manage_py_argv(project))
    settings_var = "".join(
        f" {k}={v}" for k, v in {**project.settings_env, **_collectstatic_env(project)}.items()
    )
    keys = "".join(
        f" {name}=<that key>"
        for name in env_needs.secret_key_names(project)
        if name != "SECRET_KEY"
    )
    own = _own_variables(project)
    return Guide(
        finish=(
            "Review the changes with `git diff`, then commit them: "
            '`git add -A` and `git commit -m "Configure for Heroku"`.',
            "Create the app (this also adds the `heroku` git remote): `heroku create`.",
            *(
                (
                    "Build the assets before Python: `heroku buildpacks:set heroku/python`, "
                    "then `heroku buildpacks:add --index 1 heroku/nodejs`.",
                )
                if needs_node(project)
                else ()
            ),
            "Add a database: `heroku addons:create heroku-postgresql:essential-0 --wait`.",
            'Make a secret key: `python -c "import secrets; print(secrets.token_urlsafe(50))"`, '
            f"then `heroku config:set{settings_var} SECRET_KEY=<that key>{keys}`.",
            *own,
            *_database_attachments(project),
            "Find the app's host name in the Web URL that `heroku apps:info` shows, then "
            f"`heroku config:set {_host_names(project, '<host name>')}` "
            "(<host name> without https:// and /).",
            *_redis_steps(project),
            "Deploy: `git push heroku HEAD:main` (from whichever branch you are on).",
            *_scale_steps(project),
            "Open the site: `heroku open`.",
        ),
        redeploy="commit your changes, then `git push heroku HEAD:main` (from any branch)",
        logs="`heroku logs --tail`",
        run_command=f"`heroku run {manage} createsuperuser`",
        remote_shell="`heroku run bash`",
        scale="`heroku ps:scale web=2` (more dynos) or `heroku ps:type web=standard-2x`",
        rollback="`heroku releases`, then `heroku rollback v<N>`",
        processes=service_config.process_rows(
            project,
            _processes(project)["web"],
            "a dyno of its own",
            "a dyno each (Basic: $7 a month)",
            {
                "web": "`heroku ps:scale web=2`",
                "worker": "`heroku ps:scale {name}=2`; stop: `heroku ps:scale {name}=0`",
                "scheduler": "exactly one: `heroku ps:scale {name}=1`, never more; "
                "stop: `heroku ps:scale {name}=0`",
                "channels": "`heroku ps:scale {name}=2`; stop: `heroku ps:scale {name}=0`",
            },
            redis=(
                "Redis",
                f"Heroku Key-Value Store `{REDIS_PLAN}` (sets REDIS_URL)",
                "Mini: $3 a month",
                "`heroku addons:upgrade heroku-redis:<plan>`; stop: "
                "`heroku addons:destroy heroku-redis`",
            ),
        ),
        links=(
            (
                "Deploying Python and Django apps",
                "https://devcenter.heroku.com/articles/deploying-python",
            ),
            (
                "Configuring Django apps for Heroku",
                "https://devcenter.heroku.com/articles/django-app-configuration",
            ),
            ("Django and static assets", "https://devcenter.heroku.com/articles/django-assets"),
            ("Heroku Postgres", "https://devcenter.heroku.com/articles/heroku-postgresql"),
            ("Release phase", "https://devcenter.heroku.com/articles/release-phase"),
            (
                "Specifying a Python version",
                "https://devcenter.heroku.com/articles/python-runtimes",
            ),
        ),
        costs=(
            "Heroku has no free tier: the app's dynos and the essential-0 Postgres plan are "
            "billed monthly once you create them."
        ),
        email=(
            "Heroku sends no mail itself. Take SMTP credentials from a provider (or an email "
            "add-on from Heroku's Elements marketplace) as `smtp+tls://USER:PASSWORD@HOST:587`, "
            "then `heroku config:set EMAIL_URL=<that URL> DEFAULT_FROM_EMAIL=<your address>`. "
            "Until then sending mail fails with an error in the log, and nothing is sent."
        ),
    )


def automation(project: Project, options: Options) -> Automation:
    # Imported by --automate-all runs only: a configuration run never loads it.
    from simple_deploy.platforms.heroku.automate import automation as recipe

    return recipe(project, options)


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--heroku-db-plan",
        metavar="PLAN",
        help="Heroku Postgres plan for --automate-all (default: essential-0, the cheapest).",
    )


platform = PlatformPlugin(
    name=NAME,
    label="Heroku",
    plan=plan,
    runtime=runtime,
    guide=guide,
    check=check,
    add_arguments=add_arguments,
    automate=automation,
    names=(
        NameRule(
            "deployed_project_name",
            "--deployed-project-name",
            r"[a-z][a-z0-9-]{1,28}[a-z0-9]",
            "3 to 30 lowercase letters, digits and dashes, starting with a letter",
            "my-blog",
        ),
        NameRule("region", "--region", r"[a-z][a-z0-9-]{1,29}", "a Heroku region: us or eu", "eu"),
        NameRule(
            "heroku_db_plan",
            "--heroku-db-plan",
            r"(heroku-postgresql:)?[a-z0-9][a-z0-9-]{0,40}",
            "a Heroku Postgres plan name",
            "essential-0",
        ),
    ),
    cli="heroku",
    extra={"cli_install_url": "https://devcenter.heroku.com/articles/heroku-cli"},
    docs_url="https://devcenter.heroku.com/categories/python-support",
    # The Python buildpack's python_version constants (heroku-buildpack-python,
    # 2026): 3.10 to 3.14; 3.10 reached its end of life in October 2026.
    python_support={
        "3.10": "deprecated",
        "3.11": "supported",
        "3.12": "supported",
        "3.13": "supported",
        "3.14": "supported",
    },
)
