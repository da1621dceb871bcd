"""The rehearsal's `--env KEY=VALUE` and `--env-file PATH` options, read into one mapping.

Values are the project's secrets: they are never printed, logged or put on a
command line; error messages name the key or the line number, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from .textfiles import UnreadableFile, read_text

__all__ = ["EnvOptionError", "parse_env_options", "read_env_file"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class EnvOptionError(Exception):
    """A bad --env or --env-file; the message says which and how to fix it."""


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        if value[0] == '"':
            inner = inner.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        return inner
    # An unquoted value ends at a comment that follows whitespace.
    return re.split(r"\s+#", value, maxsplit=1)[0].strip()


def read_env_file(path: Path) -> dict[str, str]:
    """A dotenv file: `KEY=VALUE` lines, optional `export `, quotes, # comments."""
    try:
        text = read_text(path).text
    except FileNotFoundError as exc:
        raise EnvOptionError(f"--env-file {path}: no such file.") from exc
    except (OSError, UnreadableFile) as exc:
        raise EnvOptionError(f"--env-file {path}: cannot be read ({exc}).") from exc
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _NAME.match(key):
            raise EnvOptionError(
                f"--env-file {path}, line {number}: expected KEY=VALUE (a name of letters, "
                "digits and underscores)."
            )
        values[key] = _unquote(value)
    return values


def parse_env_options(pairs: Sequence[str] | None, env_file: str | None) -> dict[str, str]:
    """--env-file first, then each --env (later ones win, as on a command line)."""
    values = read_env_file(Path(env_file)) if env_file else {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not _NAME.match(key):
            # Not echoed: a mistyped option may be a bare secret value.
            raise EnvOptionError(
                "--env expects KEY=VALUE (for example --env DJANGO_SECRET_KEY=...): one "
                "--env has no '=' or a name other than letters, digits and underscores."
            )
        values[key] = value
    return values
