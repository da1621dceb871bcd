"""`--automate-all` on Fly.io: each step asks flyctl what exists first and reuses it.

Prepare (before any file is written): flyctl installed, logged in, the app.
Finish (after the configuration is committed): Managed Postgres attached, the
SECRET_KEY secret, `fly deploy`, open the site. A re-run after a failure at any
step finds the app by name (fly.toml's, or the stable derived one), the database
attached to the app or named `<app>-db`, and the secrets by name, so nothing is
created twice.
"""

from __future__ import annotations

import secrets
from typing import Any

from simple_deploy import env_needs
from simple_deploy.plugin import (
    AutomateContext,
    Automation,
    CommandFailed,
    Options,
    Project,
    Step,
    ToolMissing,
    cost_notice,
)

from .._platform_common.cli_output import read_json
from . import plugin as fly
from . import redis

INSTALL_URL = "https://fly.io/docs/flyctl/install/"
# The cheapest Managed Postgres plan; flyctl lists its price as $38 a month.
DB_PLAN = "basic"
DB_COST = "Managed Postgres Basic plan, about $38 a month, billed while it exists"
APP_COST = "Machines are billed per second while running and stop when idle"


def _fly(ctx: AutomateContext, *args: str, **kwargs: Any):
    return ctx.runner.run([ctx.facts.get("fly_cli", "fly"), *args], **kwargs)


def _json(result, what: str) -> Any:
    return read_json(result, what, "flyctl", "`fly version upgrade`")


def _app(ctx: AutomateContext) -> str:
    return ctx.facts["app_name"]


# ---------------------------------------------------------------- prepare


def ensure_cli(ctx: AutomateContext) -> str:
    # No `fly version` call: `fly auth whoami`, next, proves the CLI runs.
    for name in ("fly", "flyctl"):
        try:
            path = ctx.runner.which(name)
        except ToolMissing:
            continue
        ctx.facts["fly_cli"] = name
        return f"found {path}"
    raise ToolMissing(
        f"The Fly.io command-line tool (`fly`, also called `flyctl`) is not installed. "
        f"Install it ({INSTALL_URL}), log in with `fly auth login`, and run again."
    )


def ensure_login(ctx: AutomateContext) -> str:
    result = _fly(ctx, "auth", "whoami", "--json", check=False)
    if result.returncode != 0:
        raise CommandFailed(
            "You are not logged in to Fly.io. Run `fly auth login` (or `fly auth signup` for "
            f"a new account), then run this command again.\nflyctl said: {result.output}"
        )
    email = _json(result, "the logged-in account").get("email", "")
    ctx.facts["account"] = email
    return f"logged in as {email}"


MPG_TOKEN = "MPG commands require updated tokens"


def ensure_mpg_access(ctx: AutomateContext) -> str:
    """A read-only `fly mpg list` before anything is written.

    `fly auth whoami` accepts older tokens that every `fly mpg` command refuses
    (flyctl internal/command/mpg/mpg.go, validateMPGTokenCompatibility): found
    out here, the fix costs a re-login instead of a half-finished deploy. The
    clusters it lists are kept for the database step.
    """
    result = _fly(ctx, "mpg", "list", "--org", fly.org(ctx.options), "--json", check=False)
    if result.returncode != 0:
        if MPG_TOKEN in result.output:
            raise CommandFailed(
                "Your Fly.io login is an older token that Managed Postgres commands refuse. "
                "Run `fly auth logout`, then `fly auth login`, then run this command again.",
                result.output,
                result.returncode,
            )
        raise CommandFailed(
            f"`fly mpg list` failed (exit {result.returncode}):\n{result.output}",
            result.output,
            result.returncode,
        )
    ctx.facts["clusters"] = _parse_clusters(result)
    count = len(ctx.facts["clusters"])
    return f"Managed Postgres is available ({count} cluster(s) in the organization)"


def ensure_app(ctx: AutomateContext) -> str:
    name = fly.app_name(ctx.project, ctx.options)
    apps = _json(_fly(ctx, "apps", "list", "--json"), "the list of apps") or []
    ctx.facts["app_name"] = name
    ctx.facts["url"] = f"https://{name}.fly.dev"
    if any(app.get("Name") == name for app in apps):
        ctx.reused.append(f"app `{name}` ({APP_COST})")
        return f"reusing app {name}"
    try:
        _fly(ctx, "apps", "create", name, "--org", fly.org(ctx.options), "--json")
    except CommandFailed as exc:
        if "taken" not in exc.output.lower():
            raise
        # App names are global on Fly: someone else may own this one.
        raise CommandFailed(
            f"{exc}\nThe name `{name}` belongs to another Fly account. Choose another with "
            "--deployed-project-name NAME.",
            exc.output,
            exc.returncode,
        ) from exc
    ctx.created.append(f"app `{name}` ({APP_COST})")
    return f"created app {name}"


# ---------------------------------------------------------------- finish


def _secret_names(ctx: AutomateContext) -> set[str]:
    listed = _json(_fly(ctx, "secrets", "list", "--app", _app(ctx), "--json"), "secrets") or []
    # flyctl prints the keys in lowercase (`name`, `digest`, `status`).
    return {item.get("name") for item in listed if isinstance(item, dict)}


def _parse_clusters(result) -> list[dict]:
    # With no cluster, flyctl prints a sentence (exit 0) instead of an empty JSON list
    # (flyctl internal/command/mpg/list.go).
    if result.stdout.strip().startswith("No managed postgres clusters found"):
        return []
    clusters = _json(result, "the list of Managed Postgres clusters")
    if not isinstance(clusters, list):
        raise CommandFailed(f"`fly mpg list --json` printed no list:\n{result.stdout[:300]}")
    return clusters


def _clusters(ctx: AutomateContext) -> list[dict]:
    # The prepare step's listing serves once; after a create, list again.
    cached = ctx.facts.pop("clusters", None)
    if cached is not None:
        return cached
    return _parse_clusters(_fly(ctx, "mpg", "list", "--org", fly.org(ctx.options), "--json"))


def _attached_to(cluster: dict, app: str) -> bool:
    return any(item.get("name") == app for item in cluster.get("attached_apps") or [])


def _find_cluster(ctx: AutomateContext) -> dict | None:
    """The cluster attached to this app, else the one an earlier run created for it."""
    app = _app(ctx)
    clusters = _clusters(ctx)
    attached = [c for c in clusters if _attached_to(c, app)]
    named = [c for c in clusters if c.get("name") == f"{app}-db"]
    return (attached or named or [None])[0]


def ensure_database(ctx: AutomateContext) -> str:
    app = _app(ctx)
    if "DATABASE_URL" in _secret_names(ctx):
        cluster = _find_cluster(ctx)
        which = f"cluster `{cluster['name']}`" if cluster else "its DATABASE_URL secret"
        ctx.reused.append(f"the database app `{app}` already uses ({which})")
        return f"reusing the database attached to {app}"
    cluster = _find_cluster(ctx)
    if cluster is None:
        _fly(
            ctx,
            *("mpg", "create", "--name", f"{app}-db", "--org", fly.org(ctx.options)),
            *("--region", fly.region(ctx.project, ctx.options), "--plan", DB_PLAN),
            timeout=1800,
            label="Creating the Managed Postgres cluster (a few minutes)",
        )
        cluster = _find_cluster(ctx)
        if cluster is None:
            raise CommandFailed(f"`fly mpg create` finished but `{app}-db` is not listed.")
        ctx.created.append(f"Managed Postgres cluster `{cluster['name']}` ({DB_COST})")
    else:
        ctx.reused.append(f"Managed Postgres cluster `{cluster['name']}` ({DB_COST})")
    _fly(ctx, "mpg", "attach", cluster["id"], "--app", app)
    return f"attached cluster {cluster['name']} ({cluster['id']}) to {app}"


def ensure_redis(ctx: AutomateContext) -> str:
    return redis.ensure_redis(ctx, _fly, _secret_names)


def ensure_secrets(ctx: AutomateContext) -> str:
    app = _app(ctx)
    present = _secret_names(ctx)
    # The settings' own secret-key variables (read before our block), under their names.
    wanted = env_needs.new_secret_keys(ctx.project, present)
    if "SECRET_KEY" in present:
        # Changing the key would log everyone out: keep the one the app has.
        ctx.reused.append("the SECRET_KEY secret (free)")
        if not wanted:
            return "SECRET_KEY is already set"
    else:
        wanted = {"SECRET_KEY": secrets.token_urlsafe(50), **wanted}
    for value in wanted.values():
        ctx.runner.log.add_secret(value)
    # Through stdin, so the key never shows up in a process list.
    lines = "".join(f"{name}={value}\n" for name, value in wanted.items())
    _fly(ctx, "secrets", "import", "--app", app, "--stage", input_text=lines)
    for name in wanted:
        ctx.created.append(f"the {name} secret (free), a new random key")
    return "set " + ", ".join(wanted)


def deploy(ctx: AutomateContext) -> str:
    _fly(
        ctx,
        *("deploy", "--app", _app(ctx), "--remote-only"),
        cwd=ctx.project.git_root,
        timeout=3600,
        label="Building the image and deploying (several minutes)",
    )
    return f"deployed {ctx.facts['url']}"


def open_site(ctx: AutomateContext) -> str:
    result = _fly(ctx, "apps", "open", "--app", _app(ctx), check=False)
    if result.returncode != 0:
        # The site is up; a machine without a browser is no reason to fail the run.
        return f"open {ctx.facts['url']} in your browser"
    return f"opened {ctx.facts['url']}"


def notice(project: Project, options: Options) -> str:
    name = fly.app_name(project, options)
    where = fly.region(project, options)
    return cost_notice(
        f"your Fly.io account (organization '{fly.org(options)}')",
        (
            f"create or reuse the app `{name}` in region {where} ({APP_COST})",
            f"create or reuse a Managed Postgres cluster `{name}-db` and attach it ({DB_COST})",
            *(
                (
                    f"create or reuse an Upstash Redis database `{redis.database_name(name)}` "
                    f"({redis.COST}), its URL set as the secrets "
                    f"{', '.join(project.services.redis_env_names)}",
                )
                if project.services.needs_redis
                else ()
            ),
            "set the SECRET_KEY secret (a new key, never shown)",
            "commit the configuration, run `fly deploy`, and open the site",
        ),
        "they start when the Machines and the database exist: https://fly.io/docs/about/pricing/",
    )


def recipe(project: Project, options: Options) -> Automation:
    return Automation(
        notice=notice(project, options),
        prepare=(
            Step("Fly.io CLI installed", ensure_cli),
            Step("logged in to Fly.io", ensure_login),
            Step("Managed Postgres access", ensure_mpg_access),
            Step("app", ensure_app),
        ),
        finish=(
            Step("database", ensure_database),
            *((Step("redis", ensure_redis),) if project.services.needs_redis else ()),
            Step("secrets", ensure_secrets),
            Step("deploy", deploy),
            Step("open", open_site),
        ),
    )
