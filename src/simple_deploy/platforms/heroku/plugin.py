"""Heroku: the official Python buildpack, a Procfile, and Heroku Postgres.

Facts this plugin relies on (Heroku Dev Center):
- The buildpack installs natively from requirements.txt, Pipfile.lock,
  poetry.lock or uv.lock at the repository root; `.python-version` picks Python.
- It runs `manage.py collectstatic` only when manage.py is at the root; for a
  nested project `bin/post_compile` does it.
- Procfile `release:` runs before each new release starts; `web:` must listen
  on $PORT, which gunicorn reads by itself.
"""

from __future__ import annotations

import argparse
import re
import shlex
from dataclasses import replace

from simple_deploy import __version__
from simple_deploy.platforms.heroku.automate import automation
from simple_deploy.plugin import (
    Command,
    FileChange,
    Guide,
    Options,
    PlatformPlan,
    PlatformPlugin,
    Project,
    Requirement,
    Runtime,
    generated_file,
    manage_py_argv,
    render_template,
    settings_block,
)

NAME = "heroku"
_TEMPLATES = "simple_deploy.platforms.heroku"
REHEARSAL_HOST = "simple-deploy-rehearsal-0123456789ab.herokuapp.com"

REQUIREMENTS = (
    Requirement("gunicorn", "gunicorn~=27.0", "the web server the Procfile starts"),
    Requirement("psycopg", "psycopg[binary]~=3.3", "PostgreSQL driver for Heroku Postgres"),
    Requirement("dj-database-url", "dj-database-url~=3.1", "reads DATABASE_URL"),
    Requirement("whitenoise", "whitenoise~=6.12", "serves static files compressed and cached"),
)


def _processes(project: Project) -> dict[str, tuple[str, ...]]:
    """The Procfile's commands, declared once for the Procfile and the rehearsal."""
    chdir = ("--chdir", project.manage_dir_rel) if project.nested else ()
    return {
        "release": manage_py_argv(project, "migrate", "--noinput"),
        "web": ("gunicorn", *chdir, project.wsgi_module),
    }


def _collectstatic(project: Project) -> tuple[str, ...]:
    return manage_py_argv(project, "collectstatic", "--noinput")


_PROCESS_LINE = re.compile(r"^([A-Za-z0-9_-]+)\s*:")
OURS = ("release", "web")


def _procfile(project: Project, processes: dict[str, tuple[str, ...]]) -> FileChange:
    """Our Procfile; over the user's own, only `web:` and `release:` change.

    A project's other process types (`worker:` for Celery, `beat:` ...) are its
    own: they stay, in their order, and the reason says what was replaced.
    """
    ours = {k: shlex.join(v) for k, v in processes.items()}
    generated = generated_file(
        project,
        "Procfile",
        render_template(_TEMPLATES, "Procfile-tpl", ours),
        "tells Heroku to migrate in the release phase and serve with gunicorn",
    )
    if not generated.user_file:
        return generated
    text = generated.before.decode("utf-8", errors="replace").replace("\r\n", "\n")
    lines, seen, replaced, kept = [], set(), [], []
    for line in text.splitlines():
        match = _PROCESS_LINE.match(line)
        name = match.group(1) if match else None
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
    parts = []
    if kept:
        parts.append("kept your " + ", ".join(f"{k}:" for k in kept))
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


def _asset_notes(project: Project) -> list[str]:
    build = project.asset_build
    notes = []
    if build is not None:
        if build.folder != ".":
            notes.append(
                f"Asset build found: {build.label}. Heroku's Node.js buildpack reads only a "
                "package.json at the repository root: move it (and its lock file) there, or "
                "build the assets in bin/post_compile. Until then Heroku does not build them."
            )
        elif build.other_manager:
            notes.append(
                f"Asset build found: {build.label}, locked by {build.other_manager}. Add the "
                "Node.js buildpack before Python (`heroku buildpacks:add --index 1 "
                "heroku/nodejs`); it installs with {build.other_manager} and runs the build "
                "script before Python's collectstatic."
            )
        else:
            notes.append(
                f"Asset build found: {build.label}. Heroku builds it with the Node.js "
                f"buildpack, which must run before Python's: `heroku buildpacks:add --index 1 "
                f"heroku/nodejs` (Node.js {build.node_major}, from {build.node_source}: pin it "
                "with package.json `engines.node`). It runs `"
                + " ".join(build.install_argv)
                + "` and `npm run build`, then Python's collectstatic collects the output."
            )
    if project.compress_offline:
        notes.append(
            "django-compressor with COMPRESS_OFFLINE = True found: Heroku does not run "
            "`manage.py compress`. Add it after collectstatic in bin/post_compile "
            "(`python manage.py compress --force`), or pages using {% compress %} fail with "
            "OfflineGenerationError."
        )
    return notes


def needs_node(project: Project) -> bool:
    """True when Heroku must run the Node.js buildpack before Python's."""
    build = project.asset_build
    return build is not None and build.folder == "."


def plan(project: Project, options: Options) -> PlatformPlan:
    processes = _processes(project)
    changes = [
        settings_block(
            project,
            NAME,
            render_template(
                _TEMPLATES,
                "settings.py-tpl",
                {"version": __version__, "base_dir_depth": project.base_dir_depth},
            ),
            "Heroku-only settings: DEBUG off, secret key and hosts from config vars, HTTPS, "
            "Heroku Postgres, WhiteNoise",
        ),
        _procfile(project, processes),
    ]
    notes = _asset_notes(project)
    if (project.git_root / ".python-version").is_file():
        notes.append(
            f"Heroku will use Python {project.python_version} from your existing .python-version."
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
    if project.nested:
        changes.append(
            generated_file(
                project,
                "bin/post_compile",
                render_template(
                    _TEMPLATES,
                    "post_compile-tpl",
                    {
                        "manage_dir": project.manage_dir_rel,
                        "collectstatic": shlex.join(_collectstatic(project)),
                    },
                ),
                "collects static files at build time (manage.py is not at the repository root)",
                executable=True,
            )
        )
    return PlatformPlan(tuple(changes), REQUIREMENTS, tuple(notes))


def _node_build(project: Project) -> tuple[Command, ...]:
    build = project.asset_build
    if not needs_node(project) or build.other_manager:
        return ()
    return (Command(build.install_argv), Command(build.build_argv))


def runtime(project: Project) -> Runtime:
    processes = _processes(project)
    env = {
        "ON_HEROKU": "1",
        "SECRET_KEY": "{secret_key}",
        "ALLOWED_HOSTS": "{host}",
        "DATABASE_URL": "{database_url}",
        **project.settings_env,
    }
    return Runtime(
        env=env,
        # The Node.js buildpack (first) installs and runs the build script; then the
        # Python buildpack's own collectstatic (root manage.py) or bin/post_compile
        # (nested) runs the same command.
        build=(*_node_build(project), Command(_collectstatic(project))),
        release=(Command(processes["release"]),),
        web=Command(processes["web"]),
        host=REHEARSAL_HOST,
        run_env={"DYNO": "web.1", "PORT": "{port}", "WEB_CONCURRENCY": "2"},
    )


def guide(project: Project, options: Options) -> Guide:
    manage = " ".join(manage_py_argv(project))
    settings_var = "".join(f" {k}={v}" for k, v in project.settings_env.items())
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
            f"then `heroku config:set ON_HEROKU=1{settings_var} SECRET_KEY=<that key>`.",
            "Find the app's host name in the Web URL that `heroku apps:info` shows, then "
            "`heroku config:set ALLOWED_HOSTS=<host name>` (without https:// and /).",
            "Deploy: `git push heroku main` (from another branch: `git push heroku HEAD:main`).",
            "Open the site: `heroku open`.",
        ),
        redeploy="commit your changes, then `git push heroku HEAD:main` (from any branch)",
        logs="`heroku logs --tail`",
        run_command=f"`heroku run {manage} createsuperuser`",
        remote_shell="`heroku run bash`",
        scale="`heroku ps:scale web=2` (more dynos) or `heroku ps:type web=standard-2x`",
        rollback="`heroku releases`, then `heroku rollback v<N>`",
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
    )


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
    add_arguments=add_arguments,
    automate=automation,
    cli="heroku",
    docs_url="https://devcenter.heroku.com/categories/python-support",
)
