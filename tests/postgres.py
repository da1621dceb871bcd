"""A throwaway PostgreSQL server on 127.0.0.1 for the end-to-end tests.

PostgreSQL refuses to run as root, so as root the server runs as the
`postgres` user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from remove_later import remove_later


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    bin_dir: Path
    data: Path
    port: int
    as_user: tuple[str, ...]
    process: subprocess.Popen | None = None

    def _cmd(self, name: str, *args: str) -> list[str]:
        return [*self.as_user, str(self.bin_dir / name), *args]

    def start(self) -> None:
        subprocess.run(
            self._cmd(
                "initdb",
                "-D",
                str(self.data / "db"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
        )
        self.process = subprocess.Popen(
            self._cmd(
                "postgres",
                "-D",
                str(self.data / "db"),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.data),
                "-c",
                "fsync=off",
            ),
            stdout=subprocess.DEVNULL,
            stderr=open(self.data / "server.log", "wb"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.data / "server.log").read_text(errors="replace"))
            ready = subprocess.run(
                self._cmd("pg_isready", "-h", "127.0.0.1", "-p", str(self.port)),
                capture_output=True,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start within 30 s")

    def create_database(self) -> str:
        name = f"test_{uuid.uuid4().hex[:12]}"
        subprocess.run(
            self._cmd("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name),
            check=True,
            capture_output=True,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        remove_later(self.data)


def start() -> Server | None:
    """A running server, or None when PostgreSQL is not installed."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        return None
    # Not under pytest's own temp folder: that is private to root.
    data = Path(tempfile.mkdtemp(prefix="simple-deploy-pg-"))
    as_user: tuple[str, ...] = ()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        shutil.chown(data, "postgres")
        as_user = ("runuser", "-u", "postgres", "--")
    server = Server(bin_dir, data, _free_port(), as_user)
    server.start()
    return server
