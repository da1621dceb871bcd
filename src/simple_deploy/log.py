"""The run log: every step of a run, with secrets redacted, saved beside the project.

The log folder ignores itself (it holds a `.gitignore` of `*`), so logs never
dirty the user's git tree and the user's own .gitignore is left alone.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .changes import write_atomic

__all__ = ["RunLog", "LOG_DIR_NAME"]

LOG_DIR_NAME = "simple_deploy_logs"
REDACTED = "********"
# A password in a URL (postgres://user:PASSWORD@host/db) is a secret wherever it
# shows up, whoever printed it.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)([^\s@/]+)@")
# Keys of a CLI's JSON output whose values are secrets (config vars, credentials).
# (URLs are left to _URL_PASSWORD: their host names are not secret, and hiding an
# app's own web_url would hide the site's address from the user.)
_SECRET_KEY_NAME = re.compile(r"(?i)secret|password|passwd|token|credential|private|api_?key")
_MIN_SECRET = 8  # shorter values ("1", "true") would redact ordinary words


def _json_pairs(data, depth: int = 0):
    if depth > 4:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                yield str(key), value
            else:
                yield from _json_pairs(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _json_pairs(item, depth + 1)


@dataclass
class RunLog:
    """Collects log lines in memory; `save` writes them when the run has a project."""

    lines: list[str] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    started: _dt.datetime = field(default_factory=lambda: _dt.datetime.now().astimezone())

    def add_secret(self, value: str) -> None:
        if value:
            self.secrets.add(value)

    def secrets_in_json(self, text: str) -> None:
        """Treat as secrets the values a command printed under secret-looking keys.

        A platform CLI prints existing config vars (a SECRET_KEY made by an earlier
        run, a DATABASE_URL) before a plugin could register them: they must not
        reach the log or the terminal either.
        """
        try:
            data = json.loads(text)
        except ValueError:
            return
        for key, value in _json_pairs(data):
            if _SECRET_KEY_NAME.search(key) and len(value) >= _MIN_SECRET:
                self.add_secret(value)

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return _URL_PASSWORD.sub(rf"\g<1>{REDACTED}@", text)

    def add(self, message: str) -> None:
        stamp = _dt.datetime.now().astimezone().strftime("%H:%M:%S")
        for line in self.redact(message).splitlines() or [""]:
            self.lines.append(f"{stamp} {line}")

    def folder(self, git_root: Path) -> Path:
        folder = git_root / LOG_DIR_NAME
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            write_atomic(
                ignore, b"# Logs of django-simple-deploy runs; kept out of git.\n*\n", durable=False
            )
        return folder

    def save(self, git_root: Path, stem: str = "deploy") -> Path:
        """Write the log as `<stem>-<timestamp>.log`; return its path."""
        name = f"{stem}-{self.started.strftime('%Y%m%d-%H%M%S')}.log"
        path = self.folder(git_root) / name
        write_atomic(path, ("\n".join(self.lines) + "\n").encode("utf-8"), durable=False)
        return path

    def save_text(self, git_root: Path, stem: str, text: str, suffix: str = ".md") -> Path:
        """Save `text` (redacted) as `<stem>-<timestamp><suffix>`; return its path."""
        name = f"{stem}-{self.started.strftime('%Y%m%d-%H%M%S')}{suffix}"
        path = self.folder(git_root) / name
        write_atomic(path, self.redact(text).encode("utf-8"), durable=False)
        return path
