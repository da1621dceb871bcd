"""The lowest Python a project's exact pins install on, when `requires-python` admits less.

uv and Poetry lock for every Python that `requires-python` admits, not for the one
that runs here. A pyproject.toml kept from a template (`requires-python = ">=3.9"`)
beside `Django==5.1.6` (which needs 3.10) therefore fails `uv lock` with "No
solution found", although the project installs and runs fine here. Seen on
cal-itp/benefits: the tool asked for `uv lock`, and the lock could not be made until
requires-python was raised. The pins are the ones installed here, so their own
`Requires-Python` metadata says the floor without resolving anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

__all__ = ["Floor", "raised_floor"]

# Minor versions of Python 3 tried as lower bounds; a project outside them has no floor here.
_MINORS = range(6, 20)


@dataclass(frozen=True)
class Floor:
    """`specifier`: the requires-python to write; `reasons`: "name version needs Python spec"."""

    specifier: str
    reasons: tuple[str, ...]


def _lowest(specifier: SpecifierSet) -> int | None:
    """The lowest minor version of Python 3 the specifier admits."""
    for minor in _MINORS:
        if specifier.contains(f"3.{minor}.0", prereleases=True):
            return minor
    return None


def _pin_needs(spec: str) -> tuple[str, SpecifierSet] | None:
    """("name version", its Requires-Python) for an exact pin installed at that version."""
    try:
        requirement = Requirement(spec)
    except InvalidRequirement:
        return None
    pinned = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
    if len(pinned) != 1 or requirement.url or requirement.marker is not None:
        return None
    try:
        dist = metadata.distribution(requirement.name)
    except metadata.PackageNotFoundError:
        return None
    needs = dist.metadata.get("Requires-Python")
    if dist.version != pinned[0] or not needs:
        return None
    try:
        return f"{requirement.name} {dist.version}", SpecifierSet(needs)
    except InvalidSpecifier:
        return None


def raised_floor(requires_python: str, dependencies: list[str]) -> Floor | None:
    """The `requires-python` that lets the exact pins lock, when the stated one is too low.

    None when the stated range's lowest Python already suits every installed pin, or
    when no single lower bound would (a pin with an upper bound the range crosses).
    """
    try:
        stated = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return None
    low = _lowest(stated)
    if low is None:
        return None
    needs = [found for found in map(_pin_needs, dependencies) if found]
    refusing = [
        (pin, spec) for pin, spec in needs if not spec.contains(f"3.{low}.0", prereleases=True)
    ]
    if not refusing:
        return None
    for minor in _MINORS:
        if minor > low and all(s.contains(f"3.{minor}.0", prereleases=True) for _, s in needs):
            # Upper bounds and exclusions the user wrote stay; only the floor moves.
            kept = sorted(str(s) for s in stated if s.operator in ("<", "<=", "!="))
            reasons = tuple(f"{pin} needs Python {spec}" for pin, spec in refusing)
            return Floor(",".join([f">=3.{minor}", *kept]), reasons)
    return None
