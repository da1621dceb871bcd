"""Refresh the lock file with the user's own tool, without touching their files.

The lock is computed in a scratch copy of the dependency files; its result joins
the plan as one more file change, so it is written atomically with the rest.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .package_managers import get
from .plan import FileChange
from .project import Project
from .runner import Runner, clean_env

__all__ = ["refresh_lock"]

# Files a lock tool may read besides the manager's own.
_CONTEXT_FILES = (".python-version",)


def refresh_lock(project: Project, manifest: FileChange, runner: Runner) -> FileChange | None:
    """The lock-file change that matches the new manifest; None if no lock."""
    manager = get(project.package_manager)
    if manager.lock_argv is None or manager.lock_file is None:
        return None
    lock_path = project.git_root / manager.lock_file
    with tempfile.TemporaryDirectory(prefix="simple-deploy-lock-") as scratch:
        scratch_dir = Path(scratch)
        for name in (*manager.files, *_CONTEXT_FILES):
            source = project.git_root / name
            if source.is_file():
                shutil.copy2(source, scratch_dir / name)
        (scratch_dir / manager.manifest).write_bytes(manifest.after)
        runner.run(
            manager.lock_argv,
            cwd=scratch_dir,
            env=clean_env() | dict(manager.lock_env),
            label=f"Refreshing {manager.lock_file} with `{' '.join(manager.lock_argv)}`",
        )
        after = (scratch_dir / manager.lock_file).read_bytes()
    before = lock_path.read_bytes() if lock_path.is_file() else None
    return FileChange(
        manager.lock_file,
        before,
        after,
        f"refreshed with `{' '.join(manager.lock_argv)}` so the platform installs exactly "
        "what is locked",
    )
