"""The project as the platform will get it: what git commits, without what it ignores.

The platform builds from a commit. A file git ignores (a `local.py` the settings
include, a `data/` folder a module opens at import) exists on the user's disk
and nowhere else, so importing the settings in the working tree can succeed where
the platform's build fails. `ignored_present` keeps, of the ignored paths that
exist (which inspection's `git status` lists), those an import could need; only
when some could matter does `committed_copy` make a copy of HEAD (the rehearsal's
own export) with the user's uncommitted work laid over it: what `git add -A` and a
commit would send.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from .git_status import read_status
from .log import LOG_DIR_NAME

__all__ = ["ignored_present", "committed_copy"]

_TIMEOUT = 60.0
# Ignored paths no settings module needs at import: environments, caches,
# compiled files, our log folder, collected static files and logs.
_NOISE_NAMES = {
    "__pycache__",
    "node_modules",
    ".venv",
    "venv",
    "env",
    ".tox",
    ".nox",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".coverage",
    "htmlcov",
    ".DS_Store",
    ".idea",
    ".vscode",
    "staticfiles",
    LOG_DIR_NAME,
}
_NOISE_SUFFIXES = (".pyc", ".pyo", ".log", ".egg-info", ".swp")


def _git(root: Path, *args: str) -> list[str] | None:
    """NUL-separated output of a git command; None when git fails (no commit yet ...)."""
    try:
        out = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, check=False, timeout=_TIMEOUT
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return [os.fsdecode(item) for item in out.stdout.split(b"\0") if item]


def _noise(root: Path, rel: str, sqlite_homes: set[str]) -> bool:
    path = PurePosixPath(rel.rstrip("/"))
    if any(part in _NOISE_NAMES or part.endswith(_NOISE_SUFFIXES) for part in path.parts):
        return True
    if rel.endswith("/") and (root / rel / "pyvenv.cfg").is_file():
        return True  # a virtual environment under any name
    # Django's default database file where startproject puts it: SQLite creates it
    # on first use, so its absence cannot break an import.
    return path.suffix == ".sqlite3" and str(path.parent) in sqlite_homes


def ignored_present(
    git_root: Path, manage_dir: Path, ignored: Sequence[str] | None = None
) -> tuple[str, ...]:
    """Git-ignored paths that exist under the project (POSIX, folders ending in "/"),
    except those no import needs. `ignored`: the ignored paths git status listed
    (None: ask git). Empty when git cannot say (no repository)."""
    found = ignored
    if found is None:
        status = read_status(git_root)
        found = status.ignored if status is not None else ()
    if not found:
        return ()
    homes = {".", manage_dir.relative_to(git_root).as_posix()}
    return tuple(rel for rel in found if not _noise(git_root, rel, homes))


def is_dotenv(rel: str) -> bool:
    """A dotenv file (`.env`, `.env.local`, `prod.env`): local configuration and secrets."""
    name = PurePosixPath(rel).name
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def local_only(status) -> tuple[str, ...] | None:
    """The paths a commit of the working tree will not hold that exist here: the ignored
    ones, and untracked dotenv files. A `.env` the .gitignore forgot is still never
    meant to be committed (its secrets would go with it), so the platform will not
    have it either; the settings are probed without it (dfp-ch18: `env("DJANGO_SECRET_KEY")`
    read from an untracked .env looked optional, and Fly's image build then lacked it).
    None: git could not say."""
    if status is None:
        return None
    return (*status.ignored, *(rel for rel in status.untracked if is_dotenv(rel)))


def _overlay(git_root: Path, dest: Path) -> None:
    """Lay the user's uncommitted work (changed, new, deleted files) over HEAD's copy;
    an untracked dotenv file is not work to commit (see local_only)."""
    changed = _git(git_root, "diff", "-z", "--name-only", "--no-renames", "HEAD") or []
    new = _git(git_root, "ls-files", "-z", "--others", "--exclude-standard") or []
    new = [rel for rel in new if not is_dotenv(rel)]
    for rel in dict.fromkeys(changed + new):
        source = git_root / rel
        target = dest / rel
        if target.is_symlink() or target.is_file():
            target.unlink()
        if source.is_symlink() or source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)


@contextlib.contextmanager
def committed_copy(git_root: Path) -> Iterator[Path | None]:
    """A temporary copy of what a commit of the working tree would hold; None when
    there is no commit to copy (the caller then uses the working tree). Removed after."""
    # The rehearsal's package is imported only when a copy is needed: most
    # configuration runs never make one.
    from .rehearsal.commit import export_head
    from .rehearsal.report import StepFailed

    scratch = Path(tempfile.mkdtemp(prefix="simple-deploy-probe-"))
    try:
        copy = scratch / "app"
        try:
            export_head(git_root, copy, _TIMEOUT)
            _overlay(git_root, copy)
        except (StepFailed, OSError, subprocess.SubprocessError):
            yield None
            return
        yield copy.resolve()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
