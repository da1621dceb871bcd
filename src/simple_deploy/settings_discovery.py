"""Which settings module a project names, and which one production uses.

Read with `ast`, never with regular expressions: a commented-out or
string-quoted `os.environ.setdefault(...)` is not a setting, and only the code
Python would run counts. Nothing here imports the user's code.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "Named",
    "settings_default",
    "module_file",
    "production_sibling",
    "is_production",
    "star_imports",
    "is_development",
    "production_beside",
]

# Module names that, beside a development module, hold the deployed site's settings.
# Most specific first: when several exist, the first is chosen (and the summary
# says how to choose another with --settings-module).
_PRODUCTION_LEAVES = ("production", "prod", "live")
_PRODUCTION_FLAT = (
    "settings_production",
    "settings_prod",
    "production_settings",
    "prod_settings",
)


# Module names that say "development": production must never run one of them.
_DEVELOPMENT_LEAVES = ("development", "develop", "dev", "local")
_DEVELOPMENT_FLAT = (
    "settings_dev",
    "settings_development",
    "settings_local",
    "dev_settings",
    "local_settings",
)


class Named(NamedTuple):
    """A settings module named in a file, and where (1-based line)."""

    module: str
    line: int


def _is_environ(node: ast.expr) -> bool:
    # os.environ, or `environ` imported from os.
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def _named_module(call: ast.Call) -> str | None:
    """The module in `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")` or
    `os.environ["DJANGO_SETTINGS_MODULE"] = "x"`-style calls; None otherwise."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "setdefault"):
        return None
    if not _is_environ(func.value) or len(call.args) != 2:
        return None
    key, value = call.args
    if not (isinstance(key, ast.Constant) and key.value == "DJANGO_SETTINGS_MODULE"):
        return None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def settings_default(source: str) -> Named | None:
    """The settings module a manage.py / wsgi.py / asgi.py sets by default, from live code.

    Both `os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)` and an assignment
    `os.environ["DJANGO_SETTINGS_MODULE"] = ...` count; the first one Python would
    run wins. A file that does not parse names nothing.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    found: list[Named] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            module = _named_module(node)
            if module:
                found.append(Named(module, node.lineno))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Subscript)
                and _is_environ(target.value)
                and isinstance(target.slice, ast.Constant)
                and target.slice.value == "DJANGO_SETTINGS_MODULE"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.append(Named(node.value.value, node.lineno))
    return min(found, key=lambda named: named.line) if found else None


def module_file(manage_dir: Path, module: str) -> Path | None:
    """The file of a dotted module under manage_dir (module.py or package/__init__.py)."""
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    base = manage_dir.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def is_production(module: str) -> bool:
    leaf = module.rsplit(".", 1)[-1]
    return leaf in _PRODUCTION_LEAVES or leaf in _PRODUCTION_FLAT


def production_sibling(manage_dir: Path, module: str) -> str | None:
    """A production module beside `module`, the development one a project names.

    `blog.settings.dev` -> `blog.settings.production` (a settings package);
    `blog.settings` -> `blog.settings.production` when `settings` is a package,
    else `blog.settings_prod`, `blog.production_settings` ... beside it.
    """
    if is_production(module):
        return None
    parts = module.split(".")
    candidates: list[str] = []
    package_file = module_file(manage_dir, module)
    if package_file is not None and package_file.name == "__init__.py":
        candidates += [f"{module}.{leaf}" for leaf in _PRODUCTION_LEAVES]
    parent = ".".join(parts[:-1])
    prefix = f"{parent}." if parent else ""
    parent_file = module_file(manage_dir, parent) if len(parts) > 1 else None
    if parent_file is not None and parent_file.name == "__init__.py" and "settings" in parent:
        # A package of settings modules (config/settings/): dev.py beside production.py.
        # Only a package named for settings: blog/live.py beside blog/settings.py may
        # be anything.
        candidates += [f"{prefix}{leaf}" for leaf in _PRODUCTION_LEAVES]
    candidates += [f"{prefix}{leaf}" for leaf in _PRODUCTION_FLAT]
    for candidate in dict.fromkeys(candidates):
        if candidate != module and module_file(manage_dir, candidate) is not None:
            return candidate
    # Any folder: `config/django/production.py` that star-imports the `base.py` manage.py
    # names (or `quickstartproject/production.py` importing `settings.py`) is the
    # deployed site's module, whatever the folder or the named module is called.
    for leaf in _PRODUCTION_LEAVES:
        candidate = f"{prefix}{leaf}"
        path = module_file(manage_dir, candidate)
        if candidate != module and path is not None and module in star_imports(path, candidate):
            return candidate
    return None


def star_imports(path: Path, module: str) -> tuple[str, ...]:
    """The modules `path` (the file of `module`) star-imports, as absolute dotted names:
    `from .base import *` in config/django/production.py -> config.django.base."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError, OSError):
        return ()
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or [a.name for a in node.names] != ["*"]:
            continue
        if node.level:
            base = package[: len(package) - (node.level - 1)]
            found.append(".".join([*base, *([node.module] if node.module else [])]))
        elif node.module:
            found.append(node.module)
    return tuple(found)


def is_development(module: str) -> bool:
    leaf = module.rsplit(".", 1)[-1]
    return leaf in _DEVELOPMENT_LEAVES or leaf in _DEVELOPMENT_FLAT


class NewModule(NamedTuple):
    """A production module to create beside a development one: its dotted name, the
    module it builds on (what the development module star-imports), and its text."""

    module: str
    base: str
    text: str


def production_beside(manage_dir: Path, module: str) -> NewModule | None:
    """The production module to make when `module` is named for development and has no
    production module beside it: `blog.settings.development` -> `blog.settings.production`
    star-importing `blog.settings.base`, what development builds on (never development
    itself: its debug settings would run in production). None when the development
    module builds on no other module (or on several), or when it is not one.
    """
    path = module_file(manage_dir, module)
    if path is None or path.name == "__init__.py" or not is_development(module):
        return None
    bases = [
        base
        for base in dict.fromkeys(star_imports(path, module))
        if module_file(manage_dir, base) is not None and not is_development(base)
    ]
    if len(bases) != 1:
        return None
    parent, _, leaf = module.rpartition(".")
    name = "production" if leaf in _DEVELOPMENT_LEAVES else "settings_production"
    new = f"{parent}.{name}" if parent else name
    if module_file(manage_dir, new) is not None:
        return None
    base = bases[0]
    base_parent, _, base_leaf = base.rpartition(".")
    source = f".{base_leaf}" if base_parent == parent else base
    text = (
        f'"""Settings for the deployed site: {base} without the development settings of\n'
        f'{module}. Made by django-simple-deploy; yours to change."""\n\n'
        f"from {source} import *  # noqa: F403\n"
    )
    return NewModule(new, base, text)
