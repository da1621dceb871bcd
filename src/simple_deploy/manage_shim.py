"""A root manage.py that runs a nested project's own, and how inspection sees through it.

Heroku's Cloud Native build generation runs collectstatic only for a manage.py
in the repository root, so a nested project (`startproject blog` in a
repository) gets a small root manage.py that runs `blog/manage.py`. Inspection
must still find the project where it is: a manage.py holding `MARK` names the
folder of the manage.py it runs, and counts as that one.
"""

from __future__ import annotations

import re
from pathlib import Path

MARK = "# django-simple-deploy runs: "
_LINE = re.compile(r"^# django-simple-deploy runs: (?P<path>[^\r\n]+)/manage\.py\s*$", re.M)


def mark_line(manage_rel: str) -> str:
    """The line that names the manage.py a root manage.py runs (POSIX path)."""
    return f"{MARK}{manage_rel}"


def target(manage_py: Path) -> Path | None:
    """The folder of the manage.py this one runs, if it is ours and that one exists."""
    try:
        head = manage_py.read_bytes()[:2000].decode("utf-8", errors="replace")
    except OSError:
        return None
    match = _LINE.search(head)
    if not match:
        return None
    folder = (manage_py.parent / match["path"]).resolve()
    inside = folder.is_relative_to(manage_py.parent.resolve())
    return folder if inside and (folder / "manage.py").is_file() else None
