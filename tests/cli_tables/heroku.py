"""The Heroku CLI (npm package `heroku`, 11.x): the commands and flags we run or print.

Sources: heroku/cli, `src/commands/...` (the npm package holds them compiled
under `dist/commands/...`, and its `oclif.manifest.json` lists every command,
alias and flag; tests/unit/test_cli_tables.py checks this table against it).
`--app=NAME` is the form we use: a value that starts with `-` can never be read
as a flag.
"""

from __future__ import annotations

from . import Command, Table

APP = {"--app": True}
SHORT_APP = {"-a": "--app"}

TABLE = Table(
    cli="heroku",
    repo="heroku/cli",
    version="11",
    commands=(
        # Printed when the CLI is not logged in.
        Command(("auth:login",), "src/commands/auth/login.ts", aliases=(("login",),)),
        # Logged in? Exit 100 "not logged in" otherwise; GET /account.
        Command(("auth:whoami",), "src/commands/auth/whoami.ts", aliases=(("whoami",),)),
        # The token the CLI is logged in with, for PATCH /apps/APP/config-vars: values
        # never travel as arguments (src/simple_deploy/platforms/heroku/config_vars.py).
        Command(("auth:token",), "src/commands/auth/token.ts"),
        # POST /apps; --no-remote: we add the git remote ourselves.
        Command(
            ("apps:create",),
            "src/commands/apps/create.ts",
            flags={"--json": False, "--no-remote": False, "--region": True},
            args=1,
            aliases=(("create",),),
        ),
        # GET /apps/APP and its addons, dynos, collaborators, pipeline couplings.
        Command(
            ("apps:info",),
            "src/commands/apps/info.ts",
            flags={**APP, "--json": False},
            short=SHORT_APP,
            aliases=(("info",),),
        ),
        # POST /apps/APP/addons; --wait polls until provisioned; --as names the first
        # attachment (its config var is NAME_URL).
        Command(
            ("addons:create",),
            "src/commands/addons/create.ts",
            flags={**APP, "--wait": False, "--as": True},
            short=SHORT_APP,
            args=1,
        ),
        # GET /addons/ADDON, POST /addon-attachments: the add-on's URL also under NAME_URL,
        # kept current by Heroku when it rotates the credentials.
        Command(
            ("addons:attach",),
            "src/commands/addons/attach.ts",
            flags={**APP, "--as": True},
            short=SHORT_APP,
            args=1,
        ),
        # GET /apps/APP/config-vars.
        Command(("config",), "src/commands/config/index.ts", flags={**APP, "--json": False}),
        # PATCH /apps/APP/config-vars; KEY=VALUE pairs (strict = false). Printed in the
        # summary for values only the user has; we set ours through the API.
        Command(
            ("config:set",),
            "src/commands/config/set.ts",
            flags=APP,
            short=SHORT_APP,
            args=None,
        ),
        # GET /apps/APP/releases, Range `version ..; max=15, order=desc`.
        Command(
            ("releases",),
            "src/commands/releases/index.ts",
            flags={**APP, "--json": False},
            short=SHORT_APP,
        ),
        Command(
            ("releases:output",),
            "src/commands/releases/output.ts",
            flags=APP,
            short=SHORT_APP,
            args=1,
        ),
        Command(
            ("releases:rollback",),
            "src/commands/releases/rollback.ts",
            flags=APP,
            short=SHORT_APP,
            args=1,
            aliases=(("rollback",),),
        ),
        # GET /apps/APP, then the browser.
        Command(
            ("apps:open",),
            "src/commands/apps/open.ts",
            flags=APP,
            short=SHORT_APP,
            args=1,
            aliases=(("open",),),
        ),
        # Node.js before Python for an asset build (GET/PUT /apps/APP/buildpack-installations;
        # add/set resolve a name through Heroku's buildpack registry, GET /buildpacks/NAME at
        # HEROKU_BUILDPACK_REGISTRY_URL: src/lib/buildpacks/buildpacks.ts).
        Command(
            ("buildpacks",),
            "src/commands/buildpacks/index.ts",
            flags={**APP, "--json": False},
            short=SHORT_APP,
        ),
        Command(
            ("buildpacks:add",),
            "src/commands/buildpacks/add.ts",
            flags={**APP, "--index": True},
            short={**SHORT_APP, "-i": "--index"},
            args=1,
        ),
        Command(
            ("buildpacks:remove",),
            "src/commands/buildpacks/remove.ts",
            flags=APP,
            short=SHORT_APP,
            args=1,
        ),
        Command(
            ("buildpacks:set",),
            "src/commands/buildpacks/set.ts",
            flags={**APP, "--index": True},
            short={**SHORT_APP, "-i": "--index"},
            args=1,
        ),
        # Printed in the summary only.
        Command(
            ("logs",),
            "src/commands/logs.ts",
            flags={**APP, "--tail": False},
            short={**SHORT_APP, "-t": "--tail"},
        ),
        Command(("run",), "src/commands/run/index.ts", flags=APP, short=SHORT_APP, args=None),
        Command(("ps:scale",), "src/commands/ps/scale.ts", flags=APP, short=SHORT_APP, args=None),
        Command(("ps:type",), "src/commands/ps/type.ts", flags=APP, short=SHORT_APP, args=None),
    ),
)
