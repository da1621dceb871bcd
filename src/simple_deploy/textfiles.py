"""Read and write the user's text files without changing what we did not mean to change.

A file read here remembers its encoding, byte-order mark and line endings, so
that writing new text back keeps a CRLF file CRLF, a BOM where it was, and every
line we did not touch byte for byte as it was (even in a file with mixed endings).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import NamedTuple

__all__ = ["TextFile", "UnreadableFile", "read_text", "decode", "LF", "CRLF"]

LF = "\n"
CRLF = "\r\n"
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
# A line and its ending; only "\n" ends a line here (str.splitlines would also
# split on form feeds and other characters Python source may contain).
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
# Windows PowerShell 5 writes `pip freeze > requirements.txt` as UTF-16 with a BOM;
# pip reads it, so we must too. Longest BOM first: no UTF-16 BOM is a prefix of UTF-8's.
_BOMS = (
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
)


class UnreadableFile(Exception):
    """The file's bytes are not text in an encoding we can name."""


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


class TextFile(NamedTuple):
    """A text file's content with newlines normalised to LF, and how to write it back.

    `original` is the decoded text with its own line endings: lines that are
    unchanged in the new text are written back from it untouched.
    """

    text: str
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = LF
    original: str | None = None

    def encode(self, text: str) -> bytes:
        """Encode `text` (LF newlines) the way this file was stored."""
        data = self._with_endings(text).encode(self.encoding)
        return self._bom_bytes() + data if self.bom else data

    def _bom_bytes(self) -> bytes:
        return dict(_BOMS).get(self.encoding, b"")

    def _with_endings(self, text: str) -> str:
        """New lines get the file's main line ending; unchanged leading and trailing
        lines keep their own, so a mixed file is not rewritten wholesale."""
        new = _lines(text)
        if self.original is None:
            return "".join(self._convert(line) for line in new)
        old = _lines(self.original)
        old_plain = [line.replace(CRLF, LF) for line in old]
        head = 0
        while head < min(len(old), len(new)) and old_plain[head] == new[head]:
            head += 1
        tail = 0
        while (
            tail < min(len(old), len(new)) - head
            and old_plain[len(old) - 1 - tail] == new[len(new) - 1 - tail]
        ):
            tail += 1
        middle = [self._convert(line) for line in new[head : len(new) - tail]]
        return "".join(old[:head] + middle + old[len(old) - tail :])

    def _convert(self, line: str) -> str:
        if self.newline != LF and line.endswith(LF):
            return line[:-1] + self.newline
        return line


def _declared_encoding(data: bytes) -> str | None:
    # PEP 263: a coding cookie may sit on either of the first two lines.
    for line in data.splitlines()[:2]:
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii")
    return None


def _split_bom(data: bytes) -> tuple[str | None, bytes]:
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            return encoding, data[len(bom) :]
    return None, data


def _main_newline(text: str) -> str:
    # The ending most lines use; a file with one stray CRLF is still an LF file.
    crlf = text.count(CRLF)
    return CRLF if crlf > text.count(LF) - crlf else LF


def decode(data: bytes, name: str = "file") -> TextFile:
    """Decode bytes read from a file, remembering encoding, BOM and newline style."""
    bom_encoding, data = _split_bom(data)
    encoding = bom_encoding or _declared_encoding(data) or "utf-8"
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise UnreadableFile(
            f"{name} is not valid {encoding} text ({exc}). Save it as UTF-8 "
            f"(or declare its encoding with a '# -*- coding: ... -*-' line) and try again."
        ) from exc
    return TextFile(
        text.replace(CRLF, LF), encoding, bom_encoding is not None, _main_newline(text), text
    )


def read_text(path: Path) -> TextFile:
    """Read a text file; raise UnreadableFile with an actionable message if we cannot."""
    return decode(path.read_bytes(), path.name)
