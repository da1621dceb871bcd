"""The rehearsal's Redis when the project's settings read one (Celery, RQ, Channels, a cache).

What it uses is decided before any work (`choose`), so a missing Redis stops the
run at once, naming `--redis-url` and the package that provides `redis-server`.
Without a URL from the user, the rehearsal starts its own (`throwaway`): a
`redis-server` listening only on a free port of 127.0.0.1, reached with a random
password that lives in a configuration file in the rehearsal's temp area (never
on a command line), its data in that area, and stopped and removed when the
rehearsal ends, fails or is interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["NoRedis", "RedisChoice", "RedisServer", "choose", "describe_url", "ping", "throwaway"]

_READY = b"Ready to accept connections"
_SCHEMES = ("redis", "rediss")
PACKAGE_HINT = (
    "install Redis's server (Debian/Ubuntu: `apt install redis-server`, macOS: "
    "`brew install redis`) and run again without the option"
)


class NoRedis(Exception):
    """The rehearsal needs a Redis it cannot provide or reach; the message says what to do."""


@dataclass(frozen=True)
class RedisChoice:
    """What the rehearsal uses: `url` (given by the user) or a throwaway `program`."""

    url: str | None = None
    program: str | None = None

    def describe(self) -> str:
        if self.url is not None:
            return f"the Redis --redis-url names ({describe_url(self.url)})"
        return f"a throwaway Redis server ({self.program}), removed afterwards"


def describe_url(url: str) -> str:
    """host:port/db of a Redis URL, never its password."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path}"


def choose(
    label: str, needs_redis: bool, option: str | None, *, path: str | None = None
) -> RedisChoice | None:
    """The rehearsal's Redis, decided before any work (None: the project needs none).

    `option` is --redis-url. NoRedis names the option and the package.
    """
    if not needs_redis:
        return None
    if option:
        if urlsplit(option).scheme not in _SCHEMES:
            raise NoRedis(
                f"--redis-url must be a redis:// or rediss:// URL (redis://:PASSWORD@HOST:"
                f"PORT/0), not a {urlsplit(option).scheme or 'non-URL'} one. Nothing was changed."
            )
        return RedisChoice(url=option)
    program = shutil.which("redis-server", path=path)
    if program is None:
        raise NoRedis(
            f"The {label} rehearsal needs Redis (the project's settings read a Redis URL), "
            "and `redis-server` is not on PATH, so the rehearsal cannot start a throwaway "
            "one. Give one: --redis-url redis://:PASSWORD@HOST:PORT/0 (leave the value out "
            f"to type it unseen); or {PACKAGE_HINT}. Nothing was changed."
        )
    return RedisChoice(program=program)


def ping(url: str, timeout: float = 5.0) -> str:
    """'' when the Redis at `url` answers PING (after AUTH), else why not.

    A few bytes of Redis's protocol (RESP), so the check needs no client library
    and works before the project's dependencies are installed.
    """
    parts = urlsplit(url)
    if parts.scheme == "rediss":
        return ""  # TLS: the project's own client checks it when it connects
    commands: list[list[str]] = []
    if parts.password is not None:
        user = unquote(parts.username) if parts.username else None
        commands.append(["AUTH", *([user] if user else []), unquote(parts.password)])
    commands.append(["PING"])
    try:
        with socket.create_connection(
            (parts.hostname or "localhost", parts.port or 6379), timeout
        ) as sock:
            reader = sock.makefile("rb")
            for command in commands:
                sock.sendall(_encode(command))
                line = reader.readline().decode("utf-8", errors="replace").strip()
                if line.startswith("-"):
                    return f"{command[0]} was refused: {line[1:]}"
            return "" if line == "+PONG" else f"PING answered {line!r}"
    except OSError as error:
        return f"{type(error).__name__}: {error}"


def _encode(command: list[str]) -> bytes:
    out = [f"*{len(command)}\r\n".encode()]
    for word in command:
        data = word.encode("utf-8")
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


@dataclass(frozen=True)
class RedisServer:
    url: str
    port: int
    version: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _version(program: str) -> str:
    try:
        out = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    word = next((w for w in out.split() if w.startswith("v=")), "v=?")
    return word[2:]


@contextmanager
def throwaway(area: Path, program: str, timeout: float = 30) -> Iterator[RedisServer]:
    """A running redis-server whose configuration, log and data live in `area`/redis.

    Stopped (SIGTERM, then killed if it lingers) and its folder removed when the
    block ends, whatever ends it.
    """
    folder = Path(area) / "redis"
    folder.mkdir(mode=0o700)
    process: subprocess.Popen | None = None
    try:
        password = secrets.token_urlsafe(24)
        process, port = _start(program, folder, password, timeout)
        url = f"redis://:{password}@127.0.0.1:{port}/0"
        yield RedisServer(url, port, _version(program))
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def _config(folder: Path, port: int, password: str) -> Path:
    """The server's configuration, readable by this user only (it holds the password)."""
    path = folder / "redis.conf"
    lines = [
        "bind 127.0.0.1",
        f"port {port}",
        "protected-mode yes",
        f"requirepass {password}",
        f'dir "{folder}"',
        f'logfile "{folder / "server.log"}"',
        # Throwaway data: nothing is saved to disk.
        'save ""',
        "appendonly no",
        "daemonize no",
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return path


def _start(
    program: str, folder: Path, password: str, timeout: float
) -> tuple[subprocess.Popen, int]:
    """Start the server on a free port; a port taken meanwhile is tried again."""
    log = folder / "server.log"
    for _attempt in range(3):
        port = _free_port()
        log.unlink(missing_ok=True)
        config = _config(folder, port, password)
        process = subprocess.Popen(
            [program, str(config)],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Ctrl-C reaches this process, which stops the server in order.
            start_new_session=sys.platform != "win32",
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if log.is_file() and _READY in log.read_bytes():
                return process, port
            if process.poll() is not None:
                break
            time.sleep(0.05)
        text = log.read_bytes().decode("utf-8", errors="replace") if log.is_file() else ""
        _stop(process)
        if "Address already in use" in text:
            continue
        raise NoRedis(
            "The rehearsal's Redis server did not start (give one with --redis-url "
            f"redis://:PASSWORD@HOST:PORT/0 instead):\n{text[-2000:]}"
        )
    raise NoRedis("The rehearsal's Redis server found no free port on 127.0.0.1.")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGTERM)  # Redis shuts down in order (nothing to save)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
