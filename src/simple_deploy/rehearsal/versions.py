"""Name the packages a fresh install got at another major version than the user has.

A requirements file that does not pin a dependency of a dependency (environs
without marshmallow) gets whatever is newest when the platform installs, while the
user's environment kept the release the project was written against. When a
step after the install fails, the rehearsal compares the two: each package whose
fresh major version differs from the local one, and that the requirement files
do not pin, is named with the line that pins it at the version the user tested.

Decided here, after a failure, and never at configuration time: only an install
shows what a fresh resolution picks, and a pin written without a failure behind
it would freeze a project's dependencies for nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import NamedTuple

from ..package_managers import Dependencies

__all__ = ["Moved", "LIST_ARGV", "moved", "named_in", "local_versions", "advice"]

# Run with the platform's Python: name -> version of every installed distribution.
LIST_ARGV = (
    "{python}",
    "-c",
    "import json, importlib.metadata as m; "
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions() "
    "if d.metadata['Name']}))",
)
# The installers' own packages and this tool (never installed on the platform).
_IGNORED = {"pip", "setuptools", "wheel", "django-simple-deploy", "uv"}


class Moved(NamedTuple):
    name: str
    fresh: str
    local: str


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def local_versions() -> dict[str, str]:
    """The distributions of the environment running `manage.py deploy`, by canonical name."""
    from importlib import metadata  # after a failed step only

    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(_canonical(name), dist.version)
    return found


def parse_listing(output: str) -> dict[str, str]:
    """LIST_ARGV's output, by canonical name; empty when it is not that."""
    for line in reversed(output.strip().splitlines()):
        try:
            listed = json.loads(line)
        except ValueError:
            continue
        if isinstance(listed, dict):
            return {_canonical(str(k)): str(v) for k, v in listed.items()}
    return {}


def _major(text: str) -> tuple[int, ...] | None:
    """The release series that may break: the major version (0.x: the minor too)."""
    from packaging.version import InvalidVersion, Version

    try:
        release = Version(text).release
    except InvalidVersion:
        return None
    return release[:2] if release[0] == 0 else release[:1]


def moved(fresh: Mapping[str, str], local: Mapping[str, str], deps: Dependencies) -> list[Moved]:
    """Packages both environments hold, in another major version, that the project's
    files do not name (a dependency of a dependency); none when a lock file fixes
    every version. A named one is the user's (or this tool's) choice of range."""
    if deps.lock_file is not None:
        return []
    pinned = set(deps.present) | set(deps.pins)
    out = []
    for name, version in sorted(fresh.items()):
        mine = local.get(name)
        if mine is None or name in _IGNORED or name in pinned or name == "django":
            continue
        a, b = _major(version), _major(mine)
        if a is not None and b is not None and a != b:
            out.append(Moved(name, version, mine))
    return out


def named_in(found: list[Moved], failure: str) -> list[Moved]:
    """The moved packages the failure's output names (a traceback through
    site-packages/marshmallow/...), or all of them when it names none."""
    text = failure.lower()
    named = [m for m in found if re.search(rf"\b{m.name.replace('-', '[-_]')}\b", text)]
    return named or found


def _next(local: str) -> str:
    """The first release of the series after the local one: 3.26.1 -> 4, 0.5.0 -> 0.6."""
    series = _major(local) or (0,)
    return ".".join(map(str, (*series[:-1], series[-1] + 1)))


def advice(found: list[Moved], target: str) -> str:
    """The lines a failed step's detail ends with, each with the pin to add."""
    if not found:
        return ""
    lines = [
        f"The install got {m.name} {m.fresh}; your environment has {m.local}, and "
        f"{target} does not pin it: add `{m.name}=={m.local}` (or `{m.name}<{_next(m.local)}`) "
        f"to {target}, commit, and rehearse again."
        for m in found
    ]
    return (
        "\nA fresh install, as the platform makes, chose other major versions than the "
        "ones you run, which may be why this step failed:\n" + "\n".join(lines)
    )
