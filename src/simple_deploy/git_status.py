"""What git says about the working tree, asked once a run and carried in the `Project`.

One `git status` answers what three commands (two of them walking the untracked
files) used to: the commit HEAD points at, the tracked files that differ from it,
the untracked files, and the ignored paths that exist. Inspection asks it; the
settings probe (which files the platform lacks) and the clean-tree check read
the answer.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path
from typing import NamedTuple

__all__ = ["GitStatus", "read_status", "root_commits"]

_TIMEOUT = 60.0

# --untracked-files=normal: a new folder is one line ("docs/"), not every file in it;
# --ignored=traditional then names an ignored folder, not its contents (a .venv is
# thousands of files). --no-optional-locks: status may otherwise rewrite the index.
_ARGV = (
    "git",
    "--no-optional-locks",
    "status",
    "--porcelain=v2",
    "-z",
    "--branch",
    "--untracked-files=normal",
    "--ignored=traditional",
)


class GitStatus(NamedTuple):
    """The working tree against HEAD, as `git status` saw it (POSIX paths, relative to
    the git root; folders end in "/").

    `changed` holds one short-status line ("M  path", "A  path") a tracked path that
    git status thinks differs from HEAD: by file size and time, not content (a
    line-ending change alone counts), so `git diff` has the last word on it.
    """

    head: str | None  # None before the first commit
    branch: str | None  # None on a detached HEAD
    changed: tuple[str, ...]
    untracked: tuple[str, ...]
    ignored: tuple[str, ...]


def read_status(git_root: Path) -> GitStatus | None:
    """What `git status` says about `git_root`; None when git cannot say."""
    try:
        out = subprocess.run(
            list(_ARGV), cwd=git_root, capture_output=True, check=False, timeout=_TIMEOUT
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return parse(out.stdout)


def parse(output: bytes) -> GitStatus:
    """`git status --porcelain=v2 -z --branch` output, read."""
    head = branch = None
    changed: list[str] = []
    untracked: list[str] = []
    ignored: list[str] = []
    fields = iter(os.fsdecode(item) for item in output.split(b"\0") if item)
    for entry in fields:
        kind = entry[:1]
        if entry.startswith("# branch.oid "):
            oid = entry.split(" ", 2)[2]
            head = None if oid == "(initial)" else oid
        elif entry.startswith("# branch.head "):
            name = entry.split(" ", 2)[2]
            branch = None if name == "(detached)" else name
        elif kind in ("1", "2", "u"):
            # "1 XY sub mH mI mW hH hI path"; "2 ... X<score> path" is followed by the
            # original path; "u XY sub m1 m2 m3 mW h1 h2 h3 path".
            parts = entry.split(" ", {"1": 8, "2": 9, "u": 10}[kind])
            changed.append(f"{parts[1].replace('.', ' ')} {parts[-1]}")
            if kind == "2":
                next(fields, None)
        elif kind == "?":
            untracked.append(entry[2:])
        elif kind == "!":
            ignored.append(entry[2:])
    return GitStatus(head, branch, tuple(changed), tuple(untracked), tuple(ignored))


@functools.lru_cache(maxsize=16)
def root_commits(git_root: Path) -> tuple[str, ...]:
    """HEAD's commits without parents, as `git rev-list` lists them (newest first; more
    than one after a merge of unrelated histories; none before the first commit).
    They never change, so git is asked once a run, whichever step names them (an app,
    a project title)."""
    out = subprocess.run(
        ["git", "rev-list", "--max-parents=0", "HEAD"],
        cwd=git_root,
        capture_output=True,
        text=True,
        check=False,
    )
    return tuple(out.stdout.split()) if out.returncode == 0 else ()


# The tracked files a run asks about: virtual environments committed by mistake
# (checks.py), static files with their source maps (source_maps.py) and a committed
# collectstatic manifest (shipped_static.py). One
# pathspec list, so git reads the index once for both (a pathspec's `*` crosses
# folders).
NAMED = (
    "pyvenv.cfg",
    "*/pyvenv.cfg",
    "*.css",
    "*.js",
    "*.map",
    "staticfiles.json",
    "*/staticfiles.json",
)


@functools.lru_cache(maxsize=16)
def tracked_named(git_root: Path) -> tuple[str, ...] | None:
    """The tracked files NAMED matches (POSIX, root-relative); None if git cannot say."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--", *NAMED],
            cwd=git_root,
            capture_output=True,
            check=False,
            timeout=_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return tuple(os.fsdecode(name) for name in out.stdout.split(b"\0") if name)
