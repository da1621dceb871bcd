"""Small helpers the manager modules share: PEP 508 names, and TOML arrays of them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import Requirement

if TYPE_CHECKING:  # tomlkit is imported by the runs that read TOML only
    from tomlkit.items import Array

# A PEP 508 name, followed by what may follow a name (extras, a version, markers,
# a URL) or nothing. Reading names needs no full parser, and `packaging` takes
# longer to import than the whole configuration run spends on requirements.
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?=$|[\[(<>=!~;@\s])")


def name_of(spec: str) -> str | None:
    """The canonical project name in a PEP 508 string; None if it is not one."""
    match = _NAME.match(spec)
    if match is None:
        return None
    # PEP 503 normalisation, as packaging.utils.canonicalize_name does it.
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def names_of(specs: Iterable[str]) -> set[str]:
    return {name for name in map(name_of, specs) if name}


def split(requirement: Requirement) -> tuple[list[str], str]:
    """(extras, version specifier) of a requirement, for the table forms of TOML files."""
    from packaging.requirements import Requirement as Pep508

    parsed = Pep508(requirement.spec)
    return sorted(parsed.extras), str(parsed.specifier) or "*"


def table_value(requirement: Requirement):
    """`"~=27.0"`, or `{version = "~=3.3", extras = ["binary"]}` when extras are needed."""
    extras, version = split(requirement)
    if not extras:
        return version
    import tomlkit

    table = tomlkit.inline_table()
    table.update({"version": version, "extras": extras})
    return table


def _item_indent(array: Array) -> str | None:
    """The indentation of the array's items when it spans lines; None for a one-line array."""
    text = array.as_string()
    if "\n" not in text:
        return None
    match = re.search(r"\n([ \t]*)[\"'{]", text)
    return match.group(1) if match else "    "


def append_specs(array: Array, requirements: Iterable[Requirement]) -> None:
    """Append PEP 508 strings to a TOML array, changing nothing already there.

    A multi-line array gets one line per new item with the items' own indentation
    (tomlkit's `multiline(True)` would re-indent every existing line).
    """
    indent = _item_indent(array)
    for requirement in requirements:
        if indent is None:
            array.append(requirement.spec)
        else:
            array.add_line(requirement.spec, indent=indent)


def append_values(array: Array, values: Iterable[str]) -> None:
    append_specs(array, [Requirement("", value) for value in values])


def project_dependencies(doc) -> Array | None:
    """`[project] dependencies` of a parsed pyproject.toml, if present."""
    project = doc.get("project")
    if project is None:
        return None
    return project.get("dependencies")


def optional_spec(doc, name: str) -> tuple[str, str] | None:
    """(extra, PEP 508 string) naming `name` in `[project.optional-dependencies]`, if any.

    Why: an extra (`pip install .[prod]`) is where many projects keep their production
    server; the platform's install does not select extras, so a package the tool adds
    joins the main dependencies, and with the extra's own constraint it cannot conflict
    with it (`whitenoise==6.11.0` there and `whitenoise~=6.12` here lock to nothing).
    """
    extras = (doc.get("project") or {}).get("optional-dependencies") or {}
    for extra, specs in extras.items():
        for spec in specs if isinstance(specs, list) else []:
            if isinstance(spec, str) and name_of(spec) == name:
                return str(extra), str(spec)
    return None


def replace_in_project_dependencies(doc, requirement: Requirement) -> bool:
    """Put `requirement` in place of the `[project] dependencies` item naming the same
    package (a pin being raised); False when none names it."""
    listed = project_dependencies(doc) or []
    for index, spec in enumerate(listed):
        if isinstance(spec, str) and name_of(spec) == requirement.name:
            listed[index] = requirement.spec
            return True
    return False


def add_to_project_dependencies(doc, requirements: Iterable[Requirement]) -> None:
    """Append to `[project] dependencies`, making the table and array when missing."""
    import tomlkit

    dependencies = project_dependencies(doc)
    if dependencies is None:
        doc.setdefault("project", tomlkit.table())["dependencies"] = tomlkit.array()
        dependencies = doc["project"]["dependencies"]
    append_specs(dependencies, requirements)
