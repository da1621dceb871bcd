"""uv: `[project] dependencies` in pyproject.toml, locked in uv.lock.

The platform installs with `uv sync --locked`, which fails rather than
re-resolving when the lock does not match: it installs exactly what was tested.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from ..textfiles import read_text
from . import InstallStep, PackageManager, Requirement
from ._specs import add_to_project_dependencies, names_of, project_dependencies

MANIFEST = "pyproject.toml"
LOCK = "uv.lock"


def _detect(root: Path) -> bool:
    if (root / LOCK).is_file():
        return True
    path = root / MANIFEST
    return path.is_file() and "uv" in tomlkit.parse(read_text(path).text).get("tool", {})


def _names(root: Path) -> set[str]:
    dependencies = project_dependencies(tomlkit.parse(read_text(root / MANIFEST).text))
    return names_of(dependencies or [])


def _add(text: str, requirements: list[Requirement]) -> str:
    doc = tomlkit.parse(text)
    add_to_project_dependencies(doc, requirements)
    return tomlkit.dumps(doc)


def _check(root: Path) -> list[str]:
    problems = []
    if not (root / MANIFEST).is_file():
        problems.append(f"{LOCK} is here but {MANIFEST} is not. Run `uv init`, commit, run again.")
    elif not (root / LOCK).is_file():
        problems.append(
            f"{MANIFEST} is managed by uv but {LOCK} is missing, so the platform could not "
            f"install exactly what you tested. Run `uv lock`, commit {LOCK}, and run again."
        )
    return problems


MANAGER = PackageManager(
    name="uv",
    label="uv",
    files=(MANIFEST, LOCK),
    detect=_detect,
    requirement_names=_names,
    add_requirements=_add,
    check=_check,
    lock_argv=("uv", "lock"),
    install_steps=(
        InstallStep(
            ("uv", "sync", "--locked", "--no-dev", "--no-install-project"),
            {"UV_PROJECT_ENVIRONMENT": "{venv}", "UV_PYTHON": "{python}"},
        ),
    ),
)
