"""A root requirements.txt that is Pipenv's export of Pipfile.lock (`pipenv requirements`).

Heroku's buildpack refuses a root with both Pipfile.lock and requirements.txt, and
Railpack installs requirements.txt with pip whenever it is there. A project often
keeps the export on purpose (its Dockerfile or docs install from it). When the file
pins exactly the packages and versions Pipfile.lock locks, pip installs what is
locked, so the run goes on: the export is kept in step with the lock this run
refreshes, and Heroku is told to ignore it (`.slugignore`). The comparison is by
pins, not bytes: the index lines, markers and hashes `pipenv requirements` writes
(or leaves out with `--exclude-markers`, adds with `--hash`) do not change what pip
installs. Any other requirements.txt is not the export, and the message says how
to write it again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["LOCK", "REQUIREMENTS", "Comparison", "compare", "in_step"]

REQUIREMENTS = "requirements.txt"
LOCK = "Pipfile.lock"
# `name[extras]==version` and an optional `; marker` (hashes are taken off first).
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)\s*(;.*)?$")
_HASH = re.compile(r"\s+--hash[=\s]\s*\S+")
# The project itself, as `pipenv requirements` writes a `path = "."` entry.
_OWN = ("-e .", "-e ./", ".", "./")
# Lines that choose where pip looks, not what it installs.
_INDEX = ("-i ", "--index-url", "--extra-index-url", "--trusted-host", "-f ", "--find-links")


@dataclass(frozen=True)
class Comparison:
    """How the root's requirements.txt compares with Pipfile.lock, pin by pin.

    `other_lines`: lines that are not `name==version` pins (an export has none);
    `differ`: (name, version pinned, version locked); `missing`: locked, not pinned;
    `extra`: pinned, not locked. `hashed`/`dev`: the export was written with
    `--hash` / `--dev` (develop packages pinned too)."""

    other_lines: tuple[str, ...]
    differ: tuple[tuple[str, str, str], ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    hashed: bool
    dev: bool

    @property
    def matches(self) -> bool:
        return not (self.other_lines or self.differ or self.missing or self.extra)

    @property
    def refresh(self) -> str:
        """The Pipenv command whose output is the export, with the flags this one used."""
        return (
            "pipenv requirements"
            + (" --dev" if self.dev else "")
            + (" --hash" if self.hashed else "")
        )

    def difference(self) -> str:
        """The first differences, in words, for a message."""
        parts = [f"`{line}` is not a pinned requirement" for line in self.other_lines[:2]]
        parts += [
            f"it pins {n}=={theirs} where {LOCK} locks {locked}"
            for n, theirs, locked in self.differ[:3]
        ]
        if self.missing:
            parts.append(f"it lacks {_few(self.missing)}, which {LOCK} locks")
        if self.extra:
            parts.append(f"it pins {_few(self.extra)}, which {LOCK} does not lock")
        more = len(self.differ) - 3
        if more > 0:
            parts.append(f"{more} more version(s) differ")
        return "; ".join(parts)

    def stale_advice(self) -> str:
        """What to do, in one sentence, when the file is not the export."""
        return (
            f"To write the export of {LOCK} again, run `{self.refresh}` and save what it "
            f"prints as {REQUIREMENTS} (it prints to the terminal; it has no option for a "
            "file), commit, and run again"
        )


def _few(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _logical_lines(text: str) -> list[str]:
    """The file's lines with `\\` continuations joined and comments dropped."""
    out = []
    for line in text.replace("\\\r\n", " ").replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _parse_pin(line: str) -> tuple[str, str] | None:
    match = _PIN.match(_HASH.sub("", " " + line).strip())
    return (canonicalize_name(match.group(1)), match.group(3)) if match else None


def _same(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _section(lock: dict, name: str) -> dict[str, dict]:
    section = lock.get(name, {})
    return {canonicalize_name(k): v for k, v in section.items() if isinstance(v, dict)}


def _version(entry: dict) -> str | None:
    version = entry.get("version")
    return version[2:] if isinstance(version, str) and version.startswith("==") else None


def _own(entry: dict) -> bool:
    """The project itself, installed from its own folder (`-e .`): no pin to compare."""
    return entry.get("path") in (".", "./") or entry.get("file") in (".", "./")


def _load(lock_text: str) -> dict | None:
    try:
        lock = json.loads(lock_text)
    except ValueError:
        return None
    return lock if isinstance(lock, dict) else None


def _expected(lock: dict, dev: bool) -> dict[str, str]:
    """{name: version} `pipenv requirements [--dev]` pins: the develop section first,
    then the default one over it, as pipenv builds it; a VCS or path package is
    named with no version (an export's line for it is not a pin)."""
    sections = ("develop", "default") if dev else ("default",)
    out: dict[str, str] = {}
    for section in sections:
        for name, entry in _section(lock, section).items():
            if not _own(entry):
                out[name] = _version(entry) or ""
    return out


def locked_versions(lock_text: str) -> dict[str, str]:
    """{name: version} of every package Pipfile.lock locks (develop included); a
    ValueError when the text is not a lock."""
    lock = _load(lock_text)
    if lock is None:
        raise ValueError("not a Pipfile.lock")
    return _expected(lock, dev=True)


def compare_texts(requirements: str, lock_text: str) -> Comparison | None:
    """The comparison of an export's text with a Pipfile.lock's; None for a lock that
    is not JSON (the platform's own install would fail on it first)."""
    lock = _load(lock_text)
    if lock is None:
        return None
    lines = _logical_lines(requirements)
    pins: dict[str, str] = {}
    other = []
    for line in lines:
        if line.startswith(_INDEX) or line in _OWN:
            continue
        pin = _parse_pin(line)
        if pin is None:
            other.append(line)
        else:
            pins[pin[0]] = pin[1]
    default, develop = _section(lock, "default"), _section(lock, "develop")
    dev = any(name in develop and name not in default for name in pins)
    expected = _expected(lock, dev)
    differ = tuple(
        (name, version, expected[name])
        for name, version in pins.items()
        if expected.get(name) and not _same(version, expected[name])
    )
    return Comparison(
        other_lines=tuple(other),
        differ=differ,
        missing=tuple(sorted(set(expected) - set(pins))),
        extra=tuple(sorted(set(pins) - set(expected))),
        hashed=any("--hash" in line for line in lines),
        dev=dev,
    )


def compare(root: Path) -> Comparison | None:
    """How the root's requirements.txt compares with its Pipfile.lock; None when the
    root lacks either file or one cannot be read."""
    req, lock = root / REQUIREMENTS, root / LOCK
    if not (req.is_file() and lock.is_file()):
        return None
    try:
        return compare_texts(req.read_text(encoding="utf-8"), lock.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _line(name: str, entry: dict, markers: bool, hashed: bool) -> str:
    """A requirement line as `pipenv requirements` writes it (utils/dependencies.py)."""
    extras = f"[{','.join(entry['extras'])}]" if entry.get("extras") else ""
    marker = f"; {entry['markers']}" if markers and entry.get("markers") else ""
    hashes = "".join(f" --hash={h}" for h in entry.get("hashes", [])) if hashed else ""
    return f"{name}{extras}=={_version(entry)}{marker}{hashes}"


def in_step(text: str, new_lock: str) -> str:
    """The export rewritten for the refreshed lock: a pin whose version the lock moved
    gets the new version (and its hashes), a package the lock gained is pinned at the
    end, one it dropped is removed; every other line is kept as the user has it (a
    line continued with `\\`, which pipenv never writes, is joined into one)."""
    lock = _load(new_lock)
    if lock is None:
        return text
    before = compare_texts(text, new_lock)
    if before is None or before.other_lines:
        return text
    expected = _expected(lock, before.dev)
    entries = {**_section(lock, "develop"), **_section(lock, "default")}
    markers = ";" in _HASH.sub("", text) or not any(e.get("markers") for e in entries.values())
    out, pinned = [], set()
    physical = text.replace("\\\r\n", " ").replace("\\\n", " ").splitlines(keepends=True)
    for raw in physical:
        pin = (
            _parse_pin(raw.split(" #", 1)[0].strip()) if not raw.lstrip().startswith("#") else None
        )
        if pin is None:
            out.append(raw)
            continue
        name, version = pin
        if name not in expected:
            continue  # the lock no longer installs it
        pinned.add(name)
        locked = expected[name]
        if not locked or _same(version, locked):
            out.append(raw)
            continue
        end = "\n" if raw.endswith("\n") else ""
        spelled = _PIN.match(_HASH.sub("", " " + raw.split(" #", 1)[0]).strip())
        out.append(_line(spelled.group(1), entries[name], markers, before.hashed) + end)
    added = [
        _line(name, entries[name], markers, before.hashed)
        for name in sorted(expected)
        if name not in pinned and _version(entries[name])
    ]
    result = "".join(out)
    if added:
        result += ("" if not result or result.endswith("\n") else "\n") + "\n".join(added) + "\n"
    return result
