"""The rehearsal's database when the platform's settings need PostgreSQL.

Upsun and Platform.sh hand the app its database as PostgreSQL connection facts
(`PLATFORM_RELATIONSHIPS`), so their rehearsal cannot fall back to SQLite. What it
needs is decided before any work (`choose`), so a missing database stops the run
at once with the option that gives one. When the user gives none and PostgreSQL's
server programs are installed, the rehearsal starts its own (`throwaway`): a
fresh cluster in its own temp area, listening only on a free port of 127.0.0.1
(no Unix socket), reached with a random password, and stopped and removed when
the rehearsal ends, fails or is interrupted (Ctrl-C).
"""

from __future__ import annotations

import glob
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
from urllib.parse import urlsplit

__all__ = [
    "DatabaseChoice",
    "NoDatabase",
    "ServerPrograms",
    "choose",
    "find_programs",
    "opened",
    "throwaway",
]

# Where packages put the server programs when they are not on PATH (Debian and
# Ubuntu's postgresql-N, Homebrew's postgresql@N, the source build's default).
SEARCH = (
    "/usr/lib/postgresql/*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
    "/usr/local/pgsql/bin",
)
_USER = "rehearsal"
_READY = b"ready to accept connections"


class NoDatabase(Exception):
    """The rehearsal needs a database it cannot provide; the message names the option."""


@dataclass(frozen=True)
class ServerPrograms:
    """An installed PostgreSQL server: the folder holding `initdb` and `postgres`."""

    bin_dir: Path

    def program(self, name: str) -> str:
        exe = self.bin_dir / f"{name}.exe"
        return str(exe if exe.is_file() else self.bin_dir / name)


@dataclass(frozen=True)
class DatabaseChoice:
    """What the rehearsal uses: `url` (given by the user), a throwaway server from
    `programs`, or neither (a SQLite file in the rehearsal's folder)."""

    url: str | None = None
    programs: ServerPrograms | None = None
    given_as: str = ""

    def describe(self) -> str:
        if self.programs is not None:
            return (
                f"a throwaway PostgreSQL server started for this rehearsal "
                f"({self.programs.bin_dir}), removed afterwards"
            )
        if self.url is not None:
            parts = urlsplit(self.url)  # never the password
            where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
            return f"the {parts.scheme} database {self.given_as} names ({where})"
        return "a SQLite file in the rehearsal's temp folder"


def _has(folder: Path, name: str) -> bool:
    return (folder / name).is_file() or (folder / f"{name}.exe").is_file()


def _major(folder: Path) -> float:
    try:
        return float(folder.parent.name.split("@")[-1])
    except ValueError:
        return 0.0


def find_programs(
    path: str | None = None, search: tuple[str, ...] = SEARCH
) -> ServerPrograms | None:
    """The newest PostgreSQL server on PATH (first) or in the usual package folders."""
    candidates: list[Path] = []
    found = shutil.which("initdb", path=path)
    if found:
        candidates.append(Path(found).resolve().parent)
    packaged = [Path(p) for pattern in search for p in glob.glob(pattern)]
    candidates += sorted(packaged, key=_major, reverse=True)
    for folder in candidates:
        if _has(folder, "initdb") and _has(folder, "postgres"):
            return ServerPrograms(folder)
    return None


def _server_account() -> tuple[int, int] | None | str:
    """The account the server runs as: None (this one), (uid, gid), or why it cannot run.

    PostgreSQL refuses to run as root; as root (containers) it runs as the
    `postgres` account the distributions' packages create.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        return "PostgreSQL refuses to run as root, and there is no `postgres` account to run it as"
    return account.pw_uid, account.pw_gid


def choose(
    label: str,
    needs_postgres: bool,
    option: str | None,
    environ: str | None,
    *,
    path: str | None = None,
    search: tuple[str, ...] = SEARCH,
) -> DatabaseChoice:
    """The rehearsal's database, decided before any work; NoDatabase names the option.

    `option` is --database-url, `environ` is $DATABASE_URL.
    """
    if not needs_postgres:
        if option:
            return DatabaseChoice(url=option, given_as="--database-url")
        if environ:
            return DatabaseChoice(url=environ, given_as="$DATABASE_URL")
        return DatabaseChoice()
    if option:
        if not urlsplit(option).scheme.startswith("postgres"):
            raise NoDatabase(
                f"The {label} rehearsal needs a PostgreSQL database ({label} gives the app "
                f"PostgreSQL), but --database-url names a {urlsplit(option).scheme or 'non-URL'} "
                "one. Give --database-url postgresql://USER:PASSWORD@HOST:PORT/NAME, or leave "
                "it out to let the rehearsal start a throwaway PostgreSQL server (when "
                "PostgreSQL's server programs are installed). Nothing was changed."
            )
        return DatabaseChoice(url=option, given_as="--database-url")
    if environ and urlsplit(environ).scheme.startswith("postgres"):
        return DatabaseChoice(url=environ, given_as="$DATABASE_URL")
    programs = find_programs(path, search)
    account = _server_account() if programs is not None else None
    if programs is not None and not isinstance(account, str):
        return DatabaseChoice(programs=programs)
    why = (
        f"{account}."
        if isinstance(account, str)
        else "PostgreSQL's server programs (initdb, postgres) are not on PATH or in "
        f"{', '.join(search)}, so the rehearsal cannot start a throwaway one."
    )
    raise NoDatabase(
        f"The {label} rehearsal needs a PostgreSQL database ({label} gives the app "
        f"PostgreSQL), and {why[0].lower()}{why[1:]} Give one: --database-url "
        "postgresql://USER:PASSWORD@HOST:PORT/NAME; or install PostgreSQL's server (for "
        "example `apt install postgresql` or `brew install postgresql@16`) and run again "
        "without the option. Nothing was changed."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict[str, str]:
    # PGDATA, PGPORT ... of the user's own server must not steer this one.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _as(account: tuple[int, int] | None) -> dict:
    if account is None:
        return {}
    uid, gid = account
    return {"user": uid, "group": gid, "extra_groups": []}


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    version: str


@contextmanager
def throwaway(area: Path, programs: ServerPrograms, timeout: float = 60) -> Iterator[Server]:
    """A running PostgreSQL server whose cluster lives in `area`/postgres.

    Stopped (fast shutdown, then killed if it lingers) and its folder removed when
    the block ends, whatever ends it.
    """
    account = _server_account()
    if isinstance(account, str):
        raise NoDatabase(account)
    folder = Path(area) / "postgres"
    folder.mkdir(mode=0o700)
    if account is not None:
        # The server's account must reach its folder, and only that folder.
        os.chmod(area, 0o711)
        os.chown(folder, *account)
    process: subprocess.Popen | None = None
    try:
        password = secrets.token_urlsafe(24)
        pwfile = folder / "password"
        pwfile.write_text(password + "\n", encoding="utf-8")
        os.chmod(pwfile, 0o600)
        if account is not None:
            os.chown(pwfile, *account)
        data = folder / "data"
        initdb = subprocess.run(
            [
                programs.program("initdb"),
                "--pgdata",
                str(data),
                "--username",
                _USER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            cwd=folder,
            env=_env(),
            capture_output=True,
            timeout=timeout,
            check=False,
            **_as(account),
        )
        pwfile.unlink()
        if initdb.returncode != 0:
            raise NoDatabase(
                "initdb could not create the rehearsal's PostgreSQL cluster (give a database "
                "with --database-url postgresql://USER:PASSWORD@HOST:PORT/NAME instead):\n"
                + initdb.stderr.decode("utf-8", errors="replace")[-2000:]
            )
        process, port = _start(programs, folder, data, account, timeout)
        version = (data / "PG_VERSION").read_text(encoding="utf-8").strip()
        yield Server(f"postgresql://{_USER}:{password}@127.0.0.1:{port}/postgres", port, version)
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def _start(
    programs: ServerPrograms,
    folder: Path,
    data: Path,
    account: tuple[int, int] | None,
    timeout: float,
) -> tuple[subprocess.Popen, int]:
    """Start the server on a free port; a port taken meanwhile is tried again."""
    for _attempt in range(3):
        port = _free_port()
        log = folder / f"server-{port}.log"
        with open(log, "wb") as stderr:
            process = subprocess.Popen(
                [
                    programs.program("postgres"),
                    "-D",
                    str(data),
                    "-p",
                    str(port),
                    "-h",
                    "127.0.0.1",
                    "-c",
                    "unix_socket_directories=",
                    # Throwaway data: durability costs time and buys nothing.
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                ],
                cwd=folder,
                env=_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                # Ctrl-C reaches this process, which stops the server in order.
                start_new_session=sys.platform != "win32",
                **_as(account),
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _READY in log.read_bytes():
                return process, port
            if process.poll() is not None:
                break
            time.sleep(0.05)
        text = log.read_bytes().decode("utf-8", errors="replace")
        _stop(process)
        if "could not bind" in text or "Address already in use" in text:
            continue
        raise NoDatabase(
            "The rehearsal's PostgreSQL server did not start (give a database with "
            f"--database-url postgresql://USER:PASSWORD@HOST:PORT/NAME instead):\n{text[-2000:]}"
        )
    raise NoDatabase("The rehearsal's PostgreSQL server found no free port on 127.0.0.1.")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        if sys.platform == "win32":
            process.terminate()
        else:
            process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@contextmanager
def opened(choice: DatabaseChoice) -> Iterator[tuple[str | None, str, Path | None]]:
    """(database URL or None for SQLite, what it is in words, work folder or None).

    For a throwaway server, the rehearsal's temp area holds both the server's
    cluster and the rehearsal's work folder; the whole area is removed afterwards.
    """
    if choice.programs is None:
        yield choice.url, choice.describe(), None
        return
    import tempfile

    area = Path(tempfile.mkdtemp(prefix="simple-deploy-rehearsal-"))
    try:
        work = area / "work"
        work.mkdir(mode=0o700)
        start = time.monotonic()
        with throwaway(area, choice.programs) as server:
            said = (
                f"a throwaway PostgreSQL {server.version} server on 127.0.0.1:{server.port} "
                f"(from {choice.programs.bin_dir}, started in {time.monotonic() - start:.1f} s; "
                "stopped and removed afterwards)"
            )
            yield server.url, said, work
    finally:
        shutil.rmtree(area, ignore_errors=True)
