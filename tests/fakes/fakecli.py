"""Shared plumbing of the fake platform CLIs (`fly`, `platform`) in this folder.

Heroku has none: its tests run the real Heroku CLI against tests/heroku_api.

The fakes are small programs the tests put first on PATH. Each keeps its
account's state (apps, databases, secrets ...) in one JSON file, records every
call, and fails on demand, so automate-all runs can be tested without a
network: fresh runs, re-runs, failure then resume, not logged in.

Environment:
- FAKE_CLI_STATE: the JSON state file (required).
- FAKE_CLI_FAIL: comma-separated command names that fail (e.g. "addons:create"),
  with the platform CLI's own style of error message.
- FAKE_CLI_LOGGED_OUT: set to make every authenticated command fail as the
  real CLI does when nobody is logged in.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Exit(Exception):
    def __init__(self, code: int, message: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message


def state_path() -> Path:
    return Path(os.environ["FAKE_CLI_STATE"])


@contextmanager
def account(cli: str):
    """The state of the fake account, locked for the whole call and saved after it."""
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        state.setdefault("calls", [])
        state["calls"].append({"cli": cli, "argv": sys.argv[1:], "cwd": os.getcwd()})
        try:
            yield state
        finally:
            path.write_text(json.dumps(state, indent=2, sort_keys=True))


def load() -> dict[str, Any]:
    """The saved state, for tests to assert on."""
    path = state_path()
    return json.loads(path.read_text()) if path.exists() else {}


def should_fail(command: str) -> bool:
    wanted = [c.strip() for c in os.environ.get("FAKE_CLI_FAIL", "").split(",") if c.strip()]
    return command in wanted


def logged_out() -> bool:
    return bool(os.environ.get("FAKE_CLI_LOGGED_OUT"))


def random_hex(n: int = 12) -> str:
    return secrets.token_hex(n // 2)


def option(argv: list[str], *names: str, default: str | None = None) -> str | None:
    """The value of `--name VALUE` / `--name=VALUE` / `-n VALUE` in argv."""
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(name + "="):
                return arg[len(name) + 1 :]
    return default


def positional(argv: list[str], takes_value: set[str]) -> list[str]:
    """Arguments that are not options (nor option values)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in takes_value
            continue
        out.append(arg)
    return out


def refused(cli: str, argv: list[str]) -> str | None:
    """Why the real CLI would refuse `argv` (no such command or flag), per tests/cli_tables."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from cli_tables import check, table_for

    table = table_for(cli)
    return check(table, argv) if table is not None else None


def main(cli: str, handle) -> None:
    """Run `handle(argv, state)`; it prints and returns, or raises Exit."""
    try:
        with account(cli) as state:
            problem = refused(cli, sys.argv[1:])
            if problem:
                # As the real CLI's parser does: an unknown command or flag ends the call.
                raise Exit(1, f"Error: {problem}")
            handle(sys.argv[1:], state)
    except Exit as exc:
        if exc.message:
            print(exc.message, file=sys.stderr)
        sys.exit(exc.code)
