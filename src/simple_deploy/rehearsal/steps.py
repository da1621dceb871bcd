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

import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from ..package_managers import PackageManager
from ..runtime import Command, Runtime
from . import http_checks
from .commit import extract_head
from .engine import Context, Engine
from .environment import build_vars, fill_all, fill_map, run_vars
from .processes import failure
from .report import RehearsalReport, StepFailed, StepResult
from .text import display, redact, tail
from .venv import VenvEngine

__all__ = ["STEP_NAMES", "rehearse"]

STEP_NAMES = (
    "copy",
    "environment",
    "install",
    "build",
    "release",
    "check --deploy",
    "web",
    "GET /",
    "static file",
)

WEB_START_SECONDS = 30.0

_STATIC_MARKER = "SIMPLE_DEPLOY_REHEARSAL_STATIC="
# Run in the platform's environment: STATIC_ROOT, STATIC_URL and the manifest's
# entries as the app sees them (read inside the engine, so a container works too).
_STATIC_PROBE = (
    "import json, pathlib; from django.conf import settings; "
    "root = pathlib.Path(str(settings.STATIC_ROOT or '')); "
    "manifest = root / 'staticfiles.json'; "
    "paths = json.loads(manifest.read_text(encoding='utf-8')).get('paths', {}) "
    "if settings.STATIC_ROOT and manifest.is_file() else None; "
    f"print({_STATIC_MARKER!r} + json.dumps("
    "[str(settings.STATIC_ROOT or ''), str(settings.STATIC_URL or ''), paths]))"
)


@dataclass
class _Rehearsal:
    """One rehearsal: its facts (Context) and the engine running it."""

    ctx: Context
    engine: Engine

    def values(self) -> dict[str, str]:
        """Placeholder values: the Context's, then the engine's (it knows its paths, port)."""
        return self.ctx.placeholders() | self.engine.placeholders()

    def build_env(self, command: Command) -> dict[str, str]:
        values = self.values()
        return build_vars(self.ctx.runtime, values) | fill_map(command.env, values)

    def run_env(self, command: Command) -> dict[str, str]:
        values = self.values()
        return run_vars(self.ctx.runtime, values) | fill_map(command.env, values)

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

    def web_log_tail(self) -> str:
        return tail(self.engine.web_log())


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
    timeout: float = 600,
    engine: Callable[[Context], Engine] = VenvEngine,
) -> RehearsalReport:
    """Replay the platform's install, build, release and web steps on the committed project.

    `manage_dir` is the folder holding manage.py, relative to `git_root` (POSIX form).
    Without `database_url`, release runs against a SQLite file in the temp folder.
    `python` creates the virtual environment. `on_step` sees each result as it
    completes (progress display). `workdir` (empty or missing) is used instead of
    a temp folder and kept for inspection. `timeout` bounds each command.
    `engine` makes the engine the steps run in (default: a virtual environment).
    Steps stop at the first failure; the web process and temp folder are always
    cleaned up.
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
        database_url=database_url or f"sqlite:///{(root / 'db.sqlite3').as_posix()}",
    )
    state = _Rehearsal(ctx, engine(ctx))
    labels = state.engine.labels
    extra = tuple(
        (name, lambda _state, function=function: function())
        for name, function in state.engine.extra_steps
    )
    steps = tuple((labels.get(name, name), step) for name, step in _STEPS) + extra
    expected = tuple(name for name, _step in steps)
    results: list[StepResult] = []
    try:
        for name, step in steps:
            result = _timed(name, step, state)
            results.append(result)
            if on_step is not None:
                on_step(result)
            if not result.ok:
                break
    finally:
        state.engine.close()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    return RehearsalReport(tuple(results), expected)


def _timed(name: str, step: Callable[[_Rehearsal], str], state: _Rehearsal) -> StepResult:
    """Run one step; any error becomes a failed step (the report is the product)."""
    start = time.monotonic()
    try:
        detail, ok = step(state), True
    except StepFailed as error:
        detail, ok = str(error), False
    except Exception as error:  # reported, not hidden: the report is the product
        detail, ok = f"{type(error).__name__}: {error}", False
    seconds = time.monotonic() - start
    return StepResult(name, ok, seconds, redact(detail, state.ctx.secret_values()))


# ---------------------------------------------------------------- steps


def _step_copy(state: _Rehearsal) -> str:
    """Extract HEAD (what a push sends) into the work folder; warn about uncommitted work."""
    root = state.ctx.root
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise StepFailed(f"The work folder {root} is not empty; give an empty one.")
    return extract_head(state.ctx.git_root, state.ctx.app, state.ctx.timeout)


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
    if not state.engine.runs_build:
        commands = state.ctx.runtime.build
        ran = "\n".join(display(fill_all(c.argv, state.values())) for c in commands)
        return f"ran while the image was built:\n{ran or 'nothing to run'}"
    return _run_commands(state, state.ctx.runtime.build, "build")


def _step_release(state: _Rehearsal) -> str:
    return _run_commands(state, state.ctx.runtime.release, "release")


def _step_check(state: _Rehearsal) -> str:
    command = state.manage("check", "--deploy", "--fail-level", "WARNING")
    argv = fill_all(command.argv, state.values())
    result = state.engine.run(argv, command.cwd, state.run_env(command))
    if result.returncode != 0 or "WARNINGS:" in result.output:
        raise StepFailed(failure(argv, result))
    return tail(result.output)


def _step_web(state: _Rehearsal) -> str:
    """Start the web process and wait until it answers HTTP (any status).

    A listening port is not enough: gunicorn binds before its workers import the
    app, so a broken app accepts connections for a moment and then exits.
    """
    command = state.ctx.runtime.web
    argv = fill_all(command.argv, state.values())
    shown = state.engine.start_web(argv, command.cwd, state.run_env(command))
    address = state.engine.web_address()
    started = time.monotonic()
    deadline = started + WEB_START_SECONDS
    while time.monotonic() < deadline:
        code = state.engine.web_exit_code()
        if code is not None:
            raise StepFailed(f"{shown} exited with code {code}:\n{state.web_log_tail()}")
        if http_checks.answers(address, state.ctx.runtime):
            waited = time.monotonic() - started
            return f"{shown}\nanswering on {address[0]}:{address[1]} after {waited:.1f}s"
        time.sleep(0.2)
    raise StepFailed(
        f"{shown} did not answer on {address[0]}:{address[1]} within "
        f"{WEB_START_SECONDS:.0f}s:\n{state.web_log_tail()}"
    )


def _step_get_root(state: _Rehearsal) -> str:
    status, _headers = http_checks.get(state.engine.web_address(), state.ctx.runtime, "/")
    if status >= 500:
        raise StepFailed(f"GET / answered {status}:\n{state.web_log_tail()}")
    return f"GET / (Host: {state.ctx.runtime.host}) answered {status}"


def _step_static(state: _Rehearsal) -> str:
    _root, static_url, paths = _static_settings(state)
    original, hashed = http_checks.pick_static(paths)
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
    problems = http_checks.static_problems(status, encoding, cache)
    if problems:
        raise StepFailed(detail + "\n" + "\n".join(problems))
    return detail


def _static_settings(state: _Rehearsal) -> tuple[str, str, dict[str, str] | None]:
    """STATIC_ROOT, STATIC_URL and the manifest as the app sees them on the platform."""
    command = state.manage("shell", "-c", _STATIC_PROBE)
    output = state.run(command, state.run_env(command))
    line = next((x for x in output.splitlines() if x.startswith(_STATIC_MARKER)), None)
    if line is None:
        raise StepFailed("could not read STATIC_ROOT and STATIC_URL:\n" + tail(output))
    static_root, static_url, paths = json.loads(line[len(_STATIC_MARKER) :])
    if not static_root:
        raise StepFailed("STATIC_ROOT is not set in the platform's environment.")
    if paths is None:
        manifest = PurePosixPath(static_root) / "staticfiles.json"
        raise StepFailed(
            f"No {manifest}: collectstatic with a manifest storage (WhiteNoise's "
            "CompressedManifestStaticFilesStorage) did not run in the build step."
        )
    return static_root, static_url or "/static/", paths


_STEPS: tuple[tuple[str, Callable[[_Rehearsal], str]], ...] = tuple(
    zip(
        STEP_NAMES,
        (
            _step_copy,
            _step_environment,
            _step_install,
            _step_build,
            _step_release,
            _step_check,
            _step_web,
            _step_get_root,
            _step_static,
        ),
        strict=True,
    )
)
