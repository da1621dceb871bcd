"""Remove a large folder a test session made without making the session wait for it.

The session's PostgreSQL data (a database per test) and the private dockerd's
data root (every image the Fly.io tests built) reach gigabytes; deleting them
took 30-40 s at the end of each test worker, on a machine whose disk discards
freed blocks as it goes. A process of its own deletes them instead, and outlives
the session if it must.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path


def remove_later(folder: Path) -> None:
    """Delete `folder`: at once on Windows, else in a detached `rm -rf`."""
    if os.name != "posix" or shutil.which("rm") is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    # Renamed first, so nothing can find a half-deleted folder under its old name.
    doomed = folder.with_name(f".removing-{folder.name}-{uuid.uuid4().hex[:8]}")
    try:
        folder.rename(doomed)
    except OSError:
        doomed = folder
    subprocess.Popen(  # noqa: S603 - a fixed argv
        ["rm", "-rf", "--", str(doomed)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
