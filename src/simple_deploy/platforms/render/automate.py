"""`--automate-all` for Render, through Render's public REST API and the user's API key.

Why the API and not a CLI: Render's CLI (render-oss/cli) installs as a downloaded
binary and creates no services; the REST API creates and updates services,
databases and environment variables, and triggers deploys, with one key read
from RENDER_API_KEY. Paths and JSON shapes: https://api-docs.render.com/reference,
as generated into render-oss/cli `pkg/client/client_gen.go` and `types_gen.go`.

Render builds from a Git host, so the run pushes the configuration commit to the
repository's GitHub, GitLab or Bitbucket remote first. The API cannot apply a
Blueprint (it lists and syncs existing ones), so the services render.yaml
declares are found by name or created through the API with the same settings:
one web service, a background worker per process beside web, one Render Postgres
database and the Key Value instance, reused on every re-run. The secret key is
made by Render (`generateValue`) for the web service; the workers get the same
value, read from it, as render.yaml's `fromService` gives it. The secrets that
pass through this run (the database's and Key Value's internal URLs, the secret
key for the workers) go in request bodies only, redacted in the log.

What remains for the user, once: Render must be allowed to read the repository
(its GitHub/GitLab/Bitbucket app). When the API refuses the service for that
reason, the run stops saying exactly where to click, keeps the database it
made, and a re-run finishes the job.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
import webbrowser

from simple_deploy.plugin import (
    AutomateContext,
    Automation,
    CommandFailed,
    Options,
    Project,
    Step,
    cost_notice,
)
from simple_deploy.services import ServiceProcess

from . import plugin
from .api import ApiError, RenderAPI

POSTGRES_VERSION = "17"
# Git hosts Render deploys from, as https URLs (render.com/docs/github, gitlab, bitbucket).
_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")
_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[^/].*)$")
_URL = re.compile(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[\w.-]+)(?::\d+)?/(?P<path>.+)$")
# A first build installs everything; Render stops a build after 120 minutes, we wait 30.
DEPLOY_TIMEOUT = 1800
DEPLOY_DONE = {"live", "deactivated"}
DEPLOY_FAILED = {"build_failed", "update_failed", "pre_deploy_failed", "canceled"}
CONNECT_GIT = "https://dashboard.render.com/u/settings#git-credentials"
# render.com/pricing (2026): Key Value instance types.
KEYVALUE_COST = {
    "free": "free, 25 MB, no persistence",
    "starter": "$10 a month, billed while it exists",
}


def _api(ctx: AutomateContext) -> RenderAPI:
    api = ctx.facts.get("_api")
    if api is None:
        api = ctx.facts["_api"] = RenderAPI.from_environment(ctx.runner)
    return api


def _opts(ctx: AutomateContext) -> dict:
    """The run's options, with what render.yaml already declares where none is given."""
    return plugin.with_declared(ctx.project, ctx.options)


def repo_url(remote: str) -> str | None:
    """The https address Render knows a repository by, from a remote URL in any form."""
    match = _URL.match(remote) or _SCP.match(remote)
    if not match or match.group("host").lower() not in _HOSTS:
        return None
    path = match.group("path").strip("/").removesuffix(".git")
    return f"https://{match.group('host').lower()}/{path}" if "/" in path else None


def _git(ctx: AutomateContext, *args: str) -> str:
    out = subprocess.run(
        ["git", *args], cwd=ctx.project.git_root, capture_output=True, text=True, check=False
    )
    return out.stdout.strip() if out.returncode == 0 else ""


# ---------------------------------------------------------------- prepare steps


def _workspace(ctx: AutomateContext) -> str:
    api = _api(ctx)
    try:
        owners = api.listing("owners", "owner", {})
    except ApiError as exc:
        if exc.status in (401, 403):
            raise CommandFailed(
                "Render refused the API key in RENDER_API_KEY (revoked, or mistyped). Create "
                "a new one (Account Settings > API Keys), export it, and run this command "
                "again. Nothing was changed."
            ) from None
        raise
    chosen = ctx.options.get("render_workspace")
    if chosen:
        found = [o for o in owners if o.get("id") == chosen]
        if not found:
            raise CommandFailed(
                f"Your API key sees no workspace {chosen}. It sees: "
                + ", ".join(f"{o['id']} ({o.get('name', '')})" for o in owners)
                + ". Nothing was changed."
            )
        owner = found[0]
    elif len(owners) == 1:
        owner = owners[0]
    else:
        listed = "\n".join(f"    {o['id']}  {o.get('name', '')}" for o in owners)
        raise CommandFailed(
            f"Your API key sees {len(owners) or 'no'} Render workspaces"
            + (f":\n{listed}\n" if owners else ". ")
            + "Choose the one to deploy to with --render-workspace ID, then run this command "
            "again. Nothing was changed."
        )
    ctx.facts["owner_id"] = owner["id"]
    return f"workspace {owner.get('name') or owner['id']} ({owner['id']})"


def _git_host(ctx: AutomateContext) -> str:
    branch = _git(ctx, "symbolic-ref", "--short", "-q", "HEAD")
    if not branch:
        raise CommandFailed(
            "This repository is not on a branch (detached HEAD); Render deploys a branch. "
            "`git switch <branch>`, then run this command again. Nothing was changed."
        )
    remotes = {}
    for line in _git(ctx, "config", "--get-regexp", r"^remote\..*\.url$").splitlines():
        key, _, url = line.partition(" ")
        remotes[key.removeprefix("remote.").removesuffix(".url")] = url
    upstream = _git(ctx, "config", f"branch.{branch}.remote")
    for name in sorted(remotes, key=lambda n: (n != upstream, n != "origin", n)):
        url = repo_url(remotes[name])
        if url:
            ctx.facts.update(remote=name, repo=url, branch=branch)
            return f"{url}, branch {branch} (remote {name})"
    raise CommandFailed(
        "Render deploys from GitHub, GitLab or Bitbucket, and this repository has no remote "
        "there. Create an empty repository on one of them, then `git remote add origin <its "
        f"URL>` and `git push -u origin {branch}`, and run this command again. Nothing was "
        "changed."
    )


def _named(ctx: AutomateContext, path: str, field: str, name: str, **query: str) -> list[dict]:
    """The resources of this workspace called exactly `name` (the API's filter may match
    more loosely)."""
    items = _api(ctx).listing(
        path, field, {"name": name, "ownerId": ctx.facts["owner_id"], **query}
    )
    return [item for item in items if item.get("name") == name]


def _one(found: list[dict], what: str, name: str) -> dict | None:
    if len(found) > 1:
        ids = ", ".join(item["id"] for item in found)
        raise CommandFailed(
            f"Your workspace has several {what}s named {name} ({ids}). Delete the extra ones "
            "in the Render Dashboard, or choose another name with --deployed-project-name, "
            "then run this command again. Nothing was changed."
        )
    return found[0] if found else None


def _look_up(ctx: AutomateContext) -> str:
    """Before any file is written: what already exists, so nothing is made twice."""
    name = plugin.service_name(ctx.project, ctx.options)
    database = plugin.database_name(ctx.project, ctx.options)
    service = _one(
        _named(ctx, "services", "service", name, type="web_service"), "web service", name
    )
    db = _one(_named(ctx, "postgres", "postgres", database), "database", database)
    ctx.facts["service"] = service
    ctx.facts["database"] = db
    workers = {}
    for process in ctx.project.services.processes:
        worker = plugin.worker_name(ctx.project, ctx.options, process)
        found_worker = _named(ctx, "services", "service", worker, type="background_worker")
        workers[process.name] = _one(found_worker, "background worker", worker)
    ctx.facts["workers"] = workers
    keyvalue = None
    if ctx.project.services.needs_redis:
        kv_name = plugin.keyvalue_name(ctx.project, ctx.options)
        found_kv = _named(ctx, "key-value", "keyValue", kv_name)
        keyvalue = _one(found_kv, "Key Value instance", kv_name)
        ctx.facts["keyvalue"] = keyvalue
    found = [f"web service {name}" if service else "", f"database {database}" if db else ""]
    found.append(f"Key Value {keyvalue['name']}" if keyvalue else "")
    found += [f"background worker {w['name']}" for w in workers.values() if w]
    found = [item for item in found if item]
    return f"found {' and '.join(found)}: reused" if found else f"{name} and {database}: new"


# ---------------------------------------------------------------- finish steps


def _push(ctx: AutomateContext) -> str:
    remote, branch = ctx.facts["remote"], ctx.facts["branch"]
    ctx.runner.run(
        ["git", "push", remote, f"HEAD:refs/heads/{branch}"],
        cwd=ctx.project.git_root,
        timeout=600,
        label=f"pushing to {remote}, which Render builds from",
    )
    return f"pushed HEAD to {remote} {branch}"


def _ensure_database(ctx: AutomateContext) -> str:
    api = _api(ctx)
    name = plugin.database_name(ctx.project, ctx.options)
    plan = plugin.database_plan(_opts(ctx))
    db = ctx.facts.get("database")
    if db is None:
        db = api.call(
            "POST",
            "postgres",
            body={
                "name": name,
                "ownerId": ctx.facts["owner_id"],
                # The API spells plans with underscores (basic_256mb); render.yaml with dashes.
                "plan": plan.replace("-", "_"),
                "region": plugin.region_of(_opts(ctx)),
                "version": POSTGRES_VERSION,
            },
        )
        ctx.created.append(
            f"Render Postgres {name} ({db['id']}), {plan} in {plugin.region_of(_opts(ctx))}: "
            + ("free, expires 30 days after creation" if plan == "free" else "billed monthly")
        )
    else:
        ctx.reused.append(f"Render Postgres {name} ({db['id']}), {db.get('plan', plan)}")
    ctx.facts["database"] = db
    info = api.call("GET", f"postgres/{db['id']}/connection-info")
    url = info["internalConnectionString"]
    ctx.runner.log.add_secret(url)
    ctx.runner.log.add_secret(info.get("password", ""))
    ctx.facts["_database_url"] = url
    return f"{name} ({db['id']})"


def _ensure_keyvalue(ctx: AutomateContext) -> str:
    """The one Key Value instance render.yaml declares: found before anything was written
    (`_look_up`), else created; its internal URL goes to the web service under each name
    the settings read, in the request bodies that set the service's variables."""
    api = _api(ctx)
    name = plugin.keyvalue_name(ctx.project, ctx.options)
    # The plan render.yaml declares for it (plugin.py: free with a free web service).
    plan = plugin._keyvalue_plan(_opts(ctx))
    kv = ctx.facts.get("keyvalue")
    if kv is None:
        kv = api.call(
            "POST",
            "key-value",
            body={
                "name": name,
                "ownerId": ctx.facts["owner_id"],
                "plan": plan,
                "region": plugin.region_of(_opts(ctx)),
                # A Celery or RQ broker must not lose queued tasks when memory runs out.
                "maxmemoryPolicy": "noeviction",
            },
        )
        ctx.created.append(f"Render Key Value {name} ({kv['id']}), {plan}: {KEYVALUE_COST[plan]}")
    else:
        ctx.reused.append(f"Render Key Value {name} ({kv['id']}), {kv.get('plan', plan)}")
    ctx.facts["keyvalue"] = kv
    url = api.call("GET", f"key-value/{kv['id']}/connection-info")["internalConnectionString"]
    ctx.runner.log.add_secret(url)
    ctx.facts["_redis_url"] = url
    return f"{name} ({kv['id']})"


def _env_values(ctx: AutomateContext) -> dict[str, str]:
    """The variables render.yaml gives a value: the settings module, the host names,
    the database, the Key Value instance."""
    project = ctx.project
    values = {**project.settings_env, **plugin.host_values(project, _opts(ctx))}
    for key in plugin.database_keys(project):
        values[key] = ctx.facts["_database_url"]
    for key in project.services.redis_env_names:
        values[key] = ctx.facts["_redis_url"]
    return values


def _details(ctx: AutomateContext) -> dict:
    commands = plugin.service_commands(ctx.project, _opts(ctx))
    details = {
        "runtime": "python",
        "plan": plugin.plan_of(_opts(ctx)),
        "healthCheckPath": plugin.HEALTH_PATH,
        "envSpecificDetails": {
            "buildCommand": commands["build"],
            "startCommand": commands["start"],
        },
    }
    if commands["pre_deploy"]:
        details["preDeployCommand"] = commands["pre_deploy"]
    return details


def _new_service(ctx: AutomateContext, kind: str, name: str, env: list, details: dict) -> dict:
    """POST a service of this kind built from the pushed branch; Render's answer."""
    body = {
        "type": kind,
        "name": name,
        "ownerId": ctx.facts["owner_id"],
        "repo": ctx.facts["repo"],
        "branch": ctx.facts["branch"],
        "autoDeploy": "yes",
        "envVars": env,
        "serviceDetails": {**details, "region": plugin.region_of(_opts(ctx))},
    }
    return _api(ctx).call("POST", "services", body=body)


def _env_of(ctx: AutomateContext, service_id: str) -> dict[str, str]:
    """A service's variables as Render has them, each value redacted in the log."""
    listing = _api(ctx).listing(f"services/{service_id}/env-vars", "envVar", {})
    have = {var["key"]: var.get("value", "") for var in listing}
    for value in have.values():
        ctx.runner.log.add_secret(value if len(value) >= 8 else "")
    return have


def _update(ctx: AutomateContext, service: dict, details: dict, values: dict) -> dict:
    """A re-run: the service gets the commands and the variables the Blueprint has now;
    what it had before is returned."""
    api = _api(ctx)
    body = {"branch": ctx.facts["branch"], "serviceDetails": details}
    api.call("PATCH", f"services/{service['id']}", body=body)
    have = _env_of(ctx, service["id"])
    for key, value in values.items():
        if have.get(key) != value:
            api.call("PUT", f"services/{service['id']}/env-vars/{key}", body={"value": value})
    return have


def _create_service(ctx: AutomateContext) -> dict:
    name = plugin.service_name(ctx.project, ctx.options)
    env = [{"key": k, "value": v} for k, v in _env_values(ctx).items()]
    env += [{"key": k, "generateValue": True} for k in plugin.secret_keys(ctx.project)]
    try:
        made = _new_service(ctx, "web_service", name, env, _details(ctx))
    except ApiError as exc:
        if exc.status in (400, 403, 404, 422):
            raise CommandFailed(
                f"Render could not create the web service from {ctx.facts['repo']}: "
                f"{exc.render_message}\nThe one step left for you, once: let Render read this "
                f"repository. In the Render Dashboard open Account Settings > Git Deployment "
                f"Credentials ({CONNECT_GIT}), connect your "
                f"{ctx.facts['repo'].split('/')[2]} account and give Render access to "
                f"{ctx.facts['repo'].split('/', 3)[3]}. Then run this command again: the "
                "database is reused, and the web service is created and deployed."
            ) from None
        raise
    service = made["service"]
    ctx.facts["deploy_id"] = made.get("deployId")
    ctx.created.append(
        f"web service {name} ({service['id']}), {plugin.plan_of(_opts(ctx))} in "
        f"{plugin.region_of(_opts(ctx))}: "
        + ("free, sleeps when idle" if plugin.plan_of(_opts(ctx)) == "free" else "billed monthly")
    )
    return service


def _update_service(ctx: AutomateContext, service: dict) -> None:
    """A re-run: the web service is updated; a secret key it lacks is generated."""
    api = _api(ctx)
    have = _update(ctx, service, _details(ctx), _env_values(ctx))
    for key in plugin.secret_keys(ctx.project):
        # An existing key stays: changing it would log everyone out.
        if not have.get(key):
            api.call(
                "PUT", f"services/{service['id']}/env-vars/{key}", body={"generateValue": True}
            )
    ctx.reused.append(
        f"web service {service['name']} ({service['id']}), {plugin.plan_of(_opts(ctx))}"
    )


def _ensure_service(ctx: AutomateContext) -> str:
    service = ctx.facts.get("service")
    if service is None:
        service = _create_service(ctx)
        how = "created; Render started its first deploy"
    else:
        _update_service(ctx, service)
        deploy = _api(ctx).call("POST", f"services/{service['id']}/deploys", body={})
        ctx.facts["deploy_id"] = deploy["id"]
        how = "updated; deploy triggered"
    ctx.facts["service"] = service
    url = (service.get("serviceDetails") or {}).get("url")
    if url:
        ctx.facts["url"] = url
    return f"{service['name']} ({service['id']}) {how}"


def _worker_env(ctx: AutomateContext, process: ServiceProcess) -> dict[str, str]:
    """What render.yaml gives the worker: the web service's variables, its secret keys'
    values (read from the web service, where Render generated them), the line's own."""
    if "_web_secrets" not in ctx.facts:
        have = _env_of(ctx, ctx.facts["service"]["id"])
        keys = plugin.secret_keys(ctx.project)
        ctx.facts["_web_secrets"] = {key: have[key] for key in keys if have.get(key)}
    return {**_env_values(ctx), **ctx.facts["_web_secrets"], **dict(process.env)}


def _worker_details(ctx: AutomateContext, process: ServiceProcess) -> dict:
    return {
        "runtime": "python",
        "plan": plugin.worker_plan(_opts(ctx)),
        "envSpecificDetails": {
            "buildCommand": plugin.service_commands(ctx.project, _opts(ctx))["build"],
            "startCommand": shlex.join(process.argv),
        },
    }


def _ensure_workers(ctx: AutomateContext) -> str:
    """A `background_worker` service per process beside web, as render.yaml declares
    each: created once, updated and redeployed on a re-run."""
    done = []
    plan = plugin.worker_plan(_opts(ctx))
    for process in ctx.project.services.processes:
        name = plugin.worker_name(ctx.project, ctx.options, process)
        env, details = _worker_env(ctx, process), _worker_details(ctx, process)
        worker = ctx.facts["workers"].get(process.name)
        if worker is None:
            listed = [{"key": k, "value": v} for k, v in env.items()]
            made = _new_service(ctx, "background_worker", name, listed, details)
            worker, deploy_id = made["service"], made.get("deployId")
            ctx.created.append(f"background worker {name} ({worker['id']}), {plan}: billed monthly")
        else:
            _update(ctx, worker, details, env)
            path = f"services/{worker['id']}/deploys"
            deploy_id = _api(ctx).call("POST", path, body={})["id"]
            ctx.reused.append(f"background worker {name} ({worker['id']}), {plan}")
        ctx.facts.setdefault("deploys", []).append((worker, deploy_id))
        done.append(f"{name} ({worker['id']})")
    return ", ".join(done)


def _wait_for_deploy(ctx: AutomateContext) -> str:
    """Every deploy this run started (the web service's, then each worker's) ends live."""
    web = ctx.facts["service"]
    waits = [(web, ctx.facts.get("deploy_id")), *ctx.facts.get("deploys", [])]
    waits = [(service, deploy_id) for service, deploy_id in waits if deploy_id]
    if not waits:
        return "no deploy to wait for"
    deadline = time.monotonic() + DEPLOY_TIMEOUT
    said = [
        f"{service['name']} deploy {deploy_id} is {_wait_for(ctx, service, deploy_id, deadline)}"
        for service, deploy_id in waits
    ]
    return "; ".join(said) + (f": {ctx.facts['url']}" if ctx.facts.get("url") else "")


def _wait_for(ctx: AutomateContext, service: dict, deploy_id: str, deadline: float) -> str:
    """The deploy's final status, once it is live (or replaced by a newer one)."""
    status = ""
    while time.monotonic() < deadline:
        path = f"services/{service['id']}/deploys/{deploy_id}"
        status = _api(ctx).call("GET", path).get("status")
        if status in DEPLOY_DONE:
            return status
        if status in DEPLOY_FAILED:
            raise CommandFailed(
                f"Render's deploy {deploy_id} of {service['name']} ended {status}. Its log is "
                f"in the service's Events tab ({service.get('dashboardUrl', 'the Dashboard')}); "
                "fix the cause, commit, and run this command again: everything is reused."
            )
        time.sleep(5)
    raise CommandFailed(
        f"Render's deploy {deploy_id} of {service['name']} is still {status or 'running'}; "
        "follow it in the service's Events tab. Nothing needs to be run again unless it fails."
    )


def _open(ctx: AutomateContext) -> str:
    url = ctx.facts.get("url", "")
    # Only for someone at the terminal: a browser started by a script would hang it.
    if not url or ctx.options.get("no_input") or not sys.stdin.isatty():
        return f"open {url or 'the service page in the Render Dashboard'} in your browser"
    return f"opened {url}" if webbrowser.open(url) else f"open {url} in your browser"


def automation(project: Project, options: Options) -> Automation:
    options = plugin.with_declared(project, options)
    name = plugin.service_name(project, options)
    plan = plugin.plan_of(options)
    notice = cost_notice(
        "Render's API with your API key (RENDER_API_KEY)",
        (
            f"create or reuse the Render Postgres database {name}-db "
            f"({plugin.database_plan(options)})",
            *(
                (
                    f"create or reuse the Render Key Value {plugin.keyvalue_name(project, options)}"
                    f" ({plugin._keyvalue_plan(options)}: "
                    f"{KEYVALUE_COST[plugin._keyvalue_plan(options)]}), its URL set as "
                    f"{', '.join(project.services.redis_env_names)}",
                )
                if project.services.needs_redis
                else ()
            ),
            f"create or reuse the web service {name} ({plan}) with the commands and variables "
            "render.yaml declares (Render generates SECRET_KEY)",
            *(
                f"create or reuse the background worker {plugin.worker_name(project, options, p)}"
                f" ({plugin.worker_plan(options)}, billed monthly) that runs `{p.name}`"
                for p in project.services.processes
            ),
            "commit the configuration, push it to this branch's GitHub, GitLab or Bitbucket "
            "remote (Render builds from there), deploy, and open the site",
        ),
        "Render bills the web service's instance type and the database monthly (free ones "
        "excepted: they sleep, and a free database expires after 30 days); "
        "https://render.com/pricing.",
    )
    return Automation(
        notice=notice,
        prepare=(
            Step("Render workspace", _workspace),
            Step("Git host", _git_host),
            Step("existing services", _look_up),
        ),
        finish=(
            Step("push", _push),
            Step("database", _ensure_database),
            *((Step("key value", _ensure_keyvalue),) if project.services.needs_redis else ()),
            Step("web service", _ensure_service),
            *((Step("workers", _ensure_workers),) if project.services.processes else ()),
            Step("deploy", _wait_for_deploy),
            Step("open", _open),
        ),
    )
