"""Running the platform's commands on this machine: argument lists, process groups, timeouts.

Children run in their own process group (session on POSIX) so a web server and
its workers can be stopped together, and a command that hangs is killed whole.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..process_tree import ProcessTree, popen_options
from . import package_imports
from .report import StepFailed, StepTimedOut
from .text import display, tail

__all__ = [
    "IS_WINDOWS",
    "Result",
    "run",
    "run_checked",
    "failure",
    "start",
    "stop",
    "which",
    "resolve",
    "join",
]

IS_WINDOWS = os.name == "nt"


@dataclass(frozen=True)
class Result:
    returncode: int
    output: str


def _session_options() -> dict[str, object]:
    """Run children in their own process group so they and their workers can be stopped."""
    if IS_WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    on_timeout: Callable[[], str] | None = None,
) -> Result:
    """Run a command to completion: stdout and stderr together, decoded leniently.

    Past `timeout` the command's process group is killed and StepTimedOut raised;
    `on_timeout` runs first, while the command is still alive, and what it returns
    (what the command was waiting for) is part of the message. Interrupted
    (Ctrl-C), the group is killed too: it runs in its own session, so the
    terminal's SIGINT never reaches it.
    """
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        encoding="utf-8",
        errors="replace",
        **popen_options(),
    )
    # The whole tree: a child that outlives the command (Windows kills one process
    # only) would keep the output pipe open, and this run waiting, until it ends.
    tree = ProcessTree(proc)
    try:
        try:
            try:
                output, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                cause = on_timeout() if on_timeout is not None else ""
            else:
                return Result(proc.returncode, output or "")
        except BaseException:
            tree.kill()
            raise
        tree.kill()
        output, _ = proc.communicate()
    finally:
        tree.close()
    raise StepTimedOut(display(argv), timeout, tail(output or ""), cause)


def failure(argv: Sequence[str], result: Result) -> str:
    """What a failed command says: its cause first when one is known (a run's table
    shows a message's first line), then the command, its exit code and its output."""
    said = f"{display(argv)} exited with code {result.returncode}:\n{tail(result.output)}"
    why = package_imports.cause(result.output)
    return f"{why}\n{said}" if why else said


def run_checked(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    on_timeout: Callable[[], str] | None = None,
) -> str:
    """Run a command; a non-zero exit fails the step with the command and its output."""
    result = run(argv, cwd=cwd, env=env, timeout=timeout, on_timeout=on_timeout)
    if result.returncode != 0:
        raise StepFailed(failure(argv, result))
    return result.output


def start(argv: list[str], *, cwd: Path, env: Mapping[str, str], log: Path) -> subprocess.Popen:
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


def stop(proc: subprocess.Popen) -> None:
    """Terminate a process group (master and workers); kill it if it lingers."""
    _kill_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    _kill_group(proc)  # stray workers, or a master that ignored SIGTERM
    proc.wait()


def which(program: str, path: str | None) -> str:
    found = shutil.which(program, path=path)
    if found is None:
        raise StepFailed(f"{program}: command not found on PATH")
    return found


def resolve(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """Find argv[0] on the command's own PATH (venv first; `.exe`/`.cmd` on Windows)."""
    if not argv:
        raise StepFailed("empty command")
    return [which(argv[0], env.get("PATH")), *argv[1:]]


def join(root: Path, relative: str) -> Path:
    return root.joinpath(*PurePosixPath(relative).parts)
