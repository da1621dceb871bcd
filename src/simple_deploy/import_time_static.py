"""Static URLs a project computes when Django loads its apps.

`DEFAULT_PHOTO = static("img/empty.jpg")` at the top of a models.py runs when Django
loads the app, and collectstatic loads every app before it collects a file. Under a
manifest storage (the settings block's WhiteNoise storage, like Django's own)
`static()` looks the name up in the manifest, which a fresh platform build has not
written yet, and the build stops: "Missing staticfiles manifest entry for
'img/empty.jpg'". The modules that matter are the ones Django loads before any
command runs: inspection runs inside `manage.py deploy`, after Django's setup, so they
are the project's modules already imported. A views.py imported later, once the files
are collected, is not one of them. For such a project the settings block keeps
compressed static files without hashed names (static_storage), and the summary names
the lines that would give the hashed names back if they ran later.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

from .project_paths import own_path

__all__ = ["loaded_files", "find", "note"]

# Where a name comes from -> the names that, called, ask the static storage for a URL.
_URL_FUNCTIONS = {"django.templatetags.static": "static"}
_STORAGE_OBJECTS = {"django.contrib.staticfiles.storage": "staticfiles_storage"}


def loaded_files(git_root: Path) -> list[Path]:
    """The project's own Python files among the modules this process has imported."""
    root = git_root.resolve()
    found = []
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if name and name.endswith(".py") and own_path(Path(name), root) is not None:
            found.append(Path(name).resolve())
    return sorted(set(found))


class _AtImport(ast.NodeVisitor):
    """Line numbers of storage URL calls that run when the module is imported: in its
    body and class bodies, default values and decorators, not in function bodies."""

    def __init__(self, functions: set[str], storages: set[str]) -> None:
        self.functions = functions
        self.storages = storages
        self.lines: list[int] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for expression in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
            if expression is not None:
                self.visit(expression)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for expression in (*node.args.defaults, *node.args.kw_defaults):
            if expression is not None:
                self.visit(expression)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.functions:
            self.lines.append(node.lineno)
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "url"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.storages
        ):
            self.lines.append(node.lineno)
        self.generic_visit(node)


def _imported(tree: ast.Module, names: dict[str, str]) -> set[str]:
    """The local names `from <module> import <name> [as local]` binds, for `names`."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in names:
            wanted = names[node.module]
            bound |= {alias.asname or alias.name for alias in node.names if alias.name == wanted}
    return bound


def find(git_root: Path, files: Iterable[Path]) -> tuple[str, ...]:
    """ "path:line" (POSIX, root-relative) of each call asking the static storage for a
    URL when its module is imported, in `files`."""
    root = git_root.resolve()
    found = []
    for path in files:
        try:
            source = path.read_bytes()
        except OSError:
            continue
        if b"static" not in source:
            continue  # most modules: no parse
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        functions = _imported(tree, _URL_FUNCTIONS)
        storages = _imported(tree, _STORAGE_OBJECTS)
        if not functions and not storages:
            continue
        visitor = _AtImport(functions, storages)
        visitor.visit(tree)
        rel = path.resolve().relative_to(root).as_posix()
        found += [f"{rel}:{line}" for line in sorted(set(visitor.lines))]
    return tuple(found)


def note(calls: tuple[str, ...]) -> tuple[str, ...]:
    """The summary's line on those calls, if any."""
    if not calls:
        return ()
    shown = ", ".join(calls[:3]) + (f" and {len(calls) - 3} more" if len(calls) > 3 else "")
    return (
        f"{shown} ask{'s' if len(calls) == 1 else ''} for a static file's URL when Django "
        "loads the app, before collectstatic has written a manifest, so a storage with "
        'hashed names would stop the build ("Missing staticfiles manifest entry"). The '
        "settings block uses WhiteNoise's CompressedStaticFilesStorage: compressed files, "
        "without hashed names, so browsers revalidate them instead of caching them for a "
        "year. Move those calls into a function (or a property) and run deploy again to "
        "get hashed names.",
    )
