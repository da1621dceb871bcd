"""Find an ASGI module that imports models before Django is set up.

`runserver` (Channels' or Daphne's) imports the ASGI module after `manage.py` has set
Django up, so an asgi.py that imports its websocket routing (and through it the
consumers and their models) above `get_asgi_application()` works in development. An
ASGI server imports the module first: the import reaches a model before any settings
are configured, and the web process stops ("Requested setting INSTALLED_APPS, but
settings are not configured"). Channels' docs call `get_asgi_application()` before
importing consumers for this reason:
https://channels.readthedocs.io/en/stable/tutorial/part_2.html

Inspection reads the module and the project modules it imports (their top-level
imports, not function bodies), never imports them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .textfiles import UnreadableFile, read_text

__all__ = ["EarlyImport", "early_import"]

# Calls after which Django is set up: imports below them are safe.
_SETUP_CALLS = frozenset({"get_asgi_application", "setup", "get_wsgi_application"})
# How deep to follow the project's own imports (asgi -> routing -> consumers -> models).
_DEPTH = 6


@dataclass(frozen=True)
class EarlyImport:
    """`module` (line `line` of the ASGI file `path`, relative to the manage.py folder,
    POSIX) is imported before Django is set up and reaches `models`, a models module."""

    path: str
    line: int
    module: str
    models: str


def _module_file(manage_dir: Path, module: str) -> Path | None:
    base = manage_dir.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(read_text(path).text)
    except (UnreadableFile, SyntaxError, ValueError):
        return None


def _calls_setup(node: ast.stmt) -> bool:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _SETUP_CALLS:
                return True
    return False


def _top_level(tree: ast.Module) -> list[ast.stmt]:
    """Statements run at import, in order: the module's own, and those under its
    top-level `if`/`try` (not function or class bodies)."""
    found: list[ast.stmt] = []

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            found.append(node)
            if isinstance(node, ast.If):
                walk(node.body)
                walk(node.orelse)
            elif isinstance(node, ast.Try):
                walk(node.body)
                walk(node.orelse)
                walk(node.finalbody)

    walk(tree.body)
    return found


def _imported(node: ast.stmt, package: str) -> list[str]:
    """The dotted modules an import statement loads (`from . import x` in package p:
    p.x; `from p.m import Name`: p.m, and p.m.Name in case it is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parts = package.split(".") if package else []
        parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
        base = ".".join([*parts, *([base] if base else [])])
    names = [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
    return [base, *names] if base else names


def _is_models(module: str) -> bool:
    """A module defining models (an app's models.py, django.contrib.auth.models), not
    django.db.models, which only holds the classes they are made of."""
    return module.rsplit(".", 1)[-1] == "models" and module != "django.db.models"


def _reaches_models(manage_dir: Path, module: str, depth: int, seen: set[str]) -> str | None:
    """The models module `module` imports at import time (itself, or through the
    project's modules it imports), or None."""
    if _is_models(module):
        return module
    if depth <= 0 or module in seen:
        return None
    seen.add(module)
    path = _module_file(manage_dir, module)
    tree = _parse(path) if path else None
    if tree is None:
        return None
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _top_level(tree):
        for name in _imported(node, package):
            if _is_models(name):
                return name
            if _module_file(manage_dir, name) is not None:
                found = _reaches_models(manage_dir, name, depth - 1, seen)
                if found:
                    return found
    return None


def early_import(manage_dir: Path, asgi_module: str) -> EarlyImport | None:
    """The first import in `asgi_module` (dotted, importable from `manage_dir`) that
    runs before Django is set up and reaches a models module; None when there is none
    or the module cannot be read."""
    path = _module_file(manage_dir, asgi_module)
    tree = _parse(path) if path else None
    if path is None or tree is None:
        return None
    package = asgi_module.rpartition(".")[0]
    for node in _top_level(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name in _imported(node, package):
                models = _reaches_models(manage_dir, name, _DEPTH, set())
                if models:
                    rel = path.relative_to(manage_dir).as_posix()
                    return EarlyImport(rel, node.lineno, name, models)
        elif _calls_setup(node):
            return None
    return None
