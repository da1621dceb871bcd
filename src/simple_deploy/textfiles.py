"""Read and write the user's text files without changing what we did not mean to change.

A file read here remembers its encoding, byte-order mark and line endings, so
that writing new text back keeps a CRLF file CRLF and a BOM where it was.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TextFile", "UnreadableFile", "read_text", "decode", "LF"]

LF = "\n"
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class UnreadableFile(Exception):
    """The file's bytes are not text in an encoding we can name."""


@dataclass(frozen=True)
class TextFile:
    """A text file's content with newlines normalised to LF, and how to write it back."""

    text: str
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = LF

    def encode(self, text: str) -> bytes:
        """Encode `text` (LF newlines) the way this file was stored."""
        if self.newline != LF:
            text = text.replace(LF, self.newline)
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def _declared_encoding(data: bytes) -> str | None:
    # PEP 263: a coding cookie may sit on either of the first two lines.
    for line in data.splitlines()[:2]:
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii")
    return None


def decode(data: bytes, name: str = "file") -> TextFile:
    """Decode bytes read from a file, remembering encoding, BOM and newline style."""
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    encoding = _declared_encoding(data) or "utf-8"
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise UnreadableFile(
            f"{name} is not valid {encoding} text ({exc}). Save it as UTF-8 "
            f"(or declare its encoding with a '# -*- coding: ... -*-' line) and try again."
        ) from exc
    newline = "\r\n" if "\r\n" in text else LF
    return TextFile(text.replace("\r\n", LF), encoding, bom, newline)


def read_text(path: Path) -> TextFile:
    """Read a text file; raise UnreadableFile with an actionable message if we cannot."""
    return decode(path.read_bytes(), path.name)
