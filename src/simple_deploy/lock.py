"""Refresh the lock file with the user's own tool, without touching their files.

The lock is computed in a scratch copy of the files the tool reads (with the
plan's new texts); its result joins the plan as one more file change, so it is
written atomically with the rest.
"""

from __future__ import annotations

import shutil
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


def _copy_inputs(project: Project, inputs: Sequence[str], scratch: Path) -> None:
    for name in (*inputs, *_CONTEXT_FILES):
        source = project.git_root / name.rstrip("/")
        target = scratch / name.rstrip("/")
        if source.is_dir():
            shutil.copytree(source, target, ignore=_IGNORE, dirs_exist_ok=True)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


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
        _copy_inputs(project, deps.lock_inputs, scratch_dir)
        for change in changes:
            if change.path in deps.lock_inputs:
                (scratch_dir / change.path).write_bytes(change.after)
        runner.run(
            deps.lock_argv,
            cwd=scratch_dir,
            env=clean_env() | dict(deps.lock_env) | dict.fromkeys(_TEMP_VARS, tool_tmp),
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
