"""Serve a configured project the way its platform starts it, and put a bounded load on it.

The build and release commands and the web command come from the plugin's
`Runtime` (the same declaration the rehearsal replays), run with this
interpreter's environment, which holds the production packages
(gunicorn, whitenoise, dj-database-url, psycopg from the `test` extra). Load
goes to 127.0.0.1 only, bounded in count and in time.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from simple_deploy import plugins
from simple_deploy.project import inspect
from simple_deploy.runtime import Command, Runtime

CLIENTS = 4
MAX_SECONDS = 20.0
ONE_YEAR = 31536000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fill(text: str, values: Mapping[str, str]) -> str:
    # Only the placeholders runtime.Command documents; other braces stay.
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _env(runtime: Runtime, values: Mapping[str, str], *, run: bool) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {k: os.environ[k] for k in ("HOME", "LANG", "TMPDIR") if k in os.environ}
    env["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", os.defpath)
    env |= {k: _fill(v, values) for k, v in runtime.env.items()}
    if run:
        env |= {k: _fill(v, values) for k, v in runtime.run_env.items()}
        if runtime.derived_env is not None:
            env |= dict(runtime.derived_env(values))
    return env


def _argv(command: Command, values: Mapping[str, str], env: Mapping[str, str]) -> list[str]:
    argv = [_fill(a, values) for a in command.argv]
    return [shutil.which(argv[0], path=env["PATH"]) or argv[0], *argv[1:]]


def _run(command: Command, root: Path, values, env) -> None:
    env = {**env, **{k: _fill(v, values) for k, v in command.env.items()}}
    out = subprocess.run(
        _argv(command, values, env), cwd=root / command.cwd, env=env, capture_output=True
    )
    if out.returncode != 0:
        raise SystemExit(f"{command.display()} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")


def _get(port: int, host: str, path: str, headers: Mapping[str, str]) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host, **headers})
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def _wait(port: int, host: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the web process exited with {proc.returncode}")
        try:
            _get(port, host, "/", {})
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the web process did not answer within 30 s")


def _load(port: int, host: str, path: str, headers: Mapping[str, str], total: int) -> dict:
    """`total` requests from CLIENTS threads; stops early after MAX_SECONDS."""
    counts = {"done": 0, "errors": 0}
    lock = threading.Lock()
    start = time.perf_counter()
    per_client = max(1, total // CLIENTS)

    def client() -> None:
        for _ in range(per_client):
            if time.perf_counter() - start > MAX_SECONDS:
                return
            try:
                _get(port, host, path, headers)
                key = "done"
            except (OSError, http.client.HTTPException):
                key = "errors"
            with lock:
                counts[key] += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return {"requests": counts["done"], "errors": counts["errors"], "rps": counts["done"] / seconds}


def _static_path(root: Path) -> str:
    """The hashed URL of admin's base.css, from the manifest collectstatic wrote."""
    manifest = next(root.rglob("staticfiles.json"))
    paths = json.loads(manifest.read_text("utf-8"))["paths"]
    return "/static/" + paths.get("admin/css/base.css", next(iter(paths.values())))


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def measure(root: Path, manage_dir: Path, name: str, requests: int, workdir: Path) -> list[dict]:
    """Build, release and start `name`'s web process for the project; load / and a static file."""
    runtime = plugins.load(name).runtime(inspect(manage_dir))
    port = _free_port()
    values = {
        "port": str(port),
        "python": sys.executable,
        "venv": sys.prefix,
        "app_root": str(root),
        # PostgreSQL when given (Platform.sh's settings need it), else a SQLite file.
        "database_url": os.environ.get("DATABASE_URL")
        or f"sqlite:///{(workdir / f'serve-{port}.sqlite3').as_posix()}",
        "secret_key": secrets.token_urlsafe(50),
        "host": runtime.host,
    }
    for command in runtime.build:
        _run(command, root, values, _env(runtime, values, run=False))
    run_env = _env(runtime, values, run=True)
    for command in runtime.release:
        _run(command, root, values, run_env)
    web = runtime.web
    env = {**run_env, **{k: _fill(v, values) for k, v in web.env.items()}}
    log = open(workdir / f"web-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        _argv(web, values, env),
        cwd=root / web.cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so the master and its workers stop together
    )
    try:
        _wait(port, runtime.host, proc)
        return _measure_paths(port, runtime, root, requests)
    finally:
        _stop(proc)
        log.close()


def _measure_paths(port: int, runtime: Runtime, root: Path, requests: int) -> list[dict]:
    headers = dict(runtime.proxy_headers)
    rows = []
    for label, path, extra in (
        ("/", "/", {}),
        ("static", _static_path(root), {"Accept-Encoding": "gzip, br"}),
    ):
        status, got = _get(port, runtime.host, path, {**headers, **extra})
        cache = got.get("cache-control", "")
        match = re.search(r"max-age=(\d+)", cache)
        load = _load(port, runtime.host, path, headers, requests)
        row = {"path": label, "status": status, **load}
        if label == "static":
            row["encoding"] = got.get("content-encoding", "-")
            row["far_future"] = bool(match and int(match.group(1)) >= ONE_YEAR)
        rows.append(row)
    return rows
