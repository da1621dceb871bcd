"""The committed project, as a push sends it: `git archive HEAD`, extracted."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

from .processes import run_checked, which
from .report import StepFailed
from .text import decode, tail

__all__ = ["extract_head", "export_head"]


def extract_head(git_root: Path, dest: Path, timeout: float) -> str:
    """Extract HEAD into `dest`; the detail names the commit and any uncommitted work."""
    git = which("git", os.environ.get("PATH"))
    status = run_checked(
        [git, "status", "--porcelain"], cwd=git_root, env=os.environ, timeout=timeout
    )
    head = export_head(git_root, dest, timeout)
    return _detail(head, dest, status)


def export_head(git_root: Path, dest: Path, timeout: float) -> str:
    """Write the files of HEAD, as committed, into `dest` (new); returns HEAD's short hash."""
    git = which("git", os.environ.get("PATH"))
    # The platform receives the committed blobs. With core.autocrlf=true (Git for
    # Windows' default) `git archive` would write CRLF, as a checkout does; a CRLF
    # shell script or Procfile that passes here could then hide a real failure.
    archive = subprocess.run(
        [git, "-c", "core.autocrlf=false", "archive", "--format=tar", "HEAD"],
        cwd=git_root,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if archive.returncode != 0:
        raise StepFailed("git archive HEAD failed:\n" + tail(decode(archive.stderr)))
    _extract(archive.stdout, dest)
    head = run_checked(
        [git, "rev-parse", "--short", "HEAD"], cwd=git_root, env=os.environ, timeout=timeout
    )
    return head.strip()


def _keep_outside_links(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """The "data" filter, except that a committed symlink pointing outside stays a link.

    A push carries such a link as it is (a committed virtualenv's `bin/python ->
    /usr/bin/python3`): the platform gets a link to a path on its own machine.
    Writing the link is harmless; writing through it is not, and the "tar" filter
    still refuses any member whose real path leaves `dest`.
    """
    try:
        return tarfile.data_filter(member, dest)
    except (tarfile.AbsoluteLinkError, tarfile.LinkOutsideDestinationError):
        if not member.issym():
            raise
        return tarfile.tar_filter(member, dest)


def _extract(data: bytes, dest: Path) -> None:
    """Unpack a tar archive, keeping executable bits; refuse paths escaping `dest`."""
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(dest, filter=_keep_outside_links)
        else:  # Python without extraction filters (before 3.10.12 / 3.11.4)
            archive.extractall(dest)


def _detail(head: str, dest: Path, status: str) -> str:
    detail = f"copied commit {head} to {dest}"
    changes = [line for line in status.splitlines() if line.strip()]
    if not changes:
        return detail
    shown = "\n".join(changes[:10]) + ("\n..." if len(changes) > 10 else "")
    return (
        f"{detail}\nuncommitted changes: rehearsing the last commit; "
        f"commit your changes to include them:\n{shown}"
    )
