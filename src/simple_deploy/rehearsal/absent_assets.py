"""Assets a page references that the project itself never had.

A stylesheet of an old site names images and fonts long deleted
(`url(../img/global/krakow.png)`, a `.woff2` beside the `.woff` it ships): they
answer 404 on the developer's computer and on the live site alike, and browsers
carry on. Seen on djangogirls. A rehearsal that fails on them blames the deploy
for the project's own broken links, so a 404 asset whose file is in no folder of
the rehearsal's copy (the commit, the build's output, the collected files) and
that no static files finder here finds is reported, not failed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .crawl import Fetched

__all__ = ["absent"]

# Folders no static file is served from, and that can be large.
_SKIP = {".git", ".venv", "venv", "__pycache__"}


def _static_name(path: str, static_url: str) -> str | None:
    prefix = urlsplit(static_url).path
    path = unquote(urlsplit(path).path)
    if not prefix.strip("/") or not path.startswith(prefix):
        return None
    name = path[len(prefix) :].lstrip("/")
    return name or None


def _files_named(root: Path, basenames: set[str]) -> list[str]:
    """POSIX paths (relative to `root`) of the files whose name is one of `basenames`."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP]
        for name in files:
            if name in basenames:
                found.append(Path(folder, name).relative_to(root).as_posix())
    return found


def _found_here(name: str) -> bool:
    """Whether this process's static files finders (the installed apps' static/
    folders, STATICFILES_DIRS) hold `name`."""
    from django.conf import settings

    if not settings.configured:
        return False  # no project loaded here: the copy's files alone say
    try:
        from django.contrib.staticfiles import finders

        return bool(finders.find(name))
    except Exception:  # noqa: BLE001 - settings this process cannot read: not known here
        return True


def absent(failures: Iterable[Fetched], static_url: str, app: Path) -> tuple[Fetched, ...]:
    """The failed requests that are static files answered 404 whose file the project
    has nowhere (a path under `static_url` no file in `app` ends with)."""
    candidates = {
        failed: name
        for failed in failures
        if failed.kind == "asset"
        and failed.status == 404
        and (name := _static_name(failed.path, static_url)) is not None
    }
    if not candidates:
        return ()
    paths = _files_named(app, {name.rsplit("/", 1)[-1] for name in candidates.values()})
    return tuple(
        failed
        for failed, name in candidates.items()
        if not any(p == name or p.endswith("/" + name) for p in paths) and not _found_here(name)
    )
