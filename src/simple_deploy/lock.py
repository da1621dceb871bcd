"""Refresh the lock file with the user's own tool, without touching their files.

The lock is computed in a scratch copy of the project's tracked files (with the
plan's new texts); its result joins the plan as one more file change, so it is
written atomically with the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .plan import FileChange
from .project import Project
from .runner import Runner, clean_env

__all__ = ["refresh_lock"]

# Where a tool finds its temp folder: POSIX, then Windows.
_TEMP_VARS = ("TMPDIR", "TEMP", "TMP")
# Files a lock tool may read besides the manager's own.
_CONTEXT_FILES = (".python-version",)
# Never copied from a workspace member's folder: environments and caches.
_IGNORE = shutil.ignore_patterns(".venv", "venv", "__pycache__", "node_modules", ".git")


def _tracked_files(git_root: Path) -> list[str]:
    """The files git tracks (POSIX, relative to the root); none if git cannot say."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=git_root, capture_output=True, check=False
        )
    except OSError:
        return []
    if out.returncode != 0:
        return []
    return [os.fsdecode(name) for name in out.stdout.split(b"\0") if name]


def _copy_tracked(git_root: Path, scratch: Path) -> None:
    """Every tracked file, as it is on disk: what the build backends read to give the
    resolver the project's own metadata (hatchling's version read from a file in the
    package, a readme, a path dependency's folder), which the manager's files name
    but do not hold. Links are copied as links; environments and caches are skipped."""
    skipped = {".venv", "venv", "__pycache__", "node_modules", ".git"}
    for name in _tracked_files(git_root):
        parts = name.split("/")
        source = git_root.joinpath(*parts)
        if skipped.intersection(parts[:-1]) or not os.path.lexists(source):
            continue
        if source.is_dir() and not source.is_symlink():
            continue  # a submodule: its files are another repository's
        target = scratch.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def _copy_inputs(project: Project, inputs: Sequence[str], scratch: Path) -> None:
    for name in (*inputs, *_CONTEXT_FILES):
        source = project.git_root / name.rstrip("/")
        target = scratch / name.rstrip("/")
        if source.is_dir():
            shutil.copytree(source, target, ignore=_IGNORE, dirs_exist_ok=True)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _vcs_version_env(scratch: Path) -> dict[str, str]:
    """A stand-in version for a root project whose version setuptools-scm reads from git.

    The scratch copy has no .git, so the build backend cannot find the version and
    `uv lock` (which builds the root project for its metadata) fails with "unable to
    detect version" (cal-itp/benefits). uv.lock records no version for a dynamic one,
    so any version locks the same. The variable names the project alone: a dependency
    built from its sdist with setuptools-scm keeps its own version.
    """
    path = scratch / "pyproject.toml"
    if not path.is_file():
        return {}
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        project = tomlkit.parse(path.read_text(encoding="utf-8", errors="replace")).get("project")
    except ParseError:
        return {}
    if not hasattr(project, "get") or "version" not in (project.get("dynamic") or []):
        return {}
    name = re.sub(r"[^A-Za-z0-9]+", "_", str(project.get("name", ""))).upper()
    return {f"SETUPTOOLS_SCM_PRETEND_VERSION_FOR_{name}": "0.0.0"} if name else {}


def refresh_lock(
    project: Project, changes: Sequence[FileChange], runner: Runner
) -> FileChange | None:
    """The lock-file change that matches the plan's dependency changes; None if no lock."""
    deps = project.deps
    if deps.lock_argv is None or deps.lock_file is None:
        return None
    command = " ".join(deps.lock_argv)
    lock_path = project.git_root / deps.lock_file
    # The tool's own temp files go to a folder of ours, removed with the scratch copy:
    # `pipenv lock` hands its resolver a request file in the temp folder and leaves
    # it there (a pipenv-request-*.json per run, seen in /tmp).
    with (
        tempfile.TemporaryDirectory(prefix="simple-deploy-lock-") as scratch,
        tempfile.TemporaryDirectory(prefix="simple-deploy-lock-tmp-") as tool_tmp,
    ):
        scratch_dir = Path(scratch)
        _copy_tracked(project.git_root, scratch_dir)
        _copy_inputs(project, deps.lock_inputs, scratch_dir)
        for change in changes:
            if change.path in deps.lock_inputs:
                (scratch_dir / change.path).write_bytes(change.after)
        runner.run(
            deps.lock_argv,
            cwd=scratch_dir,
            env=clean_env()
            | dict(deps.lock_env)
            | _vcs_version_env(scratch_dir)
            | dict.fromkeys(_TEMP_VARS, tool_tmp),
            label=f"Refreshing {deps.lock_file} with `{command}`",
        )
        after = (scratch_dir / deps.lock_file).read_bytes()
    before = lock_path.read_bytes() if lock_path.is_file() else None
    return FileChange(
        deps.lock_file,
        before,
        after,
        f"refreshed with `{command}` so the platform installs exactly what is locked",
    )
