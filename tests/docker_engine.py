"""A private Docker daemon and a local `python:3.11-slim` for the end-to-end tests.

Docker Hub cannot be reached from CI, so the base image the generated Dockerfile
names is made here from Debian packages (bookworm's python3 is 3.11). This is a
test fixture only: a user's Docker pulls the real `python:X-slim`.

The daemon leaves the host untouched: its own data, exec root and socket under a
temp folder, no iptables rules, no IP forwarding, no bridge (containers and builds
use `--network host`). See PLATFORMS.md, "Building the image for real".
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from remove_later import remove_later

BASE_PYTHON = "3.11"
BASE_TAG = f"python:{BASE_PYTHON}-slim"
MIRROR = "http://deb.debian.org/debian"
# Bump when the recipe below changes: the cached tarball's name includes it.
BASE_RECIPE = "1"

# This machine's HTTPS goes through a re-signing proxy whose CA may change on each
# boot: read it now (import time), so the key and the image match this boot.
HOST_CAS = {
    Path(path).name: Path(path).read_bytes()
    for path in sorted(glob.glob("/usr/local/share/ca-certificates/*.crt"))
}

# Inside the root file system: what python:X-slim offers (python, pip on PATH, pip
# allowed to install) plus this machine's CA certificates.
_CUSTOMIZE = (
    'ln -sf /usr/bin/python3 "$1/usr/local/bin/python"',
    'ln -sf /usr/bin/pip3 "$1/usr/local/bin/pip"',
    'rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED',
    'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*',
)


@dataclass
class Daemon:
    root: Path
    process: subprocess.Popen

    @property
    def host(self) -> str:
        return f"unix://{self.root / 'docker.sock'}"

    def docker(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker", *args],
            env={**os.environ, "DOCKER_HOST": self.host},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        netns = self.root / "exec" / "netns" / "default"
        if os.path.ismount(netns):
            subprocess.run(["umount", str(netns)], check=False, capture_output=True)
        remove_later(self.root)


def available() -> str:
    """Why no daemon can start here ('' when one can)."""
    if os.name != "posix" or os.geteuid() != 0:
        return "dockerd needs root (scripts/test installs docker.io on Debian as root)"
    for program in ("dockerd", "docker", "mmdebstrap"):
        if shutil.which(program) is None:
            return f"{program} is not installed (scripts/test installs it on Debian as root)"
    return ""


def start() -> Daemon:
    # A short path: a Unix socket's path is limited to about 100 bytes.
    root = Path(tempfile.mkdtemp(prefix="sd-dockerd-", dir="/tmp"))
    log = open(root / "dockerd.log", "wb")  # noqa: SIM115 - the daemon writes it until stop()
    process = subprocess.Popen(
        [
            "dockerd",
            "--data-root",
            str(root / "data"),
            "--exec-root",
            str(root / "exec"),
            "-H",
            f"unix://{root / 'docker.sock'}",
            "--pidfile",
            str(root / "dockerd.pid"),
            "--iptables=false",
            "--ip-forward=false",
            "--bridge=none",
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    daemon = Daemon(root, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if daemon.docker("info", timeout=10).returncode == 0:
            return daemon
        time.sleep(0.5)
    daemon.stop()
    raise RuntimeError("dockerd did not start:\n" + (root / "dockerd.log").read_text()[-3000:])


def _key() -> str:
    digest = hashlib.sha256(BASE_RECIPE.encode())
    for name, data in HOST_CAS.items():
        digest.update(name.encode() + b"\0" + data)
    return f"{datetime.date.today().isoformat()}-{digest.hexdigest()[:12]}"


def _make_tarball(target: Path) -> None:
    """mmdebstrap a minimal bookworm with Python, pip, venv and this machine's CAs."""
    with tempfile.TemporaryDirectory(prefix="sd-base-") as scratch:
        cas = Path(scratch) / "ca"
        cas.mkdir()
        for name, data in HOST_CAS.items():
            (cas / name).write_bytes(data)
        hooks = [
            *_CUSTOMIZE,
            f'cp {cas}/*.crt "$1/usr/local/share/ca-certificates/" 2>/dev/null || true',
            'chroot "$1" update-ca-certificates >/dev/null',
        ]
        partial = target.with_suffix(".partial")
        argv = [
            "mmdebstrap",
            "--variant=minbase",
            "--format=tar",
            "--include=python3,python3-venv,python3-pip,ca-certificates",
            *(f"--customize-hook={hook}" for hook in hooks),
            "bookworm",
            str(partial),
            MIRROR,
        ]
        out = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
        if out.returncode != 0:
            partial.unlink(missing_ok=True)
            raise RuntimeError("mmdebstrap failed:\n" + out.stderr[-3000:])
        partial.replace(target)


def base_image(daemon: Daemon, cache: Path) -> float:
    """Tag `python:3.11-slim` in `daemon`; returns the seconds it took.

    The tarball is cached per day and per CA set, so a rerun only imports it; two
    test workers share it through a lock instead of both building it.
    """
    import fcntl  # POSIX only, like the daemon itself

    started = time.monotonic()
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / f"python-{BASE_PYTHON}-slim-{_key()}.tar"
    with open(cache / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not tarball.is_file():
            for old in cache.glob(f"python-{BASE_PYTHON}-slim-*.tar"):
                with contextlib.suppress(OSError):
                    old.unlink()
            _make_tarball(tarball)
    # This machine's proxy re-signs HTTPS: every installer in the image must trust the
    # system's CA bundle (uv and Poetry bring their own roots otherwise).
    bundle = "/etc/ssl/certs/ca-certificates.crt"
    trust = f"ENV SSL_CERT_FILE={bundle} REQUESTS_CA_BUNDLE={bundle} UV_NATIVE_TLS=1"
    out = daemon.docker(
        "import",
        "--change",
        "ENV LANG=C.UTF-8",
        "--change",
        trust,
        "--change",
        'CMD ["python3"]',
        str(tarball),
        BASE_TAG,
    )
    if out.returncode != 0:
        raise RuntimeError("docker import failed:\n" + out.stderr[-3000:])
    return time.monotonic() - started
