"""Declared packages whose installed release refuses the Django the project runs.

A project upgraded to the Django this tool needs often keeps pins of apps written
for the old one (`django-admin-sortable2==1.0.4`, which requires Django<4.1). pip
warns and installs anyway on the user's machine; the platform installs from
scratch, and its resolver stops: no set of versions satisfies both. The installed
packages' own metadata shows it before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import metadata
from typing import NamedTuple

__all__ = ["Refusal", "refusals", "message"]


class Refusal(NamedTuple):
    name: str
    version: str
    requires: str


def refusals(declared: Iterable[str], django_version: str) -> list[Refusal]:
    """Each declared, installed distribution whose Django requirement excludes `django_version`."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    try:
        running = Version(django_version)
    except InvalidVersion:
        return []
    wanted = set(declared) - {"django", "django-simple-deploy"}
    found = []
    for dist in metadata.distributions():  # one walk of the environment
        name = re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower()
        if name not in wanted:
            continue
        wanted.discard(name)
        for line in dist.requires or ():
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if re.sub(r"[-_.]+", "-", requirement.name).lower() != "django":
                continue
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            if not requirement.specifier.contains(running, prereleases=True):
                found.append(Refusal(name, dist.version, f"Django{requirement.specifier}"))
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
