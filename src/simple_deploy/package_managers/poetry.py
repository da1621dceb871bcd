"""Poetry: dependencies in pyproject.toml (`[project]` or `[tool.poetry]`), locked in
poetry.lock.

Poetry 2 writes PEP 621 `[project] dependencies`; older projects keep
`[tool.poetry.dependencies]`. We add to whichever the project uses. Groups
(`[tool.poetry.group.<name>.dependencies]`) count: a package in a group
production installs is present, and the platform installs those groups with
`poetry sync --only main,<group>`.
"""

from __future__ import annotations

from pathlib import Path

from ..textfiles import read_text
from . import Dependencies, Edit, InstallStep, PackageManager, Requirement, poetry_root
from . import groups as group_rules
from ._specs import (
    add_to_project_dependencies,
    name_of,
    names_of,
    optional_spec,
    project_dependencies,
    replace_in_project_dependencies,
    table_value,
)

MANIFEST = "pyproject.toml"
LOCK = "poetry.lock"
_INSTALL_ENV = {"VIRTUAL_ENV": "{venv}", "POETRY_VIRTUALENVS_CREATE": "false"}


def _doc(root: Path):
    import tomlkit  # imported by the runs that read TOML only

    return tomlkit.parse(read_text(root / MANIFEST).text)


def _detect(root: Path) -> bool:
    if (root / LOCK).is_file():
        return True
    path = root / MANIFEST
    return path.is_file() and "poetry" in _doc(root).get("tool", {})


def _poetry_table(doc):
    return doc.get("tool", {}).get("poetry", {}).get("dependencies")


def _groups(doc) -> dict[str, dict]:
    """Group name -> {declared name: Poetry constraint or PEP 508 string}.

    Poetry 2.2 writes PEP 735 `[dependency-groups]` (`poetry add --group`); older
    projects keep `[tool.poetry.group.<name>.dependencies]`. Both count.
    """
    groups: dict[str, dict] = {}
    for name, specs in doc.get("dependency-groups", {}).items():
        table = groups.setdefault(name, {})
        for spec in specs:
            if isinstance(spec, str) and name_of(spec):
                table[spec] = _PEP508
    poetry_groups = doc.get("tool", {}).get("poetry", {}).get("group", {})
    for name, table in poetry_groups.items():
        groups.setdefault(name, {}).update(table.get("dependencies", {}))
    return groups


# Marks a `[dependency-groups]` entry: its key is the whole PEP 508 string.
_PEP508 = object()


def _names(root: Path) -> set[str]:
    doc = _doc(root)
    names = names_of(project_dependencies(doc) or [])
    table = _poetry_table(doc) or {}
    names |= {n for n in map(name_of, table.keys()) if n and n != "python"}
    return names


def _pins(doc) -> dict[str, str]:
    """The main dependencies as PEP 508 strings (`dj-database-url = "0.5.0"` ->
    `dj-database-url==0.5.0`), so a pin older than a generated file needs is raised."""
    pins = {
        name: str(spec)
        for spec in project_dependencies(doc) or []
        if isinstance(spec, str) and (name := name_of(spec))
    }
    for key, value in (_poetry_table(doc) or {}).items():
        name = name_of(key)
        version = value.get("version") if hasattr(value, "get") else value
        if name and name != "python" and isinstance(version, str) and version.strip() != "*":
            pins.setdefault(name, f"{key}{_pep440(version)}")
    return pins


def _install_steps(
    production_groups: tuple[str, ...], install_root: bool = False
) -> tuple[InstallStep, ...]:
    only = ",".join(("main", *production_groups))
    root = () if install_root else ("--no-root",)
    return (
        InstallStep(("poetry", "sync", "--only", only, *root, "--no-interaction"), _INSTALL_ENV),
    )


def _read(root: Path, asked: tuple[str, ...]) -> Dependencies:
    doc = _doc(root)
    groups = _groups(doc)
    known = list(groups)
    chosen = group_rules.choose(asked, known)
    present = _names(root)
    group_of: dict[str, str] = {}
    for name, table in groups.items():
        for key in table.keys():
            canonical = name_of(key)
            if not canonical:
                continue
            if name in chosen:
                present.add(canonical)
            else:
                group_of.setdefault(canonical, name)
    problems = group_rules.unknown_groups_problem(asked, known, MANIFEST)
    if not (root / LOCK).is_file():
        problems.append(
            f"{MANIFEST} is managed by Poetry but {LOCK} is missing, so the platform could not "
            f"install exactly what you tested. Run `poetry lock`, commit {LOCK}, and run again."
        )
    notes = []
    if chosen:
        notes.append(
            f"Poetry groups installed in production: main, {', '.join(chosen)} "
            f"(`poetry sync --only main,{','.join(chosen)}`); other groups stay local."
        )
    package = poetry_root.is_package(doc)
    found = poetry_root.root_found(root, doc)
    return Dependencies(
        manager="poetry",
        # What Heroku's `poetry sync` (no --no-root) does: the project itself too.
        package_install_steps=_install_steps(chosen, install_root=True)
        if package and found
        else (),
        package_mode_off=package and not found,
        present=frozenset(present),
        pins=_pins(doc),
        target=MANIFEST,
        install_files=(MANIFEST, LOCK),
        install_steps=_install_steps(chosen),
        groups=chosen,
        lock_argv=MANAGER.lock_argv,
        lock_file=LOCK,
        lock_inputs=(MANIFEST, LOCK),
        lock_env=MANAGER.lock_env,
        problems=tuple(problems),
        notes=tuple(notes),
        group_of=group_of,
    )


def _add(text: str, requirements: list[Requirement]) -> str:
    import tomlkit  # imported by the runs that read TOML only

    doc = tomlkit.parse(text)
    table = _poetry_table(doc)
    new = []
    for requirement in requirements:
        # A pin being raised is changed where it is written, under the key as spelled.
        key = next((k for k in (table or {}) if name_of(k) == requirement.name), None)
        if replace_in_project_dependencies(doc, requirement):
            continue
        if key is not None:
            table[key] = table_value(requirement)
        else:
            new.append(requirement)
    if project_dependencies(doc) is not None or table is None:
        add_to_project_dependencies(doc, new)
    else:
        for requirement in new:
            table[requirement.name] = table_value(requirement)
    return tomlkit.dumps(doc)


def _same_constraint(doc, requirement: Requirement, group: str) -> Requirement:
    """`requirement` with the constraint `group` already declares, so both can hold at once."""
    table = _groups(doc)[group]
    for key, value in table.items():
        if name_of(key) != requirement.name:
            continue
        if value is _PEP508:
            spec = key
        elif isinstance(value, str):
            spec = key if value.strip() == "*" else f"{key}{_pep440(value)}"
        elif hasattr(value, "get") and isinstance(value.get("version"), str):
            extras = value.get("extras") or []
            extra = f"[{','.join(extras)}]" if extras else ""
            spec = f"{key}{extra}{_pep440(value['version'])}"
        else:
            return requirement
        return Requirement(requirement.name, spec, requirement.reason)
    return requirement


def _pep440(constraint: str) -> str:
    """A Poetry constraint as PEP 508 (caret and tilde forms made explicit)."""
    value = constraint.strip()
    if value.startswith("^"):
        parts = value[1:].split(".")
        upper = next((i for i, p in enumerate(parts) if p != "0"), len(parts) - 1)
        bumped = [*parts[:upper], str(int(parts[upper]) + 1)]
        return f">={value[1:]},<{'.'.join(bumped)}"
    if value.startswith("~") and not value.startswith("~="):
        parts = value[1:].split(".")
        keep = parts[:-1] if len(parts) > 1 else parts
        keep = [*keep[:-1], str(int(keep[-1]) + 1)]
        return f">={value[1:]},<{'.'.join(keep)}"
    if value[0].isdigit():
        return f"=={value}"
    return value


def _edit(root: Path, deps: Dependencies, missing: list[Requirement]) -> Edit:
    if not missing and not deps.package_mode_off:
        return Edit({}, {}, ())
    text = read_text(root / MANIFEST).text
    import tomlkit

    if deps.package_mode_off:
        text = poetry_root.with_package_mode_off(text)
    doc = tomlkit.parse(text)
    reqs = []
    moved = []
    for r in missing:
        if r.name in deps.pins:
            reqs.append(r)  # a pin raised in place (plan.too_old)
        elif r.name in deps.group_of:
            reqs.append(_same_constraint(doc, r, deps.group_of[r.name]))
            moved.append(f"{r.name} (group {deps.group_of[r.name]})")
        elif extra := optional_spec(doc, r.name):
            # An extra (`[project.optional-dependencies]`): production installs none.
            reqs.append(Requirement(r.name, extra[1], r.reason))
            moved.append(f"{r.name} (extra {extra[0]})")
        else:
            reqs.append(r)
    added = [r.spec for r in reqs if r.name not in deps.pins]
    reasons = [f"production requirements for the platform: {', '.join(added)}"] if added else []
    reasons += [
        f"raised `{deps.pins[r.name]}` to `{r.spec}`: the generated files need {r.name} "
        f"{r.minimum} or newer ({r.reason})"
        for r in reqs
        if r.name in deps.pins
    ]
    if deps.package_mode_off:
        reasons.append(
            "[tool.poetry] package-mode = false: no folder is named for your project's "
            "package, so installing the project itself (Heroku's `poetry sync` does) would "
            "stop; your poetry.lock stays valid"
        )
    reason = "; ".join(reasons)
    if moved:
        reason += (
            f"; {', '.join(moved)} also in the main dependencies, with the same "
            "constraint: production does not install that group or extra"
        )
    return Edit({MANIFEST: _add(text, reqs) if reqs else text}, {MANIFEST: reason}, tuple(reqs))


def _check(root: Path) -> list[str]:
    return list(_read(root, ()).problems)


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
    install_steps=_install_steps(()),
    read=_read,
    edit=_edit,
)
