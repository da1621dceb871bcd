"""How a platform builds, releases and serves a project: declared once per plugin.

The rehearsal replays a Runtime locally; the summary and automation read the
same facts, so there is one source of truth for what the platform will run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["Command", "Process", "Runtime"]


@dataclass(frozen=True)
class Command:
    """A command the platform runs: an argument list (never a shell string).

    `cwd` is relative to the app root (POSIX form). Arguments and `env` values
    may use the placeholders {port}, {python}, {app_root}, {database_url},
    {redis_url}, {secret_key} and {host}; the rehearsal fills them in.
    """

    argv: tuple[str, ...]
    cwd: str = "."
    env: Mapping[str, str] = field(default_factory=dict)

    def display(self) -> str:
        return " ".join(self.argv)


@dataclass(frozen=True)
class Process:
    """A process beside web that the generated configuration declares."""

    name: str
    role: str  # as ServiceProcess.role: "worker" | "scheduler" (runs exactly once) | "channels"
    command: Command


@dataclass(frozen=True)
class Runtime:
    """The platform's side of a deployment, as the generated configuration declares it.

    - `env`: environment variables present at build, release and run time
      (placeholders as in Command).
    - `run_env`: extra variables present only at release and run time.
    - `build`: steps run after dependencies are installed (collectstatic).
    - `release`: steps run before the new version starts (migrate).
    - `web`: the web process; it must listen on {port}.
    - `host`: the public host name requests arrive with.
    - `proxy_headers`: headers the platform's router adds in front of the app.
    - `derived_env`: extra variables present at release and run time, computed
      from the filled placeholders (name -> value) for values a plain string
      cannot express, such as a platform's base64 JSON describing the database.
    - `dockerfile`: the Dockerfile the platform builds (path in the repository,
      POSIX form), when it builds an image; the rehearsal then builds and runs
      that image if a container engine answers.
    - `build_target`: the Dockerfile stage the platform builds when it is not the
      last one (fly.toml's `build-target`); the rehearsal builds that stage too.
    - `database_scheme`: the URL scheme the platform's database URL uses
      (Heroku: "postgres"); the rehearsal gives {database_url} that scheme, so
      settings that branch on it see what they will see on the platform.
    - `build_problems`: what the platform's build will lack, known from the
      configuration itself (a kept Dockerfile that never collects static files);
      the rehearsal's build step fails with them, whatever the engine.
    - `needs_postgres`: the app reads PostgreSQL connection facts the platform
      provides, which a SQLite file cannot stand in for: the rehearsal uses the
      PostgreSQL the user names, or starts a throwaway one, and stops before any
      work when it can do neither.
    - `processes`: the processes beside web the configuration declares (workers, a
      scheduler that runs exactly once, a Channels worker).
    - `needs_redis`: the app reads a Redis URL ({redis_url} in `env`, under each
      name the settings read); the rehearsal fills it with a local Redis.
    - `websocket_path`: a path the app routes websockets on, for a handshake.
    - `installs_project`: the platform's builder installs a package project itself
      (Heroku's and Railway's plain `uv sync`): the rehearsal installs it too.
    """

    env: Mapping[str, str]
    build: tuple[Command, ...]
    release: tuple[Command, ...]
    web: Command
    host: str
    run_env: Mapping[str, str] = field(default_factory=dict)
    proxy_headers: Mapping[str, str] = field(default_factory=lambda: {"X-Forwarded-Proto": "https"})
    derived_env: Callable[[Mapping[str, str]], Mapping[str, str]] | None = None
    dockerfile: str | None = None
    build_target: str | None = None
    database_scheme: str | None = None
    build_problems: tuple[str, ...] = ()
    needs_postgres: bool = False
    processes: tuple[Process, ...] = ()
    needs_redis: bool = False
    websocket_path: str | None = None
    installs_project: bool = False
