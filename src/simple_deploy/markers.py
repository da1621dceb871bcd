"""The marker comments around the settings block we own.

One block per platform, between a start and an end line, so a re-run replaces
the block in place instead of appending a second copy.
"""

from __future__ import annotations

import re

__all__ = [
    "start_line",
    "end_line",
    "platforms_in",
    "unterminated",
    "repeated",
    "block_of",
    "replace_block",
]

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


def _find_line(text: str, line: str, start: int = 0) -> int:
    """Where `line` stands as a whole line of `text` (from `start`), or -1.

    A marker inside another line (indented, or after code) is not a marker:
    matching it as a substring would splice the block into the middle of a line.
    """
    match = re.compile(rf"^{re.escape(line)}$", re.MULTILINE).search(text, start)
    return match.start() if match else -1


def block_of(text: str, name: str) -> str | None:
    """The current body of `name`'s block (between its marker lines), or None."""
    begin = _find_line(text, start_line(name))
    if (
        begin == -1
        or text[begin + len(start_line(name)) : begin + len(start_line(name)) + 1] != "\n"
    ):
        return None
    body_start = begin + len(start_line(name)) + 1
    finish = _find_line(text, end_line(name), body_start)
    return None if finish == -1 else text[body_start:finish]


def unterminated(text: str) -> tuple[str, ...]:
    """Platforms whose start line has no end line after it: replacing such a block
    would append a second one, so the run must stop instead."""
    return tuple(name for name in platforms_in(text) if block_of(text, name) is None)


def repeated(text: str) -> tuple[str, ...]:
    """Platforms whose start line appears more than once (a block pasted twice):
    replacing the first would leave the second one silently overriding it."""
    found = platforms_in(text)
    return tuple(dict.fromkeys(name for name in found if found.count(name) > 1))


def replace_block(text: str, name: str, body: str) -> str:
    """`text` with the block for `name` set to `body` (LF newlines throughout).

    An existing block is replaced where it stands; otherwise the block is
    appended after one blank line.
    """
    block = f"{start_line(name)}\n{body.rstrip()}\n{end_line(name)}\n"
    start, end = start_line(name), end_line(name)
    begin = _find_line(text, start)
    if begin != -1:
        finish = _find_line(text, end, begin)
        if finish != -1:
            stop = finish + len(end)
            if text[stop : stop + 1] == "\n":
                stop += 1
            return text[:begin] + block + text[stop:]
    if not text.strip():
        return block
    return text.rstrip("\n") + "\n\n" + block
