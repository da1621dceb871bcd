"""The CLI tables (tests/cli_tables): well formed, true to the real CLI, and obeyed.

Every argv a plugin runs is checked where it runs: the fake CLIs refuse an argv
no row matches (tests/fakes/fakecli.py), and the Heroku tests check what the
real CLI was given. Here: each table's own shape, the Heroku table against the
installed CLI's manifest, and every command the plugins print in their guides.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import heroku_api
import pytest
from cli_tables import Command, Table, check, table_for
from support_tables import guide_commands

TABLES = ("heroku", "fly", "railway")
OPTIONAL_TABLES = ("platform", "upsun")  # written with their plugins


def _tables() -> list[Table]:
    found = [table_for(name) for name in (*TABLES, *OPTIONAL_TABLES)]
    return [t for t in found if t is not None]


@pytest.mark.parametrize("table", _tables(), ids=lambda t: t.cli)
def test_every_row_cites_a_source_file_and_is_unique(table):
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", table.repo)
    seen = set()
    for command in table.commands:
        assert command.source and not command.source.startswith("/")
        assert Path(command.source).suffix in (".ts", ".go", ".php", ".js", ".rs")
        for words in (command.words, *command.aliases):
            assert words not in seen, f"{words} is in the {table.cli} table twice"
            seen.add(words)
        for flag in command.flags:
            assert flag.startswith("--"), flag
        for short, long in command.short.items():
            assert re.fullmatch(r"-\w", short) and long.startswith("--")


TOY = Table(
    cli="toy",
    repo="o/toy",
    version="1",
    commands=(
        Command(("apps:create",), "src/a.ts", flags={"--json": False, "--region": True}, args=1),
        Command(("apps", "list"), "cmd/list.go", flags={"--app": True}, short={"-a": "--app"}),
    ),
)


@pytest.mark.parametrize(
    "argv",
    [
        ["apps:create", "blog", "--json", "--region=eu"],
        ["apps:create", "--region", "eu"],
        ["apps", "list", "-a", "x"],
        ["apps", "list", "--app=x"],
    ],
)
def test_argv_matching_a_row_passes(argv):
    assert check(TOY, argv) is None


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["apps:create", "--regoin=eu"], "has no flag --regoin (o/toy src/a.ts)"),
        (["apps:create", "a", "b"], "takes at most 1 argument(s), got 2"),
        (["apps:create", "--json=yes"], "--json takes no value"),
        (["apps:create", "--region"], "--region needs a value"),
        (["apps:destroy"], "is not a command"),
        (["apps", "list", "-x"], "has no flag -x"),
    ],
)
def test_argv_matching_no_row_is_refused_with_the_reason(argv, why):
    assert why in check(TOY, argv)


def _manifest() -> dict:
    cli = heroku_api.find()
    if cli is None:
        pytest.skip(heroku_api.MISSING)
    package = cli.resolve().parents[1]  # node_modules/heroku/bin/run.js -> node_modules/heroku
    return json.loads((package / "oclif.manifest.json").read_text())["commands"]


def test_the_heroku_table_matches_the_installed_cli():
    manifest = _manifest()
    table = table_for("heroku")
    for command in table.commands:
        (name,) = command.words
        assert name in manifest, f"heroku {name} does not exist"
        real = manifest[name]
        aliases = set(real.get("aliases", [])) | set(real.get("hiddenAliases", []))
        for (alias,) in command.aliases:
            assert alias in aliases, f"heroku {alias} is not an alias of {name}"
        path = "src/" + "/".join(real["relativePath"][1:]).removesuffix(".js") + ".ts"
        assert command.source == path, f"{name} is defined in {path}"
        for flag, takes_value in command.flags.items():
            spec = real["flags"].get(flag.removeprefix("--"))
            assert spec is not None, f"heroku {name} has no flag {flag}"
            assert (spec["type"] == "option") == takes_value, f"{name} {flag}"
        for short, long in command.short.items():
            if long in command.flags:
                assert real["flags"][long.removeprefix("--")].get("char") == short[1:]
        if command.args is None:
            assert real.get("strict") is False, f"{name} takes at most {len(real['args'])}"
        else:
            assert len(real.get("args", {})) >= command.args


@pytest.mark.needs_programs
@pytest.mark.parametrize("platform", TABLES)
def test_every_command_a_guide_prints_matches_a_row(platform, sample_project):
    table = table_for("fly" if platform == "fly" else platform)
    commands = guide_commands(sample_project, "fly_io" if platform == "fly" else platform)
    ours = [c for c in commands if c[:1] == [table.cli] and len(c) > 1]
    assert ours, f"the {platform} guide printed no {table.cli} command"
    for argv in ours:
        problem = check(table, argv[1:])
        assert problem is None, f"{shlex.join(argv)}: {problem}"
