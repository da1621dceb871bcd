"""Rehearsal: do locally what the platform will do, before the user pushes.

After configuring a project we replay the platform's side of a deployment on
this machine: copy the committed project (the platform only ever sees commits),
install the locked dependencies into a fresh virtual environment, run the
build and release steps with the platform's environment variables, check the
deployment settings, start the web process exactly as declared and fetch a page
and a static file over HTTP. Each step is timed and reported pass/fail, so a
problem shows up here, with its output, instead of in a remote build log.

Everything is generic: the platform plugin declares a `Runtime`, the package
manager declares its `install_steps`; this module only fills placeholders and
runs commands (argument lists, never a shell).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from .package_managers import PackageManager
from .runtime import Command, Runtime

__all__ = ["StepResult", "RehearsalReport", "rehearse", "STEP_NAMES"]

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

TAIL_LINES = 40
WEB_START_SECONDS = 30.0
HTTP_TIMEOUT = 30.0
ONE_YEAR = 31536000
REDACTED = "[redacted]"

IS_WINDOWS = os.name == "nt"

# The caller's environment is a running Django process: its settings module,
# virtual environment and import path must not leak into the rehearsal. Keep
# only what a fresh login shell has, the package caches (fast repeat installs)
# and what is needed to reach the package index (proxies, TLS roots, mirrors).
_KEEP_ENV = (
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "PIP_CACHE_DIR",
    "UV_CACHE_DIR",
    "POETRY_CACHE_DIR",
    "PIPENV_CACHE_DIR",
    "XDG_CACHE_HOME",
    "npm_config_cache",  # npm's package cache (the asset build's `npm ci`)
)
_KEEP_ENV_WINDOWS = (
    "SYSTEMROOT",
    "PATHEXT",
    "TEMP",
    "TMP",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
)
_KEEP_ENV_NETWORK = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "PIP_CERT",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_TRUSTED_HOST",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
    "UV_FIND_LINKS",
    "PIPENV_PYPI_MIRROR",
)

_STATIC_MARKER = "SIMPLE_DEPLOY_REHEARSAL_STATIC="
_STATIC_PROBE = (
    "import json; from django.conf import settings; "
    f"print({_STATIC_MARKER!r} + json.dumps("
    "[str(settings.STATIC_ROOT or ''), str(settings.STATIC_URL or '')]))"
)
_PREFERRED_STATIC = "admin/css/base.css"


@dataclass(frozen=True)
class StepResult:
    """One rehearsed step: `detail` says what ran and, on failure, why (output tail)."""

    name: str
    ok: bool
    seconds: float
    detail: str


@dataclass(frozen=True)
class RehearsalReport:
    """The steps that ran, in order; the first failing step is the last one."""

    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        """True only if every step ran and passed."""
        return len(self.steps) == len(STEP_NAMES) and all(step.ok for step in self.steps)

    @property
    def failed(self) -> StepResult | None:
        return next((step for step in self.steps if not step.ok), None)


class _StepFailed(Exception):
    """A step did not pass; the message is the step's detail."""


@dataclass
class _Rehearsal:
    """State shared by the steps of one rehearsal (mutable: the web process comes and goes)."""

    git_root: Path
    manage_dir: str
    manager: PackageManager
    runtime: Runtime
    python: str
    timeout: float
    root: Path
    database_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    port: int = 0
    web: subprocess.Popen[str] | None = None

    @property
    def app(self) -> Path:
        return self.root / "app"

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def bin_dir(self) -> Path:
        return self.venv / ("Scripts" if IS_WINDOWS else "bin")

    @property
    def venv_python(self) -> Path:
        return self.bin_dir / ("python.exe" if IS_WINDOWS else "python")

    @property
    def manage_path(self) -> Path:
        return _join(self.app, self.manage_dir)

    @property
    def web_log(self) -> Path:
        return self.root / "web.log"

    def placeholders(self) -> dict[str, str]:
        return {
            "port": str(self.port),
            "python": str(self.venv_python),
            "venv": str(self.venv),
            "app_root": str(self.app),
            "database_url": self.database_url,
            "secret_key": self.secret_key,
            "host": self.runtime.host,
        }

    def secret_values(self) -> list[str]:
        """Values that must never appear in a report."""
        password = urlsplit(self.database_url).password
        return [value for value in (self.secret_key, password) if value]


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
) -> RehearsalReport:
    """Replay the platform's install, build, release and web steps on the committed project.

    `manage_dir` is the folder holding manage.py, relative to `git_root` (POSIX form).
    Without `database_url`, release runs against a SQLite file in the temp folder.
    `python` creates the virtual environment. `on_step` sees each result as it
    completes (progress display). `workdir` (empty or missing) is used instead of
    a temp folder and kept for inspection. `timeout` bounds each command.
    Steps stop at the first failure; the web process and temp folder are always
    cleaned up.
    """
    keep = workdir is not None
    root = Path(workdir) if keep else Path(tempfile.mkdtemp(prefix="simple-deploy-rehearsal-"))
    root = root.resolve()
    state = _Rehearsal(
        git_root=Path(git_root).resolve(),
        manage_dir=manage_dir,
        manager=manager,
        runtime=runtime,
        python=python,
        timeout=timeout,
        root=root,
        database_url=database_url or f"sqlite:///{(root / 'db.sqlite3').as_posix()}",
        port=_free_port(),
    )
    results: list[StepResult] = []
    try:
        for name, step in _STEPS:
            result = _timed(name, step, state)
            results.append(result)
            if on_step is not None:
                on_step(result)
            if not result.ok:
                break
    finally:
        _stop_web(state)
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    return RehearsalReport(tuple(results))


def _timed(name: str, step: Callable[[_Rehearsal], str], state: _Rehearsal) -> StepResult:
    """Run one step; any error becomes a failed step (the report is the product)."""
    start = time.monotonic()
    try:
        detail, ok = step(state), True
    except _StepFailed as error:
        detail, ok = str(error), False
    except Exception as error:  # reported, not hidden: the report is the product
        detail, ok = f"{type(error).__name__}: {error}", False
    seconds = time.monotonic() - start
    return StepResult(name, ok, seconds, _redact(detail, state.secret_values()))


# ---------------------------------------------------------------- steps


def _step_copy(state: _Rehearsal) -> str:
    """Extract HEAD (what a push sends) into the work folder; warn about uncommitted work."""
    state.root.mkdir(parents=True, exist_ok=True)
    if any(state.root.iterdir()):
        raise _StepFailed(f"The work folder {state.root} is not empty; give an empty one.")
    git = _which("git", os.environ.get("PATH"))
    status = _run_checked([git, "status", "--porcelain"], cwd=state.git_root, state=state)
    # The platform receives the committed blobs. With core.autocrlf=true (Git for
    # Windows' default) `git archive` would write CRLF, as a checkout does; a CRLF
    # shell script or Procfile that passes here could then hide a real failure.
    archive = subprocess.run(
        [git, "-c", "core.autocrlf=false", "archive", "--format=tar", "HEAD"],
        cwd=state.git_root,
        capture_output=True,
        timeout=state.timeout,
        check=False,
    )
    if archive.returncode != 0:
        raise _StepFailed("git archive HEAD failed:\n" + _tail(_decode(archive.stderr)))
    _extract(archive.stdout, state.app)
    return _copy_detail(state, status)


def _step_environment(state: _Rehearsal) -> str:
    env = _base_env(state)
    argv = _venv_argv(state, env)
    _run_checked(argv, cwd=state.root, state=state, env=env)
    return _display(argv)


def _venv_argv(state: _Rehearsal, env: Mapping[str, str]) -> list[str]:
    """`uv venv --seed` when uv is installed, else `python -m venv`: the same virtual
    environment (with pip, for the managers that install with it), but uv seeds pip
    from its cache in a fraction of a second where ensurepip takes seconds, and this
    was the largest step of a rehearsal (see benchmarks/README.md)."""
    uv = shutil.which("uv", path=env.get("PATH"))
    if uv is None:
        return [state.python, "-m", "venv", str(state.venv)]
    return [uv, "venv", "--seed", "--quiet", "--python", state.python, str(state.venv)]


def _step_install(state: _Rehearsal) -> str:
    lines = []
    for install in state.manager.install_steps:
        env = _base_env(state) | _fill_map(install.env, state)
        argv = _resolve(_fill_all(install.argv, state), env)
        _run_checked(argv, cwd=state.app, state=state, env=env)
        lines.append(_display(argv))
    return "\n".join(lines) or f"{state.manager.label}: nothing to install"


def _step_build(state: _Rehearsal) -> str:
    return _run_commands(state.runtime.build, state, _build_env(state))


def _step_release(state: _Rehearsal) -> str:
    return _run_commands(state.runtime.release, state, _run_env(state))


def _step_check(state: _Rehearsal) -> str:
    argv = [str(state.venv_python), "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = _run(argv, cwd=state.manage_path, env=_run_env(state), timeout=state.timeout)
    if result.returncode != 0 or "WARNINGS:" in result.output:
        raise _StepFailed(_failure(argv, result))
    return _tail(result.output)


def _step_web(state: _Rehearsal) -> str:
    """Start the web process and wait until it answers HTTP (any status).

    A listening port is not enough: gunicorn binds before its workers import the
    app, so a broken app accepts connections for a moment and then exits.
    """
    command = state.runtime.web
    env = _run_env(state) | _fill_map(command.env, state)
    argv = _resolve(_fill_all(command.argv, state), env)
    state.web = _start(argv, cwd=_join(state.app, command.cwd), env=env, log=state.web_log)
    started = time.monotonic()
    deadline = started + WEB_START_SECONDS
    while time.monotonic() < deadline:
        if state.web.poll() is not None:
            raise _StepFailed(_web_exited(argv, state))
        if _answers(state):
            waited = time.monotonic() - started
            return f"{_display(argv)}\nanswering on 127.0.0.1:{state.port} after {waited:.1f}s"
        time.sleep(0.2)
    raise _StepFailed(
        f"{_display(argv)} did not answer on 127.0.0.1:{state.port} within "
        f"{WEB_START_SECONDS:.0f}s:\n{_tail(_read(state.web_log))}"
    )


def _step_get_root(state: _Rehearsal) -> str:
    status, _headers = _get(state, "/")
    if status >= 500:
        raise _StepFailed(f"GET / answered {status}:\n{_tail(_read(state.web_log))}")
    return f"GET / (Host: {state.runtime.host}) answered {status}"


def _step_static(state: _Rehearsal) -> str:
    static_root, static_url = _static_settings(state)
    original, hashed = _pick_static(static_root)
    url = urlsplit(static_url).path.rstrip("/") + "/" + quote(hashed)
    status, headers = _get(state, url, {"Accept-Encoding": "gzip, br"})
    encoding = headers.get("content-encoding", "")
    cache = headers.get("cache-control", "")
    detail = (
        f"{url} ({original}): {status}, Content-Encoding: {encoding or '-'}, "
        f"Cache-Control: {cache or '-'}"
    )
    problems = _static_problems(status, encoding, cache)
    if problems:
        raise _StepFailed(detail + "\n" + "\n".join(problems))
    return detail


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


# ---------------------------------------------------------------- copy helpers


def _extract(data: bytes, dest: Path) -> None:
    """Unpack a tar archive, keeping executable bits; refuse paths escaping `dest`."""
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(dest, filter="data")
        else:  # Python without extraction filters (before 3.10.12 / 3.11.4)
            archive.extractall(dest)


def _copy_detail(state: _Rehearsal, status: str) -> str:
    git = _which("git", os.environ.get("PATH"))
    head = _run_checked([git, "rev-parse", "--short", "HEAD"], cwd=state.git_root, state=state)
    detail = f"copied commit {head.strip()} to {state.app}"
    changes = [line for line in status.splitlines() if line.strip()]
    if not changes:
        return detail
    shown = "\n".join(changes[:10]) + ("\n..." if len(changes) > 10 else "")
    return (
        f"{detail}\nuncommitted changes: rehearsing the last commit; "
        f"commit your changes to include them:\n{shown}"
    )


# ---------------------------------------------------------------- environment


def _base_env(state: _Rehearsal) -> dict[str, str]:
    """A clean environment: nothing from the caller's Django process leaks in."""
    names = _KEEP_ENV + _KEEP_ENV_NETWORK + (_KEEP_ENV_WINDOWS if IS_WINDOWS else ())
    env = {name: os.environ[name] for name in names if name in os.environ}
    path = os.environ.get("PATH", os.defpath)
    env["PATH"] = os.pathsep.join([str(state.bin_dir), path])
    return env


def _platform_path(path: str) -> str:
    """PATH without the caller's own virtual environment.

    The platform has only what the lock file installs: a web server or driver
    that happens to be installed where `manage.py deploy` runs must not make a
    broken install pass. The package managers are still found for installing.
    """
    own = {os.path.normcase(str(Path(sys.prefix) / ("Scripts" if IS_WINDOWS else "bin")))}
    if os.environ.get("VIRTUAL_ENV"):
        venv = Path(os.environ["VIRTUAL_ENV"]) / ("Scripts" if IS_WINDOWS else "bin")
        own.add(os.path.normcase(str(venv)))
    if sys.prefix == sys.base_prefix and not os.environ.get("VIRTUAL_ENV"):
        return path
    kept = [part for part in path.split(os.pathsep) if os.path.normcase(part) not in own]
    return os.pathsep.join(kept)


def _build_env(state: _Rehearsal) -> dict[str, str]:
    env = _base_env(state)
    env["PATH"] = _platform_path(env["PATH"])
    return env | _fill_map(state.runtime.env, state)


def _run_env(state: _Rehearsal) -> dict[str, str]:
    env = _build_env(state) | _fill_map(state.runtime.run_env, state)
    if state.runtime.derived_env is not None:
        env |= dict(state.runtime.derived_env(state.placeholders()))
    return env


def _fill(text: str, state: _Rehearsal) -> str:
    """Replace known {placeholders} only: other braces (JSON, format strings) stay."""
    for name, value in state.placeholders().items():
        text = text.replace("{" + name + "}", value)
    return text


def _fill_all(items: Iterable[str], state: _Rehearsal) -> list[str]:
    return [_fill(item, state) for item in items]


def _fill_map(mapping: Mapping[str, str], state: _Rehearsal) -> dict[str, str]:
    return {key: _fill(value, state) for key, value in mapping.items()}


def _resolve(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """Find argv[0] on the command's own PATH (venv first; `.exe`/`.cmd` on Windows)."""
    if not argv:
        raise _StepFailed("empty command")
    return [_which(argv[0], env.get("PATH")), *argv[1:]]


def _which(program: str, path: str | None) -> str:
    found = shutil.which(program, path=path)
    if found is None:
        raise _StepFailed(f"{program}: command not found on PATH")
    return found


def _join(root: Path, relative: str) -> Path:
    return root.joinpath(*PurePosixPath(relative).parts)


# ---------------------------------------------------------------- processes


@dataclass(frozen=True)
class _Result:
    returncode: int
    output: str


def _session_options() -> dict[str, object]:
    """Run children in their own process group so they and their workers can be stopped."""
    if IS_WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _run(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> _Result:
    """Run a command to completion: stdout and stderr together, decoded leniently."""
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        encoding="utf-8",
        errors="replace",
        **_session_options(),
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        output, _ = proc.communicate()
        raise _StepFailed(
            f"{_display(argv)} timed out after {timeout:.0f}s:\n{_tail(output or '')}"
        ) from None
    return _Result(proc.returncode, output or "")


def _run_checked(
    argv: Sequence[str],
    *,
    cwd: Path,
    state: _Rehearsal,
    env: Mapping[str, str] | None = None,
) -> str:
    result = _run(argv, cwd=cwd, env=os.environ if env is None else env, timeout=state.timeout)
    if result.returncode != 0:
        raise _StepFailed(_failure(argv, result))
    return result.output


def _run_commands(commands: Sequence[Command], state: _Rehearsal, base: dict[str, str]) -> str:
    lines = []
    for command in commands:
        env = base | _fill_map(command.env, state)
        argv = _resolve(_fill_all(command.argv, state), env)
        _run_checked(argv, cwd=_join(state.app, command.cwd), state=state, env=env)
        lines.append(_display(argv))
    return "\n".join(lines) or "nothing to run"


def _start(argv: list[str], *, cwd: Path, env: Mapping[str, str], log: Path) -> subprocess.Popen:
    """Start a long-running process writing to `log` (a file never fills up like a pipe)."""
    with open(log, "w", encoding="utf-8") as out:
        return subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            **_session_options(),
        )


def _kill_group(proc: subprocess.Popen, sig: int | None = None) -> None:
    if IS_WINDOWS:
        if sig is None:
            proc.kill()
        else:
            proc.terminate()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL if sig is None else sig)
    except ProcessLookupError:
        pass


def _stop_web(state: _Rehearsal) -> None:
    """Terminate the web process group (master and workers); kill it if it lingers."""
    proc = state.web
    if proc is None:
        return
    _kill_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    _kill_group(proc)  # stray workers, or a master that ignored SIGTERM
    proc.wait()
    state.web = None


def _web_exited(argv: Sequence[str], state: _Rehearsal) -> str:
    code = state.web.returncode if state.web else None
    return f"{_display(argv)} exited with code {code}:\n{_tail(_read(state.web_log))}"


# ---------------------------------------------------------------- HTTP


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(
    state: _Rehearsal,
    path: str,
    extra: Mapping[str, str] | None = None,
    timeout: float = HTTP_TIMEOUT,
) -> tuple[int, dict[str, str]]:
    """GET `path` as the platform's router would send it: public Host, proxy headers."""
    headers = {"Host": state.runtime.host, **state.runtime.proxy_headers, **(extra or {})}
    conn = http.client.HTTPConnection("127.0.0.1", state.port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, {key.lower(): value for key, value in response.getheaders()}
    finally:
        conn.close()


def _answers(state: _Rehearsal) -> bool:
    try:
        _get(state, "/", timeout=2)
    except (OSError, http.client.HTTPException):
        return False
    return True


# ---------------------------------------------------------------- static files


def _static_settings(state: _Rehearsal) -> tuple[Path, str]:
    """STATIC_ROOT and STATIC_URL as the app sees them in the platform's environment."""
    argv = [str(state.venv_python), "manage.py", "shell", "-c", _STATIC_PROBE]
    output = _run_checked(argv, cwd=state.manage_path, state=state, env=_run_env(state))
    line = next((x for x in output.splitlines() if x.startswith(_STATIC_MARKER)), None)
    if line is None:
        raise _StepFailed("could not read STATIC_ROOT and STATIC_URL:\n" + _tail(output))
    static_root, static_url = json.loads(line[len(_STATIC_MARKER) :])
    if not static_root:
        raise _StepFailed("STATIC_ROOT is not set in the platform's environment.")
    return state.manage_path / static_root, static_url or "/static/"


def _pick_static(static_root: Path) -> tuple[str, str]:
    """An (original, hashed) pair from the manifest: admin's base.css if present."""
    manifest = static_root / "staticfiles.json"
    if not manifest.is_file():
        raise _StepFailed(
            f"No {manifest}: collectstatic with a manifest storage (WhiteNoise's "
            "CompressedManifestStaticFilesStorage) did not run in the build step."
        )
    paths: dict[str, str] = json.loads(manifest.read_text(encoding="utf-8")).get("paths", {})
    if not paths:
        raise _StepFailed(f"{manifest} lists no files.")
    if _PREFERRED_STATIC in paths:
        return _PREFERRED_STATIC, paths[_PREFERRED_STATIC]
    ranked = sorted(paths, key=lambda name: (not name.endswith((".css", ".js")), name))
    return ranked[0], paths[ranked[0]]


def _static_problems(status: int, encoding: str, cache: str) -> list[str]:
    problems = []
    if status != 200:
        problems.append(f"expected status 200, got {status}")
    if encoding not in ("gzip", "br"):
        problems.append("not compressed: expected Content-Encoding gzip or br")
    match = re.search(r"max-age=(\d+)", cache)
    if not match or int(match.group(1)) < ONE_YEAR:
        problems.append(f"not cached for long: expected max-age >= {ONE_YEAR}")
    return problems


# ---------------------------------------------------------------- text


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _display(argv: Sequence[str]) -> str:
    return " ".join(argv)


def _failure(argv: Sequence[str], result: _Result) -> str:
    return f"{_display(argv)} exited with code {result.returncode}:\n{_tail(result.output)}"


def _redact(text: str, values: Iterable[str]) -> str:
    for value in values:
        text = text.replace(value, REDACTED)
    return text
