"""One table per platform CLI of the commands and flags django-simple-deploy uses.

Each CLI has a module here named after its executable (`heroku.py`, `fly.py`,
and `platform.py` / `upsun.py` from their plugin's authors) holding `TABLE`, a
`Table`. Every row cites the file of the CLI's own source where the command
and its flags are defined, so a reviewer can check it. Three things hold
plugins to the tables:

- `tests/unit/test_cli_tables.py` checks that each table is well formed and,
  where the real CLI is installed (Heroku's, from npm), that every row exists
  in it with those flags;
- the fake CLIs (tests/fakes) refuse any argv that matches no row, as the real
  CLI would refuse an unknown flag, so every argv a plugin builds in any test
  is checked (`fakecli.main` calls `check`);
- the Heroku tests check the argv the real CLI was given (`check`).

A new CLI plugs in by adding its module; nothing else changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Command", "Table", "check", "table_for"]


@dataclass(frozen=True)
class Command:
    """One command as the CLI defines it.

    - `words`: the command as typed after the executable (`("apps:create",)`,
      `("mpg", "list")`); `aliases`: other spellings the CLI accepts.
    - `flags`: long flag -> whether it takes a value; `short`: `-a` -> `--app`.
    - `args`: how many positional arguments at most (None: any number).
    - `source`: the file in the CLI's repository that defines it.
    """

    words: tuple[str, ...]
    source: str
    flags: Mapping[str, bool] = field(default_factory=dict)
    short: Mapping[str, str] = field(default_factory=dict)
    args: int | None = 0
    aliases: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Table:
    """- `cli`: the executable; `repo`: the source repository (owner/name) rows cite.
    - `global_flags`/`global_short`: flags every command accepts.
    - `bool_values`: a flag without a value also takes `=true` / `=false` (spf13/pflag's
      boolean flags, as cobra CLIs parse them), so "specified, and false" can be said.
    """

    cli: str
    repo: str
    version: str
    commands: tuple[Command, ...]
    global_flags: Mapping[str, bool] = field(default_factory=dict)
    global_short: Mapping[str, str] = field(default_factory=dict)
    bool_values: bool = False


def table_for(cli: str) -> Table | None:
    """The table of the CLI named `cli` (its executable), or None when there is none."""
    try:
        module = importlib.import_module(f"cli_tables.{cli}")
    except ModuleNotFoundError:
        return None
    return module.TABLE


def _command(table: Table, args: Sequence[str]) -> tuple[Command, int] | None:
    best = None
    for command in table.commands:
        for words in (command.words, *command.aliases):
            if tuple(args[: len(words)]) == words and (best is None or len(words) > best[1]):
                best = (command, len(words))
    return best


def check(table: Table, argv: Sequence[str]) -> str | None:
    """Why `argv` (without the executable) matches no row of `table`; None when it does."""
    found = _command(table, argv)
    if found is None:
        return f"`{table.cli} {' '.join(argv[:2])}` is not a command in the {table.cli} table"
    command, used = found
    flags = {**table.global_flags, **command.flags}
    short = {**table.global_short, **command.short}
    positional = 0
    rest = list(argv[used:])
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            positional += len(rest)
            break
        if arg.startswith("-") and len(arg) > 1:
            name, has_value, _ = arg.partition("=")
            name = short.get(name, name)
            if name not in flags:
                where = " ".join(command.words)
                return f"`{table.cli} {where}` has no flag {name} ({table.repo} {command.source})"
            if flags[name] and not has_value:
                if not rest:
                    return f"{name} needs a value"
                rest.pop(0)
            elif not flags[name] and has_value:
                value = arg.partition("=")[2]
                if not (table.bool_values and value in ("true", "false")):
                    return f"{name} takes no value"
            continue
        positional += 1
    if command.args is not None and positional > command.args:
        where = " ".join(command.words)
        return f"`{table.cli} {where}` takes at most {command.args} argument(s), got {positional}"
    return None
