"""The rehearsal's steps, the same for every engine, and `rehearse`, which runs them.

After configuring a project we replay the platform's side of a deployment on
this machine: copy the committed project (the platform only ever sees commits),
install the locked dependencies, run the build and release steps with the
platform's environment variables, check the deployment settings, start the web
process exactly as declared and fetch a page and a static file over HTTP. Each
step is timed and reported pass/fail, so a problem shows up here, with its
output, instead of in a remote build log.

Everything is generic: the platform plugin declares a `Runtime`, the package
manager declares its `install_steps`, the engine (engine.py) runs commands;
this module only says what runs in which order, with which variables.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from ..package_managers import PackageManager
from ..runtime import Command, Process, Runtime
from . import (
    absent_assets,
    chosen_settings,
    http_checks,
    missing_static_dirs,
    redis,
    schema_changes,
    service_steps,
    versions,
    workers,
)
from .commit import extract_head
from .crawl import Crawl, Response, crawl
from .engine import Context, Engine
from .environment import build_vars, fill_all, fill_map, platform_database_url, run_vars
from .limits import DEFAULT_LIMIT, STEP_LIMITS, StepClock
from .locks import PROBE_SCRIPT, PROBE_URL_VAR, describe, probe_url
from .own_settings import (
    CONTROL_SCRIPT,
    checked_here_too,
    control_env,
    developer_environ,
    same_causes,
    warnings_of,
)
from .own_settings import MARKER as CONTROL_MARKER
from .own_settings import sections as marked_sections
from .page_errors import own_code_cause
from .processes import failure
from .report import RehearsalReport, StepFailed, StepResult, StepTimedOut
from .text import display, redact, tail
from .venv import VenvEngine

__all__ = ["STEP_NAMES", "rehearse", "RehearsalInterrupted"]

STEP_NAMES = (
    "copy",
    "environment",
    "install",
    "build",
    "release",
    "check --deploy",
    "migrations",
    "web",
    "pages",
    "static file",
)

# A step returns its detail, or (summary, detail) when a few words deserve to be
# shown beside its name even when it passes.
_Outcome = str | tuple[str, str]

# The steps that run the app against the database: past their limit, PostgreSQL is
# asked what they wait for (a lock another connection holds, most often).
DATABASE_STEPS = ("release", "check --deploy", "migrations", "pages")
# A page a visitor waits longer for than this is a failure of its own.
PAGE_TIMEOUT = 15.0

_SITE_MARKER = "SIMPLE_DEPLOY_REHEARSAL_SITE="
# Run in the platform's environment (inside the engine, so a container works too):
# what the app itself says about its static files and where visitors log in.
_SITE_PROBE = f"""
import json, pathlib
from django.apps import apps
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

def _url(make):
    try:
        return str(make())
    except Exception:  # a missing URL name: that page is simply not requested
        return ""

_root = str(settings.STATIC_ROOT or "")
_manifest = pathlib.Path(_root) / "staticfiles.json"
_paths = None
if _root and _manifest.is_file():
    _paths = json.loads(_manifest.read_text(encoding="utf-8")).get("paths", {{}})
_admin = apps.is_installed("django.contrib.admin")
print({_SITE_MARKER!r} + json.dumps({{
    "static_root": _root,
    "static_url": str(settings.STATIC_URL or ""),
    "media_url": str(settings.MEDIA_URL or ""),
    "manifest": _paths,
    "login_url": _url(lambda: resolve_url(settings.LOGIN_URL)),
    "admin_login": _url(lambda: reverse("admin:login")) if _admin else "",
    "own_immutable_test": bool(getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None)),
    "static_backend": str(
        (getattr(settings, "STORAGES", None) or {{}}).get("staticfiles", {{}}).get("BACKEND", "")
    ),
}}))
"""

_ERROR_MARKER = "SIMPLE_DEPLOY_REHEARSAL_ERROR="
# When the project's production settings do not log errors (no LOGGING), the web
# process's log holds no traceback. Request the failing page once more inside the
# platform's environment through Django's test client, which hands the exception
# back instead of a 500 page: the user sees why, not only that.
_REPRODUCE = """
import json, sys, traceback
from django.test import Client
_host, _headers, _paths = json.loads({args!r})
_client = Client(raise_request_exception=True)
for _path in _paths:
    print({marker!r} + _path, flush=True)
    try:
        _client.get(_path, secure=True, HTTP_HOST=_host, **_headers)
    except Exception:
        traceback.print_exc(file=sys.stdout)
"""

_MISSING_MANIFEST = re.compile(r"Missing staticfiles manifest entry for '([^']+)'")


@dataclass(frozen=True)
class _Site:
    """What the app says about itself, read once in the platform's environment."""

    static_root: str
    static_url: str
    media_url: str
    manifest: dict[str, str] | None
    login_url: str
    admin_login: str
    # The project's own WHITENOISE_IMMUTABLE_FILE_TEST decides which files are cached
    # forever (healthchecks: only compressor's output): its choice, not a failure.
    own_immutable_test: bool = False
    # STORAGES["staticfiles"]["BACKEND"] as the platform's settings end up with it.
    static_backend: str = ""


@dataclass
class _Rehearsal:
    """One rehearsal: its facts (Context) and the engine running it."""

    ctx: Context
    engine: Engine
    site_facts: _Site | None = None
    #: The Redis the rehearsal uses (decided before any work), and its URL once the
    #: redis step has started or reached it.
    redis: redis.RedisChoice | None = None
    redis_url: str = ""
    #: What steps started that outlives them (a throwaway Redis), closed at clean up.
    resources: ExitStack = field(default_factory=ExitStack)
    #: The processes beside web started so far, with their commands as shown.
    started: list[tuple[Process, str]] = field(default_factory=list)

    def values(self) -> dict[str, str]:
        """Placeholder values: the Context's, then the engine's (it knows its paths, port)."""
        own = {"redis_url": self.redis_url} if self.redis_url else {}
        return self.ctx.placeholders() | own | self.engine.placeholders()

    def secret_values(self) -> list[str]:
        password = urlsplit(self.redis_url).password if self.redis_url else None
        return self.ctx.secret_values() + ([password] if password else [])

    def build_env(self, command: Command) -> dict[str, str]:
        values = self.values()
        # The user's own variables last: they are what the user sets on the platform.
        env = build_vars(self.ctx.runtime, values) | fill_map(command.env, values)
        return env | dict(self.ctx.extra_env)

    def run_env(self, command: Command) -> dict[str, str]:
        values = self.values()
        env = run_vars(self.ctx.runtime, values) | fill_map(command.env, values)
        return env | dict(self.ctx.extra_env)

    def run(self, command: Command, env: dict[str, str]) -> str:
        """Run a command in the engine; a non-zero exit fails the step."""
        argv = fill_all(command.argv, self.values())
        result = self.engine.run(argv, command.cwd, env)
        if result.returncode != 0:
            raise StepFailed(failure(argv, result))
        return result.output

    def manage(self, *args: str) -> Command:
        """A manage.py command in the platform's Python."""
        return Command(("{python}", "manage.py", *args), cwd=self.ctx.manage_dir)

    def database_probe(self) -> Callable[[], str] | None:
        """Asks PostgreSQL, in the platform's environment, what connections wait for."""
        url = probe_url(self.ctx.database_url)
        if url is None:
            return None

        def probe() -> str:
            command = Command(("{python}", "-c", PROBE_SCRIPT))
            # The URL in a variable, never on a command line (it holds the password).
            env = self.run_env(command) | {PROBE_URL_VAR: url}
            result = self.engine.run(fill_all(command.argv, self.values()), command.cwd, env)
            return describe(result.returncode, result.output)

        return probe

    def web_log_tail(self) -> str:
        return tail(self.engine.web_log())

    def site(self) -> _Site:
        if self.site_facts is None:
            command = self.manage("shell", "-c", _SITE_PROBE)
            output = self.run(command, self.run_env(command))
            line = next((x for x in output.splitlines() if x.startswith(_SITE_MARKER)), None)
            if line is None:
                raise StepFailed("could not read the static and login settings:\n" + tail(output))
            self.site_facts = _Site(**json.loads(line[len(_SITE_MARKER) :]))
        return self.site_facts


# ---------------------------------------------------------------- public API


def rehearse(
    git_root: Path,
    manage_dir: str,
    manager: PackageManager,
    runtime: Runtime,
    *,
    database_url: str | None = None,
    python: str = sys.executable,
    on_step: Callable[[StepResult], None] | None = None,
    workdir: Path | None = None,
    timeout: float = 86400,
    engine: Callable[[Context], Engine] = VenvEngine,
    extra_env: Mapping[str, str] | None = None,
    limits: Mapping[str, float] | None = None,
    redis_choice: redis.RedisChoice | None = None,
) -> RehearsalReport:
    """Replay the platform's install, build, release and web steps on the committed project.

    `manage_dir` is the folder holding manage.py, relative to `git_root` (POSIX form).
    Without `database_url`, release runs against a SQLite file in the temp folder.
    `python` creates the virtual environment. `on_step` sees each result as it
    completes (progress display). `workdir` (empty or missing) is used instead of
    a temp folder and kept for inspection. `timeout` bounds each command (by
    default only its step's limit does).
    `engine` makes the engine the steps run in (default: a virtual environment).
    `extra_env` holds the user's own variables (`--env`): present at build,
    release and run time, their values never shown in the report.
    `limits` replaces some of the steps' time limits (limits.STEP_LIMITS, keyed
    by the generic step names); a step past its limit fails, saying what it ran.
    `redis_choice` (redis.choose) is the Redis a runtime that `needs_redis` gets.
    With `runtime.processes`, each is started as declared after the pages are
    checked, one task is sent to a Celery or django-rq worker, and with
    `runtime.websocket_path` a websocket handshake is made on it.
    Steps stop at the first failure; the web process and temp folder are always
    cleaned up, also when the rehearsal is interrupted (Ctrl-C): every process it
    started is stopped, then RehearsalInterrupted names the step it stopped in.
    """
    keep = workdir is not None
    root = Path(workdir) if keep else Path(tempfile.mkdtemp(prefix="simple-deploy-rehearsal-"))
    root = root.resolve()
    ctx = Context(
        git_root=Path(git_root).resolve(),
        manage_dir=manage_dir,
        manager=manager,
        runtime=runtime,
        python=python,
        timeout=timeout,
        root=root,
        database_url=platform_database_url(
            database_url or f"sqlite:///{(root / 'db.sqlite3').as_posix()}",
            runtime.database_scheme,
        ),
        extra_env=dict(extra_env or {}),
        clock=StepClock(timeout),
    )
    step_limits = {**STEP_LIMITS, **(limits or {})}
    state: _Rehearsal | None = None
    current = "environment"
    try:
        state = _Rehearsal(ctx, engine(ctx), redis=redis_choice)
        steps = _plan(state)
        expected = tuple(name for name, _generic, _step in steps)
        results: list[StepResult] = []
        for name, generic, step in steps:
            current = name
            limit = step_limits.get(generic, DEFAULT_LIMIT)
            result = _timed(name, generic, limit, step, state)
            results.append(result)
            if on_step is not None:
                on_step(result)
            if not result.ok:
                break
    except KeyboardInterrupt:
        _clean_up(state, root, keep)
        raise RehearsalInterrupted(current, root if keep else None) from None
    except BaseException:
        _clean_up(state, root, keep)
        raise
    _clean_up(state, root, keep)
    return RehearsalReport(tuple(results), expected)


class RehearsalInterrupted(KeyboardInterrupt):
    """Ctrl-C during a rehearsal, after everything it started was stopped and removed."""

    def __init__(self, step: str, kept: Path | None) -> None:
        super().__init__(step)
        self.step, self.kept = step, kept


def _clean_up(state: _Rehearsal | None, root: Path, keep: bool) -> None:
    """Stop what the engine started and remove the work folder, even on a second Ctrl-C.

    Commands run in their own sessions, so the terminal's Ctrl-C reaches only this
    process; stopping them is this function's job, and it must not be cut short.
    """
    ignoring = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if ignoring else None
    try:
        if state is not None:
            # Cleaning up is not a step: it gets its own time, whatever the last one left.
            state.ctx.clock.start("clean up", DEFAULT_LIMIT)
            try:
                state.engine.close()
            finally:
                # After the processes that use it: the throwaway Redis.
                state.resources.close()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    finally:
        if ignoring:
            signal.signal(signal.SIGINT, previous)


def _timed(
    name: str,
    generic: str,
    limit: float,
    step: Callable[[_Rehearsal], _Outcome],
    state: _Rehearsal,
) -> StepResult:
    """Run one step within its limit; any error becomes a failed step (the report is
    the product)."""
    start = time.monotonic()
    probe = state.database_probe() if generic in DATABASE_STEPS else None
    state.ctx.clock.start(name, limit, probe)
    summary = ""
    try:
        outcome, ok = step(state), True
        summary, detail = outcome if isinstance(outcome, tuple) else ("", outcome)
    except StepTimedOut as error:
        detail, ok = _timed_out(state, generic, limit, error), False
    except StepFailed as error:
        detail, ok = str(error) + _version_advice(state, generic, str(error)), False
    except Exception as error:  # reported, not hidden: the report is the product
        detail, ok = f"{type(error).__name__}: {error}", False
    seconds = time.monotonic() - start
    secrets = state.secret_values()
    return StepResult(name, ok, seconds, redact(detail, secrets), redact(summary, secrets))


# Steps that run the installed project: a failure there may come from what it installed.
_RUN_STEPS = ("build", "release", "check --deploy", "migrations", "web")


def _version_advice(state: _Rehearsal, generic: str, failure: str) -> str:
    """The packages the fresh install got at another major version than this machine
    has, unpinned (versions.py), for a failed step that ran the installed project."""
    if generic not in _RUN_STEPS or (generic == "build" and state.ctx.runtime.build_problems):
        return ""  # a build stopped for a known problem ran nothing installed
    try:
        deps = state.ctx.manager.dependencies(state.ctx.app)
        if deps.lock_file is not None:
            return ""
        result = state.engine.run(fill_all(versions.LIST_ARGV, state.values()), ".", {})
        fresh = versions.parse_listing(result.output)
        found = versions.moved(fresh, versions.local_versions(), deps)
        return versions.advice(versions.named_in(found, failure), deps.target)
    except Exception:  # a hint only: it must never hide the step's own failure
        return ""


def _timed_out(state: _Rehearsal, generic: str, limit: float, error: StepTimedOut) -> str:
    """The step's name and limit, what it was running, and what it waited for."""
    if not state.ctx.clock.expired():
        return str(error)  # one command ran past the per-command cap, not the step's limit
    return (
        f"The {generic} step is limited to {limit:.0f} s and its time ran out while it ran "
        f"{error.command}, which was stopped.\n"
        + (f"{error.cause}\n" if error.cause else "")
        + (f"Its output so far (last lines):\n{error.output}\n" if error.output else "")
        + "If it needs longer on your project, give it more time: "
        f"--rehearse-limit {generic}=SECONDS."
    )


# ---------------------------------------------------------------- steps


def _step_copy(state: _Rehearsal) -> str:
    """Extract HEAD (what a push sends) into the work folder; warn about uncommitted work."""
    root = state.ctx.root
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise StepFailed(f"The work folder {root} is not empty; give an empty one.")
    return extract_head(state.ctx.git_root, state.ctx.app, state.ctx.clock.remaining())


def _step_environment(state: _Rehearsal) -> str:
    return state.engine.prepare()


def _step_install(state: _Rehearsal) -> str:
    return state.engine.install()


def _run_commands(state: _Rehearsal, commands: tuple[Command, ...], phase: str) -> str:
    lines = []
    for command in commands:
        env = state.build_env(command) if phase == "build" else state.run_env(command)
        state.run(command, env)
        lines.append(display(fill_all(command.argv, state.values())))
    return "\n".join(lines) or "nothing to run"


def _step_build(state: _Rehearsal) -> str:
    if state.ctx.runtime.build_problems:
        raise StepFailed("\n".join(state.ctx.runtime.build_problems))
    if not state.engine.runs_build:
        commands = state.ctx.runtime.build
        ran = "\n".join(display(fill_all(c.argv, state.values())) for c in commands)
        return f"ran while the image was built:\n{ran or 'nothing to run'}"
    return _run_commands(state, state.ctx.runtime.build, "build")


def _step_release(state: _Rehearsal) -> str:
    return _run_commands(state, state.ctx.runtime.release, "release")


def _step_check(state: _Rehearsal) -> _Outcome:
    # `check --deploy` runs every system check (models, URLs, admin, templates)
    # and the deployment ones on top; a warning fails, as it would be ignored.
    command = state.manage("check", "--deploy", "--fail-level", "WARNING")
    argv = fill_all(command.argv, state.values())
    result = state.engine.run(argv, command.cwd, state.run_env(command))
    if result.returncode == 0 and "WARNINGS:" not in result.output:
        return tail(result.output)
    # Only warnings, each about a value the project's own files set: its choice.
    choices, others = chosen_settings.chosen(result.output, state.ctx.app)
    # Or a library's warning about something other than the deployment (an API schema).
    apart, others = chosen_settings.not_about_deployment(others)
    explained = {choice.warning for choice in choices} | {
        warning for warning in chosen_settings.warning_ids(result.output) if warning not in others
    }
    rest = [
        entry
        for entry in warnings_of(result.output)
        if not any(f"({warning})" in entry for warning in explained)
    ]
    # Or a warning the developer's own settings raise too (a deprecated setting).
    here = _warned_here_too(state, result.output) if rest else []
    errors = "ERRORS:" in result.output or "Traceback" in result.output
    if errors or [entry for entry in rest if entry not in here]:
        why = missing_static_dirs.causes(result.output, state.ctx.app, state.ctx.git_root)
        raise StepFailed("\n".join([*why, failure(argv, result)]))
    notes = [*(choice.note() for choice in choices), *apart]
    notes += [
        f"{entry} (your own settings warn the same: not about the deployment, so listed, "
        "not failed on)"
        for entry in here
    ]
    return "; ".join(notes), tail(result.output)


def _warned_here_too(state: _Rehearsal, output: str) -> list[str]:
    """The warnings of the platform's `check` that `check` under the developer's own
    settings prints too (own_settings); [] when that control cannot run."""
    command = Command(("{python}", "-c", CONTROL_SCRIPT), cwd=state.ctx.manage_dir)
    env = control_env(developer_environ(), state.ctx.database_url, [], check=True)
    try:
        result = state.engine.run(fill_all(command.argv, state.values()), command.cwd, env)
    except StepFailed:  # a timeout: no control, the warnings stand
        return []
    return checked_here_too(output, result.output)


def _step_migrations(state: _Rehearsal) -> _Outcome:
    """Model changes with no migration: the release step would not apply them."""
    command = state.manage("makemigrations", "--check", "--dry-run")
    argv = fill_all(command.argv, state.values())
    result = state.engine.run(argv, command.cwd, state.run_env(command))
    if result.returncode == 0:
        return f"{display(argv)}: every model change has its migration"
    if "Migrations for" in result.output:
        command = state.manage("shell", "-c", schema_changes.SCRIPT)
        read = schema_changes.parse(state.run(command, state.run_env(command)))
        if read is not None and read[1] and not read[0]:
            return (
                "changes with no SQL, not needed to deploy (run makemigrations to "
                "record them): " + "; ".join(read[1]),
                "Your models differ from the migrations only in what Django keeps in "
                "migration state (no column or table changes, so the release step and "
                "your pages are not affected):\n  "
                + "\n  ".join(read[1])
                + "\nRun `python manage.py makemigrations` when convenient to record them.",
            )
        packaged = schema_changes.installed_apps(result.output)
        if schema_changes.only_packaged_primary_keys(result.output):
            return (
                f"an installed package's primary keys differ ({', '.join(packaged)}), "
                "not the project's: nothing to deploy",
                "Only installed packages' models differ from their migrations, in the type "
                "of their primary keys (they follow your DEFAULT_AUTO_FIELD; their "
                "migrations were made with another). The database gets the columns their "
                "migrations make, and pages work as they do on your computer. Set "
                "`default_auto_field` on their AppConfig, or DEFAULT_AUTO_FIELD to what "
                "their migrations use, to silence makemigrations:\n" + tail(result.output),
            )
        advice = (
            "Run `python manage.py makemigrations`, commit the new migration files, "
            "and rehearse again."
        )
        if packaged:
            # makemigrations would write into site-packages: nothing to commit.
            where = (
                f"The changes to {', '.join(packaged)} are in an installed package: "
                "makemigrations would write inside it, which git and the platform never get. "
            )
            if "Alter field id on" in result.output:
                # Its app sets no default_auto_field: its models follow the project's
                # DEFAULT_AUTO_FIELD (BigAutoField by default since Django 6.0), its
                # migrations were made with AutoField.
                where += (
                    "Its primary keys follow your DEFAULT_AUTO_FIELD (Django 6.0 made "
                    'BigAutoField the default); set `DEFAULT_AUTO_FIELD = "django.db.models.'
                    'AutoField"` in your settings if its migrations use AutoField, '
                )
            advice = where + (
                "or run the Django release the package supports; then commit, and rehearse again."
            )
        raise StepFailed(
            "Your models have changes with no migration. The release step only applies "
            "the migrations you commit, so the database would not match the code, and "
            "pages using these models would fail:\n"
            f"{tail(result.output)}\n{advice}"
        )
    raise StepFailed(failure(argv, result))


def _step_web(state: _Rehearsal) -> str:
    """Start the web process and wait until it answers HTTP (any status).

    A listening port is not enough: gunicorn binds before its workers import the
    app, so a broken app accepts connections for a moment and then exits.
    """
    command = state.ctx.runtime.web
    # The port is chosen now, just before the web process binds it: one chosen when
    # the rehearsal began stayed free through the whole install and build, and another
    # rehearsal on this machine could take it (its server then answered for ours).
    state.engine.choose_web_port()
    argv = fill_all(command.argv, state.values())
    shown = state.engine.start_web(argv, command.cwd, state.run_env(command))
    address = state.engine.web_address()
    started = time.monotonic()
    clock = state.ctx.clock
    while not clock.expired():
        _raise_if_exited(state, shown)
        if http_checks.answers(address, state.ctx.runtime):
            waited = time.monotonic() - started
            return f"{shown}\nanswering on {address[0]}:{address[1]} after {waited:.1f}s"
        time.sleep(0.2)
    _raise_if_exited(state, shown)
    raise StepFailed(
        f"{shown} did not answer on {address[0]}:{address[1]} within the web step's "
        f"limit of {clock.limit:.0f} s:\n{state.web_log_tail()}\n"
        "If it needs longer to start on your project, give it more time: "
        "--rehearse-limit web=SECONDS."
    )


def _raise_if_exited(state: _Rehearsal, what: str, wait: float = 0.0) -> None:
    """A web process that exited fails with its own words (exit code, log), not a timeout.

    `wait`: a connection that broke may be the process dying; give it that long.
    """
    deadline = time.monotonic() + wait
    while True:
        code = state.engine.web_exit_code()
        if code is not None:
            raise StepFailed(f"{what} exited with code {code}:\n{state.web_log_tail()}")
        if time.monotonic() >= deadline:
            return
        time.sleep(0.1)


def _step_pages(state: _Rehearsal) -> tuple[str, str]:
    """Request what visitors will: the site's pages and every asset they reference."""
    site = state.site()
    runtime = state.ctx.runtime
    address = state.engine.web_address()

    def fetch(path: str) -> Response:
        try:
            return http_checks.fetch(address, runtime, path, timeout=PAGE_TIMEOUT)
        except (OSError, http.client.HTTPException) as error:
            _raise_if_exited(state, f"The web process (while answering GET {path})", wait=2)
            raise StepFailed(f"GET {path} failed: {error}\n{state.web_log_tail()}") from None

    start = ["/", site.login_url, site.admin_login]
    # Static and media files are requested as assets, not crawled as pages. An unset
    # MEDIA_URL reads as "/": that is the whole site, not a prefix to skip.
    prefixes = (urlsplit(url).path for url in (site.static_url, site.media_url))
    skip = [prefix for prefix in prefixes if prefix.strip("/")]
    result = crawl(fetch, runtime.host, [url for url in start if url], skip_pages=skip)
    summary = f"{len(result.pages)} pages, {len(result.assets)} assets"
    missing = absent_assets.absent(result.failures, site.static_url, state.ctx.app)
    rest = [failed for failed in result.failures if failed not in missing]
    empty = _empty_database_failures(state, rest)
    if rest and len(empty) < len(rest):
        raise StepFailed(_pages_failure(state, result))
    detail = _pages_detail(result, runtime.host)
    for path, cause in empty.items():
        # The code's own failure on an empty database, under the developer's settings too.
        summary += (
            f"; GET {path} answers 500 on an empty database with your own settings too "
            f"({cause}): your code's, not the deployment's"
        )
        detail += f"\nGET {path} fails on an empty database with your own settings too: {cause}"
    if missing:
        # Broken on the developer's computer too: the project's links, not the deploy.
        summary += (
            f"; {len(missing)} referenced but in no folder of your project (404 on your "
            "computer too): " + ", ".join(f.path for f in missing[:5])
        )
        lines = [f"  {failed.describe()}" for failed in missing]
        detail += "\nReferenced, but no file of the project holds them:\n" + "\n".join(lines)
    return summary, detail


def _pages_detail(result: Crawl, host: str) -> str:
    lines = [
        f"requested {len(result.pages)} pages and {len(result.assets)} assets "
        f"(Host: {host}) in {result.seconds:.1f}s"
        + (f"; stopped early: {result.stopped}" if result.stopped else "")
    ]
    lines += [f"  {r.status} {r.path}" for r in result.pages]
    return "\n".join(lines)


def _pages_failure(state: _Rehearsal, result: Crawl) -> str:
    failures = result.failures
    lines = [
        f"{len(failures)} of {len(result.requests)} requests failed "
        f"(Host: {state.ctx.runtime.host}); a visitor would hit:"
    ]
    lines += [f"  {failed.describe()}" for failed in failures[:20]]
    log = state.engine.web_log()
    errors = [f.path for f in failures if f.kind == "page"]
    reproduced = "" if "Traceback" in log or not errors else _reproduce(state, errors[:3])
    own = own_code_cause(log + reproduced, state.engine.placeholders().get("app_root", ""))
    if own and errors:
        # The project's own code raised: the first line a user (and a run's table) reads.
        lines.insert(
            0,
            f"{f'GET {errors[0]}' if len(errors) == 1 else 'A page'} answered 500 because "
            f"the project's own code raised {own}; "
            "the platform would answer the same: fix that code (a new site starts with "
            "an empty database, as this rehearsal does), commit, and rehearse again.",
        )
    for name in dict.fromkeys(_MISSING_MANIFEST.findall(log + reproduced)):
        lines.append(
            f"'{name}' is named in a template ({{% static %}}) but collectstatic did not "
            "collect it, so the page fails on the platform: add the file to an app's "
            "static/ folder or to STATICFILES_DIRS (or correct the name), commit, and "
            "rehearse again."
        )
    lines.append("The web process's log (its last lines):")
    lines.append(tail(log))
    if reproduced:
        lines.append(
            "The log has no traceback (the production settings do not log errors); "
            "the same request through Django's test client raised:"
        )
        lines.append(reproduced)
    return "\n".join(lines)


def _empty_database_failures(state: _Rehearsal, failures: list) -> dict[str, str]:
    """path -> cause, when every failure is a page the project's own code fails on the
    same way under the developer's settings on this empty database (empty_database);
    {} otherwise (then the step fails as before)."""
    paths = [failed.path for failed in failures if failed.kind == "page"]
    if not paths or len(paths) < len(failures):
        return {}
    app_root = state.engine.placeholders().get("app_root", "")
    platform = marked_sections(_reproduce_output(state, paths), _ERROR_MARKER)
    if not all(own_code_cause(text, app_root) for text in platform.values()):
        return {}
    command = Command(("{python}", "-c", CONTROL_SCRIPT), cwd=state.ctx.manage_dir)
    env = control_env(developer_environ(), state.ctx.database_url, paths)
    try:
        result = state.engine.run(fill_all(command.argv, state.values()), command.cwd, env)
    except StepFailed:  # a timeout: no control, the failure stands
        return {}
    causes = same_causes(platform, marked_sections(result.output, CONTROL_MARKER), app_root)
    return causes if len(causes) == len(paths) else {}


def _reproduce_output(state: _Rehearsal, paths: list[str]) -> str:
    """What Django's test client printed requesting `paths` in the platform's
    environment: a marker line per path, then its traceback if it raised."""
    runtime = state.ctx.runtime
    headers = {
        "HTTP_" + name.upper().replace("-", "_"): value
        for name, value in runtime.proxy_headers.items()
    }
    script = _REPRODUCE.format(
        args=json.dumps([runtime.host, headers, paths]), marker=_ERROR_MARKER
    )
    command = state.manage("shell", "-c", script)
    argv = fill_all(command.argv, state.values())
    try:
        return state.engine.run(argv, command.cwd, state.run_env(command)).output
    except StepFailed as error:  # a timeout
        return str(error)


def _reproduce(state: _Rehearsal, paths: list[str]) -> str:
    """The exception behind each failing page, from Django's test client in the engine."""
    sections = marked_sections(_reproduce_output(state, paths), _ERROR_MARKER)
    return "\n".join(
        f"GET {path}:\n{tail(text, 25)}" for path, text in sections.items() if "Traceback" in text
    )


def _step_static(state: _Rehearsal) -> _Outcome:
    site = state.site()
    if not site.static_root:
        raise StepFailed("STATIC_ROOT is not set in the platform's environment.")
    static_url = site.static_url or "/static/"
    if site.manifest is None:
        # The project's own storage without a manifest (kept by the settings block):
        # names are not hashed, so far-future caching would be wrong; check that the
        # files are served, compressed.
        return _unhashed_static(state, static_url, site.static_root)
    original, hashed = http_checks.pick_static(site.manifest)
    url = urlsplit(static_url).path.rstrip("/") + "/" + quote(hashed)
    status, headers = http_checks.get(
        state.engine.web_address(), state.ctx.runtime, url, {"Accept-Encoding": "gzip, br"}
    )
    encoding = headers.get("content-encoding", "")
    cache = headers.get("cache-control", "")
    detail = (
        f"{url} ({original}): {status}, Content-Encoding: {encoding or '-'}, "
        f"Cache-Control: {cache or '-'}"
    )
    expect_compressed = http_checks.compressible(original)
    long_cache = not site.own_immutable_test
    problems = http_checks.static_problems(status, encoding, cache, expect_compressed, long_cache)
    elsewhere = _redirected_elsewhere(status, headers.get("location", ""), state.ctx.runtime.host)
    if elsewhere:
        # simonwillisonblog sends *.herokuapp.com to its own domain: its code, not ours.
        problems = [
            f"the site redirects {state.ctx.runtime.host} to {elsewhere}, so it serves "
            "nothing on the platform's own host: your code (a middleware or a redirect "
            "setting) sends that host elsewhere. Let it answer on the platform's host "
            "until your domain points at the app, commit, and rehearse again."
        ]
    if problems:
        raise StepFailed(detail + "\n" + "\n".join(problems))
    if not long_cache:
        detail += " (your WHITENOISE_IMMUTABLE_FILE_TEST decides which files are cached forever)"
    if not expect_compressed:
        detail += " (WhiteNoise does not compress this type: no compressible file to check)"
    return detail


def _redirected_elsewhere(status: int, location: str, host: str) -> str:
    """The other host a redirect sends this host's request to; "" for anything else
    (a redirect on the same host, such as HTTPS or a trailing slash)."""
    if status not in (301, 302, 303, 307, 308) or not location:
        return ""
    target = urlsplit(location).hostname or ""
    return target if target and target != host.split(":")[0].lower() else ""


def _unhashed_static(state: _Rehearsal, static_url: str, static_root: str) -> _Outcome:
    original = http_checks.PREFERRED_STATIC
    url = urlsplit(static_url).path.rstrip("/") + "/" + quote(original)
    status, headers = http_checks.get(
        state.engine.web_address(), state.ctx.runtime, url, {"Accept-Encoding": "gzip, br"}
    )
    encoding = headers.get("content-encoding", "")
    detail = (
        f"{url}: {status}, Content-Encoding: {encoding or '-'} (no staticfiles.json in "
        f"{static_root}: a storage without hashed names)"
    )
    problems = http_checks.static_problems(status, encoding, "max-age=31536000")
    backend = state.site().static_backend
    if problems and status == 200 and not backend.startswith("whitenoise."):
        # The project's own storage, kept (pythondotorg's django-pipeline): it writes no
        # compressed copies, which only WhiteNoise's storages make. Its choice.
        note = (
            f"served uncompressed: your staticfiles storage {backend} writes no "
            "compressed copies (WhiteNoise's storages do)"
        )
        return note, f"{detail}; {note}"
    if problems:
        manifest = PurePosixPath(static_root) / "staticfiles.json"
        raise StepFailed(
            detail
            + "\n"
            + "\n".join(problems)
            + f"\nNo {manifest} either: collectstatic may not have run in the build step."
        )
    return detail


def _plan(state: _Rehearsal) -> tuple[tuple[str, str, Callable[[_Rehearsal], _Outcome]], ...]:
    """(name shown, generic name for limits, step) in order, for this runtime and engine.

    Redis starts before the build (settings may read its URL at import); the
    processes beside web start once the site answers, then a task goes to a
    worker and a websocket opens, so the channel worker can answer it.
    """
    runtime = state.ctx.runtime
    labels = state.engine.labels
    steps: list[tuple[str, str, Callable[[_Rehearsal], _Outcome]]] = []
    for name, step in _STEPS:
        if name == "build" and runtime.needs_redis:
            steps.append(("redis", "redis", service_steps.step_redis))
        steps.append((labels.get(name, name), name, step))
    for process in runtime.processes:
        steps.append(
            (
                workers.step_name(process),
                "process",
                lambda s, process=process: service_steps.step_process(s, process),
            )
        )
    probe = workers.find_probe(runtime.processes)
    if probe is not None:
        steps.append(("task", "task", lambda s: service_steps.step_task(s, probe)))
    if runtime.websocket_path:
        steps.append(("websocket", "websocket", service_steps.step_websocket))
    steps += [
        (name, name, lambda _state, function=function: function())
        for name, function in state.engine.extra_steps
    ]
    return tuple(steps)


_STEPS: tuple[tuple[str, Callable[[_Rehearsal], _Outcome]], ...] = tuple(
    zip(
        STEP_NAMES,
        (
            _step_copy,
            _step_environment,
            _step_install,
            _step_build,
            _step_release,
            _step_check,
            _step_migrations,
            _step_web,
            _step_pages,
            _step_static,
        ),
        strict=True,
    )
)
