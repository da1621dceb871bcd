"""One interface over the package managers a Django project may use.

Each manager lives in its own module (`requirements_txt`, `poetry`, `pipenv`,
`uv`) and exposes a module-level `MANAGER` built from plain functions. The core
and the platform plugins only ever talk to this interface.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Requirement",
    "PackageManager",
    "InstallStep",
    "ManagerError",
    "all_managers",
    "detect",
    "get",
]


class ManagerError(Exception):
    """A problem with the user's dependency files that the user can fix; the message says how."""


@dataclass(frozen=True)
class Requirement:
    """A production dependency to add: `name` is the canonical project name, `spec` the
    full PEP 508 string written into the user's files (e.g. "psycopg[binary]~=3.3")."""

    name: str
    spec: str
    reason: str = ""


@dataclass(frozen=True)
class InstallStep:
    """One command the platform runs to install the locked dependencies.

    `argv` may contain "{python}" (the target environment's interpreter) and
    "{venv}" (its folder); `env` is added to the environment for this step.
    """

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageManager:
    """What the core and plugins need to know about one package manager.

    - `files`: files (relative to the git root) the manager owns; the manifest
      first, then the lock file if the manager has one.
    - `detect(root)`: True if the project at `root` uses this manager.
    - `requirement_names(root)`: canonical names of the main (production)
      dependencies already declared.
    - `add_requirements(manifest_text, reqs)`: the manifest's new text with
      `reqs` added to the main dependencies, keeping the user's formatting and
      final newline. Pure: text in, text out.
    - `check(root)`: problems that stop us (e.g. a missing lock file), as
      actionable messages; empty if fine.
    - `lock_argv`: the user's own tool's command to refresh the lock file
      (run in a scratch copy holding `files`), or None for no lock;
      `lock_env` is added to its environment.
    - `install_steps`: how a platform installs exactly what is locked into a
      fresh virtual environment.
    - `label`: the name users know ("Poetry").
    """

    name: str
    label: str
    files: tuple[str, ...]
    detect: Callable[[Path], bool]
    requirement_names: Callable[[Path], set[str]]
    add_requirements: Callable[[str, list[Requirement]], str]
    check: Callable[[Path], list[str]]
    lock_argv: tuple[str, ...] | None
    install_steps: tuple[InstallStep, ...]
    lock_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def manifest(self) -> str:
        return self.files[0]

    @property
    def lock_file(self) -> str | None:
        return self.files[1] if len(self.files) > 1 else None


def all_managers() -> list[PackageManager]:
    """Managers in detection order: the most specific evidence first."""
    from . import pipenv, poetry, requirements_txt, uv

    return [uv.MANAGER, poetry.MANAGER, pipenv.MANAGER, requirements_txt.MANAGER]


def get(name: str) -> PackageManager:
    for manager in all_managers():
        if manager.name == name:
            return manager
    raise KeyError(name)


def detect(root: Path) -> PackageManager:
    """The manager the project at `root` uses; ManagerError if none is recognised."""
    for manager in all_managers():
        if manager.detect(root):
            return manager
    raise ManagerError(
        f"No dependency file found in {root}: expected requirements.txt, a Poetry or uv "
        "pyproject.toml, or a Pipfile at the root of the git repository. Record your "
        "dependencies (for example `pip freeze > requirements.txt`), commit, and run again."
    )
