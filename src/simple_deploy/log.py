"""The run log: every step of a run, with secrets redacted, saved beside the project.

The log folder ignores itself (it holds a `.gitignore` of `*`), so logs never
dirty the user's git tree and the user's own .gitignore is left alone.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .changes import write_atomic

__all__ = ["RunLog", "LogError", "LOG_DIR_NAME", "shown_argv"]

LOG_DIR_NAME = "simple_deploy_logs"
REDACTED = "********"
# A password in a URL (postgres://user:PASSWORD@host/db) is a secret wherever it
# shows up, whoever printed it.
# The password runs to the LAST "@" of the URL: an unescaped "@", "/", ":" or "#"
# in a password must not leave its tail in the log.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)(\S*)@(?=[^\s@]*)")
# `NAME=value` as config-setting commands take it (`heroku config:set A=1`): the
# value of a config var is the user's, whatever its name says.
# (`Django==5.2` is a requirement, not a config value.)
_CONFIG_ARG = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(?!=)(.*)$", re.DOTALL)
# A value that looks generated (a key, a token): long, no dots, slashes or spaces.
# Such values are hidden wherever they appear later; host names and URLs are not,
# or the summary could not show the site's address.
_RANDOM_LOOKING = re.compile(r"^[^\s./]{16,}$")
# The keys of a config map a CLI prints (`heroku config --json`): environment-style names.
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# Keys of a CLI's JSON output whose values are secrets (config vars, credentials).
# (URLs are left to _URL_PASSWORD: their host names are not secret, and hiding an
# app's own web_url would hide the site's address from the user.)
_SECRET_KEY_NAME = re.compile(r"(?i)secret|password|passwd|token|credential|private|api_?key")
_MIN_SECRET = 8  # shorter values ("1", "true") would redact ordinary words


class LogError(OSError):
    """The log could not be written; the message says where and why."""


def shown_argv(argv) -> tuple[str, set[str]]:
    """`argv` as logs and messages show it, quoted, with `NAME=value` values hidden;
    and the hidden values, to be redacted from what the command prints back."""
    hidden: set[str] = set()
    words = []
    for arg in argv:
        match = _CONFIG_ARG.match(arg) if not arg.startswith("-") else None
        if match and match.group(2):
            hidden.add(match.group(2))
            words.append(f"{match.group(1)}={REDACTED}")
        else:
            words.append(shlex.quote(arg))
    return " ".join(words), hidden


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

    def config_values(self, text: str) -> set[str]:
        """The values of a config map a command printed as JSON (every value, whatever
        its name), registering as secrets those long enough to redact safely."""
        try:
            data = json.loads(text)
        except ValueError:
            return set()
        found: set[str] = set()
        maps = [data] if isinstance(data, dict) else []
        maps += [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
        for mapping in maps:
            if mapping and all(isinstance(k, str) and _ENV_NAME.match(k) for k in mapping):
                found |= {v for v in mapping.values() if isinstance(v, str) and v}
        for value in found:
            if _RANDOM_LOOKING.match(value):
                self.add_secret(value)
        return found

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return _URL_PASSWORD.sub(rf"\g<1>{REDACTED}@", text)

    def add(self, message: str) -> None:
        stamp = _dt.datetime.now().astimezone().strftime("%H:%M:%S")
        for line in self.redact(message).splitlines() or [""]:
            self.lines.append(f"{stamp} {line}")

    def folder(self, git_root: Path) -> Path:
        """The private log folder (0700: logs name the account, the app and the commands).

        LogError if its name is taken by a file or by a link: a link could lead
        the logs out of the repository.
        """
        folder = git_root / LOG_DIR_NAME
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            kind = "a link" if folder.is_symlink() else "a file"
            raise LogError(
                f"{LOG_DIR_NAME} is {kind}, but django-simple-deploy keeps its logs in a "
                f"folder of that name. Move {LOG_DIR_NAME} aside, then run again."
            )
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            os.chmod(folder, 0o700)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                write_atomic(
                    ignore,
                    b"# Logs of django-simple-deploy runs; kept out of git.\n*\n",
                    durable=False,
                    mode=0o600,
                )
        except OSError as exc:
            raise LogError(f"Could not write the log folder {folder}: {exc}") from exc
        return folder

    def _write(self, path: Path, text: str) -> Path:
        try:
            write_atomic(path, text.encode("utf-8"), durable=False, mode=0o600)
        except OSError as exc:
            raise LogError(f"Could not write the log {path}: {exc}") from exc
        return path

    def save(self, git_root: Path, stem: str = "deploy") -> Path:
        """Write the log as `<stem>-<timestamp>.log`; return its path."""
        name = f"{stem}-{self.started.strftime('%Y%m%d-%H%M%S')}.log"
        return self._write(self.folder(git_root) / name, "\n".join(self.lines) + "\n")

    def save_text(self, git_root: Path, stem: str, text: str, suffix: str = ".md") -> Path:
        """Save `text` (redacted) as `<stem>-<timestamp><suffix>`; return its path."""
        name = f"{stem}-{self.started.strftime('%Y%m%d-%H%M%S')}{suffix}"
        return self._write(self.folder(git_root) / name, self.redact(text))
