"""The container engine: build the platform's Dockerfile and run the image as the platform would.

Used when the platform builds an image (`Runtime.dockerfile`) and a
Docker-compatible engine answers `docker info`: Docker itself, or Podman through
its `docker` command. The docker CLI finds its engine by itself (DOCKER_HOST,
DOCKER_CONTEXT, its config); we pass those variables through untouched.

What runs, in order (each a step of the report):
- "engine": which engine answered;
- "image": `docker build` of the committed project, exactly as the platform's
  builder would (the Dockerfile installs the locked dependencies and runs the
  build commands, so "build (in image)" only reports what the build ran);
- "release (container)" and "check --deploy (container)": one-off containers of
  the image, with the platform's run-time variables and secrets;
- "container": the image started with its own CMD and the platform's variables;
  the requests then go to it;
- "remove container and image": what the rehearsal made is deleted again.

Containers use the host's network (`--network host`): the rehearsal's database
listens on this machine's 127.0.0.1, and an engine started without a bridge
(as the tests do) has no other network. Variables reach containers through an
env-file readable only by this user, never on a command line (secrets).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from ..runtime import Runtime
from . import processes
from .engine import Context, Engine
from .environment import host_env
from .processes import Result
from .report import StepFailed
from .text import display, tail
from .venv import VenvEngine, free_port

__all__ = ["DockerEngine", "find_engine", "engine_for"]

# What the docker CLI (or Podman's) reads to find and reach its engine.
_ENGINE_ENV = (
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_CONFIG",
    "DOCKER_CERT_PATH",
    "DOCKER_TLS_VERIFY",
    "DOCKER_API_VERSION",
    "CONTAINER_HOST",
    "CONTAINERS_CONF",
    "XDG_RUNTIME_DIR",
)
# `docker info` answers within a second when an engine runs; a stopped Docker
# Desktop can make it hang for a long time.
_PROBE_SECONDS = 20.0
_PREFIX = "simple-deploy-rehearsal"
# Where a SQLite rehearsal database is mounted in containers.
_SQLITE_MOUNT = "/rehearsal-sqlite"


def docker_env() -> dict[str, str]:
    """The clean host environment plus what the docker CLI needs to reach its engine."""
    env = host_env()
    env.update({name: os.environ[name] for name in _ENGINE_ENV if name in os.environ})
    return env


def find_engine() -> tuple[str | None, str]:
    """(the docker command, the engine's version) when an engine answers, else (None, why)."""
    docker = shutil.which("docker")
    if docker is None:
        return None, "no `docker` command on PATH"
    try:
        out = subprocess.run(
            [docker, "info", "--format", "{{.ServerVersion}}"],
            env=docker_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=_PROBE_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"`docker info` did not answer ({type(error).__name__})"
    if out.returncode != 0 or not out.stdout.strip():
        why = (out.stderr.strip().splitlines() or ["no engine"])[-1]
        return None, f"`docker info` did not answer: {why}"
    return docker, out.stdout.strip()


def engine_for(runtime: Runtime) -> tuple[Callable[[Context], Engine], str]:
    """The engine to rehearse `runtime` with, and a sentence saying which and why."""
    if runtime.dockerfile is None:
        return VenvEngine, ""
    docker, answer = find_engine()
    if docker is None:
        return VenvEngine, (
            f"No container engine answered ({answer}): replaying the {runtime.dockerfile}'s "
            "steps in a virtual environment instead of building the image. Start Docker "
            "(or Podman) to build and run the real image."
        )
    return (
        lambda ctx: DockerEngine(ctx, docker),
        f"Building and running the image with the container engine ({answer}).",
    )


class DockerEngine:
    """Builds the committed project's Dockerfile and runs its image in containers."""

    labels: Mapping[str, str] = {
        "environment": "engine",
        "install": "image",
        "build": "build (in image)",
        "release": "release (container)",
        "check --deploy": "check --deploy (container)",
        "web": "container",
    }
    # The Dockerfile runs the build commands while the image is built.
    runs_build = False

    def __init__(self, ctx: Context, docker: str = "docker") -> None:
        self.ctx = ctx
        self.docker = docker
        self.port = free_port()
        token = secrets.token_hex(6)
        self.image = f"{_PREFIX}:{token}"
        self.name = f"{_PREFIX}-{token}"
        self._containers: list[str] = []
        self._image_built = False
        self._workdir = "/"
        self._venv = ""
        self._cmd: list[str] = []
        self._web: str | None = None
        self._processes: dict[str, str] = {}
        self.extra_steps = (("remove container and image", self.remove),)

    # ------------------------------------------------------------ placeholders

    def placeholders(self) -> dict[str, str]:
        # Commands run inside the image: its PATH finds python, its WORKDIR is the app.
        values = {
            "port": str(self.port),
            "python": "python",
            "venv": self._venv,
            "app_root": self._workdir,
        }
        if self._sqlite_dir is not None:
            values["database_url"] = f"sqlite:///{_SQLITE_MOUNT}/db.sqlite3"
        return values

    @property
    def _sqlite_dir(self) -> Path | None:
        """The folder mounted into containers when the rehearsal's database is SQLite."""
        if not self.ctx.database_url.startswith("sqlite:"):
            return None
        return self.ctx.root / "sqlite"

    # ------------------------------------------------------------ engine and image

    def _docker(self, *args: str, timeout: float | None = None) -> Result:
        limits = self.ctx.command_limits()
        return processes.run(
            [self.docker, *args],
            cwd=self.ctx.root,
            env=docker_env(),
            timeout=limits["timeout"] if timeout is None else min(timeout, limits["timeout"]),
        )

    def _docker_checked(self, *args: str, timeout: float | None = None) -> str:
        result = self._docker(*args, timeout=timeout)
        if result.returncode != 0:
            raise StepFailed(processes.failure([self.docker, *args], result))
        return result.output

    def prepare(self) -> str:
        version = self._docker_checked(
            "version", "--format", "{{.Client.Version}} / {{.Server.Version}}", timeout=60
        ).strip()
        where = os.environ.get("DOCKER_HOST") or os.environ.get("DOCKER_CONTEXT") or "default"
        return f"docker {version} (client / engine), engine at {where}"

    def install(self) -> str:
        dockerfile = self.ctx.runtime.dockerfile or "Dockerfile"
        path = processes.join(self.ctx.app, dockerfile)
        if not path.is_file():
            raise StepFailed(
                f"{dockerfile} is not in the last commit: commit it and rehearse again."
            )
        argv = [
            self.docker,
            "build",
            # Marks the image as the rehearsal's, should removing it ever fail.
            "--label",
            f"{_PREFIX}=1",
            # Never pull a newer base image than the one the engine has (`never` is
            # not understood by every engine; `false` is).
            "--pull=false",
            "--network",
            "host",
            "--tag",
            self.image,
            "--file",
            str(path),
            # The stage the platform builds, when it is not the last one (fly.toml's).
            *(("--target", self.ctx.runtime.build_target) if self.ctx.runtime.build_target else ()),
            str(self.ctx.app),
        ]
        self._image_built = True
        result = processes.run(
            argv, cwd=self.ctx.root, env=docker_env(), **self.ctx.command_limits()
        )
        if result.returncode != 0:
            raise StepFailed(
                f"{display(argv)} exited with code {result.returncode}:\n{tail(result.output)}"
            )
        config = self._inspect_config()
        self._workdir = config.get("WorkingDir") or "/"
        self._cmd = list(config.get("Cmd") or [])
        image_env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
        self._venv = image_env.get("VIRTUAL_ENV", "")
        size = self._docker_checked("image", "inspect", "--format", "{{.Size}}", self.image)
        megabytes = int(size.strip() or 0) / 1_000_000
        return (
            f"{display(argv)}\nbuilt {self.image}: {megabytes:.0f} MB, WORKDIR {self._workdir}, "
            f"CMD {json.dumps(self._cmd)}"
        )

    def _inspect_config(self) -> dict:
        out = self._docker_checked("image", "inspect", "--format", "{{json .Config}}", self.image)
        try:
            return json.loads(out) or {}
        except ValueError:
            raise StepFailed(f"could not read the image's configuration:\n{tail(out)}") from None

    # ------------------------------------------------------------ containers

    def _env_file(self, env: Mapping[str, str]) -> Path:
        """The variables in a file only this user can read (secrets stay off command lines)."""
        lines = []
        for key, value in env.items():
            if "\n" in value or "\r" in value or "\0" in value:
                raise StepFailed(f"{key}'s value has a line break: an env-file cannot pass it.")
            lines.append(f"{key}={value}\n")
        path = self.ctx.root / f"container-{len(self._containers)}.env"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(lines)
        return path

    def _container_args(self, name: str, env: Mapping[str, str]) -> list[str]:
        self._containers.append(name)
        args = ["--name", name, "--network", "host", "--env-file", str(self._env_file(env))]
        folder = self._sqlite_dir
        if folder is not None:
            # The image's unprivileged user writes the database file; the folder sits
            # in the rehearsal's own folder, which only this user can enter.
            folder.mkdir(exist_ok=True)
            folder.chmod(0o777)
            args += ["--volume", f"{folder}:{_SQLITE_MOUNT}"]
        return args

    def _cwd(self, cwd: str) -> str:
        return str(PurePosixPath(self._workdir) / PurePosixPath(cwd))

    def run(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> Result:
        name = f"{self.name}-run{len(self._containers)}"
        docker_argv = [
            self.docker,
            "run",
            "--rm",
            *self._container_args(name, env),
            "--workdir",
            self._cwd(cwd),
            self.image,
            *argv,
        ]
        return processes.run(
            docker_argv, cwd=self.ctx.root, env=docker_env(), **self.ctx.command_limits()
        )

    def start_web(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> str:
        """Start the image's own CMD, as the platform does; `argv` is what it should be."""
        if not self._cmd:
            raise StepFailed(f"The image has no CMD; the platform would start {display(argv)}.")
        self._web = f"{self.name}-web"
        docker_argv = [self.docker, "run", "--detach", *self._container_args(self._web, env)]
        self._docker_checked(*docker_argv[1:], self.image)
        return f"{display(docker_argv)} {self.image}  (CMD {json.dumps(self._cmd)})"

    def choose_web_port(self) -> None:
        """A port free right now, for the container about to start (host network)."""
        self.port = free_port()

    def start_process(
        self, name: str, argv: Sequence[str], cwd: str, env: Mapping[str, str]
    ) -> str:
        """A container of the same image running the process's command instead of CMD,
        as the platform runs a process group from one image."""
        container = f"{self.name}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}"
        docker_argv = [
            self.docker,
            "run",
            "--detach",
            *self._container_args(container, env),
            "--workdir",
            self._cwd(cwd),
        ]
        self._docker_checked(*docker_argv[1:], self.image, *argv)
        self._processes[name] = container
        return f"{display(docker_argv)} {self.image} {display(argv)}"

    def process_exit_code(self, name: str) -> int | None:
        return self._exit_code(self._processes.get(name))

    def process_log(self, name: str) -> str:
        container = self._processes.get(name)
        return "" if container is None else self._docker("logs", container, timeout=60).output

    def web_exit_code(self) -> int | None:
        return self._exit_code(self._web)

    def _exit_code(self, container: str | None) -> int | None:
        if container is None:
            return None
        state = self._docker(
            "container", "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", container
        )
        running, _, code = state.output.strip().partition(" ")
        if state.returncode != 0 or running == "true":
            return None
        return int(code) if code.lstrip("-").isdigit() else -1

    def web_log(self) -> str:
        if self._web is None:
            return ""
        return self._docker("logs", self._web, timeout=60).output

    def web_address(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    # ------------------------------------------------------------ clean up

    def remove(self) -> str:
        """Remove the containers and the image this rehearsal made (a step of the report)."""
        done = []
        if self._containers:
            self._docker("rm", "--force", *self._containers, timeout=120)
            done.append(f"containers {', '.join(self._containers)}")
            left = self._docker(
                "container", "ls", "--all", "--quiet", "--filter", f"name={self.name}"
            )
            if left.output.strip():
                raise StepFailed(f"containers of {self.name} are left:\n{left.output}")
            self._containers = []
        if self._image_built:
            # --no-prune keeps the untagged layers below it as the engine's build cache:
            # the next rehearsal reuses the installed dependencies while the lock file
            # is unchanged (`docker image prune` frees them).
            argv = ("image", "rm", "--force", "--no-prune", self.image)
            result = self._docker(*argv, timeout=120)
            if result.returncode != 0 and "No such image" not in result.output:
                raise StepFailed(processes.failure([self.docker, *argv], result))
            done.append(f"image {self.image} (its build cache stays for the next rehearsal)")
            self._image_built = False
        return "removed " + (" and ".join(done) or "nothing")

    def close(self) -> None:
        """Always called: remove what is left even when a step failed."""
        try:
            self.remove()
        except (StepFailed, OSError):
            pass
