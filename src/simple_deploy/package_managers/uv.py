"""uv: `[project] dependencies` in pyproject.toml, locked in uv.lock.

The platform installs with `uv sync --locked`, which fails rather than
re-resolving when the lock does not match: it installs exactly what was tested.
A workspace (`[tool.uv.workspace] members`) and path sources (`tool.uv.sources`)
are part of both the lock and the install, so their folders travel with the
dependency files. PEP 735 groups production needs are installed with `--group`.
"""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

from ..textfiles import read_text
from . import (
    Dependencies,
    Edit,
    InstallStep,
    PackageManager,
    Requirement,
    lock_export,
    own_distribution,
)
from . import groups as group_rules
from ._specs import (
    add_to_project_dependencies,
    name_of,
    names_of,
    optional_spec,
    project_dependencies,
    replace_in_project_dependencies,
)

MANIFEST = "pyproject.toml"
LOCK = "uv.lock"
_INSTALL_ENV = {"UV_PROJECT_ENVIRONMENT": "{venv}", "UV_PYTHON": "{python}"}
# uv looks for a Python; it must use one already installed, never download one
# (which fails offline, and is not the interpreter the user tested with).
_LOCK_ENV = {"UV_PYTHON_DOWNLOADS": "never"}


def _doc(root: Path):
    import tomlkit  # imported by the runs that read TOML only

    return tomlkit.parse(read_text(root / MANIFEST).text)


def _detect(root: Path) -> bool:
    if (root / LOCK).is_file():
        return True
    path = root / MANIFEST
    return path.is_file() and "uv" in _doc(root).get("tool", {})


def _names(root: Path) -> set[str]:
    return names_of(project_dependencies(_doc(root)) or [])


def _install_steps(
    production_groups: tuple[str, ...], install_project: bool = False
) -> tuple[InstallStep, ...]:
    groups = [arg for name in production_groups for arg in ("--group", name)]
    sync = ("uv", "sync", "--locked", "--no-default-groups", *groups)
    dependencies = InstallStep((*sync, "--no-install-project"), _INSTALL_ENV)
    if not install_project:
        return (dependencies,)
    # The same sync once the source is there installs the project itself as well.
    return (dependencies, InstallStep(sync, _INSTALL_ENV, after_source=True))


def _lock_env() -> dict[str, str]:
    # The interpreter running this command is the user's: uv locks with it instead of
    # looking for (or downloading) another.
    return {**_LOCK_ENV, "UV_PYTHON": sys.executable}


def _workspace_folders(root: Path, doc) -> tuple[list[str], list[str]]:
    """(folders, problems): workspace members and path sources inside the repository."""
    uv = doc.get("tool", {}).get("uv", {})
    workspace = uv.get("workspace", {})
    folders: list[str] = []
    problems: list[str] = []
    excluded = {
        path.relative_to(root).as_posix()
        for pattern in workspace.get("exclude", [])
        for path in root.glob(str(pattern))
    }
    for pattern in workspace.get("members", []):
        for path in sorted(root.glob(str(pattern))):
            rel = path.relative_to(root).as_posix()
            if (path / MANIFEST).is_file() and rel not in excluded:
                folders.append(rel)
    for name, source in uv.get("sources", {}).items():
        if not hasattr(source, "get") or "path" not in source:
            continue
        target = (root / str(source["path"])).resolve()
        try:
            rel = target.relative_to(root.resolve()).as_posix()
        except ValueError:
            problems.append(
                f"{MANIFEST} [tool.uv.sources] {name} = {{ path = {source['path']!r} }} points "
                "outside the repository, which the platform never receives: its install would "
                "fail. Move that package into the repository (a workspace member), or use a "
                "published release or a git source; commit, and run again. Nothing was changed."
            )
            continue
        folders.append(rel if target.is_dir() else PurePosixPath(rel).as_posix())
    return list(dict.fromkeys(folders)), problems


def _read(root: Path, asked: tuple[str, ...]) -> Dependencies:
    if not (root / MANIFEST).is_file():
        return Dependencies(
            "uv",
            frozenset(),
            MANIFEST,
            (LOCK,),
            MANAGER.install_steps,
            problems=tuple(_check(root)),
        )
    doc = _doc(root)
    declared = doc.get("dependency-groups", {})
    known = list(declared)
    chosen = group_rules.choose(asked, known)
    present = _names(root)
    group_of: dict[str, str] = {}
    for name, specs in declared.items():
        for spec in specs:
            canonical = name_of(spec) if isinstance(spec, str) else None
            if not canonical:
                continue
            if name in chosen:
                present.add(canonical)
            else:
                group_of.setdefault(canonical, name)
    folders, problems = _workspace_folders(root, doc)
    problems += group_rules.unknown_groups_problem(asked, known, MANIFEST)
    if not (root / LOCK).is_file():
        problems.append(
            f"{MANIFEST} is managed by uv but {LOCK} is missing, so the platform could not "
            f"install exactly what you tested. Run `uv lock`, commit {LOCK}, and run again."
        )
    notes = []
    if chosen:
        notes.append(
            f"uv dependency groups installed in production: {', '.join(chosen)}; other groups "
            "stay local."
        )
    if folders:
        notes.append(f"uv workspace: {', '.join(folders)} locked and installed with the project.")
    export = lock_export.REQUIREMENTS if lock_export.is_export(root) else None
    if export:
        notes.append(
            f"{export} is an export of {LOCK} (the same pins), so a platform that installs it "
            f"with pip installs exactly what is locked; this run keeps it in step, pinning "
            f"what it adds to {LOCK} there too."
        )
    extra = tuple(f"{folder}/" for folder in folders)
    context = tuple(name for name in (".python-version",) if (root / name).is_file())
    # The main dependencies as written, so a pin older than a generated file needs
    # (`dj-database-url==0.5.0`, python.org) is raised in place (plan.too_old).
    pins = {
        name: str(spec)
        for spec in project_dependencies(doc) or []
        if isinstance(spec, str) and (name := name_of(spec))
    }
    package = own_distribution.is_package(doc)
    own = own_distribution.reads_own_distribution(root, doc) or "" if package else ""
    if own:
        notes.append(
            f"Your code reads the installed metadata of {own} itself (its version), so the "
            "platform installs your project too, after its dependencies."
        )
    return Dependencies(
        manager="uv",
        present=frozenset(present),
        pins=pins,
        target=MANIFEST,
        install_files=(MANIFEST, LOCK, *extra),
        install_steps=_install_steps(chosen, install_project=bool(own)),
        own_distribution=own,
        package_install_steps=_install_steps(chosen, install_project=True) if package else (),
        groups=chosen,
        lock_argv=("uv", "lock"),
        lock_file=LOCK,
        lock_inputs=(MANIFEST, LOCK, *context, *extra),
        lock_env=_lock_env(),
        problems=tuple(problems),
        notes=tuple(notes),
        group_of=group_of,
        export=export,
    )


def _add(text: str, requirements: list[Requirement]) -> str:
    """`text` with each requirement appended to `[project] dependencies`, or put in
    place of the line naming the same package there (a pin being raised)."""
    import tomlkit  # imported by the runs that read TOML only

    doc = tomlkit.parse(text)
    new = [r for r in requirements if not replace_in_project_dependencies(doc, r)]
    add_to_project_dependencies(doc, new)
    return tomlkit.dumps(doc)


def _edit(root: Path, deps: Dependencies, missing: list[Requirement]) -> Edit:
    text = read_text(root / MANIFEST).text if (root / MANIFEST).is_file() else ""
    import tomlkit

    doc = tomlkit.parse(text)
    # Any platform may build the package (Heroku's and Railway's builders always do).
    fallback = bool(deps.package_install_steps) and own_distribution.needs_version_fallback(doc)
    if not missing and not fallback:
        return Edit({}, {}, ())
    if fallback:
        # What the platform's build of the project needs: it has no .git to read from.
        text = own_distribution.with_version_fallback(text)
        doc = tomlkit.parse(text)
    reqs = []
    moved: list[str] = []
    for requirement in missing:
        if requirement.name in deps.pins:
            reqs.append(requirement)  # a pin raised in place (plan.too_old)
            continue
        group = deps.group_of.get(requirement.name)
        spec = group and next(
            (
                s
                for s in doc.get("dependency-groups", {}).get(group, [])
                if isinstance(s, str) and name_of(s) == requirement.name
            ),
            None,
        )
        where = f"group {group}" if spec else ""
        extra = None if spec else optional_spec(doc, requirement.name)
        if extra:
            where, spec = f"extra {extra[0]}", extra[1]
        if spec:
            requirement = Requirement(requirement.name, str(spec), requirement.reason)
            moved.append(f"{requirement.name} ({where})")
        reqs.append(requirement)
    raised = [r for r in reqs if r.name in deps.pins]
    added = [r for r in reqs if r.name not in deps.pins]
    reasons = []
    if added:
        reasons.append(
            f"production requirements for the platform: {', '.join(r.spec for r in added)}"
        )
    reasons += [
        f"raised `{deps.pins[r.name]}` to `{r.spec}`: the generated files need {r.name} "
        f"{r.minimum} or newer ({r.reason})"
        for r in raised
    ]
    if fallback:
        reasons.append(
            f'[tool.setuptools_scm] fallback_version = "{own_distribution.FALLBACK_VERSION}": '
            "the platforms build your project without .git, where setuptools-scm cannot read "
            "its version, and the build would stop"
        )
    reason = "; ".join(reasons)
    if moved:
        reason += (
            f"; {', '.join(moved)} also in the main dependencies, with the same "
            "constraint: production does not install that group or extra"
        )
    return Edit({MANIFEST: _add(text, reqs) if reqs else text}, {MANIFEST: reason}, tuple(reqs))


def _check(root: Path) -> list[str]:
    if not (root / MANIFEST).is_file():
        return [f"{LOCK} is here but {MANIFEST} is not. Run `uv init`, commit, run again."]
    return list(_read(root, ()).problems)


MANAGER = PackageManager(
    name="uv",
    label="uv",
    files=(MANIFEST, LOCK),
    detect=_detect,
    requirement_names=_names,
    add_requirements=_add,
    check=_check,
    lock_argv=("uv", "lock"),
    lock_env=_LOCK_ENV,
    install_steps=_install_steps(()),
    read=_read,
    edit=_edit,
)
