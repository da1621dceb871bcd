"""The Railway CLI (`railway`): the commands and flags we run or print.

Sources: railwayapp/cli (Rust, clap), `src/commands/<command>.rs` at df3838bf
(2026-08-21); the command list and aliases are in `src/main.rs` (`commands!`,
e.g. `variable(variables, vars, var)`). Flags are clap's long names; short forms
where clap declares `short`. The fake `railway` (tests/fakes/railway) refuses any
argv that matches no row here.
"""

from __future__ import annotations

from . import Command, Table

# The service/environment/project selectors most commands declare (`-s`, `-e`, `-p`).
TARGET = {"--service": True, "--environment": True, "--project": True}
SHORT = {"-s": "--service", "-e": "--environment", "-p": "--project"}
VARIABLE_ALIASES = (("variables",), ("vars",), ("var",))

TABLE = Table(
    cli="railway",
    repo="railwayapp/cli",
    version="4",
    commands=(
        Command(("login",), "src/commands/login.rs", flags={"--browserless": False}),
        # {"name", "email", "workspaces": [{"id", "name"}]}.
        Command(("whoami",), "src/commands/whoami.rs", flags={"--json": False}),
        # The linked project as the Project query returns it (id, name, services.edges ...);
        # "No linked project found. Run railway link ..." when none (src/errors.rs).
        Command(
            ("status",),
            "src/commands/status.rs",
            flags={"--project": True, "--environment": True, "--json": False},
            short={"-p": "--project", "-e": "--environment"},
        ),
        # A JSON list of projects, each with its workspace (src/workspace.rs).
        Command(("list",), "src/commands/list.rs", flags={"--json": False}),
        # Creates the project and links this folder; JSON {"id", "name"}.
        Command(
            ("init",),
            "src/commands/init.rs",
            flags={"--name": True, "--workspace": True, "--json": False},
            short={"-n": "--name", "-w": "--workspace"},
            aliases=(("new",),),
        ),
        Command(
            ("link",),
            "src/commands/link.rs",
            flags={
                "--project": True,
                "--environment": True,
                "--service": True,
                "--workspace": True,
                "--json": False,
            },
            short={
                "-p": "--project",
                "-e": "--environment",
                "-s": "--service",
                "-w": "--workspace",
            },
        ),
        # Evaluates .railway/railway.ts and applies it (SharedArgs).
        Command(
            ("config", "apply"),
            "src/commands/config/mod.rs",
            flags={"--file": True, "--json": False, "--yes": False, "--confirm-destructive": False},
        ),
        Command(
            ("config", "plan"),
            "src/commands/config/mod.rs",
            flags={"--file": True, "--json": False, "--detailed-exit-code": False},
        ),
        # JSON: the variables as an object of name -> raw value.
        Command(
            ("variable", "list"),
            "src/commands/variable.rs",
            flags={**TARGET, "--json": False, "--kv": False},
            short={**SHORT, "-k": "--kv"},
            aliases=tuple((*a, "list") for a in VARIABLE_ALIASES) + (("variable", "ls"),),
        ),
        # `KEY --stdin` reads the value from stdin; KEY=VALUE pairs otherwise.
        Command(
            ("variable", "set"),
            "src/commands/variable.rs",
            flags={**TARGET, "--stdin": False, "--skip-deploys": False, "--json": False},
            short=SHORT,
            args=None,
            aliases=tuple((*a, "set") for a in VARIABLE_ALIASES),
        ),
        # No domain yet: creates one, {"domain": "https://..."}; otherwise lists them,
        # {"domains": ["https://..."]} (legacy_service_domain_output / legacy_domain_list_output).
        Command(
            ("domain",),
            "src/commands/domain.rs",
            flags={**TARGET, "--port": True, "--json": False},
            short={"-s": "--service", "-e": "--environment", "-p": "--port"},
            args=1,
        ),
        # --ci: stream the build, then exit 0 on success, 1 on a failed or crashed deploy.
        Command(
            ("up",),
            "src/commands/up.rs",
            flags={**TARGET, "--detach": False, "--ci": False, "--json": False, "--yes": False},
            short={**SHORT, "-d": "--detach", "-c": "--ci", "-y": "--yes"},
            args=1,
        ),
        Command(
            ("logs",),
            "src/commands/logs.rs",
            flags={**TARGET, "--build": False, "--deployment": False, "--json": False},
            short={**SHORT, "-b": "--build", "-d": "--deployment"},
            args=1,
        ),
        # A shell, or the command after it (trailing_var_arg).
        Command(("ssh",), "src/commands/ssh/mod.rs", flags=TARGET, short=SHORT, args=None),
        # REGION=REPLICAS assignments.
        Command(
            ("scale",),
            "src/commands/scale.rs",
            flags={**TARGET, "--json": False},
            short=SHORT,
            args=None,
        ),
        Command(
            ("redeploy",),
            "src/commands/redeploy.rs",
            flags={**TARGET, "--yes": False, "--json": False, "--from-source": False},
            short={**SHORT, "-y": "--yes"},
        ),
    ),
)
