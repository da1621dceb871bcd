"""Name the project's own code when a page fails with an exception raised there.

A page that answers 500 because the project's code raised (a template tag taking
`min()` of the tags an empty database does not have yet) is not something the
platform's configuration can change: the first line says so, with the exception and
the project's file and line, before the web process's log. A traceback whose innermost
frame is in an installed package (a missing manifest entry, a database error) keeps the
usual report.
"""

from __future__ import annotations

import re

__all__ = ["own_code_cause"]

_START = re.compile(r"^(\s*)Traceback \(most recent call last\):$", re.MULTILINE)
_FRAME = re.compile(r'^(\s*)File "([^"]+)", line (\d+), in ', re.MULTILINE)
_INSTALLED = re.compile(r"[/\\](?:site|dist)-packages[/\\]|[/\\]lib[/\\]python\d[\d.]*[/\\]")


def own_code_cause(output: str, app_root: str) -> str | None:
    """'ValueError: min() iterable argument is empty (raised at blog/x.py line 61)' for
    the last traceback in `output` when its innermost frame is one of the project's own
    files (under `app_root`, not an installed package); None otherwise."""
    starts = list(_START.finditer(output))
    if not starts:
        return None
    indent = len(starts[-1].group(1))
    block = output[starts[-1].end() :]
    frames = list(_FRAME.finditer(block))
    if not frames:
        return None
    last = frames[-1]
    path, line = last.group(2), last.group(3)
    # Windows names the same folder with backslashes (and a traceback may mix both).
    root = app_root.replace("\\", "/").rstrip("/")
    if not root or not path.replace("\\", "/").startswith(root + "/") or _INSTALLED.search(path):
        return None
    exception = None
    for text in block[last.end() :].splitlines()[1:]:
        stripped = text.strip()
        # The exception line is at the traceback's own indent; code lines are deeper.
        if stripped and len(text) - len(text.lstrip()) <= indent and ": " in stripped:
            exception = stripped
            break
    if exception is None:
        return None
    return f"{exception} (raised at {path[len(root) + 1 :]} line {line})"
