"""One interface over the package managers a Django project may use.

Each manager lives in its own module (`requirements_txt`, `poetry`, `pipenv`,
`uv`) and exposes a module-level `MANAGER` built from plain functions. The core
and the platform plugins only ever talk to this interface.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "Requirement",
    "PackageManager",
    "Dependencies",
    "Edit",
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
    full PEP 508 string written into the user's files (e.g. "psycopg[binary]~=3.3").

    `minimum`: the oldest release the generated files work with (a keyword they pass
    appeared in it). A project whose own pin allows nothing that new gets the pin
    raised to `spec`, where its manager can say so in the file; "" never raises.
    """

    name: str
    spec: str
    reason: str = ""
    minimum: str = ""


@dataclass(frozen=True)
class InstallStep:
    """One command the platform runs to install the locked dependencies.

    `argv` may contain "{python}" (the target environment's interpreter) and
    "{venv}" (its folder); `env` is added to the environment for this step.
    """

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    #: True for the step that installs the project itself: it needs the project's
    #: source, so an image runs it after copying the code, not with the dependencies.
    after_source: bool = False


@dataclass(frozen=True)
class Dependencies:
    """What inspection learned about how this project declares and installs its dependencies.

    It travels in the frozen `Project`, so planning, locking, the Fly image and
    the rehearsal all use the same answer.

    - `present`: canonical names production already installs.
    - `target`: the file new requirements go to (root-relative, POSIX).
    - `install_files`: every file the platform's install reads; an entry ending
      in "/" is a folder (a uv workspace member, a path source).
    - `install_steps`: how the platform installs (groups production needs included).
    - `groups`: the dependency groups production installs besides the main ones.
    - `lock_argv`/`lock_file`/`lock_inputs`/`lock_env`: the user's own tool's
      command refreshing `lock_file`, run in a scratch copy of `lock_inputs`.
    - `problems`: what stops the run, each with its fix; `notes` go to the summary.
    - `hashed`: requirements pinned with --hash (pip then refuses an unhashed line).
    - `new_text`: set when `target` does not exist yet: its first lines (this run
      creates it, through the plan like every other file).
    - `export`: a root requirements.txt that is an export of the lock (the same
      pins, lock_export, pipenv_export): kept in step with the lock, so pip installs
      what is locked.
    - `export_stale`: why a root requirements.txt beside the lock is not its export
      and how to write it again ("" when it is one, or the manager has no export);
      only the platforms that would install from it stop for it.
    - `pins`: canonical name -> the requirement as the user wrote it ("dj-database-url==0.5.0"),
      for the lines the manager can raise in place when a `Requirement.minimum` needs it.
    - `django_through`: the listed package that brings Django when Django itself is not
      listed (django-allauth, wagtail): the plan pins the Django this project runs.
    - `own_distribution`: see the field.
    """

    manager: str
    present: frozenset[str]
    target: str
    install_files: tuple[str, ...]
    install_steps: tuple[InstallStep, ...]
    groups: tuple[str, ...] = ()
    lock_argv: tuple[str, ...] | None = None
    lock_file: str | None = None
    lock_inputs: tuple[str, ...] = ()
    lock_env: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    hashed: bool = False
    group_of: Mapping[str, str] = field(default_factory=dict)
    new_text: str | None = None
    export: str | None = None
    export_stale: str = ""
    pins: Mapping[str, str] = field(default_factory=dict)
    django_through: str = ""
    #: The project's own distribution, installed on the platform too: its code reads
    #: its installed metadata (own_distribution). "" when the project is not installed.
    own_distribution: str = ""
    #: The install that puts the project itself in too, for a project the manager
    #: builds as a package: what a builder running the manager's plain sync does
    #: (Heroku's and Railway's `uv sync`). () when the project is not a package.
    package_install_steps: tuple[InstallStep, ...] = ()
    #: A Poetry project in package mode whose package Poetry cannot find: installing
    #: the project itself would stop (poetry_root), so the edit turns package mode off.
    package_mode_off: bool = False


class Edit(NamedTuple):
    """The dependency files' new texts (path -> text) and why, for the plan."""

    texts: Mapping[str, str]
    reasons: Mapping[str, str]
    added: tuple[Requirement, ...]
    problems: tuple[str, ...] = ()


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
    read: Callable[[Path, tuple[str, ...]], Dependencies] | None = None
    edit: Callable[[Path, Dependencies, list[Requirement]], Edit] | None = None

    def dependencies(self, root: Path, groups: tuple[str, ...] = ()) -> Dependencies:
        """What the project at `root` declares; `groups` are production groups the user named."""
        if self.read is not None:
            return self.read(root, groups)
        return Dependencies(
            manager=self.name,
            present=frozenset(self.requirement_names(root)),
            target=self.manifest,
            install_files=self.files,
            install_steps=self.install_steps,
            lock_argv=self.lock_argv,
            lock_file=self.lock_file,
            lock_inputs=self.files,
            lock_env=self.lock_env,
            problems=tuple(self.check(root)),
        )

    def plan_edit(self, root: Path, deps: Dependencies, missing: list[Requirement]) -> Edit:
        """New texts of the dependency files adding `missing` (and removals the manager needs)."""
        if self.edit is not None:
            return self.edit(root, deps, missing)
        if not missing:
            return Edit({}, {}, ())
        from ..textfiles import read_text

        text = read_text(root / deps.target).text
        names = ", ".join(r.spec for r in missing)
        return Edit(
            {deps.target: self.add_requirements(text, missing)},
            {deps.target: f"production requirements for the platform: {names}"},
            tuple(missing),
        )

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


def _project_dependencies(root: Path) -> tuple[list[str], str | None]:
    """The packages pyproject.toml names under `[project] dependencies` (a package
    installed with `pip install .`, no manager's lock: a requirements.txt of ours
    would miss them), and its `requires-python`."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return [], None
    import tomlkit  # imported by the runs that read TOML only
    from tomlkit.exceptions import ParseError

    try:
        project = tomlkit.parse(path.read_text(encoding="utf-8", errors="replace")).get("project")
    except ParseError:
        return [], None
    if not hasattr(project, "get"):
        return [], None
    dependencies = project.get("dependencies")
    requires = project.get("requires-python")
    return (
        [str(d) for d in dependencies] if isinstance(dependencies, list) else [],
        str(requires) if requires else None,
    )


def _lock_first(dependencies: list[str], requires_python: str | None) -> str:
    """What to change before `uv lock` can succeed, or ""."""
    if requires_python is None:
        return ""
    from .python_floor import raised_floor

    floor = raised_floor(requires_python, dependencies)
    if floor is None:
        return ""
    return (
        f'First set requires-python = "{floor.specifier}" in pyproject.toml and commit '
        f"it (it says "
        f'"{requires_python}", and uv locks for every Python it admits, but '
        f"{'; '.join(floor.reasons)}). "
    )


def detect(root: Path) -> PackageManager:
    """The manager the project at `root` uses; ManagerError if none is recognised."""
    for manager in all_managers():
        if manager.detect(root):
            return manager
    dependencies, requires_python = _project_dependencies(root)
    if dependencies:
        raise ManagerError(
            "pyproject.toml lists your dependencies under [project] dependencies, but no "
            "lock file records the versions you tested (uv.lock, poetry.lock), so a "
            "platform would install whatever is newest. "
            + _lock_first(dependencies, requires_python)
            + "Run `uv lock`, commit uv.lock, and "
            "run again: uv reads the same pyproject.toml, and every platform then installs "
            "exactly what is locked. Nothing was changed."
        )
    raise ManagerError(
        f"No dependency file found in {root}: expected requirements.txt, a Poetry or uv "
        "pyproject.toml, or a Pipfile at the root of the git repository. Record your "
        "dependencies (for example `pip freeze > requirements.txt`), commit, and run again."
    )
