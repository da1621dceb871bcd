"""`python manage.py deploy ...` as the tests run it: a real process, or one forked
from a server that has already imported Django and simple_deploy (deploy_forkserver.py).

A forked run is the same program with the same folder, environment, argv, stdin
and outputs; it only skips the interpreter's start and the imports, about half
of each run's CPU time. What only a new interpreter reads (PYTHON* variables,
the locale, TZ) cannot change in a forked process: a run whose values differ
from the server's is a real process, as is every run on Windows, or when
SIMPLE_DEPLOY_TEST_FORK=0.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

SERVER = Path(__file__).resolve().parent / "deploy_forkserver.py"
_STARTUP_NAMES = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")


def _read_at_startup(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("PYTHON") or k in _STARTUP_NAMES}


class _Server:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sd-fork-"))
        self.path = str(self.folder / "socket")
        self.env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.startup = _read_at_startup(self.env)
        with open(self.folder / "server.log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(SERVER), self.path],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=self.folder,
                env=self.env,
            )
        atexit.register(self.stop)
        line = self.process.stdout.readline() if self.process.stdout else b""
        self.ready = line.startswith(b'{"ready"')

    def serves(self, env: Mapping[str, str]) -> bool:
        return self.ready and self.process.poll() is None and _read_at_startup(env) == self.startup

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_server: _Server | None = None


def _get_server() -> _Server | None:
    global _server
    if os.name == "nt" or os.environ.get("SIMPLE_DEPLOY_TEST_FORK") == "0":
        return None
    if _server is None:
        _server = _Server()
    return _server


def _text(data: bytes) -> str:
    # As subprocess.run(text=True, encoding="utf-8", errors="replace") reads it.
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def run_manage_py(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], stdin: str, timeout: float
) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` in `cwd` with exactly `env`, output captured as text."""
    argv = [sys.executable, "manage.py", *args]
    server = _get_server()
    if server is None or not server.serves(env):
        return subprocess.run(
            argv,
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=dict(env),
            input=stdin,
            timeout=timeout,
        )
    with tempfile.TemporaryDirectory(prefix="sd-run-") as folder:
        files = {name: os.path.join(folder, name) for name in ("stdin", "stdout", "stderr")}
        Path(files["stdin"]).write_text(stdin, encoding="utf-8")
        Path(files["stdout"]).touch()
        Path(files["stderr"]).touch()
        request = {"argv": argv[1:], "cwd": str(Path(cwd).resolve()), "env": dict(env), **files}
        deadline = time.monotonic() + timeout
        pid = None
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(server.path)
            conn.sendall(json.dumps(request).encode() + b"\n")
            stream = conn.makefile("rb")
            try:
                conn.settimeout(max(deadline - time.monotonic(), 0.1))
                pid = json.loads(stream.readline())["pid"]
                conn.settimeout(max(deadline - time.monotonic(), 0.1))
                returncode = json.loads(stream.readline())["returncode"]
            except TimeoutError:
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                raise subprocess.TimeoutExpired(
                    argv,
                    timeout,
                    Path(files["stdout"]).read_bytes(),
                    Path(files["stderr"]).read_bytes(),
                ) from None
            finally:
                stream.close()
        out = _text(Path(files["stdout"]).read_bytes())
        err = _text(Path(files["stderr"]).read_bytes())
    return subprocess.CompletedProcess(argv, returncode, out, err)
