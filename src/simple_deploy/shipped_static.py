"""A project that commits its collected static files.

Some projects keep STATIC_ROOT in the repository with the manifest of
ManifestStaticFilesStorage (`staticfiles.json`) tracked, and git-ignore the app
folders a local asset build (gulp, webpack) writes into. A platform build that runs
collectstatic finds only the files in the repository (the admin's and the like) and
rewrites the manifest without the rest, so every page naming an ignored file fails.
Such a project ships its files as committed: no platform runs collectstatic.

A committed manifest whose CSS and JS the commit and the installed apps still hold
is only an old collect (djangoforprofessionals' chapters, collected with an older
Django whose admin lacked dark_mode.css): shipping it would serve that old admin with
the new Django's templates, which name files it lacks. So is one in a project with no
asset build (inspection asks this only of a project with one): its missing entries
are apps and files it no longer has. Such a project is collected at build.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable
from pathlib import Path

from . import git_status
from .project_paths import own_path
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
    if f"{rel}/{MANIFEST}" not in tracked:
        return None
    built = _built_elsewhere(git_root, rel, tracked, facts.installed_apps)
    return rel if built is None or built else None


def _built_elsewhere(
    git_root: Path, rel: str, tracked: Iterable[str], apps: Iterable[str]
) -> bool | None:
    """True when the manifest names a CSS or JS file that neither the commit (outside
    STATIC_ROOT) nor an installed app's static folder holds: only the committed copy
    has it. None when the manifest cannot be read."""
    try:
        manifest = json.loads((git_root / rel / MANIFEST).read_text(encoding="utf-8"))
        names = [name for name in manifest["paths"] if name.endswith((".css", ".js"))]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    # Every tail of a committed path: `blog/static/css/a.css` holds `css/a.css` for an
    # app's static folder or a STATICFILES_DIRS entry alike.
    committed = set()
    for name in tracked:
        if name.startswith(rel + "/"):
            continue
        parts = name.split("/")
        committed.update("/".join(parts[i:]) for i in range(len(parts)))
    # The project's own apps are judged by the commit: a local build's output in their
    # static folders is what the platform lacks.
    root = git_root.resolve()
    folders = [f for f in _app_static_folders(apps) if own_path(f, root) is None]
    return any(
        name not in committed and not any((folder / name).is_file() for folder in folders)
        for name in names
    )


def _app_static_folders(apps: Iterable[str]) -> list[Path]:
    """The static/ folders of the installed apps' packages (an AppConfig's dotted path
    names its package's module first)."""
    folders = []
    for app in apps:
        parts = app.split(".")
        for end in range(len(parts), 0, -1):
            try:
                spec = importlib.util.find_spec(".".join(parts[:end]))
            except Exception:  # a package that fails to import here: no folder to read
                continue
            if spec is not None and spec.submodule_search_locations:
                folders += [Path(p) / "static" for p in spec.submodule_search_locations]
                break
    return [folder for folder in folders if folder.is_dir()]


def summary_line(folder: str) -> str:
    """Why the build does not run collectstatic, for every platform's summary."""
    return (
        f"Your repository ships its collected static files ({folder}/ with {MANIFEST}): "
        "the build does not run collectstatic, which would rewrite the manifest without "
        "the files git ignores; run collectstatic locally and commit when they change."
    )
