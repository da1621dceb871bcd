"""The seam between the rehearsal's steps and where they run.

The steps (steps.py) are the same for every engine: copy the commit, prepare,
install, build, release, check, start the web process, make requests. An engine
says *how* each runs: `venv.py` replays them in a virtual environment on this
machine; a container engine builds an image and runs containers. A new engine
is one more module implementing `Engine`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..package_managers import PackageManager
from ..runtime import Runtime
from .limits import StepClock
from .processes import Result, join

__all__ = ["Context", "Engine"]

MIN_SECRET = 4


@dataclass(frozen=True)
class Context:
    """What one rehearsal is about, whatever the engine: the project and the platform."""

    git_root: Path
    manage_dir: str
    manager: PackageManager
    runtime: Runtime
    python: str
    timeout: float
    root: Path
    database_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    #: The user's own variables (--env, --env-file): present at build, release and
    #: run time, their values treated as secrets.
    extra_env: Mapping[str, str] = field(default_factory=dict)
    #: The running step's time limit (limits.py); `timeout` caps any one command.
    clock: StepClock | None = None

    def __post_init__(self) -> None:
        if self.clock is None:
            object.__setattr__(self, "clock", StepClock(self.timeout))

    def command_limits(self) -> dict[str, Any]:
        """processes.run's `timeout` and `on_timeout`: the step's time left, its probe."""
        assert self.clock is not None
        return {"timeout": self.clock.remaining(), "on_timeout": self.clock.diagnose}

    @property
    def app(self) -> Path:
        """The committed project, extracted (the copy step fills it)."""
        return self.root / "app"

    @property
    def manage_path(self) -> Path:
        return join(self.app, self.manage_dir)

    def placeholders(self) -> dict[str, str]:
        """The placeholders every engine fills the same way (see runtime.Command)."""
        return {
            "database_url": self.database_url,
            "secret_key": self.secret_key,
            "host": self.runtime.host,
        }

    def secret_values(self) -> list[str]:
        """Values that must never appear in a report.

        The user's values are all treated as secrets, except the very short ones
        ("1", "on"): those cannot be secrets, and redacting them would garble
        every exit code and number in the output.
        """
        password = urlsplit(self.database_url).password
        user = [value for value in self.extra_env.values() if len(value) >= MIN_SECRET]
        return [value for value in (self.secret_key, password, *user) if value]


class Engine(Protocol):
    """Where the platform's steps run. Every method may raise report.StepFailed.

    Commands arrive with placeholders filled (`placeholders()` is merged over
    the Context's) and with the platform's variables for their phase, the user's
    own (`Context.extra_env`) included; the engine adds what it needs to run them
    at all (a PATH, a container). An engine that runs the build itself (an image
    build) passes `Context.extra_env` to it, and never on a command line.
    """

    #: Step names this engine shows instead of the generic ones
    #: (a container engine might call "environment" "image").
    labels: Mapping[str, str]

    #: False when `install` also runs the build commands (an image's Dockerfile
    #: does): the build step then reports them without running them again.
    runs_build: bool

    #: Steps the engine adds after the common ones, as (name, function returning
    #: the detail): a container engine removes the container and image it made.
    extra_steps: Sequence[tuple[str, Callable[[], str]]]

    def placeholders(self) -> dict[str, str]:
        """{python}, {venv}, {app_root}, {port} as commands see them."""
        ...

    def prepare(self) -> str:
        """Make the place the project runs in (a virtual environment, an image)."""
        ...

    def install(self) -> str:
        """Install the locked dependencies the way the platform does."""
        ...

    def run(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> Result:
        """Run one command to completion; `cwd` is relative to the app (POSIX form).

        Every command an engine runs is bounded by `Context.command_limits()`: the
        running step's time left, and its probe run before a stuck command is stopped.
        """
        ...

    def choose_web_port(self) -> None:
        """Pick the web process's port: a port free now, just before it starts."""
        ...

    def start_web(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> str:
        """Start the web process in the background; returns the command as shown."""
        ...

    def start_process(
        self, name: str, argv: Sequence[str], cwd: str, env: Mapping[str, str]
    ) -> str:
        """Start a process beside web (a worker) in the background, as the platform
        would from the same build; returns the command as shown."""
        ...

    def process_exit_code(self, name: str) -> int | None:
        """The process's exit code once it has exited, else None."""
        ...

    def process_log(self, name: str) -> str:
        """Everything the process wrote so far (stdout and stderr)."""
        ...

    def web_exit_code(self) -> int | None:
        """The web process's exit code once it has exited, else None."""
        ...

    def web_log(self) -> str:
        """Everything the web process wrote so far (stdout and stderr)."""
        ...

    def web_address(self) -> tuple[str, int]:
        """Where this machine reaches the web process over HTTP."""
        ...

    def close(self) -> None:
        """Stop the web process and the others, and remove what the engine made (always
        called)."""
        ...
