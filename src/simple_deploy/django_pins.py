"""Declared packages whose installed release refuses the Django the project runs.

A project upgraded to the Django this tool needs often keeps pins of apps written
for the old one (`django-admin-sortable2==1.0.4`, which requires Django<4.1). pip
warns and installs anyway on the user's machine; the platform installs from
scratch, and its resolver stops: no set of versions satisfies both. The installed
packages' own metadata shows it before anything is written.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import NamedTuple

__all__ = ["Refusal", "refusals", "message"]

_SEPARATORS = re.compile(r"[-_.]+")
_DJANGO_LINE = re.compile(r"^Requires-Dist:\s*django\b(?![\w.-])", re.IGNORECASE)


class Refusal(NamedTuple):
    name: str
    version: str
    requires: str


def _metadata(wanted: set[str]) -> Iterator[tuple[str, str, list[str]]]:
    """(name, version, Django requirement lines) of the wanted distributions, read from
    their `*.dist-info` folders on sys.path (first of a name wins, as for imports):
    importlib.metadata would build an object for every installed distribution."""
    seen: set[str] = set()
    for entry in sys.path:
        folder = entry or "."
        try:
            children = os.listdir(folder) if os.path.isdir(folder) else []
        except OSError:
            continue
        for child in children:
            if not child.lower().endswith(".dist-info"):
                continue
            key = _SEPARATORS.sub("-", child.rpartition(".")[0].partition("-")[0]).lower()
            if key not in wanted or key in seen:
                continue
            seen.add(key)
            version, lines = "", []
            try:
                with open(os.path.join(folder, child, "METADATA"), encoding="utf-8") as handle:
                    for line in handle:
                        if not line.strip():  # the headers end at the first blank line
                            break
                        if line.startswith("Version:"):
                            version = line[8:].strip()
                        elif _DJANGO_LINE.match(line):
                            lines.append(line.partition(":")[2].strip())
            except OSError:
                continue
            yield key, version, lines


def refusals(declared: Iterable[str], django_version: str) -> list[Refusal]:
    """Each declared, installed distribution whose Django requirement excludes `django_version`."""
    wanted = set(declared) - {"django", "django-simple-deploy"}
    found = []
    for name, version, lines in _metadata(wanted):
        if not lines:
            continue
        from packaging.requirements import InvalidRequirement, Requirement
        from packaging.version import InvalidVersion, Version

        for line in lines:
            try:
                requirement = Requirement(line)
                running = Version(django_version)
            except (InvalidRequirement, InvalidVersion):
                continue
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            if not requirement.specifier.contains(running, prereleases=True):
                found.append(Refusal(name, version, f"Django{requirement.specifier}"))
    return sorted(found)


def message(found: list[Refusal], django_version: str, target: str) -> str:
    """One message naming each refusal and the command that upgrades them all."""
    lines = "\n".join(f"    {r.name} {r.version} requires {r.requires}" for r in found)
    names = " ".join(f'"{r.name}"' for r in found)
    return (
        f"Your project runs Django {django_version}, but these packages it declares "
        f"require another Django:\n{lines}\npip installed them here anyway; the platform "
        "installs from scratch, and its install would stop, finding no versions that "
        "agree. Nothing was changed. Upgrade them to releases made for your Django "
        f'(`pip install --upgrade {names} "Django=={django_version}"`), update their pins '
        f"in {target}, commit, and run again."
    )
