"""Apply a plan's file changes atomically, all or nothing.

Each file is written to a temporary file beside it and moved into place with
`os.replace`, so no file is ever half-written. If anything fails (including
Ctrl-C), every file already written is put back as it was.
"""

from __future__ import annotations

import errno
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
    "link_problems",
    "never_replaced",
    "remove_stale_temp_files",
    "restore_written",
    "record_executable_bits",
    "write_atomic",
    "written_at",
]


class ApplyError(Exception):
    """Writing failed; every file was restored. The message says what and why."""


# Temporary files are named `.<file>.simple-deploy-<random>.tmp`, so a run can
# recognise (and remove) the ones a killed run left behind, and only those.
TEMP_MARK = ".simple-deploy-"
TEMP_SUFFIX = ".tmp"


def write_atomic(
    path: Path,
    data: bytes,
    *,
    executable: bool = False,
    durable: bool = True,
    mode: int | None = None,
) -> None:
    """Replace `path` with `data` in one step, keeping the old file's permissions.

    `durable` flushes the data to disk before the rename, so a power cut cannot
    leave an empty file in place of the user's; our own logs do without it.
    `mode` forces the permissions (our logs are private: 0600).
    """
    if mode is None:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    if executable:
        mode |= 0o111
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}{TEMP_MARK}", suffix=TEMP_SUFFIX, dir=path.parent
    )
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


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def link_problems(root: Path, rel_paths: Sequence[str]) -> list[str]:
    """Messages for paths that lead out of the repository through a symbolic link.

    A link inside the repository (a settings file shared by two projects of a
    monorepo) is followed: the file is edited at its target and stays a link.
    A link that leads outside is never written through: the user may share that
    folder with other projects, or not own it at all.
    """
    real_root = root.resolve()
    problems = []
    for rel in rel_paths:
        current = root
        for part in PurePosixPath(rel).parts:
            current = current / part
            if not current.is_symlink():
                continue
            target = Path(os.path.realpath(current))
            if _inside(target, real_root):
                continue
            shown = current.relative_to(root).as_posix()
            problems.append(
                f"{shown} is a symbolic link to {target}, outside the repository; this run "
                f"must write {rel}, and django-simple-deploy never writes outside the "
                f"repository. Nothing was changed. Replace the link with a real "
                f"{'folder' if part != PurePosixPath(rel).name else 'file'} (or remove it), "
                "commit, and run again."
            )
            break
    return problems


def written_at(root: Path, rel: str) -> str | None:
    """Where a write to `rel` lands when a link inside the repository leads elsewhere
    (POSIX, relative to `root`); None when it lands at `rel` itself."""
    path = root / rel
    real = Path(os.path.realpath(path))
    real_root = root.resolve()
    if real == real_root / rel or not _inside(real, real_root):
        return None
    return real.relative_to(real_root).as_posix()


def never_replaced(root: Path, changes: Sequence[FileChange]) -> list[str]:
    """Messages for the user's files that no option lets a run replace.

    A file reached through a symbolic link: replacing it writes into the file the
    link leads to, another of the user's files (a root manage.py linked to
    app/manage.py would become a copy of ours that runs itself). And a manage.py:
    the file the user runs every command with.
    """
    problems = []
    for change in changes:
        if not (change.user_file and change.changed):
            continue
        target = written_at(root, change.path)
        if target is not None:
            problems.append(
                f"{change.path} is a symbolic link to {target}, which is yours. "
                f"django-simple-deploy never replaces a file through a link, even with "
                f"--overwrite: it would write over {target}. Nothing was changed. To use "
                f"ours, remove the link (`git rm {change.path}`), commit, and run again."
            )
        elif PurePosixPath(change.path).name == "manage.py":
            problems.append(
                f"{change.path} is yours: it is the file you run, and django-simple-deploy "
                "never replaces it, even with --overwrite. Nothing was changed. (A platform "
                "plugin asked to write it; report this to its authors.)"
            )
    return problems


def remove_stale_temp_files(root: Path, rel_paths: Sequence[str]) -> list[str]:
    """Remove the temporary files a killed run left beside the files we write."""
    removed = []
    folders = {(root / rel).parent for rel in rel_paths}
    for folder in sorted(folders):
        if not folder.is_dir() or not _inside(Path(os.path.realpath(folder)), root.resolve()):
            continue
        for entry in folder.iterdir():
            name = entry.name
            if name.startswith(".") and TEMP_MARK in name and name.endswith(TEMP_SUFFIX):
                try:
                    entry.unlink()
                    removed.append(entry.relative_to(root).as_posix())
                except OSError:
                    pass  # in use, or not ours to remove: harmless either way
    return removed


def _cause(exc: BaseException, root: Path) -> str:
    """The real cause of a failed write, in words, with paths relative to the project."""
    if isinstance(exc, OSError):
        reasons = {
            errno.ENOSPC: "the disk is full",
            errno.EDQUOT: "the disk quota is exceeded",
            errno.EROFS: "the file system is read-only",
            errno.EACCES: "permission denied",
            errno.EPERM: "operation not permitted",
        }
        reason = reasons.get(exc.errno) or exc.strerror or str(exc)
        where = exc.filename
        if where:
            try:
                where = Path(where).relative_to(root).as_posix()
            except ValueError:
                pass
            return f"{reason}: {where}"
        return reason
    return f"{type(exc).__name__}: {exc}"


def _missing_parents(path: Path, root: Path) -> list[Path]:
    missing = []
    parent = path.parent
    while parent != root and not parent.exists():
        missing.append(parent)
        parent = parent.parent
    return missing


def _restore(
    root: Path, done: list[FileChange], made_dirs: list[Path]
) -> tuple[list[str], list[str]]:
    """Put back every file the run changed; return (restored, could not restore).

    A file counted as started but still holding its old bytes was never written:
    it is in neither list, so no message claims work that did not happen.
    """
    restored, failed = [], []
    for change in reversed(done):
        path = _target(root, change.path)
        current = path.read_bytes() if path.is_file() else None
        if current == change.before:
            continue
        try:
            if change.before is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, change.before)
            restored.append(change.path)
        except OSError as exc:
            failed.append(f"{change.path} ({_cause(exc, root)})")
    for folder in reversed(made_dirs):
        try:
            folder.rmdir()
        except OSError:
            pass
    return restored[::-1], failed[::-1]


def restore_written(root: Path, written: Sequence[FileChange]) -> tuple[list[str], list[str]]:
    """Undo `written` (what apply_changes returned); return (restored, could not restore)."""
    return _restore(root, list(written), [])


def _target(root: Path, rel: str) -> Path:
    """Where `rel` is written: a link inside the repository is written at its target."""
    path = root / rel
    return Path(os.path.realpath(path)) if path.is_symlink() else path


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
    refused = case_collisions(root, [c.path for c in pending])
    refused += link_problems(root, [c.path for c in pending])
    refused += never_replaced(root, pending)
    if refused:
        raise ApplyError("Nothing was written.\n" + "\n".join(refused))
    for change in pending:
        path = root / change.path
        current = path.read_bytes() if path.is_file() else None
        if current != change.before:
            raise ApplyError(
                f"{change.path} changed while the plan was being made; nothing was written. "
                "Run the command again."
            )
    remove_stale_temp_files(root, [c.path for c in pending])

    done: list[FileChange] = []
    made_dirs: list[Path] = []
    try:
        for change in pending:
            path = _target(root, change.path)
            parents = _missing_parents(path, root)
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.extend(reversed(parents))
            # Counted as started before the write: an interrupt that lands after
            # os.replace but before this line would otherwise leave the new file
            # in place. _restore skips a file that still holds its old bytes.
            done.append(change)
            write_atomic(path, change.after, executable=change.executable)
            if on_write is not None:
                on_write(change)
    except BaseException as exc:
        restored, failed = _restore(root, done, made_dirs)
        if isinstance(exc, KeyboardInterrupt):
            raise
        message = f"Writing {change.path} failed: {_cause(exc, root)}."
        if restored:
            message += f" The files already written were restored ({', '.join(restored)})"
            message += "; " if failed else ": the project is as it was."
        elif not failed:
            message += " Nothing was changed."
        if failed:
            message += (
                f" Could not restore: {'; '.join(failed)}. `git diff` shows the difference; "
                "`git checkout -- <file>` puts a committed file back."
            )
        raise ApplyError(message) from exc
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
