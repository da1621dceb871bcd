"""requirements.txt: installed with `pip install -r requirements.txt`, includes and all.

The platform installs the top file; pip follows its `-r`/`-c` includes. So Django
in an included file counts, new requirements go to the file where the project
keeps its production requirements, and every included file is part of the
install (the Fly image copies each one). A file compiled by pip-compile or
`uv pip compile` is regenerated from its `.in` with the recorded command.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from ..textfiles import UnreadableFile, read_text
from . import Dependencies, Edit, InstallStep, PackageManager, Requirement
from ._specs import names_of
from .compiled import Compiled, read_header
from .nested_export import export_of_lock, raise_problem
from .requirement_files import THIS_TOOL, Line, RequirementFiles, logical_lines, read_tree

FILE = "requirements.txt"

_INSTALL = (InstallStep(("{python}", "-m", "pip", "install", "--no-input", "--requirement", FILE)),)
# File names (stems) where projects keep what production installs.
_PRODUCTION = re.compile(r"(^|[-_.])(prod|production|deploy|deployment|base|common|main)$")
# The platforms run Linux with CPython: markers are judged for that machine.
_TARGET = {
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}


def _specs(text: str) -> list[str]:
    return [line.spec for line in logical_lines(text, FILE) if line.kind == "requirement"]


def _names(root: Path) -> set[str]:
    return names_of(_specs(read_text(root / FILE).text))


def _add(text: str, requirements: list[Requirement]) -> str:
    """`text` with one line per requirement appended, never joined to a `\\` continuation."""
    if text and not text.endswith("\n"):
        text += "\n"
    if text.rstrip("\n").endswith("\\"):
        text += "\n"  # an empty line ends the continuation
    return text + "".join(f"{r.spec}\n" for r in requirements)


def _check(root: Path) -> list[str]:
    return list(_read(root, ()).problems)


def _applies(line: Line, python: str) -> bool:
    """False when the line's environment marker excludes the platform's Linux CPython."""
    if line.marker is None:
        return True
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(line.marker).evaluate(
            {**_TARGET, "python_version": python, "python_full_version": f"{python}.0"}
        )
    except (InvalidMarker, Exception):
        return True


def _choose_target(tree: RequirementFiles, django_file: str | None) -> str:
    """Where the project keeps production requirements: a prod/base file, else Django's."""
    installed = [path for path in tree.files if tree.installs(path)]
    named = [p for p in installed if _PRODUCTION.search(PurePosixPath(p).stem.lower())]
    for preferred in ("prod", "production", "deploy", "deployment"):
        for path in named:
            if PurePosixPath(path).stem.lower().endswith(preferred):
                return path
    if django_file is not None:
        return django_file
    return named[0] if named else tree.top


def _local_problem(line: Line, platform_note: str = "") -> str:
    return (
        f"{line.file} line {line.number}: `{line.text}` installs from a path on your computer "
        f"({line.local_path}), which the platform cannot reach: its install would fail. "
        "Replace it with a published release (`name==version`) or a VCS URL "
        "(`name @ git+https://...`), or remove it if production does not need it; commit, "
        "and run again. Nothing was changed."
    )


def _hash_problem(target: str, missing: list[Requirement]) -> str:
    lines = "\n".join(f"    {r.spec}" for r in missing)
    return (
        f"{target} pins its requirements with --hash, and pip refuses a file where any "
        "requirement lacks a hash, so django-simple-deploy will not append unhashed lines. "
        f"Nothing was changed. Add these requirements with their hashes:\n{lines}\n"
        "For example, list them with your other top-level requirements in a requirements.in "
        f"and run `pip-compile --generate-hashes --output-file={target} requirements.in` "
        f"(or `uv pip compile --generate-hashes requirements.in -o {target}`), commit, and "
        "run again; the recorded command then lets this tool recompile for you."
    )


def _python(root: Path) -> str:
    from ..python_version import find

    return find(root).version


def _read(root: Path, groups: tuple[str, ...], python: str | None = None) -> Dependencies:
    python = python or _python(root)
    tree = read_tree(root, FILE)
    problems = list(tree.problems)
    notes: list[str] = []
    lines = [line for line in tree.requirement_lines() if _applies(line, python)]
    present = {line.name for line in lines if line.name}
    django_file = next((line.file for line in lines if line.name == "django"), None)

    compiled = _compiled(root, tree)
    hashed = any(line.hashed for line in tree.requirement_lines())
    lock_argv = lock_file = None
    lock_inputs: tuple[str, ...] = ()
    target = _choose_target(tree, django_file)
    if compiled is not None:
        target = compiled.source
        lock_argv, lock_file = compiled.argv, compiled.output
        lock_inputs = _compile_inputs(root, compiled)
        notes.append(
            f"{compiled.output} is compiled from {compiled.source} by {compiled.tool}: new "
            f"requirements go to {compiled.source}, and {compiled.output} is recompiled with "
            "the command in its header."
        )
    export = export_of_lock(root, target) if target != tree.top else None
    if export is not None and compiled is None:
        # The next export replaces that file: what this run adds goes to the root's.
        target = tree.top
        notes.append(
            f"{export.file} is an export of {export.lock}: new requirements go to "
            f"{tree.top}, which includes it, so the next export keeps them."
        )
    production = _lines_with_tool_of(root, tree, compiled)
    for line in production:
        if line.name != THIS_TOOL and line.local_path is not None:
            problems.append(_local_problem(line))
    through = "" if "django" in present else django_through(present)
    if "django" not in present and not problems and not through:
        where = f"{FILE} or the files it includes" if len(tree.files) > 1 else FILE
        problems.append(
            f"{where} does not list Django, so the platform would install a project without "
            f"it. Add Django (for example `Django~=5.2.0`) to {target}, commit, and run again."
        )
    return Dependencies(
        manager="requirements_txt",
        present=frozenset(present - {THIS_TOOL}),
        target=target,
        install_files=tuple(tree.files),
        install_steps=_INSTALL,
        lock_argv=lock_argv,
        lock_file=lock_file,
        lock_inputs=lock_inputs,
        # A compiler that looks for a Python must use one already here, never download.
        lock_env={"UV_PYTHON_DOWNLOADS": "never"} if lock_argv else {},
        problems=tuple(problems),
        notes=tuple(notes),
        hashed=hashed and compiled is None,
        pins=_pins(production, python),
        django_through=through,
    )


def _pins(lines: list[Line], python: str) -> dict[str, str]:
    """Each requirement as written, where a raise can rewrite it: a plain `name<spec>`
    line (no hash, URL or path), the `.in` line of a compiled file."""
    pins: dict[str, str] = {}
    for line in lines:
        if line.name and line.name != THIS_TOOL and not line.hashed and _applies(line, python):
            if "@" not in line.spec and line.local_path is None:
                pins.setdefault(line.name, line.spec)
    return pins


def _raise_pins(text: str, lines: list[Line], requirement: Requirement) -> str:
    """`text` with each of `lines` (one requirement) made `requirement.spec`, keeping its
    environment marker, its comment and every other byte."""
    physical = text.splitlines(keepends=True)
    for line in lines:
        new = requirement.spec + (f"; {line.marker}" if line.marker else "")
        raw = physical[line.first]
        if line.first == line.last and line.spec in raw:
            physical[line.first] = raw.replace(line.spec, new, 1)
            continue
        ending = raw[len(raw.rstrip("\r\n")) :] or "\n"
        physical[line.first] = new + ending
        for index in range(line.first + 1, line.last + 1):
            physical[index] = ""
    return "".join(physical)


def _compiled(root: Path, tree: RequirementFiles) -> Compiled | None:
    """The compiled file in the install holding Django (else the first compiled one)."""
    found = []
    for path in tree.files:
        if not tree.installs(path):
            continue
        try:
            text = read_text(root / path).text
        except UnreadableFile:
            continue
        header = read_header(root, path, text)
        if header is not None:
            found.append(header)
    for header in found:
        if any(line.name == "django" for line in tree.files[header.output]):
            return header
    return found[0] if found else None


def _compile_inputs(root: Path, compiled: Compiled) -> tuple[str, ...]:
    """The `.in` files and their includes, plus the current output (its pins are kept)."""
    inputs: list[str] = []
    for source in compiled.inputs:
        inputs += [p for p in read_tree(root, source).files if p not in inputs]
    return (*inputs, compiled.output)


def _lines_with_tool_of(
    root: Path, tree: RequirementFiles, compiled: Compiled | None
) -> list[Line]:
    """Requirement lines production installs: the `.in` ones when the file is compiled."""
    lines = list(tree.requirement_lines())
    if compiled is not None:
        lines = [line for line in lines if line.file != compiled.output]
        source = read_tree(root, compiled.source)
        lines += source.requirement_lines()
    return lines


def _remove_lines(text: str, lines: list[Line]) -> str:
    """`text` without the physical lines of `lines`, keeping every other byte."""
    drop = {index for line in lines for index in range(line.first, line.last + 1)}
    kept = [raw for index, raw in enumerate(text.splitlines(keepends=True)) if index not in drop]
    return "".join(kept)


def new_file(django_version: str) -> Dependencies:
    """A project with no dependency file at all (a bare `startproject`): this run writes
    requirements.txt, starting with Django pinned to the release this command runs
    under, so the platform installs the Django the project was made and tested with.

    Written from what is known, never from `pip freeze`: the environment running this
    holds this tool (a local-path line the platform cannot install) and whatever
    else the user tried.
    """
    pin = f"Django=={django_version}"
    return Dependencies(
        manager="requirements_txt",
        present=frozenset({"django"}),
        target=FILE,
        install_files=(FILE,),
        install_steps=_INSTALL,
        notes=(
            f"No dependency file existed, so {FILE} is created: `{pin}` (the Django this "
            "command runs under) plus what the platform needs. Add any other package your "
            f"project imports to {FILE} before you commit and deploy.",
        ),
        new_text=f"{pin}\n",
    )


def django_through(names: frozenset[str] | set[str]) -> str:
    """The first listed package (by name) whose installed release requires Django, or "".

    A requirements.txt listing only django-allauth or wagtail installs Django through it:
    pip on the platform resolves one, so the project is complete, but that may be a
    newer Django than the one tested here (the plan pins the one running).
    """
    from importlib import metadata

    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508
    from packaging.utils import canonicalize_name

    for name in sorted(names):
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            try:
                requirement = Pep508(text)
            except InvalidRequirement:
                continue
            marker = requirement.marker
            if canonicalize_name(requirement.name) == "django" and (
                marker is None or marker.evaluate({"extra": ""})
            ):
                return name
    return ""


def including(root: Path, nested: str) -> Dependencies:
    """A requirements.txt beside a nested manage.py (`app/requirements.txt`) and none in
    the root: this run writes a root requirements.txt that includes it (`-r
    app/requirements.txt`). Every platform's Python build reads the root, and pip
    reads an include relative to the file naming it, so the project's own file stays
    where its Dockerfile and README expect it and stays the one the user edits."""
    tree = read_tree(root, nested)
    lines = list(tree.requirement_lines())
    present = {line.name for line in lines if line.name}
    problems = list(tree.problems)
    through = "" if "django" in present else django_through(present)
    if "django" not in present and not problems and not through:
        problems.append(
            f"{nested} does not list Django, so the platform would install a project without "
            f"it. Add Django (for example `Django~=5.2.0`) to {nested}, commit, and run again."
        )
    return Dependencies(
        manager="requirements_txt",
        present=frozenset(present - {THIS_TOOL}),
        target=FILE,
        install_files=(FILE, *tree.files),
        install_steps=_INSTALL,
        problems=tuple(problems),
        pins=_pins(lines, _python(root)),
        notes=(
            f"Your dependencies are in {nested}, beside manage.py; the platforms install from "
            f"the repository root, so {FILE} is created there, including it (`-r {nested}`), "
            "with what the platform needs. Keep adding your own packages to "
            f"{nested}.",
        ),
        new_text=f"-r {nested}\n",
        django_through=through,
    )


def _edit_including(root: Path, deps: Dependencies, missing: list[Requirement]) -> Edit:
    """The new root file including the nested one, with what the platform needs. A pin
    the nested file holds too old for the generated files is raised there (a second
    pin in the root would conflict with it), unless that file is an export of a lock,
    which the next export would undo: then the run stops with the lock's command."""
    nested = deps.new_text[3:].strip()
    raised = [r for r in missing if r.name in deps.present]
    missing = [r for r in missing if r.name not in deps.present]
    texts: dict[str, str] = {}
    reasons: dict[str, str] = {}
    lines = list(read_tree(root, nested).requirement_lines()) if raised else []
    for requirement in raised:
        mine = [line for line in lines if line.name == requirement.name]
        for path in dict.fromkeys(line.file for line in mine):
            here = [line for line in mine if line.file == path]
            export = export_of_lock(root, path)
            if export is not None:
                stop = raise_problem(
                    export, here[0].spec, requirement.name, requirement.minimum, requirement.reason
                )
                return Edit({}, {}, (), (stop,))
            texts[path] = _raise_pins(
                texts.get(path) or read_text(root / path).text, here, requirement
            )
            old = "; ".join(f"`{line.spec}`" for line in here)
            why = (
                f"raised {old} to `{requirement.spec}`: the generated files need "
                f"{requirement.name} {requirement.minimum} or newer ({requirement.reason})"
            )
            reasons[path] = f"{reasons[path]}; {why}" if path in reasons else why
    names = ", ".join(r.spec for r in missing)
    texts[FILE] = _add(deps.new_text, missing)
    reasons[FILE] = (
        f"your requirements are in {nested}, beside manage.py, and the platform installs "
        "from the root: includes it, and adds the production requirements "
        f"{names or '(none missing)'}"
    )
    return Edit(texts, reasons, (*missing, *raised))


def _edit(root: Path, deps: Dependencies, missing: list[Requirement]) -> Edit:
    if deps.new_text is not None and deps.new_text.startswith("-r "):
        return _edit_including(root, deps, missing)
    if deps.new_text is not None:
        names = ", ".join(r.spec for r in missing)
        return Edit(
            {FILE: _add(deps.new_text, missing)},
            {
                FILE: f"no dependency file existed: {deps.new_text.strip()} (the Django this "
                f"command runs under) and the production requirements {names}"
            },
            tuple(missing),
        )
    tree = read_tree(root, FILE)
    compiled = _compiled(root, tree)
    tool_lines = [
        line for line in _lines_with_tool_of(root, tree, compiled) if line.name == THIS_TOOL
    ]
    # A requirement the project already names comes back only to have its pin raised.
    raised = [r for r in missing if r.name in deps.present]
    missing = [r for r in missing if r.name not in deps.present]
    if deps.hashed and missing:
        return Edit({}, {}, (), (_hash_problem(deps.target, missing),))
    texts: dict[str, str] = {}
    reasons: dict[str, str] = {}
    production = _lines_with_tool_of(root, tree, compiled)
    for requirement in raised:
        lines = [line for line in production if line.name == requirement.name]
        for path in dict.fromkeys(line.file for line in lines):
            export = export_of_lock(root, path)
            if export is not None:
                pin = next(line.spec for line in lines if line.file == path)
                stop = raise_problem(
                    export, pin, requirement.name, requirement.minimum, requirement.reason
                )
                return Edit({}, {}, (), (stop,))
            text = texts.get(path) or read_text(root / path).text
            mine = [line for line in lines if line.file == path]
            texts[path] = _raise_pins(text, mine, requirement)
            old = "; ".join(f"`{line.spec}`" for line in mine)
            why = (
                f"raised {old} to `{requirement.spec}`: the generated files need "
                f"{requirement.name} {requirement.minimum} or newer ({requirement.reason})"
            )
            reasons[path] = f"{reasons[path]}; {why}" if path in reasons else why
    for path in dict.fromkeys(line.file for line in tool_lines):
        text = read_text(root / path).text
        mine = [line for line in tool_lines if line.file == path]
        texts[path] = _remove_lines(text, mine)
        shown = "; ".join(f"`{line.text}`" for line in mine)
        reasons[path] = (
            f"removed {shown}: django-simple-deploy is a development tool, never installed on "
            "the platform (a local path there would fail the install); keep it installed "
            "in your own environment"
        )
    if missing:
        text = texts.get(deps.target) or read_text(root / deps.target).text
        texts[deps.target] = _add(text, missing)
        names = ", ".join(r.spec for r in missing)
        reason = f"production requirements for the platform: {names}"
        if deps.target in reasons:
            reason = f"{reasons[deps.target]}; {reason}"
        reasons[deps.target] = reason
    return Edit(texts, reasons, (*missing, *raised))


MANAGER = PackageManager(
    name="requirements_txt",
    label="pip (requirements.txt)",
    files=(FILE,),
    detect=lambda root: (root / FILE).is_file(),
    requirement_names=_names,
    add_requirements=_add,
    check=_check,
    lock_argv=None,
    install_steps=_INSTALL,
    read=lambda root, groups: _read(root, groups),
    edit=_edit,
)
