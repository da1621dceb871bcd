"""The commands and flags our plugins give each platform CLI, one table per CLI, each row
citing the real CLI's source file that defines the command.

`tests/unit/test_platform_cli_tables.py` drives every plugin's automation and checks that each
argv it builds matches a row: a flag that does not exist fails a test, not a user.

The `platform` and `upsun` CLIs are one program (platformsh/cli wrapping
platformsh/legacy-cli) with two configurations (internal/config/platformsh-cli.yaml,
upsun-cli.yaml); a command whose options depend on the configuration says so with
`only`. Paths are in platformsh/legacy-cli unless they name another repository.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """- `command`: the canonical name (argv[1]); `aliases` the other accepted names.
    - `flags`: options without a value; `options`: options that take one (both with
      their short forms); `positionals`: how many arguments may follow.
    - `source`: the file that defines them."""

    command: str
    source: str
    flags: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()
    positionals: int = 0
    aliases: frozenset[str] = frozenset()


# Options every command accepts (Symfony Console's default definition as the CLI
# extends it): src/Application.php, getDefaultInputDefinition.
_GLOBAL_FLAGS = frozenset(
    {"--yes", "-y", "--no-interaction", "--no", "-n", "--quiet", "-q", "--verbose", "-v"}
)
_GLOBAL_SOURCE = "src/Application.php"
# addProjectOption / addEnvironmentOption: src/Selector/Selector.php (CommandBase.php in 4.x).
_PROJECT = frozenset({"--project", "-p", "--environment", "-e"})
# Table::configureInput: src/Service/Table.php.
_TABLE = frozenset({"--format", "--columns", "-c"})


def _platform_rows(cli: str) -> tuple[Row, ...]:
    rows = [
        Row("--version", _GLOBAL_SOURCE, aliases=frozenset({"-V"})),
        Row(
            "auth:info",
            "src/Command/Auth/AuthInfoCommand.php",
            flags=frozenset({"--no-auto-login", "--refresh"}),
            options=frozenset({"--property", "-P"}),
            positionals=1,
        ),
        Row(
            "organization:list",
            "src/Command/Organization/OrganizationListCommand.php",
            flags=frozenset({"--my", "--reverse", "--no-header"}),
            options=_TABLE | {"--sort"},
            aliases=frozenset({"orgs", "organizations"}),
        ),
        Row(
            "project:list",
            "src/Command/Project/ProjectListCommand.php",
            flags=frozenset({"--pipe", "--my", "--reverse", "--no-header"}),
            options=_TABLE
            | {"--title", "--region", "--host", "--refresh", "--sort", "--page", "--count"}
            | {"--org", "-o"},
            aliases=frozenset({"projects", "pro"}),
        ),
        Row(
            "project:create",
            "src/Command/Project/ProjectCreateCommand.php",
            flags=frozenset({"--set-remote", "--no-set-remote"}),
            # The form fields (title, region, plan, environments, storage, default-branch)
            # and addOrganizationOptions (--org, -o).
            options=frozenset(
                {"--title", "--region", "--plan", "--environments", "--storage"}
                | {"--default-branch", "--org", "-o"}
            ),
            aliases=frozenset({"create"}),
        ),
        Row(
            "project:info",
            "src/Command/Project/ProjectInfoCommand.php",
            flags=frozenset({"--refresh"}),
            options=_PROJECT | {"--format", "--date-fmt"},
            positionals=2,
        ),
        Row(
            "project:set-remote",
            "src/Command/Project/ProjectSetRemoteCommand.php",
            positionals=1,
            aliases=frozenset({"set-remote"}),
        ),
        Row(
            "environment:push",
            "src/Command/Environment/EnvironmentPushCommand.php",
            flags=frozenset(
                {"--force", "-f", "--force-with-lease", "--set-upstream", "-u", "--activate"}
                | {"--no-clone-parent", "--no-wait", "--wait"}
            ),
            options=_PROJECT
            | {"--target", "--parent", "--type", "--identity-file", "-i"}
            | ({"--resources-init"} if cli == "upsun" else set()),
            positionals=1,
            aliases=frozenset({"push"}),
        ),
        Row(
            "environment:url",
            "src/Command/Environment/EnvironmentUrlCommand.php (options: UrlCommandBase.php)",
            flags=frozenset({"--primary", "--pipe"}),
            options=_PROJECT | {"--browser", "--app", "-A"},
            aliases=frozenset({"url"}),
        ),
        Row(
            "environment:logs",
            "src/Command/Environment/EnvironmentLogCommand.php",
            flags=frozenset({"--tail"}),
            options=_PROJECT | {"--lines", "--app", "-A", "--worker"},
            positionals=1,
            aliases=frozenset({"log", "logs"}),
        ),
    ]
    if cli == "upsun":
        # Flex sizes containers per environment (the `sizing` API, on in upsun-cli.yaml).
        rows.append(
            Row(
                "resources:set",
                "src/Command/Resources/ResourcesSetCommand.php",
                flags=frozenset({"--force", "-f", "--dry-run", "--no-wait", "--wait"}),
                options=_PROJECT | {"--size", "-S", "--count", "-C", "--disk", "-D"},
            )
        )
    return tuple(rows)


TABLES: dict[str, tuple[Row, ...]] = {
    "platform": _platform_rows("platform"),
    "upsun": _platform_rows("upsun"),
}


def find_row(cli: str, argv: list[str]) -> Row:
    """The row argv (without the executable) matches; AssertionError says why not."""
    name = argv[0]
    rows = [r for r in TABLES[cli] if name == r.command or name in r.aliases]
    assert rows, f"`{cli} {name}` is in no row of tests/platform_cli_tables.py"
    row = rows[0]
    positionals = 0
    args = iter(argv[1:])
    for arg in args:
        if arg.startswith("-"):
            flag, has_value = arg.split("=", 1)[0], "=" in arg
            if flag in row.options:
                if not has_value:
                    value = next(args, None)
                    assert value is not None, f"`{cli} {name} {flag}` needs a value"
            elif flag in row.flags | _GLOBAL_FLAGS:
                assert not has_value, f"`{cli} {name} {flag}` takes no value"
            else:
                raise AssertionError(f"`{cli} {name}` has no option {flag} ({row.source})")
        else:
            positionals += 1
    assert positionals <= row.positionals, (
        f"`{cli} {name}` takes at most {row.positionals} arguments, got {positionals} "
        f"({row.source})"
    )
    return row
