"""A Dockerfile read as its instructions, the way Docker reads them.

Two parts of the tool read a project's own Dockerfile: Fly.io's plugin (what a kept
image installs, collects and starts) and the frontend finder (a Node.js stage that
builds files the settings serve). Both need the same reading, so it lives once here.
"""

from __future__ import annotations

import re

__all__ = ["instructions"]

_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)\s+(.*)$", re.DOTALL)


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        if not pending and line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        whole, pending = pending + line, ""
        match = _INSTRUCTION.match(whole)
        if match:
            out.append((match.group(1).upper(), match.group(2).strip()))
    return out
