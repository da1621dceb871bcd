"""Output shown in a report: tails of long output, commands as typed, secrets out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["REDACTED", "TAIL_LINES", "decode", "read", "tail", "display", "redact"]

TAIL_LINES = 40
REDACTED = "[redacted]"


def decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def display(argv: Sequence[str]) -> str:
    return " ".join(argv)


def redact(text: str, values: Iterable[str]) -> str:
    # Longest first: a secret that contains another is replaced whole.
    for value in sorted((v for v in values if v), key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text
