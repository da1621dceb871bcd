"""Add one script to a package.json without reformatting it.

npm writes package.json itself (`npm install`, `npm pkg set`) as JSON indented by
two spaces (or the file's own indent), keys in order, one newline at the end; a
file in that form is rewritten the same way with one more script, so the diff is
that one line. A file in any other form (hand-aligned, comments that JSON5 tools
allow) is not rewritten: the caller says what to add instead.
"""

from __future__ import annotations

import json
import re

__all__ = ["with_script"]


def _indent(text: str) -> str | None:
    match = re.search(r"^\{\r?\n([ \t]+)\"", text)
    return match.group(1) if match else None


def with_script(data: bytes, name: str, command: str) -> bytes | None:
    """package.json's bytes with `"name": "command"` last in its scripts; None when the
    file is not in the form npm writes, or already has that script."""
    try:
        text = data.decode("utf-8")
        package = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return None
    indent = _indent(text)
    if not isinstance(package, dict) or indent is None:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    ending = newline if text.endswith(("\n", "\r\n")) else ""

    def dump(value: dict) -> str:
        return json.dumps(value, indent=indent, ensure_ascii=False).replace("\n", newline)

    if dump(package) + ending != text:
        return None
    scripts = package.get("scripts", {})
    if not isinstance(scripts, dict) or name in scripts:
        return None
    package["scripts"] = {**scripts, name: command}
    return (dump(package) + ending).encode("utf-8")
