"""Fly.io `--automate-all`: one Upstash Redis database, its URL a secret under each name
the settings read.

Fly's Redis is Upstash's, made through flyctl (superfly/flyctl
internal/command/redis/create.go; what `fly launch` does for a project that uses
Redis: internal/command/launch/plan/redis.go). It belongs to the organization, not
to the app, so it is found by its name, `<app>-redis`, in `fly redis list`
(a table: flyctl prints no JSON there), and made only when it is not listed: a
re-run never makes a second one. `fly redis status NAME` shows its private URL,
which goes to the app with `fly secrets import` on stdin (never `secrets set
NAME=value` on a command line), under each name the app does not have yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from simple_deploy.plugin import AutomateContext, CommandFailed

from . import plugin as fly

# Pay-as-you-go is flyctl's default plan (DeterminePlan); eviction off, because a
# Celery or RQ broker must not lose queued tasks when memory runs out.
COST = "Upstash Redis pay-as-you-go: $0.20 per 100K commands, billed while it exists"
_URL = re.compile(r"rediss?://\S+")

__all__ = ["COST", "database_name", "ensure_redis", "listed_names"]


def database_name(app: str) -> str:
    return f"{app}-redis"


def listed_names(table: str) -> set[str]:
    """The database names in `fly redis list`'s table (the first column; header skipped)."""
    names = set()
    for line in table.splitlines()[1:]:
        cells = [c.strip() for c in re.split(r"[│|]", line)]
        if cells and cells[0]:
            names.add(cells[0].split()[0])
    return names


def ensure_redis(
    ctx: AutomateContext,
    run: Callable[..., Any],
    secret_names: Callable[[AutomateContext], set[str]],
) -> str:
    """Make or reuse `<app>-redis`; set its URL under each name the app lacks."""
    app = ctx.facts["app_name"]
    names = ctx.project.services.redis_env_names
    missing = [name for name in names if name not in secret_names(ctx)]
    if not missing:
        # Set by an earlier run (or by the user): whatever they point at is kept.
        ctx.reused.append(f"the Redis app `{app}` already reads ({', '.join(names)} secrets)")
        return "the Redis secrets are already set"
    name = database_name(app)
    org = fly.org(ctx.options)
    if name in listed_names(run(ctx, "redis", "list", "--org", org).stdout):
        ctx.reused.append(f"Upstash Redis `{name}` ({COST})")
        done = f"reusing Upstash Redis {name}"
    else:
        run(
            ctx,
            *("redis", "create", "--name", name, "--org", org),
            *("--region", fly.region(ctx.project, ctx.options)),
            # Each flag answers a question runCreate would ask on the terminal.
            *("--no-replicas", "--disable-eviction", "--enable-prodpack=false"),
            timeout=900,
            label="Creating the Upstash Redis database",
        )
        ctx.created.append(f"Upstash Redis `{name}` ({COST})")
        done = f"created Upstash Redis {name}"
    found = _URL.search(run(ctx, "redis", "status", name).stdout)
    if found is None:
        raise CommandFailed(
            f"`fly redis status {name}` shows no redis:// URL. Update flyctl "
            "(`fly version upgrade`) and run this command again."
        )
    url = found[0]
    ctx.runner.log.add_secret(url)
    # Through stdin, so the URL never shows up in a process list.
    lines = "".join(f"{secret}={url}\n" for secret in missing)
    run(ctx, "secrets", "import", "--app", app, "--stage", input_text=lines)
    return f"{done}; set {', '.join(missing)}"
