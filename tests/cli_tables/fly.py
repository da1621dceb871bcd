"""flyctl (`fly`): the commands and flags we run or print.

Sources: superfly/flyctl, `internal/command/...` (cobra commands; the shared
flags such as `--app`, `--org`, `--region`, `--json` and `--remote-only` are
defined in `internal/flag/flag.go` and added by each command). The fake `fly`
(tests/fakes/fly) refuses any argv that matches no row here.
"""

from __future__ import annotations

from . import Command, Table

APP = {"--app": True}
SHORT = {"-a": "--app", "-o": "--org", "-r": "--region", "-j": "--json", "-n": "--name"}

TABLE = Table(
    cli="fly",
    repo="superfly/flyctl",
    version="0.3",
    global_flags={"--access-token": True, "--verbose": False, "--debug": False},
    global_short={"-t": "--access-token"},
    bool_values=True,
    commands=(
        Command(("version",), "internal/command/version/version.go"),
        # Printed when flyctl is not logged in, or holds a token `fly mpg` refuses.
        Command(("auth", "login"), "internal/command/auth/login.go"),
        Command(("auth", "logout"), "internal/command/auth/logout.go"),
        Command(("auth", "signup"), "internal/command/auth/signup.go"),
        Command(
            ("auth", "whoami"),
            "internal/command/auth/whoami.go",
            flags={"--json": False},
            short=SHORT,
        ),
        Command(
            ("apps", "list"),
            "internal/command/apps/list.go",
            flags={"--json": False, "--org": True},
            short=SHORT,
        ),
        Command(
            ("apps", "create"),
            "internal/command/apps/create.go",
            flags={"--org": True, "--json": False},
            short=SHORT,
            args=1,
        ),
        Command(("apps", "open"), "internal/command/apps/open.go", flags=APP, short=SHORT, args=1),
        Command(
            ("secrets", "list"),
            "internal/command/secrets/list.go",
            flags={**APP, "--json": False},
            short=SHORT,
        ),
        # NAME=VALUE pairs on stdin (internal/command/secrets/import.go, sharedFlags).
        Command(
            ("secrets", "import"),
            "internal/command/secrets/import.go",
            flags={**APP, "--stage": False},
            short=SHORT,
        ),
        # Printed in the summary only (a value on a command line is the user's choice there).
        Command(
            ("secrets", "set"),
            "internal/command/secrets/set.go",
            flags={**APP, "--stage": False},
            short=SHORT,
            args=None,
        ),
        # Needs a macaroon token (requireMacaroonToken); no cluster: a sentence, exit 0.
        Command(
            ("mpg", "list"),
            "internal/command/mpg/list.go",
            flags={"--org": True, "--json": False},
            short=SHORT,
        ),
        Command(
            ("mpg", "create"),
            "internal/command/mpg/create.go",
            flags={"--name": True, "--org": True, "--region": True, "--plan": True},
            short=SHORT,
        ),
        Command(
            ("mpg", "attach"), "internal/command/mpg/attach.go", flags=APP, short=SHORT, args=1
        ),
        # Upstash Redis (internal/command/redis/): a table, no --json.
        Command(
            ("redis", "list"),
            "internal/command/redis/list.go",
            flags={"--org": True},
            short=SHORT,
            aliases=(("redis", "ls"),),
        ),
        # Each flag answers a question runCreate would otherwise ask on the terminal.
        Command(
            ("redis", "create"),
            "internal/command/redis/create.go",
            flags={
                "--org": True,
                "--region": True,
                "--name": True,
                "--plan": True,
                "--no-replicas": False,
                "--enable-eviction": False,
                "--disable-eviction": False,
                "--enable-auto-upgrade": False,
                "--enable-prodpack": False,
            },
            short=SHORT,
        ),
        # Prints the database's private URL (a credential) in a vertical table.
        Command(("redis", "status"), "internal/command/redis/status.go", args=1),
        Command(
            ("deploy",),
            "internal/command/deploy/deploy.go",
            flags={**APP, "--remote-only": False, "--image": True},
            short=SHORT,
        ),
        Command(
            ("platform", "regions"),
            "internal/command/platform/regions.go",
            flags={"--json": False},
            short=SHORT,
        ),
        Command(("logs",), "internal/command/logs/logs.go", flags=APP, short=SHORT),
        Command(
            ("ssh", "console"),
            "internal/command/ssh/console.go",
            flags={**APP, "--command": True, "--pty": False},
            short={**SHORT, "-C": "--command"},
        ),
        Command(
            ("scale", "count"), "internal/command/scale/count.go", flags=APP, short=SHORT, args=1
        ),
        Command(
            ("scale", "memory"), "internal/command/scale/memory.go", flags=APP, short=SHORT, args=1
        ),
        Command(
            ("releases",),
            "internal/command/apps/releases.go",
            flags={**APP, "--image": False, "--json": False},
            short=SHORT,
        ),
    ),
)
