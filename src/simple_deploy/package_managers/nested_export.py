"""A requirements file exported from a lock beside it (`backend/requirements.txt`, made
by `poetry -C backend export` from backend/poetry.lock), included from the root.

Projects that keep Poetry, uv or Pipenv beside a nested manage.py give the
platforms' Python builds (which read the repository root) a root requirements.txt
holding `-r backend/requirements.txt`, the export. The export is the lock's to
write: the next export replaces it. So this run never edits it: new requirements go
to the root file, which the user wrote and no export touches, and a pin that must
be raised is raised in the lock, with the manager's own command, then exported again.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import NamedTuple

from . import lock_export, pipenv_export

__all__ = ["Export", "export_command", "export_of_lock", "raise_problem"]

# The export each manager makes of a project in `{rel}`, run from the git root: a
# directory option rather than `cd x && ...`, which not every Windows shell runs.
# Pipenv has no option for the folder or the output file.
_EXPORTS = {
    "Poetry": "`poetry -C {rel} export --without-hashes -o requirements.txt`",
    "uv": (
        "`uv --directory {rel} export --no-dev --no-hashes --format requirements-txt "
        "-o requirements.txt`"
    ),
    "Pipenv": "`pipenv requirements > requirements.txt` in {rel}/",
}
# Poetry 2 ships without `export` (a plugin since 2.0): a user on Poetry 2 needs this.
_PLUGIN = {
    "Poetry": " (Poetry 2 has no export command until you add its plugin: "
    "`poetry self add poetry-plugin-export`)"
}


def export_command(manager: str, rel: str) -> str:
    """The export of the project in `rel` by `manager`, as a message shows it."""
    command = _EXPORTS.get(manager, "`pip freeze > requirements.txt` in {rel}/")
    return command.format(rel=rel) + _PLUGIN.get(manager, "")


# Raising one requirement in the lock, without installing it (the export follows).
_RAISES = {
    "Poetry": '`poetry -C {rel} add --lock "{requirement}"`',
    "uv": '`uv --directory {rel} add --no-sync "{requirement}"`',
    "Pipenv": '`pipenv install "{requirement}"` in {rel}/',
}
_LOCKS = (("poetry.lock", "Poetry"), ("uv.lock", "uv"), ("Pipfile.lock", "Pipenv"))


class Export(NamedTuple):
    """`file` (root-relative) pins what `lock` holds; `manager` wrote the lock."""

    file: str
    lock: str
    manager: str
    folder: str


def _locked(lock: Path) -> dict[str, str]:
    text = lock.read_text(encoding="utf-8")
    if lock.name == "Pipfile.lock":
        return pipenv_export.locked_versions(text)
    return lock_export.locked_versions(text)


def export_of_lock(root: Path, path: str) -> Export | None:
    """The Export when `path` is a pins-only file whose every pin is the version the
    lock in its folder holds (Poetry, uv or Pipenv), else None."""
    folder = PurePosixPath(path).parent
    if str(folder) == ".":
        return None  # a root export is lock_export's (and Heroku's manager files')
    try:
        pins = lock_export.pins((root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    if not pins:
        return None
    for name, manager in _LOCKS:
        lock = root / folder / name
        if not lock.is_file():
            continue
        try:
            locked = _locked(lock)
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if all(locked.get(n) == version for n, version in pins.items()):
            return Export(path, f"{folder.as_posix()}/{name}", manager, folder.as_posix())
    return None


def raise_problem(export: Export, pin: str, name: str, minimum: str, reason: str) -> str:
    """The message that stops the run when the export pins `name` older than `minimum`."""
    rel = export.folder
    raise_ = _RAISES[export.manager].format(rel=rel, requirement=f"{name}>={minimum}")
    again = _EXPORTS[export.manager].format(rel=rel)
    return (
        f"{export.file} is an export of {export.lock} and pins `{pin}`, but the generated "
        f"settings need {name} {minimum} or newer ({reason}). Nothing was changed: a pin "
        "raised in the export would be lost at the next export, and one in requirements.txt "
        f"would conflict with it. Raise it in the lock: {raise_}, run the export again "
        f"({again}), commit, and run again."
    )
