"""Heroku's buildpack refuses a root with two package-manager files: say which one
it would use for this project, what the other is for, and how to keep both.

The buildpack (heroku-buildpack-python lib/package_manager.sh) errors out when it
finds more than one of Pipfile(.lock), requirements.txt, poetry.lock and uv.lock
in the root. A project often has a second file on purpose: a requirements.txt for
readers who use pip, or the lock file its Dockerfile installs from. Heroku removes
the files listed in `.slugignore` before its buildpack runs, so listing the other
file there keeps it in the repository for its own readers and out of Heroku's
way; the manager's own export keeps a requirements.txt in step with the lock.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

__all__ = [
    "MANAGER_FILES",
    "export_kept",
    "found",
    "slugignore_change",
    "slugignored",
    "two_files_message",
]

# Root files that each make the buildpack pick a package manager, by our manager
# names (package_managers/*.py).
MANAGER_FILES = (
    ("pipenv", ("Pipfile.lock", "Pipfile")),
    ("requirements_txt", ("requirements.txt",)),
    ("poetry", ("poetry.lock",)),
    ("uv", ("uv.lock",)),
)
_LABELS = {"pipenv": "Pipenv", "requirements_txt": "pip", "poetry": "Poetry", "uv": "uv"}
# How each manager writes a requirements.txt from its own lock, for pip readers
# (`pipenv requirements` only prints: it has no option naming a file).
_EXPORTS = {
    "uv": "`uv export --no-dev --no-hashes --format requirements-txt -o requirements.txt`",
    "poetry": "`poetry export --without-hashes -o requirements.txt` (poetry-plugin-export)",
    "pipenv": "`pipenv requirements`, saving what it prints as requirements.txt",
}
# Files a project's other readers use: where a second manager file is named.
_READERS = (
    "Dockerfile*",
    "docker-compose*.y*ml",
    "compose*.y*ml",
    "README*",
    "Makefile",
    "justfile",
)


def slugignored(root: Path) -> list[str]:
    """The patterns of the root's `.slugignore` (Heroku removes those files before building)."""
    path = root / ".slugignore"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.strip().lstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def found(root: Path) -> dict[str, str]:
    """{manager: its file} for the root's manager files Heroku's buildpack would see."""
    ignored = slugignored(root)
    out = {}
    for manager, names in MANAGER_FILES:
        for name in names:
            if (root / name).is_file() and not any(fnmatch.fnmatch(name, p) for p in ignored):
                out[manager] = name
                break
    return out


def export_kept(files: dict[str, str], deps) -> str | None:
    """The requirements.txt to list in `.slugignore` when it is an export of the
    project's lock (uv.lock: lock_export; Pipfile.lock: pipenv_export): Heroku then
    installs from the lock, the same pins. None otherwise."""
    if deps.export and set(files) == {"requirements_txt", deps.manager}:
        return files["requirements_txt"]
    return None


def slugignore_change(root: Path, name: str) -> tuple[bytes | None, bytes]:
    """(before, after) of the root's `.slugignore` with `name` listed (the user's lines kept)."""
    path = root / ".slugignore"
    before = path.read_bytes() if path.is_file() else None
    text = before.decode("utf-8", errors="replace") if before else ""
    if text and not text.endswith("\n"):
        text += "\n"
    return before, (text + f"{name}\n").encode("utf-8")


def _readers(root: Path, name: str) -> list[str]:
    """The root's files (Dockerfile, README ...) that name `name`."""
    readers = []
    for pattern in _READERS:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                if name in text:
                    readers.append(path.name)
    return readers


def two_files_message(root: Path, files: dict[str, str], manager: str, stale: str = "") -> str:
    """One message: the file Heroku would use, what the others are for, how to keep both.
    `stale`: why requirements.txt is not the export of the lock (Dependencies.export_stale)."""
    used = files.get(manager)
    others = {m: name for m, name in files.items() if m != manager}
    lines = [
        "Heroku's Python buildpack refuses a repository with more than one "
        "package-manager file in its root, and this one has "
        + ", ".join(f"`{name}` ({_LABELS[m]})" for m, name in files.items())
        + ". Nothing was changed."
    ]
    if used:
        lines.append(
            f"This project is managed with {_LABELS[manager]}, so Heroku would install "
            f"from `{used}`, the file this tool updates."
        )
    for other_manager, name in others.items():
        readers = _readers(root, name)
        use = (
            f"read by your {', '.join(readers)}"
            if readers
            else f"for {_LABELS[other_manager]} users"
        )
        lines.append(f"`{name}` is {use}.")
    names = " ".join(others.values())
    lines.append(
        f"To keep both working, list {' and '.join(f'`{n}`' for n in others.values())} in "
        "a `.slugignore` file in the root (Heroku removes the files it lists before its "
        f"build; they stay in your repository): `printf '%s\\n' {names} >> .slugignore`, "
        "commit, and run again."
    )
    if stale:
        # Written again, the export is kept: this run lists it in .slugignore itself.
        lines.append(f"{stale.rstrip('.')}: the next run lists it in `.slugignore` itself.")
    elif "requirements.txt" in others.values() and manager in _EXPORTS:
        lines.append(f"Keep requirements.txt in step with your lock file with {_EXPORTS[manager]}.")
    lines.append("Or, if a file is left over, remove it (`git rm <file>`), commit, and run again.")
    return " ".join(lines)
