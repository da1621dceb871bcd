"""Poetry: dependencies in pyproject.toml (`[project]` or `[tool.poetry]`), locked in
poetry.lock.

Poetry 2 writes PEP 621 `[project] dependencies`; older projects keep
`[tool.poetry.dependencies]`. We add to whichever the project uses.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from ..textfiles import read_text
from . import InstallStep, PackageManager, Requirement
from ._specs import (
    add_to_project_dependencies,
    name_of,
    names_of,
    project_dependencies,
    table_value,
)

MANIFEST = "pyproject.toml"
LOCK = "poetry.lock"


def _doc(root: Path):
    return tomlkit.parse(read_text(root / MANIFEST).text)


def _detect(root: Path) -> bool:
    if (root / LOCK).is_file():
        return True
    path = root / MANIFEST
    return path.is_file() and "poetry" in _doc(root).get("tool", {})


def _poetry_table(doc):
    return doc.get("tool", {}).get("poetry", {}).get("dependencies")


def _names(root: Path) -> set[str]:
    doc = _doc(root)
    names = names_of(project_dependencies(doc) or [])
    table = _poetry_table(doc) or {}
    names |= {n for n in map(name_of, table.keys()) if n and n != "python"}
    return names


def _add(text: str, requirements: list[Requirement]) -> str:
    doc = tomlkit.parse(text)
    table = _poetry_table(doc)
    if project_dependencies(doc) is not None or table is None:
        add_to_project_dependencies(doc, requirements)
    else:
        for requirement in requirements:
            table[requirement.name] = table_value(requirement)
    return tomlkit.dumps(doc)


def _check(root: Path) -> list[str]:
    if (root / LOCK).is_file():
        return []
    return [
        f"{MANIFEST} is managed by Poetry but {LOCK} is missing, so the platform could not "
        f"install exactly what you tested. Run `poetry lock`, commit {LOCK}, and run again."
    ]


MANAGER = PackageManager(
    name="poetry",
    label="Poetry",
    files=(MANIFEST, LOCK),
    detect=_detect,
    requirement_names=_names,
    add_requirements=_add,
    check=_check,
    # Poetry 2's `lock` keeps every locked version it can: only the new packages move.
    lock_argv=("poetry", "lock"),
    # Outside a virtual environment Poetry makes one for every new project folder
    # it sees, and the lock runs in a fresh scratch folder each time: without this,
    # every run would leave a virtual environment in the user's Poetry cache. In
    # the project folder, the environment is deleted with the scratch folder.
    lock_env={"POETRY_VIRTUALENVS_IN_PROJECT": "true"},
    install_steps=(
        InstallStep(
            ("poetry", "sync", "--only", "main", "--no-root", "--no-interaction"),
            {"VIRTUAL_ENV": "{venv}", "POETRY_VIRTUALENVS_CREATE": "false"},
        ),
    ),
)
