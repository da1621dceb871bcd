"""A project that commits its collected static files.

Some projects keep STATIC_ROOT in the repository with the manifest of
ManifestStaticFilesStorage (`staticfiles.json`) tracked, and git-ignore the app
folders a local asset build (gulp, webpack) writes into. A platform build that runs
collectstatic finds only the files in the repository (the admin's and the like) and
rewrites the manifest without the rest, so every page naming an ignored file fails.
Such a project ships its files as committed: no platform runs collectstatic.
"""

from __future__ import annotations

from pathlib import Path

from . import git_status
from .settings_facts import SettingsFacts

__all__ = ["MANIFEST", "find", "summary_line"]

# The manifest ManifestStaticFilesStorage (and WhiteNoise's) writes into STATIC_ROOT.
MANIFEST = "staticfiles.json"


def find(git_root: Path, facts: SettingsFacts | None) -> str | None:
    """STATIC_ROOT (POSIX, root-relative) when it is inside the repository and its
    manifest is tracked; None otherwise. Reads the tracked names inspection already
    asked git for (git_status.tracked_named), so no git command is added."""
    if facts is None or not facts.static_root_rel:
        return None
    tracked = git_status.tracked_named(git_root) or ()
    rel = facts.static_root_rel
    return rel if f"{rel}/{MANIFEST}" in tracked else None


def summary_line(folder: str) -> str:
    """Why the build does not run collectstatic, for every platform's summary."""
    return (
        f"Your repository ships its collected static files ({folder}/ with {MANIFEST}): "
        "the build does not run collectstatic, which would rewrite the manifest without "
        "the files git ignores; run collectstatic locally and commit when they change."
    )
