"""Whether a path is the project's own or belongs to an installed package.

A virtual environment (or node_modules) often sits inside the repository, so being
under the git root is not enough: a module Django loaded from `.venv/.../site-packages`
or an app's static folder there is an installed package's, which the platform installs
again, not a file of the project's that the commit must hold.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["own_path"]

# Folders holding installed packages, not the project's own files.
_INSTALLED = frozenset({"site-packages", "dist-packages", ".venv", "venv", "node_modules"})


def own_path(path: Path, root: Path) -> Path | None:
    """`path` (resolved here) relative to `root`, the git root already resolved, when it
    is the project's own (inside the repository, outside any installed-package folder);
    None otherwise."""
    try:
        rel = path.resolve().relative_to(root)
    except ValueError:
        return None
    return None if _INSTALLED.intersection(rel.parts) else rel
