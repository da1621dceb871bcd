"""A root requirements.txt that is an export of uv.lock: the same pins, for pip users.

Heroku's buildpack refuses a root with both files, and Railpack installs
requirements.txt with pip whenever it is there. When every line pins the version
uv.lock holds and every package the lock installs on Linux is listed, pip installs
exactly what is locked, so the run goes on instead of stopping: the export is kept
in step (the packages this run adds to the lock are pinned in it too), and Heroku
is told to ignore it (`.slugignore`) and install from uv.lock. A requirements.txt
with another set or other versions is not an export: the platforms' messages stop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from packaging.markers import InvalidMarker, Marker
from packaging.utils import canonicalize_name

__all__ = ["REQUIREMENTS", "is_export", "locked_versions", "pins", "with_new_pins"]

REQUIREMENTS = "requirements.txt"
LOCK = "uv.lock"
# `name==version`, an optional `; marker`, an optional trailing `\` before hashes.
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)\s*(;[^\\]*)?\\?\s*$")
# The platforms build on Linux: a package locked only for Windows or macOS is not installed.
_LINUX = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}


def _lock(text: str) -> list[dict]:
    import tomlkit  # imported by the runs that read TOML only (tomllib is 3.11+)
    from tomlkit.exceptions import ParseError

    try:
        return list(tomlkit.parse(text).unwrap().get("package", []))
    except ParseError:
        return []


def _own(package: dict) -> bool:
    """The project itself (or a workspace member), locked from a local folder."""
    source = package.get("source", {})
    return "editable" in source or "virtual" in source or "directory" in source


def _linux(marker: str | None) -> bool:
    if not marker:
        return True
    try:
        return Marker(marker).evaluate(_LINUX)
    except InvalidMarker:
        return True


def locked_versions(text: str) -> dict[str, str]:
    """{canonical name: version} for every package the lock holds, the project's own aside."""
    return {
        canonicalize_name(p["name"]): str(p.get("version", ""))
        for p in _lock(text)
        if "name" in p and not _own(p)
    }


def _required(text: str) -> set[str]:
    """The packages the project's main dependencies install on Linux (the lock's closure)."""
    packages = {canonicalize_name(p["name"]): p for p in _lock(text) if "name" in p}
    todo = [e for p in packages.values() if _own(p) for e in p.get("dependencies", [])]
    seen: set[str] = set()
    while todo:
        edge = todo.pop()
        name = canonicalize_name(edge.get("name", ""))
        if name in seen or not _linux(edge.get("marker")) or name not in packages:
            continue
        seen.add(name)
        package = packages[name]
        todo += package.get("dependencies", [])
        for extra in edge.get("extra", []):
            todo += package.get("optional-dependencies", {}).get(extra, [])
    return {name for name in seen if not _own(packages[name])}


def _pins(text: str) -> dict[str, str] | None:
    """{name: version} of a pins-only requirements file; None for any other line."""
    pins = {}
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#") or line.startswith("--hash"):
            continue
        if line in ("-e .", ".", "-e file:.") or line.startswith("--index-url"):
            continue
        match = _PIN.match(line)
        if not match:
            return None
        if match.group(4) and not _linux(match.group(4).lstrip(";").strip()):
            continue
        pins[canonicalize_name(match.group(1))] = match.group(3)
    return pins


def pins(text: str) -> dict[str, str] | None:
    """{name: version} of a pins-only requirements text (Linux lines); None for any other."""
    return _pins(text)


def is_export(root: Path) -> bool:
    """True when the root's requirements.txt pins the versions uv.lock holds and lists
    every package the main dependencies install on Linux (`uv export`, with or
    without the dev groups)."""
    req, lock = root / REQUIREMENTS, root / LOCK
    if not (req.is_file() and lock.is_file()):
        return False
    try:
        pins = _pins(req.read_text(encoding="utf-8"))
        text = lock.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if not pins:
        return False
    locked = locked_versions(text)
    agree = all(locked.get(name) == version for name, version in pins.items())
    return agree and _required(text) <= set(pins)


def with_new_pins(text: str, old_lock: str, new_lock: str) -> str:
    """The export with a pin for each package the new lock adds (the lock's versions)."""
    old, new = locked_versions(old_lock), locked_versions(new_lock)
    required = _required(new_lock)
    added: Iterable[str] = sorted(name for name in new if name not in old and name in required)
    lines = [f"{name}=={new[name]}" for name in added]
    if not lines:
        return text
    return text + ("" if not text or text.endswith("\n") else "\n") + "\n".join(lines) + "\n"
