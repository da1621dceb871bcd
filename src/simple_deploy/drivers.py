"""The PostgreSQL driver a project already declares, and what it needs from the system.

A project that already depends on a driver keeps it: adding `psycopg[binary]`
beside `psycopg2` installs two drivers and leaves the project's own choice
untested. What the driver needs on the platform differs:
- `psycopg2-binary`, `psycopg[binary]`: wheels bundle libpq; nothing needed.
- `psycopg` (no extra): pure Python, loads the system's libpq at run time.
- `psycopg[c]`, `psycopg2`: compiled from source at install time (a C compiler,
  libpq's headers and pg_config), then load libpq at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Driver", "find_driver", "DRIVER_NAMES"]

DRIVER_NAMES = ("psycopg", "psycopg2", "psycopg2-binary")

# Evidence of the extras in a manifest (`psycopg[binary,pool]`) or a lock file
# (`psycopg-binary==3.2.1`, `name = "psycopg-binary"`).
_BINARY = re.compile(r"psycopg[-_]binary\b|psycopg\s*\[[^\]]*\bbinary\b", re.IGNORECASE)
_C = re.compile(r"psycopg[-_]c\b|psycopg\s*\[[^\]]*\bc\b", re.IGNORECASE)


@dataclass(frozen=True)
class Driver:
    """`name` as the user declared it ("psycopg[c]", "psycopg2" ...)."""

    name: str
    needs_libpq: bool
    needs_compiler: bool


def find_driver(names: set[str], texts: list[str]) -> Driver | None:
    """The driver among the declared requirement `names`; `texts` are the manager's
    files (manifest and lock), read for the extras a bare name does not show."""
    joined = "\n".join(texts)
    if "psycopg" in names:
        if _BINARY.search(joined):
            return Driver("psycopg[binary]", needs_libpq=False, needs_compiler=False)
        if _C.search(joined):
            return Driver("psycopg[c]", needs_libpq=True, needs_compiler=True)
        return Driver("psycopg", needs_libpq=True, needs_compiler=False)
    if "psycopg2-binary" in names:
        return Driver("psycopg2-binary", needs_libpq=False, needs_compiler=False)
    if "psycopg2" in names:
        return Driver("psycopg2", needs_libpq=True, needs_compiler=True)
    return None


def read_texts(git_root: Path, files: tuple[str, ...]) -> list[str]:
    texts = []
    for name in files:
        path = git_root / name
        if path.is_file():
            texts.append(path.read_text("utf-8", errors="replace"))
    return texts
