"""Whether Poetry can install a project itself, as Heroku's buildpack asks it to.

Heroku's Python buildpack installs a Poetry project with `poetry sync --only main`
(heroku-buildpack-python lib/poetry.sh), without --no-root: Poetry then installs the
project itself too, unless `package-mode = false` says it is only an application.
Poetry 2 finds the package to install by the project's name (`my-site` -> a
`my_site` folder or module, at the root or under src/) or by `packages`; a Django
project named for its repository has no such folder, and the command stops with
"The current project could not be installed: No file/folder found for package ...",
so the build does. Saying `package-mode = false` is what Poetry itself advises there,
and it leaves poetry.lock valid (its content hash does not cover it: checked).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["is_package", "root_found", "with_package_mode_off"]


def _name(doc) -> str | None:
    for table in (doc.get("project", {}), doc.get("tool", {}).get("poetry", {})):
        name = table.get("name")
        if isinstance(name, str):
            return name
    return None


def is_package(doc) -> bool:
    """True unless `[tool.poetry] package-mode = false`: Poetry installs the project."""
    return doc.get("tool", {}).get("poetry", {}).get("package-mode", True) is not False


def root_found(root: Path, doc) -> bool:
    """True when Poetry finds what to install as the project: `packages` listed, or a
    folder or module named for the project at the root or under src/."""
    if doc.get("tool", {}).get("poetry", {}).get("packages"):
        return True
    name = _name(doc)
    if name is None:
        return True  # not a project Poetry installs by name: nothing to say
    module = re.sub(r"[-.]+", "_", name).lower()
    return any(
        (base / module).is_dir() or (base / f"{module}.py").is_file()
        for base in (root, root / "src")
    )


def with_package_mode_off(text: str) -> str:
    """pyproject.toml's text with `package-mode = false` in `[tool.poetry]`."""
    import tomlkit  # imported by the runs that read TOML only

    doc = tomlkit.parse(text)
    tool = doc.setdefault("tool", tomlkit.table(is_super_table=True))
    poetry = tool.setdefault("poetry", tomlkit.table())
    poetry["package-mode"] = False
    return tomlkit.dumps(doc)
