"""Reading the user's files and a CLI's output defensively: one message, never a traceback.

Package managers and plugins read TOML (pyproject.toml, Pipfile, fly.toml) and
JSON a CLI prints as if it had the shape they expect. A file with a syntax
error, a value of another type (`dependencies = "django"`), or a CLI that
printed HTML or an error with exit code 0 must end the run with a message
that names the file or command and says what was expected, before any write.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["ReadError", "reading_files", "cli_json", "shape_errors"]

_BUILTIN_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)


def shape_errors() -> tuple[type[Exception], ...]:
    """What reading a file of an unexpected shape raises in code written for the expected
    one. Called in an `except` clause, when an error is on its way: tomlkit (whose
    errors count too) is imported only by runs that read TOML, and a run that has not
    imported it cannot have raised its errors."""
    toml = sys.modules.get("tomlkit.exceptions")
    return _BUILTIN_SHAPE_ERRORS + ((toml.TOMLKitError,) if toml is not None else ())


class ReadError(Exception):
    """A file or a command's output was not in the shape expected; nothing was changed."""


def _toml_problem(path: Path) -> str | None:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        tomlkit.parse(path.read_text("utf-8", errors="replace"))
    except TOMLKitError as exc:
        return str(exc)
    return None


@contextmanager
def reading_files(root: Path, candidates: Iterable[str], expected: str) -> Iterator[None]:
    """Turn a failure while reading `candidates` (paths under `root`) into ReadError.

    The message names the file that does not parse, else the files read, and
    says what was `expected` of them.
    """
    try:
        yield
    except shape_errors() as exc:
        present = [name for name in dict.fromkeys(candidates) if (root / name).is_file()]
        broken = [
            (name, problem)
            for name in present
            if name.endswith((".toml", "Pipfile")) and (problem := _toml_problem(root / name))
        ]
        if broken:
            name, problem = broken[0]
            message = (
                f"{name} is not valid TOML ({problem}). Fix it (your tool's own command, "
                f"such as `poetry check` or `uv lock`, shows the same error), commit, and "
                "run again. Nothing was changed."
            )
        else:
            names = ", ".join(present) or "the project's files"
            message = (
                f"{names}: a value is not of the kind expected ({expected}); reading it "
                f"failed with {type(exc).__name__}: {exc}. Fix the value, commit, and run "
                "again. Nothing was changed."
            )
        raise ReadError(message) from exc


def cli_json(text: str, command: str, expected: type | tuple[type, ...], what: str) -> Any:
    """Parse the JSON `command` printed; ReadError unless it is of type `expected`.

    Covers what a CLI prints instead of JSON: nothing, an HTML error page from a
    proxy, a sentence with exit code 0, or JSON of another shape after an upgrade.
    """
    shown = text.strip()
    try:
        data = json.loads(shown)
    except ValueError:
        kind = (
            "nothing"
            if not shown
            else "an HTML page"
            if shown.lstrip().lower().startswith(("<!doctype", "<html"))
            else "text that is not JSON"
        )
        excerpt = f":\n{shown[:300]}" if shown else "."
        raise ReadError(
            f"`{command}` printed {kind} where {what} (JSON) was expected{excerpt}\n"
            "Check that the CLI is up to date and logged in, then run again."
        ) from None
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if not isinstance(data, kinds):
        raise ReadError(
            f"`{command}` printed JSON of another shape than {what}: "
            f"a {type(data).__name__} instead of {' or '.join(t.__name__ for t in kinds)}. "
            "Update the CLI (or this tool), then run again."
        )
    return data
