"""One Python version for the project, and where it came from.

Projects state it in several places: `runtime.txt` (Heroku's old file, which
Heroku still prefers), `.python-version` (pyenv, uv, Heroku; comment lines
allowed), Pipfile's `[requires] python_version`, `requires-python` in
pyproject.toml. Every platform gets the same answer, read in that order, and the
summary names its source; files that disagree are pointed out.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import NamedTuple

from .textfiles import UnreadableFile, read_text

__all__ = ["PythonVersion", "find", "platform_warning"]

_VERSION = re.compile(r"(\d+)\.(\d+)")
_FILES = ("runtime.txt", ".python-version")


class PythonVersion(NamedTuple):
    """`version` is "MAJOR.MINOR"; `source` says where it was read; `notes` name conflicts."""

    version: str
    source: str
    notes: tuple[str, ...] = ()


def _text(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        return read_text(path).text
    except UnreadableFile:
        return None


def _runtime_txt(root: Path) -> str | None:
    text = _text(root / "runtime.txt")
    match = re.search(r"python-(\d+)\.(\d+)", text or "")
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _python_version_file(root: Path) -> str | None:
    text = _text(root / ".python-version")
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _VERSION.search(line)
        return f"{match.group(1)}.{match.group(2)}" if match else None
    return None


def _pipfile(root: Path) -> str | None:
    text = _text(root / "Pipfile")
    match = re.search(
        r"^\s*python_(?:full_)?version\s*=\s*[\"'](\d+)\.(\d+)", text or "", re.MULTILINE
    )
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _requires_python(root: Path) -> str | None:
    text = _text(root / "pyproject.toml")
    if not text:
        return None
    import tomlkit

    try:
        value = tomlkit.parse(text).get("project", {}).get("requires-python")
    except Exception:  # a broken pyproject is reported by its package manager
        return None
    return str(value) if value else None


def _satisfies(version: str, specifier: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(specifier).contains(f"{version}.0", prereleases=True)
    except InvalidSpecifier:
        return True


def _from_specifier(specifier: str, running: str) -> str:
    """The running Python if the range allows it, else the lowest minor version it allows."""
    if _satisfies(running, specifier):
        return running
    for minor in range(8, 20):
        if _satisfies(f"3.{minor}", specifier):
            return f"3.{minor}"
    return running


def find(root: Path) -> PythonVersion:
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    stated = [
        (name, version)
        for name, version in (
            ("runtime.txt", _runtime_txt(root)),
            (".python-version", _python_version_file(root)),
            ("Pipfile [requires]", _pipfile(root)),
        )
        if version
    ]
    requires = _requires_python(root)
    if stated:
        source, version = stated[0]
    elif requires:
        version = _from_specifier(requires, running)
        source = f"requires-python {requires} in pyproject.toml"
    else:
        source, version = "the Python running this command", running
    notes = [
        f"{name} says Python {other}, {source} says {version}: every platform gets {version} "
        f"({source} is read first, as Heroku does). Make {name} agree, or delete it."
        for name, other in stated[1:]
        if other != version
    ]
    if requires and not _satisfies(version, requires):
        notes.append(
            f"Python {version} (from {source}) is outside requires-python ({requires}) in "
            "pyproject.toml; the install may refuse it. Make them agree."
        )
    return PythonVersion(version, source, tuple(notes))


def platform_warning(version: str, source: str, label: str, support: dict[str, str]) -> str | None:
    """A warning when `label` lacks or deprecates `version`; `support`: version -> status."""
    if not support:
        return None
    supported = [v for v, status in support.items() if status == "supported"]
    listed = ", ".join(supported)
    # Where the user pins it: the file it came from, else a new .python-version.
    where = source if source in _FILES else "a .python-version file"
    status = support.get(version)
    if status == "supported":
        return None
    if status == "deprecated":
        return (
            f"Warning: {label} deprecates Python {version} (from {source}); it still builds "
            f"today, but move to a supported version ({listed}) and pin it in {where}."
        )
    return (
        f"Warning: {label} does not offer Python {version} (from {source}): its build will "
        f"fail. Use one of {listed}, pin it in {where}, and run again."
    )
