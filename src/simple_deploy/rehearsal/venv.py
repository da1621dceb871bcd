"""The virtual-environment engine: the platform's steps replayed on this machine.

A fresh virtual environment stands in for the platform's Python; the package
manager's own install steps fill it from the lock file; build, release and web
commands run from the extracted commit with the platform's variables. Nothing of
the caller's own environment (its virtual environment, its settings) is visible.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import processes
from .engine import Context
from .environment import fill_all, fill_map, host_env, platform_path
from .processes import IS_WINDOWS, Result
from .text import display, read

__all__ = ["VenvEngine"]


# pip (and Pipenv, which installs with it) compiles every module it installs to
# bytecode. This environment serves one rehearsal, which imports a few hundred of
# Django's thousands of modules, and Python compiles those as it imports them: the
# rest was half of pip's CPU time (Django and the four additions: 11.4 s of CPU
# with it, 4.9 s without, measured here). pip reads this as `--no-compile`; its
# spelling PIP_NO_COMPILE is inverted by pip's option parsing ("1" compiles).
# uv and Poetry do not compile unless asked.
_NO_BYTECODE = {"PIP_COMPILE": "false"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class VenvEngine:
    """Runs the rehearsal in a virtual environment under the rehearsal's work folder."""

    labels: Mapping[str, str] = {}
    runs_build = True
    extra_steps = ()

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.port = free_port()
        self._web: subprocess.Popen | None = None
        self._processes: dict[str, subprocess.Popen] = {}

    def choose_web_port(self) -> None:
        """A port free right now, for the web process about to start."""
        self.port = free_port()

    @property
    def venv(self) -> Path:
        return self.ctx.root / "venv"

    @property
    def bin_dir(self) -> Path:
        return self.venv / ("Scripts" if IS_WINDOWS else "bin")

    @property
    def python(self) -> Path:
        return self.bin_dir / ("python.exe" if IS_WINDOWS else "python")

    @property
    def log_path(self) -> Path:
        return self.ctx.root / "web.log"

    def placeholders(self) -> dict[str, str]:
        return {
            "port": str(self.port),
            "python": str(self.python),
            "venv": str(self.venv),
            "app_root": str(self.ctx.app),
        }

    def _values(self) -> dict[str, str]:
        return self.ctx.placeholders() | self.placeholders()

    def prepare(self) -> str:
        env = host_env(self.bin_dir)
        argv = self._venv_argv(env)
        processes.run_checked(argv, cwd=self.ctx.root, env=env, **self.ctx.command_limits())
        return display(argv)

    def _venv_argv(self, env: Mapping[str, str]) -> list[str]:
        """`uv venv --seed` when uv is installed, else `python -m venv`: the same virtual
        environment (with pip, for the managers that install with it), but uv seeds pip
        from its cache in a fraction of a second where ensurepip takes seconds, and this
        was the largest step of a rehearsal (see benchmarks/README.md)."""
        uv = shutil.which("uv", path=env.get("PATH"))
        if uv is None:
            return [self.ctx.python, "-m", "venv", str(self.venv)]
        return [uv, "venv", "--seed", "--quiet", "--python", self.ctx.python, str(self.venv)]

    def install(self) -> str:
        # The package managers themselves come from this machine's PATH.
        lines = []
        values = self._values()
        for step in self.ctx.manager.install_steps:
            env = host_env(self.bin_dir) | _NO_BYTECODE | fill_map(step.env, values)
            argv = processes.resolve(fill_all(step.argv, values), env)
            processes.run_checked(argv, cwd=self.ctx.app, env=env, **self.ctx.command_limits())
            lines.append(display(argv))
        return "\n".join(lines) or f"{self.ctx.manager.label}: nothing to install"

    def _env(self, env: Mapping[str, str]) -> dict[str, str]:
        base = host_env(self.bin_dir)
        base["PATH"] = platform_path(base["PATH"])
        full = base | dict(env)
        # An image that compiles its bytecode at build (Fly.io's) sets this so the app
        # never writes any. Nothing here was compiled at install (see _NO_BYTECODE):
        # with it, every step would compile all it imports from source again.
        full.pop("PYTHONDONTWRITEBYTECODE", None)
        return full

    def run(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> Result:
        full = self._env(env)
        resolved = processes.resolve(list(argv), full)
        return processes.run(
            resolved,
            cwd=processes.join(self.ctx.app, cwd),
            env=full,
            **self.ctx.command_limits(),
        )

    def start_web(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> str:
        full = self._env(env)
        resolved = processes.resolve(list(argv), full)
        self._web = processes.start(
            resolved, cwd=processes.join(self.ctx.app, cwd), env=full, log=self.log_path
        )
        return display(resolved)

    def _process_log_path(self, name: str) -> Path:
        # Process names come from a Procfile or a platform file: keep them file-safe.
        return self.ctx.root / f"process-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.log"

    def start_process(
        self, name: str, argv: Sequence[str], cwd: str, env: Mapping[str, str]
    ) -> str:
        full = self._env(env)
        resolved = processes.resolve(list(argv), full)
        self._processes[name] = processes.start(
            resolved,
            cwd=processes.join(self.ctx.app, cwd),
            env=full,
            log=self._process_log_path(name),
        )
        return display(resolved)

    def process_exit_code(self, name: str) -> int | None:
        process = self._processes.get(name)
        return None if process is None else process.poll()

    def process_log(self, name: str) -> str:
        return read(self._process_log_path(name))

    def web_exit_code(self) -> int | None:
        return None if self._web is None else self._web.poll()

    def web_log(self) -> str:
        return read(self.log_path)

    def web_address(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def close(self) -> None:
        # The workers first: they may still talk to the web process's database.
        while self._processes:
            processes.stop(self._processes.popitem()[1])
        if self._web is not None:
            processes.stop(self._web)
            self._web = None
