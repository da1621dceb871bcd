"""`--automate-all` on Railway, through the `railway` CLI (railwayapp/cli).

Why the CLI and not Railway's GraphQL API: the CLI takes a secret's value on stdin
(`railway variable set KEY --stdin`, src/commands/variable.rs), so no secret is ever
on a command line, and it already holds the user's login (`railway login`) and the
folder's link to a project, so no token passes through us either. It is also the
only program that evaluates `.railway/railway.ts` (`railway config apply`).

Prepare (before any file is written): the CLI, the login, the project (the linked
one, else one of this name, else a new one; `railway init` links the folder).
Finish (after the configuration is committed): `railway config apply` creates or
updates the web service and its Postgres database from `.railway/railway.ts`
(declarative: a re-run finds both and changes nothing), the SECRET_KEY variable
(only when missing), a public domain (the CLI reuses an existing one), `railway up`.
Every command and flag is in tests/cli_tables/railway.py with its source file.
"""

from __future__ import annotations

import json
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
from . import plugin as railway

INSTALL_URL = "https://docs.railway.com/cli"
NOT_LINKED = "No linked project found"
USAGE = "billed by usage (RAM, CPU, egress) within your plan"


def _railway(ctx: AutomateContext, *args: str, **kwargs: Any):
    return ctx.runner.run(["railway", *args], cwd=ctx.project.git_root, **kwargs)


def _json(result, what: str) -> Any:
    return read_json(result, what, "the Railway CLI", "`railway upgrade`")


# ---------------------------------------------------------------- prepare


def ensure_cli(ctx: AutomateContext) -> str:
    try:
        path = ctx.runner.which("railway")
    except ToolMissing as exc:
        raise ToolMissing(
            f"The Railway CLI (`railway`) is not installed. Install it ({INSTALL_URL}), log in "
            "with `railway login`, and run again. Nothing was changed."
        ) from exc
    return f"found {path}"


def ensure_login(ctx: AutomateContext) -> str:
    result = _railway(ctx, "whoami", "--json", check=False)
    if result.returncode != 0 and "Unauthorized" not in result.output:
        raise CommandFailed(
            f"`railway whoami` failed (exit {result.returncode}):\n{result.output}",
            result.output,
            result.returncode,
        )
    if result.returncode != 0:
        raise CommandFailed(
            "You are not logged in to Railway. Run `railway login` (or set RAILWAY_API_TOKEN "
            f"to an account token), then run this command again.\nThe CLI said: {result.output}"
        )
    user = _json(result, "the logged-in account")
    workspaces = user.get("workspaces") or []
    ctx.facts["workspaces"] = workspaces
    return f"logged in as {user.get('email', '?')}"


def _linked(ctx: AutomateContext) -> dict | None:
    result = _railway(ctx, "status", "--json", check=False)
    if result.returncode != 0:
        if NOT_LINKED in result.output or "railway link" in result.output:
            return None
        raise CommandFailed(
            f"`railway status` failed (exit {result.returncode}):\n{result.output}",
            result.output,
            result.returncode,
        )
    return _json(result, "the linked project")


def _workspace(ctx: AutomateContext) -> str:
    """The workspace for a new project: the only one, or stop and name them."""
    workspaces = ctx.facts.get("workspaces") or []
    if len(workspaces) == 1:
        return str(workspaces[0]["id"])
    if not workspaces:
        raise CommandFailed(
            "Your Railway account has no workspace to create the project in. Create one in "
            "the dashboard (https://railway.com/dashboard), then run this command again. "
            "Nothing was changed."
        )
    listed = "\n".join(f"    {w.get('name')} ({w.get('id')})" for w in workspaces)
    raise CommandFailed(
        f"You belong to several Railway workspaces:\n{listed}\nCreate the project in the one "
        f"you want (`railway init --name {ctx.facts['railway_project']} --workspace <id>`), "
        "then run this command again: it reuses the linked project. Nothing was changed."
    )


def ensure_project(ctx: AutomateContext) -> str:
    linked = _linked(ctx)
    if linked is not None:
        name = linked["name"]
        ctx.facts["railway_project"] = name
        ctx.facts["railway_project_id"] = linked["id"]
        ctx.reused.append(f"project {name} ({linked['id']}), linked to this folder ({USAGE})")
        return f"reusing the linked project {name}"
    name = railway.project_name(ctx.project, ctx.options)
    ctx.facts["railway_project"] = name
    listed = _json(_railway(ctx, "list", "--json"), "the list of projects") or []
    found = [p for p in listed if isinstance(p, dict) and p.get("name") == name]
    if len(found) > 1:
        ids = ", ".join(p["id"] for p in found)
        raise CommandFailed(
            f"Several Railway projects are named {name}: {ids}. Link the one to use with "
            "`railway link --project <ID>`, then run again. Nothing was changed."
        )
    if found:
        project_id = found[0]["id"]
        _railway(ctx, "link", "--project", project_id, "--json")
        ctx.reused.append(f"project {name} ({project_id}), now linked to this folder ({USAGE})")
    else:
        made = _json(
            _railway(ctx, "init", "--name", name, "--workspace", _workspace(ctx), "--json"),
            "the new project",
        )
        project_id = made["id"]
        ctx.created.append(f"project {name} ({project_id}) ({USAGE})")
    ctx.facts["railway_project_id"] = project_id
    return f"project {name} ({project_id})"


# ---------------------------------------------------------------- finish


def _services(ctx: AutomateContext) -> set[str]:
    status = _linked(ctx) or {}
    edges = (status.get("services") or {}).get("edges") or []
    return {edge["node"]["name"] for edge in edges}


def apply_config(ctx: AutomateContext) -> str:
    before = _services(ctx)
    _railway(
        ctx,
        "config",
        "apply",
        "--yes",
        "--json",
        timeout=1800,
        label=f"Applying {railway.CONFIG_FILE} (service and database)",
    )
    after = _services(ctx)
    made = [(railway.SERVICE, "web service"), (railway.DATABASE, "PostgreSQL")]
    if ctx.project.services.needs_redis:
        # Declared in railway.ts (one `redis()` resource): a re-run applies the same file
        # and finds it, so there is never a second one.
        made.append((railway.REDIS, "Redis"))
    for name, what in made:
        if name not in after:
            raise CommandFailed(
                f"`railway config apply` finished, but the project has no service `{name}`."
            )
        line = f"{what} `{name}` ({USAGE})"
        (ctx.reused if name in before else ctx.created).append(line)
    listed = ", ".join(f"`{name}`" for name, _ in made)
    return f"services {listed} as {railway.CONFIG_FILE} says"


def _variable_names(ctx: AutomateContext) -> set[str]:
    # The listing prints raw values (a secret among them): never logged.
    result = _railway(
        ctx, "variable", "list", "--service", railway.SERVICE, "--json", secret_output=True
    )
    listed = _json(result, "the service's variables")
    return set(listed) if isinstance(listed, dict) else set()


def ensure_secrets(ctx: AutomateContext) -> str:
    present = _variable_names(ctx)
    wanted = env_needs.new_secret_keys(ctx.project, present)
    if "SECRET_KEY" in present:
        # Changing the key would log everyone out: keep the one the service has.
        ctx.reused.append("the SECRET_KEY variable (free)")
    else:
        wanted = {"SECRET_KEY": secrets.token_urlsafe(50), **wanted}
    for name, value in wanted.items():
        ctx.runner.log.add_secret(value)
        # The value goes on stdin, never on the command line (variable.rs, --stdin).
        _railway(
            ctx,
            *("variable", "set", name, "--stdin", "--service", railway.SERVICE),
            *("--skip-deploys", "--json"),
            input_text=value,
        )
        ctx.created.append(f"the {name} variable (free), a new random key")
    return "set " + ", ".join(wanted) if wanted else "SECRET_KEY is already set"


def ensure_domain(ctx: AutomateContext) -> str:
    # With a domain already on the service the CLI lists it instead of making another
    # (domain.rs: {"domains": [...]}); a new one prints {"domain": "https://..."}.
    out = _json(
        _railway(ctx, "domain", "--service", railway.SERVICE, "--json"), "the service's domain"
    )
    urls = out.get("domains") or ([out["domain"]] if out.get("domain") else [])
    if not urls:
        raise CommandFailed(f"`railway domain` printed no domain:\n{json.dumps(out)[:300]}")
    ctx.facts["url"] = urls[0]
    ctx.facts["host"] = urls[0].removeprefix("https://")
    return ctx.facts["url"]


def deploy(ctx: AutomateContext) -> str:
    # --ci: stream the build, then wait for the deployment's verdict (exit 0 or 1).
    _railway(
        ctx,
        *("up", "--service", railway.SERVICE, "--ci"),
        timeout=3600,
        label="Uploading, building and deploying (several minutes)",
    )
    return f"deployed {ctx.facts.get('url', '')}".strip()


def notice(project: Project, options: Options) -> str:
    name = railway.project_name(project, options)
    return cost_notice(
        "the `railway` CLI with your Railway account",
        (
            f"use the project linked to this folder, else create or reuse the project `{name}`",
            f"create or update the `{railway.SERVICE}` service and its {railway.DATABASE} "
            f"database from {railway.CONFIG_FILE} ({USAGE})",
            *(
                (
                    f"create or reuse the `{railway.REDIS}` Redis service it declares ({USAGE}), "
                    f"its URL referenced as {', '.join(project.services.redis_env_names)}",
                )
                if project.services.needs_redis
                else ()
            ),
            "set the SECRET_KEY variable (a new key, never shown) and a public domain",
            "commit the configuration, run `railway up`, and print the site's URL",
        ),
        f"usage is billed from when the services exist: {railway.DOCS}/pricing",
    )


def recipe(project: Project, options: Options) -> Automation:
    return Automation(
        notice=notice(project, options),
        prepare=(
            Step("Railway CLI installed", ensure_cli),
            Step("logged in to Railway", ensure_login),
            Step("project", ensure_project),
        ),
        finish=(
            Step("service and database", apply_config),
            Step("secrets", ensure_secrets),
            Step("domain", ensure_domain),
            Step("deploy", deploy),
        ),
    )
