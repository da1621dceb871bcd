"""Which dependency groups production installs (Poetry groups, PEP 735 groups for uv).

A group named for production ("production", "prod", "deploy" ...) is installed;
a group named for development ("dev", "test", "lint", "docs" ...) never is. The
user can name groups with `--production-group`. A package the platform needs
that is declared only in a group production does not install is added to the
main dependencies with that group's constraint, so the two cannot conflict.
"""

from __future__ import annotations

import re

__all__ = ["choose", "is_production", "is_development", "unknown_groups_problem"]

_PRODUCTION = re.compile(r"^(prod|production|deploy|deployment|server|web|runtime)$")
_DEVELOPMENT = re.compile(
    r"^(dev|develop|development|local|test|tests|testing|lint|linting|docs|doc|typing|"
    r"types|mypy|ci|debug|tools|qa)$"
)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_production(name: str) -> bool:
    return bool(_PRODUCTION.match(_norm(name)))


def is_development(name: str) -> bool:
    return bool(_DEVELOPMENT.match(_norm(name)))


def unknown_groups_problem(asked: tuple[str, ...], known: list[str], manifest: str) -> list[str]:
    missing = [name for name in asked if name not in known]
    if not missing:
        return []
    listed = ", ".join(known) or "none"
    return [
        f"--production-group {', '.join(missing)}: {manifest} declares no such dependency "
        f"group (groups found: {listed}). Name an existing group, or leave the option out."
    ]


def choose(asked: tuple[str, ...], known: list[str]) -> tuple[str, ...]:
    """Groups production installs: named by the user or named for production."""
    return tuple(name for name in known if name in asked or is_production(name))
