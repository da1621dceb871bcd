"""Why a folder STATICFILES_DIRS names is missing on the platform (staticfiles.W004).

The rehearsal, like the platform, gets only the commit. A STATICFILES_DIRS folder
that exists on the developer's machine but holds no committed file (git-ignored,
a build output, an empty folder git cannot record) is missing there, and so is one
that only a build outside the Python build makes (a frontend built in another
folder and copied in by the project's Dockerfile). Django only warns, but the files
the folder should hold are missing on every page that needs them. Django's warning
names the rehearsal's copy; this says which of the two it is, for the user's tree.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["causes"]

_W004 = re.compile(
    r"\(staticfiles\.W004\) The directory '([^']+)' in the STATICFILES_DIRS setting does not exist"
)


def _has_files(folder: Path) -> bool:
    try:
        return any(path.is_file() for path in folder.rglob("*"))
    except OSError:
        return False


def _in_repository(named: str, app: Path) -> str | None:
    """`named` relative to the repository: under `app`, the rehearsal's copy, or (an
    image's path, /app/backend/static) from its first folder that the copy has."""
    try:
        return Path(named).resolve().relative_to(app.resolve()).as_posix()
    except ValueError:
        parts = Path(named).parts[1:]
        for start in range(len(parts)):
            if (app / parts[start]).is_dir():
                return "/".join(parts[start:])
    return None


def causes(output: str, app: Path, git_root: Path) -> list[str]:
    """One line per STATICFILES_DIRS folder `check --deploy` output says is missing in
    the rehearsal's copy `app` of the commit, read against the user's `git_root`."""
    lines = []
    for named in dict.fromkeys(_W004.findall(output)):
        rel = _in_repository(named, app)
        if rel is None:
            continue  # outside the repository: the platform cannot have it at all
        # The table of a run shows a line's first words: the cause comes first.
        if _has_files(git_root / rel):
            lines.append(
                f"(staticfiles.W004) {rel} (STATICFILES_DIRS) has files here but none "
                "committed (git ignores them, or a build made them), and the platform gets "
                "only the commit: commit them, or make them in a build step the platform runs."
            )
        else:
            lines.append(
                f"(staticfiles.W004) {rel} (STATICFILES_DIRS) is made by a build no platform "
                "runs (a frontend built elsewhere and copied in, as a Dockerfile does): it is "
                "neither committed nor here. Build it where the platform builds, or take it "
                "out of STATICFILES_DIRS."
            )
    return lines
