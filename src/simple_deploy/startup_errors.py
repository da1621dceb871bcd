"""One message, not a traceback, when Django cannot load the project `manage.py deploy` runs.

Django loads every app's models before any management command runs, so a database
driver too old for the Django the project now runs (the usual case after the
Django upgrade this tool asks for: "psycopg2 version 2.8.4 or newer is required")
stops `manage.py` before the deploy command exists. The app's module is imported
before any model, so it installs an exception hook for `manage.py deploy` runs
only: an `ImproperlyConfigured` that ends the process is told as what to change
(the requirement line that pins the old driver, the release Django needs, the
command); any other exception keeps Python's own report.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import TracebackType

__all__ = ["DRIVER_MINIMUMS", "install", "message", "driver_upgrades"]

# The driver releases Django 4.2 to 6.0 refuse to run below (django/db/backends/
# postgresql/base.py and mysql/base.py), by distribution: the oldest Django this tool
# configures asks for these, so its upgrade message names them up front.
DRIVER_MINIMUMS = {
    "psycopg2": "2.8.4",
    "psycopg2-binary": "2.8.4",
    "psycopg": "3.1.8",
    "mysqlclient": "1.4.3",
}
# The module Django names in its message -> the distributions that install it.
_DISTRIBUTIONS = {
    "psycopg2": ("psycopg2-binary", "psycopg2"),
    "psycopg": ("psycopg",),
    "mysqlclient": ("mysqlclient",),
}
_TOO_OLD = re.compile(
    r"\b(psycopg2|psycopg|mysqlclient)(?: version)? ([\d.]+) or newer is required; "
    r"you have ([\w.+-]+?)(?:\.?\s|\.?$)"
)
# A compiled file's source (`.in`) first: that is the line to change.
_REQUIREMENT_FILES = ("requirements*.in", "requirements/*.in", "requirements*.txt")
_REQUIREMENT_FILES += ("requirements/*.txt", "pyproject.toml", "Pipfile")


def install(argv: list[str]) -> None:
    """Tell an ImproperlyConfigured that ends a `manage.py deploy` run as one message."""
    if argv[1:2] != ["deploy"]:
        return
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        from django.core.exceptions import ImproperlyConfigured

        if not issubclass(kind, ImproperlyConfigured):
            previous(kind, exc, tb)
            return
        sys.stderr.write(message(str(exc), Path.cwd()) + "\n")

    sys.excepthook = hook


def _installed(name: str) -> str | None:
    from importlib import metadata  # only on the paths that report: a run never pays

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _pinned_at(folder: Path, names: tuple[str, ...]) -> str | None:
    """`file line N: \\`spec\\`` for the first dependency line naming one of `names`,
    in the requirement files of `folder` or the folders above it up to the git root."""
    pattern = "|".join(re.escape(n).replace(r"\-", "[-_.]") for n in names)
    line_re = re.compile(rf"^\s*[\"']?({pattern})(?![\w.-])[^#\r\n]*", re.IGNORECASE)
    for directory in (folder, *folder.parents):
        for glob in _REQUIREMENT_FILES:
            for path in sorted(directory.glob(glob)):
                try:
                    lines = path.read_text("utf-8", errors="replace").splitlines()
                except OSError:
                    continue
                for number, text in enumerate(lines, 1):
                    found = line_re.match(text)
                    if found:
                        shown = path.relative_to(directory).as_posix()
                        return f"{shown} line {number}: `{found.group(0).strip()}`"
        if (directory / ".git").exists():
            break
    return None


def message(error: str, folder: Path) -> str:
    """What to do about the ImproperlyConfigured `error` raised while Django loaded the
    project in `folder` (the manage.py folder)."""
    import django

    version = django.get_version()
    opening = f"Django {version} could not load this project, so nothing was changed: {error}"
    found = _TOO_OLD.search(error)
    if found is None:
        return (
            f"{opening}\n`python manage.py check` shows the same error. Fix what it names, "
            "and run `python manage.py deploy` again."
        )
    module, needed, _ = found.groups()
    candidates = _DISTRIBUTIONS[module]
    name = next((n for n in candidates if _installed(n)), candidates[0])
    wanted = f"{name}>={needed}"
    where = _pinned_at(folder, (name,))
    pinned = f" Your {where} holds it back." if where else ""
    return (
        f"{opening}\nDjango {version} needs {name} {needed} or newer.{pinned} Raise it to a "
        f"release Django supports (for example `{wanted}`) in your dependency file, install "
        f'it (`pip install "{wanted}"`), commit, and run `python manage.py deploy` again.'
    )


def driver_upgrades() -> list[str]:
    """`name>=version` for each installed database driver older than the oldest Django
    this tool configures supports: the upgrade has to move them too."""
    from packaging.version import InvalidVersion, Version

    wanted = []
    for name, needed in DRIVER_MINIMUMS.items():
        have = _installed(name)
        if have is None:
            continue
        try:
            old = Version(have) < Version(needed)
        except InvalidVersion:
            continue
        if old:
            wanted.append(f"{name}>={needed}")
    return wanted
