"""Apply a plan's file changes atomically, all or nothing.

Each file is written to a temporary file beside it and moved into place with
`os.replace`, so no file is ever half-written. If anything fails (including
Ctrl-C), every file already written is put back as it was.
"""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from .plan import FileChange

__all__ = [
    "ApplyError",
    "apply_changes",
    "case_collisions",
    "record_executable_bits",
    "write_atomic",
]


class ApplyError(Exception):
    """Writing failed; every file was restored. The message says what and why."""


def write_atomic(
    path: Path, data: bytes, *, executable: bool = False, durable: bool = True
) -> None:
    """Replace `path` with `data` in one step, keeping the old file's permissions.

    `durable` flushes the data to disk before the rename, so a power cut cannot
    leave an empty file in place of the user's; our own logs do without it.
    """
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    if executable:
        mode |= 0o111
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _case_twin(folder: Path, name: str) -> str | None:
    """An entry of `folder` whose name differs from `name` only in case."""
    if not folder.is_dir():
        return None
    entries = os.listdir(folder)
    if name in entries:
        return None
    return next((e for e in entries if e.casefold() == name.casefold()), None)


def case_collisions(root: Path, rel_paths: Sequence[str]) -> list[str]:
    """Messages for paths that differ from an existing file or folder only in case.

    On Windows and macOS (case-insensitive by default) `procfile` and `Procfile`
    are one file, so writing ours would silently edit the user's; on Linux they
    are two, and the platform reads only ours. Either way the result differs by
    OS, so we refuse everywhere.
    """
    problems = []
    for rel in rel_paths:
        folder = root
        for part in PurePosixPath(rel).parts:
            twin = _case_twin(folder, part)
            if twin is not None:
                theirs = (folder / twin).relative_to(root).as_posix()
                ours = (folder / part).relative_to(root).as_posix()
                problems.append(
                    f"{rel}: your project has {theirs}, which differs from {ours} only in "
                    f"case. On Windows and macOS they are the same file; the platform "
                    f"(Linux) reads only {ours}. Rename it (`git mv {theirs} {ours}`) or "
                    f"remove it, commit, and run again."
                )
                break
            folder = folder / part
    return problems


def _missing_parents(path: Path, root: Path) -> list[Path]:
    missing = []
    parent = path.parent
    while parent != root and not parent.exists():
        missing.append(parent)
        parent = parent.parent
    return missing


def _restore(root: Path, done: list[FileChange], made_dirs: list[Path]) -> list[str]:
    failed = []
    for change in reversed(done):
        path = root / change.path
        try:
            if change.before is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, change.before)
        except OSError:
            failed.append(change.path)
    for folder in reversed(made_dirs):
        try:
            folder.rmdir()
        except OSError:
            pass
    return failed


def apply_changes(
    root: Path,
    changes: Sequence[FileChange],
    *,
    on_write: Callable[[FileChange], None] | None = None,
) -> list[FileChange]:
    """Write every changed file under `root`; return the changes written.

    Before writing, each file must still hold the bytes the plan was made
    from: if the user edited it meanwhile, nothing is written.
    """
    pending = [c for c in changes if c.changed]
    collisions = case_collisions(root, [c.path for c in pending])
    if collisions:
        raise ApplyError("Nothing was written.\n" + "\n".join(collisions))
    for change in pending:
        path = root / change.path
        current = path.read_bytes() if path.is_file() else None
        if current != change.before:
            raise ApplyError(
                f"{change.path} changed while the plan was being made; nothing was written. "
                "Run the command again."
            )

    done: list[FileChange] = []
    made_dirs: list[Path] = []
    try:
        for change in pending:
            path = root / change.path
            parents = _missing_parents(path, root)
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.extend(reversed(parents))
            # Counted as written before the write: an interrupt that lands after
            # os.replace but before this line would otherwise leave the new file
            # in place. Restoring a file that was not written yet is harmless.
            done.append(change)
            write_atomic(path, change.after, executable=change.executable)
            if on_write is not None:
                on_write(change)
    except BaseException as exc:
        failed = _restore(root, done, made_dirs)
        if isinstance(exc, KeyboardInterrupt):
            raise
        detail = f" Could not restore: {', '.join(failed)}." if failed else ""
        raise ApplyError(
            f"Writing {change.path} failed ({exc}); every file was restored to what it was."
            + detail
        ) from exc
    record_executable_bits(root, [c.path for c in done if c.executable])
    return done


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)


def record_executable_bits(root: Path, rel_paths: Sequence[str]) -> None:
    """Make git commit `rel_paths` as executable (mode 100755) where it cannot see the bit.

    Git for Windows sets core.fileMode=false: `git add` then records every new
    file as 100644, and the platform cannot run bin/post_compile. Recording the
    mode now, as an intent-to-add entry, stages no content: the user still
    reviews and adds the file, and git keeps the recorded mode when they do.
    """
    if not rel_paths:
        return
    try:
        mode = _git(root, "config", "--bool", "core.fileMode")
        if mode.returncode != 0 or mode.stdout.strip() != b"false":
            return  # not a repository, or git reads the bit from the file system
        _git(root, "add", "--intent-to-add", "--chmod=+x", "--", *rel_paths)
    except OSError:
        pass  # no git: nothing to record the mode in
