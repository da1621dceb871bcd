"""Static CSS and JS files that name a source map the project does not ship.

Django's manifest storage rewrites every `/*# sourceMappingURL=x.css.map */` to
the map's hashed name, and stops collectstatic when the map is missing ("The file
'css/x.css.map' could not be found"): a vendored, minified file copied without its
map breaks the build. Inspection lists those files (the platform gets what git
commits, so a map git ignores is missing too); the settings block then keeps hashed,
compressed files with a storage that leaves a missing map's reference as it is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from . import git_status

__all__ = ["missing_maps", "storage_lines", "note"]

_SUFFIXES = (".css", ".js")
# The two comment forms Django's manifest storage rewrites (staticfiles/storage.py).
_REFERENCE = re.compile(rb"(?:/\*# |//# )sourceMappingURL=([^\s*]+)")
# Folders whose files never reach collectstatic from the repository.
_SKIPPED = {"node_modules", ".venv", "venv", "__pycache__", ".git"}
_SHIPPED = (*_SUFFIXES, ".map")


def _shipped(git_root: Path, untracked: Sequence[str], ignored: Sequence[str]) -> list[str] | None:
    """The CSS, JS and map files `git add -A` and a commit would send (POSIX,
    root-relative): the tracked ones, and the untracked ones git status listed (a new
    folder as one entry, walked here, less what it lists as ignored); None if git
    cannot say."""
    tracked = git_status.tracked_named(git_root)
    if tracked is None:
        return None
    names = [name for name in tracked if name.endswith(_SHIPPED)]
    skip = set(ignored)
    for entry in untracked:
        if not entry.endswith("/"):
            names += [entry] if entry.endswith(_SHIPPED) else []
            continue
        for folder, dirs, files in os.walk(git_root / entry):
            dirs[:] = [d for d in dirs if d not in _SKIPPED]
            rel = Path(folder).relative_to(git_root).as_posix()
            dirs[:] = [d for d in dirs if f"{rel}/{d}/" not in skip]
            names += [
                f"{rel}/{f}" for f in files if f.endswith(_SHIPPED) and f"{rel}/{f}" not in skip
            ]
    return names


def missing_maps(
    git_root: Path,
    untracked: Sequence[str] = (),
    ignored: Sequence[str] = (),
    static_root: str | None = None,
) -> tuple[str, ...]:
    """The shipped CSS/JS files (root-relative) naming a relative source map that is not
    shipped; `untracked` and `ignored` as git status lists them."""
    names = _shipped(git_root, untracked, ignored)
    if not names:
        return ()
    shipped = set(names)
    found = []
    for name in names:
        parts = PurePosixPath(name).parts
        if not name.endswith(_SUFFIXES) or _SKIPPED.intersection(parts[:-1]):
            continue
        if static_root and name.startswith(static_root.rstrip("/") + "/"):
            continue  # collected output, not a source
        try:
            text = (git_root / name).read_bytes()
        except OSError:
            continue
        for match in _REFERENCE.finditer(text):
            url = os.fsdecode(match.group(1)).split("?")[0].split("#")[0]
            if not url or url.startswith(("data:", "/", "http:", "https:")) or "//" in url:
                continue  # Django's storage leaves these alone
            target = os.path.normpath(str(PurePosixPath(name).parent / url)).replace(os.sep, "/")
            if target not in shipped:
                found.append(name)
                break
    return tuple(found)


# The storage the block defines in the settings module itself (`__name__` is the
# module's importable name): production does not install this tool, so the class
# cannot live in it. It converts as Django does and leaves only a missing map's
# reference unconverted; every other missing file still stops collectstatic.
_LINES = (
    "# Some static files name source maps the repository lacks (see the summary):",
    "# hashed, compressed files, with a missing map's reference left as it is.",
    "from whitenoise.storage import CompressedManifestStaticFilesStorage as _Manifest",
    "",
    "class _MissingMapsStorage(_Manifest):",
    "    def url_converter(self, *args, **kwargs):  # its arguments vary across Django versions",
    "        convert = super().url_converter(*args, **kwargs)",
    "",
    "        def converter(matchobj):",
    '            if "sourceMappingURL" not in matchobj["matched"]:',
    "                return convert(matchobj)",
    "            try:",
    "                return convert(matchobj)",
    "            except ValueError:  # the map is not among the static files",
    '                return matchobj["matched"]',
    "",
    "        return converter",
    "",
)
BACKEND = "{__name__}._MissingMapsStorage"


def storage_lines() -> list[str]:
    """The block's lines defining the storage (unindented), before STORAGES names it."""
    return list(_LINES)


def note(files: tuple[str, ...]) -> tuple[str, ...]:
    """The summary's line on those files, if any."""
    if not files:
        return ()
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return (
        f"{shown} name{'s' if len(files) == 1 else ''} a source map (sourceMappingURL) the "
        "repository does not ship, which would stop collectstatic's manifest storage. The "
        "settings block keeps hashed, compressed static files with a storage that leaves "
        "those references as they are (browsers' developer tools then find no map). Commit "
        "the .map files, or remove the comment, to drop it.",
    )
