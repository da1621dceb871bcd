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
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .log import REDACTED, RunLog, shown_argv
from .process_tree import ProcessTree, popen_options

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
    last_command: str = "(no command yet)"

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
        secret_output: bool = False,
    ) -> Result:
        """Run `argv` and return its result; CommandFailed on error when `check`.

        `secret_output`: what the command prints is a credential (`heroku auth:token`):
        it is returned to the caller but never logged or put in an error message.
        """
        # Without a runner-wide PATH, the command's own PATH decides which program runs.
        executable = self.which(argv[0], env.get("PATH") if env is not None else None)
        # Config values given as NAME=value (arguments or stdin) are never shown,
        # and neither is what the CLI prints back (`heroku config:set` echoes them).
        shown, hidden = shown_argv(argv)
        if input_text:
            hidden |= shown_argv(input_text.splitlines())[1]
        self.log.add(f"$ {shown}" + (f"  (in {cwd})" if cwd else ""))
        self.last_command = shown
        stop = threading.Event()
        stream = self.stream if self.stream is not None else sys.stdout
        ticker = None
        if label and getattr(stream, "isatty", lambda: False)():
            ticker = threading.Thread(target=_progress, args=(stream, stop, label), daemon=True)
            ticker.start()
        try:
            returncode, out, err = _run_closed(
                [executable, *argv[1:]],
                cwd=cwd,
                env=dict(env) if env is not None else None,
                timeout=timeout,
                input_bytes=input_text.encode("utf-8") if input_text is not None else None,
            )
        except subprocess.TimeoutExpired as exc:
            self.log.add(f"timed out after {timeout:.0f} s: {shown}")
            raise CommandFailed(
                f"`{shown}` timed out: it did not finish within {timeout:.0f} s and was stopped. "
                "Check your network and the platform's status page, then run again."
            ) from exc
        finally:
            stop.set()
            if ticker:
                ticker.join()
        result = Result(
            returncode,
            out.decode("utf-8", errors="replace"),
            err.decode("utf-8", errors="replace"),
        )
        if secret_output:
            for line in result.stdout.splitlines():
                if line.strip():
                    self.log.add_secret(line.strip())
        self.log.secrets_in_json(result.stdout)
        hidden |= self.log.config_values(result.stdout)
        printed = _without(result.output, hidden)
        if secret_output and result.output:
            self.log.add(f"(output not logged: it holds a credential; {len(printed)} characters)")
            printed = _without(printed, {result.stdout.strip()})
        elif hidden and result.output:
            # A command that set or listed config values: its output is about them.
            self.log.add(f"(output not logged: it holds config values; {len(printed)} characters)")
        elif result.output:
            self.log.add(result.output)
        self.log.add(f"(exit {result.returncode})")
        if check and result.returncode != 0:
            raise CommandFailed(
                f"`{shown}` failed (exit {result.returncode}):\n{self.log.redact(printed)}",
                self.log.redact(printed),
                result.returncode,
            )
        return result


def clean_env(
    drop: Sequence[str] = ("VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"),
) -> dict:
    """The current environment without what our own Django process would leak."""
    return {k: v for k, v in os.environ.items() if k not in drop}


def _without(text: str, values: set[str]) -> str:
    """`text` with every config value in `values` hidden (longest first)."""
    for value in sorted(values, key=len, reverse=True):
        if len(value.strip()) >= 3:  # "1" or "on" would mangle every number and word
            text = text.replace(value, REDACTED)
    return text


def _run_closed(
    argv: Sequence[str],
    *,
    cwd: Path | None,
    env: dict | None,
    timeout: float,
    input_bytes: bytes | None,
) -> tuple[int, bytes, bytes]:
    """Run `argv` with no terminal to talk to; return (exit code, stdout, stderr).

    - stdin is closed (or a private temporary file holding `input_bytes`), so a
      hidden prompt (a re-login, a confirmation) reads end-of-file and fails
      instead of waiting on the user's terminal; a new session on POSIX also
      takes away the terminal itself (/dev/tty).
    - Output goes to anonymous temporary files, not pipes: a CLI that exits
      while a background child still holds its output open (an update check, a
      credential helper) does not keep the run waiting for end-of-file.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryFile() as stdin,
    ):
        if input_bytes is not None:
            stdin.write(input_bytes)
            stdin.seek(0)
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=stdin if input_bytes is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            **popen_options(),
        )
        tree = ProcessTree(proc)
        try:
            returncode = proc.wait(timeout=timeout)
        except BaseException:  # the timeout, or Ctrl-C: nothing may outlive the run
            tree.kill()
            raise
        finally:
            tree.close()
        out.seek(0)
        err.seek(0)
        return returncode, out.read(), err.read()
