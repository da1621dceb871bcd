"""Run external commands the one safe way: argument lists, found on PATH, logged.

Executables are resolved with `shutil.which`, which honours PATHEXT on Windows
(so `heroku.cmd` is found); nothing ever goes through a shell. Output is
decoded as UTF-8 with replacement and written to the run log with secrets
redacted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .log import RunLog

__all__ = ["Runner", "Result", "CommandFailed", "ToolMissing"]


class ToolMissing(Exception):
    """An executable we need is not installed or not on PATH."""


class CommandFailed(Exception):
    """A command exited non-zero or timed out; `output` holds what it printed."""

    def __init__(self, message: str, output: str = "", returncode: int | None = None):
        super().__init__(message)
        self.output = output
        self.returncode = returncode


@dataclass(frozen=True)
class Result:
    """What a finished command printed, and its exit code."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return (self.stdout + ("\n" if self.stdout and self.stderr else "") + self.stderr).strip()


def _progress(stream, stop: threading.Event, label: str) -> None:
    # A dot every few seconds tells a waiting user the command is still alive.
    stream.write(f"  {label} ")
    stream.flush()
    while not stop.wait(3):
        stream.write(".")
        stream.flush()
    stream.write("\n")
    stream.flush()


@dataclass
class Runner:
    """Runs commands for one deploy run; every call is logged to `log`."""

    log: RunLog = field(default_factory=RunLog)
    stream: object = None
    path: str | None = None

    def which(self, name: str, path: str | None = None) -> str:
        """The full path of `name`; on Windows `heroku` finds `heroku.cmd` (PATHEXT).

        subprocess on Windows only finds `.exe` files by bare name, so every
        command runs through its resolved path.
        """
        found = shutil.which(name, path=self.path if self.path is not None else path)
        if not found:
            raise ToolMissing(f"`{name}` was not found on PATH.")
        return found

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 900,
        check: bool = True,
        label: str | None = None,
        input_text: str | None = None,
    ) -> Result:
        """Run `argv` and return its result; CommandFailed on error when `check`."""
        # Without a runner-wide PATH, the command's own PATH decides which program runs.
        executable = self.which(argv[0], env.get("PATH") if env is not None else None)
        shown = " ".join(argv)
        self.log.add(f"$ {shown}" + (f"  (in {cwd})" if cwd else ""))
        stop = threading.Event()
        stream = self.stream if self.stream is not None else sys.stdout
        ticker = None
        if label and getattr(stream, "isatty", lambda: False)():
            ticker = threading.Thread(target=_progress, args=(stream, stop, label), daemon=True)
            ticker.start()
        try:
            proc = subprocess.run(
                [executable, *argv[1:]],
                cwd=cwd,
                env=dict(env) if env is not None else None,
                capture_output=True,
                timeout=timeout,
                input=input_text.encode("utf-8") if input_text is not None else None,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise CommandFailed(f"`{shown}` did not finish within {timeout:.0f} s.") from exc
        finally:
            stop.set()
            if ticker:
                ticker.join()
        result = Result(
            proc.returncode,
            proc.stdout.decode("utf-8", errors="replace"),
            proc.stderr.decode("utf-8", errors="replace"),
        )
        self.log.secrets_in_json(result.stdout)
        if result.output:
            self.log.add(result.output)
        self.log.add(f"(exit {result.returncode})")
        if check and result.returncode != 0:
            raise CommandFailed(
                f"`{shown}` failed (exit {result.returncode}):\n{self.log.redact(result.output)}",
                self.log.redact(result.output),
                result.returncode,
            )
        return result


def clean_env(
    drop: Sequence[str] = ("VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"),
) -> dict:
    """The current environment without what our own Django process would leak."""
    return {k: v for k, v in os.environ.items() if k not in drop}
