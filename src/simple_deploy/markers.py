"""The marker comments around the settings block we own.

One block per platform, between a start and an end line, so a re-run replaces
the block in place instead of appending a second copy.
"""

from __future__ import annotations

import re

__all__ = ["start_line", "end_line", "platforms_in", "replace_block"]

_START = "# >>> django-simple-deploy: {name} >>>"
_END = "# <<< django-simple-deploy: {name} <<<"
_START_RE = re.compile(r"^# >>> django-simple-deploy: ([\w-]+) >>>$", re.MULTILINE)


def start_line(name: str) -> str:
    return _START.format(name=name)


def end_line(name: str) -> str:
    return _END.format(name=name)


def platforms_in(text: str) -> tuple[str, ...]:
    """Names of the platforms whose block is present in `text`, in file order."""
    return tuple(_START_RE.findall(text))


def replace_block(text: str, name: str, body: str) -> str:
    """`text` with the block for `name` set to `body` (LF newlines throughout).

    An existing block is replaced where it stands; otherwise the block is
    appended after one blank line.
    """
    block = f"{start_line(name)}\n{body.rstrip()}\n{end_line(name)}\n"
    start, end = start_line(name), end_line(name)
    begin = text.find(start + "\n")
    if begin != -1:
        finish = text.find(end, begin)
        if finish != -1:
            stop = finish + len(end)
            if text[stop : stop + 1] == "\n":
                stop += 1
            return text[:begin] + block + text[stop:]
    if not text.strip():
        return block
    return text.rstrip("\n") + "\n\n" + block
