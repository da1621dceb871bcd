"""Settings that choose a module at import from a platform flag.

`if "ON_HEROKU" in os.environ: from .settings_heroku import *` (or, with
django-split-settings, `if os.environ.get("ON_HEROKU"): include("heroku.py")`):
the project already has a module for that platform. Inspection lists each such
(flag, module) pair from the settings' own code; once the platform is chosen, the
module whose flag or name says that platform is the one extended, and the flag is
set on the platform, so the project's own module runs there as it meant.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import markers
from .settings_discovery import module_file

if TYPE_CHECKING:  # project.py imports this module
    from .project import Project

__all__ = ["flag_modules", "for_platform"]


def _flag_of(test: ast.expr) -> str | None:
    """X in `"X" in os.environ`, `os.environ.get("X")`, `os.getenv("X")`, `environ.get("X")`."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In)
        and isinstance(test.left, ast.Constant)
        and isinstance(test.left.value, str)
    ):
        target = test.comparators[0]
        if (isinstance(target, ast.Attribute) and target.attr == "environ") or (
            isinstance(target, ast.Name) and target.id == "environ"
        ):
            return test.left.value
        return None
    if isinstance(test, ast.Call) and test.args and isinstance(test.args[0], ast.Constant):
        func = test.func
        name = test.args[0].value
        if not isinstance(name, str) or not isinstance(func, ast.Attribute):
            return None
        if func.attr == "getenv" or (
            func.attr == "get"
            and (
                (isinstance(func.value, ast.Attribute) and func.value.attr == "environ")
                or (isinstance(func.value, ast.Name) and func.value.id == "environ")
            )
        ):
            return name
    return None


def _included_lists(tree: ast.Module) -> frozenset[str]:
    """Names of lists the module passes to django-split-settings' include (`include(
    *base_settings)`): a branch adding "heroku.py" to one includes that module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "include":
            for arg in node.args:
                if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name):
                    names.add(arg.value.id)
    return frozenset(names)


def _added_to(node: ast.stmt, lists: frozenset[str]) -> list[ast.expr]:
    """The items a statement adds to one of `lists`: `x.append(a)`, `x.extend([a, b])`,
    `x += [a, b]`."""
    if isinstance(node, ast.AugAssign) and getattr(node.target, "id", None) in lists:
        value = node.value
        return list(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else []
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return []
    func = node.value.func
    if not (isinstance(func, ast.Attribute) and getattr(func.value, "id", None) in lists):
        return []
    if func.attr == "append":
        return list(node.value.args[:1])
    if func.attr == "extend" and node.value.args:
        value = node.value.args[0]
        return list(value.elts) if isinstance(value, (ast.List, ast.Tuple)) else []
    return []


def _modules_in(
    body: list[ast.stmt], module: str, is_package: bool, lists: frozenset[str] = frozenset()
) -> list[str]:
    """The sibling modules a branch star-imports or includes (django-split-settings),
    directly or by adding them to a list the module includes (`lists`)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in body:
        for item in _added_to(node, lists):
            if isinstance(item, ast.Constant) and str(item.value).endswith(".py"):
                found.append(".".join([*package, str(item.value)[:-3].replace("/", ".")]))
        if isinstance(node, ast.ImportFrom) and [a.name for a in node.names] == ["*"]:
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                found.append(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                found.append(node.module)
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "include"
        ):
            for arg in node.value.args:
                if isinstance(arg, ast.Constant) and str(arg.value).endswith(".py"):
                    rel = str(arg.value)[:-3].replace("/", ".")
                    found.append(".".join([*package, rel]))
    return found


def flag_modules(manage_dir: Path, module: str) -> tuple[tuple[str, str], ...]:
    """(flag, module) for each top-level `if <flag is set>:` in `module`'s file that
    star-imports or includes a module of the project."""
    path = module_file(manage_dir, module)
    if path is None:
        return ()
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError):
        return ()
    out = []
    lists = _included_lists(tree)
    for top in tree.body:
        node = top
        # `if ...: elif ...:` is an If in the orelse of an If.
        while isinstance(node, ast.If):
            flag = _flag_of(node.test)
            package = path.name == "__init__.py"
            for found in _modules_in(node.body, module, package, lists) if flag else ():
                if module_file(manage_dir, found) is not None:
                    out.append((flag, found))
            node = node.orelse[0] if len(node.orelse) == 1 else None
    return tuple(dict.fromkeys(out))


def _says(text: str, label: str) -> bool:
    """Whether a flag or module name names the platform (`ON_HEROKU`, `settings_heroku`)."""
    word = re.split(r"[^A-Za-z]", label)[0].upper()
    return len(word) >= 4 and word in re.sub(r"[^A-Za-z]", "", text).upper()


def for_platform(project: Project, label: str, platform_sets: frozenset[str]) -> Project:
    """The project as configured for the platform `label` names: the module the settings
    choose under that platform's flag is extended, and the flag set there (unless the
    platform sets it itself: `platform_sets`, such as Render's RENDER). Unchanged
    when the settings choose no module for it."""
    for flag, module in project.flag_modules:
        if not (_says(flag, label) or _says(module.rsplit(".", 1)[-1], label)):
            continue
        path = module_file(project.manage_dir, module)
        if path is None:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        probed = {}
        if project.settings_probed:
            from .committed_tree import local_only
            from .project import probed_fields, services_read_under

            # What the settings read with the flag set, as the platform imports them.
            preset = {flag: "1"}
            probed = probed_fields(
                project.git_root,
                project.manage_dir,
                project.settings_module,
                preset,
                local_only(project.git),
            )
            probed["services"] = services_read_under(project, probed["env_vars"], (text,))
        return replace(
            project,
            **probed,
            settings_file=path,
            settings_source=(
                f"the module your settings ({project.settings_module}) load when `{flag}` is "
                f"set, which names {label}: `{flag}` is set there, and this module extended"
            ),
            configured_for=markers.platforms_in(text),
            platform_flag=None if flag in platform_sets else (flag, "1"),
        )
    return project


# Variables a platform sets on every instance and its build, with a fixed value (no
# placeholder): the names settings test to take their own production branch
# (`DEBUG = "RENDER" not in os.environ`). Cheap to test before any runtime is built.
IDENTITY_NAMES = frozenset(
    {"RENDER", "DYNO", "FLY_APP_NAME", "RAILWAY_ENVIRONMENT_NAME", "PLATFORM_APPLICATION_NAME"}
)


def with_platform_variables(project: Project, platform_env: dict[str, str]) -> Project:
    """The project probed again with the platform's own fixed variables that its settings
    read (Render's RENDER=true ...), so the settings facts the block is written from
    are those of the branch the platform takes: a storage, STATIC_ROOT or middleware a
    project sets only there is seen (render-examples/django sets STATICFILES_STORAGE
    under `if not DEBUG`, with DEBUG off exactly when RENDER is set). Unchanged when the
    settings read none of them or were not probed."""
    read = {var.name for var in project.env_vars}
    preset = {
        name: value
        for name, value in platform_env.items()
        if name in read and "{" not in value and name not in project.settings_env
    }
    if not preset or not project.settings_probed:
        return project
    from .committed_tree import local_only
    from .project import probed_fields

    if project.platform_flag is not None:
        preset[project.platform_flag[0]] = project.platform_flag[1]
    probed = probed_fields(
        project.git_root,
        project.manage_dir,
        project.settings_module,
        preset,
        local_only(project.git),
    )
    if probed["import_error"] is not None:
        return project  # the first probe's findings stand; the rehearsal shows the rest
    return replace(project, **probed)
