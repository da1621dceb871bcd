"""The run log: every step of a run, with secrets redacted, saved beside the project.

The log folder ignores itself (it holds a `.gitignore` of `*`), so logs never
dirty the user's git tree and the user's own .gitignore is left alone.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .changes import write_atomic

__all__ = ["RunLog", "LOG_DIR_NAME"]

LOG_DIR_NAME = "simple_deploy_logs"
REDACTED = "********"
# Passwords inside URLs (postgres://user:PASSWORD@host/db): platform CLIs print
# connection strings that the run never knew in advance, so they cannot be
# registered with add_secret before the command runs.
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@")


@dataclass
class RunLog:
    """Collects log lines in memory; `save` writes them when the run has a project."""

    lines: list[str] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    started: _dt.datetime = field(default_factory=lambda: _dt.datetime.now().astimezone())

    def add_secret(self, value: str) -> None:
        if value:
            self.secrets.add(value)

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
            write_atomic(ignore, b"# Logs of django-simple-deploy runs; kept out of git.\n*\n")
        return folder

    def save(self, git_root: Path, stem: str = "deploy") -> Path:
        """Write the log as `<stem>-<timestamp>.log`; return its path."""
        name = f"{stem}-{self.started.strftime('%Y%m%d-%H%M%S')}.log"
        path = self.folder(git_root) / name
        write_atomic(path, ("\n".join(self.lines) + "\n").encode("utf-8"))
        return path

    def save_text(self, git_root: Path, stem: str, text: str, suffix: str = ".md") -> Path:
        """Save `text` (redacted) as `<stem>-<timestamp><suffix>`; return its path."""
        name = f"{stem}-{self.started.strftime('%Y%m%d-%H%M%S')}{suffix}"
        path = self.folder(git_root) / name
        write_atomic(path, self.redact(text).encode("utf-8"))
        return path
