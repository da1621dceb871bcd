"""A project whose own code reads the metadata of its own installed distribution.

cal-itp/benefits sets `__version__ = importlib.metadata.version("benefits")` in its
package: it runs only once the project itself is installed (`pip install -e .` on the
developer's computer). The platforms' installs of a uv project take the locked
dependencies; the project is installed as well only when a step says so, so such a
project must be installed on every platform, after its source is there.

Heroku's and Railway's builders install every package project that way (a plain
`uv sync`, the project included). Its version, when setuptools-scm reads it from git
(`dynamic = ["version"]`, `[tool.setuptools_scm]`), cannot be read there: no platform
build has .git (an image built with our .dockerignore neither). Building the project
there stops ("unable to detect version") unless `fallback_version` says what to use
instead; the version then reads "0+unknown", which says what it is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = [
    "FALLBACK_VERSION",
    "is_package",
    "needs_version_fallback",
    "reads_own_distribution",
    "with_version_fallback",
]

FALLBACK_VERSION = "0+unknown"

# importlib.metadata's (and pkg_resources') readers of a distribution by its name.
_READ = re.compile(
    r"""\b(?:version|metadata|distribution|get_distribution|files|requires)\(\s*["']"""
    r"""([A-Za-z0-9][A-Za-z0-9._-]*)["']\s*\)"""
)
# Folders that hold no code of the project's own.
_SKIP = {"node_modules", "site-packages", "venv", "env", "__pycache__", "build", "dist"}
# A project's own Python files are a few thousand at most; past that, stop looking.
_MAX_FILES = 5000


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _python_files(root: Path):
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP]
        for name in files:
            if name.endswith(".py"):
                seen += 1
                if seen > _MAX_FILES:
                    return
                yield Path(folder) / name


def is_package(doc) -> bool:
    """True when uv builds and installs the project itself on a plain `uv sync`: a
    `[build-system]` (or `tool.uv.package = true`), not `tool.uv.package = false`."""
    package = doc.get("tool", {}).get("uv", {}).get("package")
    if package is not None:
        return bool(package)
    return "build-system" in doc and isinstance(doc.get("project", {}).get("name"), str)


def reads_own_distribution(root: Path, doc) -> str | None:
    """The project's distribution name when one of its Python files reads that
    distribution's metadata by name (the caller knows it is a package); None otherwise."""
    name = doc.get("project", {}).get("name")
    if not isinstance(name, str):
        return None
    wanted = _canonical(name)
    for path in _python_files(root):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(_canonical(found) == wanted for found in _READ.findall(text)):
            return name
    return None


def needs_version_fallback(doc) -> bool:
    """True when setuptools-scm reads the project's version from git and no
    `fallback_version` says what to use where there is no .git."""
    dynamic = doc.get("project", {}).get("dynamic", [])
    scm = doc.get("tool", {}).get("setuptools_scm")
    return "version" in dynamic and scm is not None and "fallback_version" not in scm


def with_version_fallback(text: str) -> str:
    """pyproject.toml's text with `fallback_version` in `[tool.setuptools_scm]`, the
    rest as it was."""
    import tomlkit  # imported by the runs that read TOML only

    doc = tomlkit.parse(text)
    doc["tool"]["setuptools_scm"]["fallback_version"] = FALLBACK_VERSION
    return tomlkit.dumps(doc)
