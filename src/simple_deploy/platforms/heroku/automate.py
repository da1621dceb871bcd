"""Heroku `--automate-all`: app, Heroku Postgres, config vars, push, release, open.

Every step asks Heroku first (`--json` output) and reuses what exists, so a
re-run after a failure anywhere finishes the job without a second app or
database. Commands and output shapes: https://devcenter.heroku.com/articles/heroku-cli-commands
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from simple_deploy.plugin import (
    AutomateContext,
    Automation,
    CommandFailed,
    Options,
    Project,
    Step,
    ToolMissing,
    git_remote_url,
)

CLI = "heroku"
REMOTE = "heroku"
DEFAULT_DB_PLAN = "heroku-postgresql:essential-0"
RELEASE_WAIT_SECONDS = 600
RELEASE_POLL_SECONDS = 5


def _heroku(ctx: AutomateContext, *args: str, label: str | None = None, timeout: float = 300):
    return ctx.runner.run([CLI, *args], cwd=ctx.project.git_root, label=label, timeout=timeout)


def _json(ctx: AutomateContext, *args: str):
    return json.loads(_heroku(ctx, *args).stdout)


def _app(ctx: AutomateContext) -> str:
    return ctx.facts["app_name"]


# ---------------------------------------------------------------- prepare


def _ensure_cli(ctx: AutomateContext) -> str:
    try:
        version = _heroku(ctx, "--version").stdout.strip()
    except ToolMissing as exc:
        raise ToolMissing(
            "The Heroku CLI (`heroku`) is not installed or not on PATH. Install it "
            "(https://devcenter.heroku.com/articles/heroku-cli), run `heroku login`, "
            "then run this command again."
        ) from exc
    return version.splitlines()[0] if version else "heroku CLI found"


def _ensure_login(ctx: AutomateContext) -> str:
    try:
        email = _heroku(ctx, "auth:whoami").stdout.strip()
    except CommandFailed as exc:
        raise CommandFailed(
            f"The Heroku CLI is not logged in. Run `heroku login`, then run this command "
            f"again.\n{exc.output}",
            exc.output,
            exc.returncode,
        ) from exc
    ctx.facts["account"] = email
    return f"logged in as {email}"


def _linked_app(ctx: AutomateContext) -> str | None:
    """The app this repository already deploys to: its `heroku` git remote."""
    url = git_remote_url(ctx.project, REMOTE)
    if not url:
        return None
    name = PurePosixPath(urlsplit(url).path).name
    return name.removesuffix(".git") or None


def _app_info(ctx: AutomateContext, name: str) -> dict | None:
    try:
        return _json(ctx, "apps:info", "-a", name, "--json")["app"]
    except CommandFailed as exc:
        if "find that app" in exc.output:
            return None
        raise


def _remember(ctx: AutomateContext, app: dict) -> None:
    ctx.facts["app_name"] = app["name"]
    ctx.facts["url"] = app["web_url"]
    ctx.facts["host"] = urlsplit(app["web_url"]).hostname


def _ensure_app(ctx: AutomateContext) -> str:
    wanted = ctx.options.get("deployed_project_name")
    linked = _linked_app(ctx)
    for name in dict.fromkeys(n for n in (wanted, linked) if n):
        if wanted and name != wanted:
            continue  # the user asked for another app than the remote names
        app = _app_info(ctx, name)
        if app is not None:
            _remember(ctx, app)
            ctx.reused.append(f"Heroku app {app['name']} ({app['web_url']})")
            return f"reusing app {app['name']}"
    args = ["apps:create", *([wanted] if wanted else []), "--json"]
    if ctx.options.get("region"):
        args += ["--region", ctx.options["region"]]
    try:
        app = _json(ctx, *args)
    except CommandFailed as exc:
        if "already taken" in exc.output:
            raise CommandFailed(
                f"The app name '{wanted}' is taken by another Heroku account. Choose another "
                "with --deployed-project-name NAME, or leave it out to let Heroku pick one.",
                exc.output,
                exc.returncode,
            ) from exc
        raise
    _remember(ctx, app)
    ctx.created.append(
        f"Heroku app {app['name']} ({app['web_url']}): its web dyno is billed monthly "
        "(Eco or Basic dynos are the cheapest)"
    )
    return f"created app {app['name']}"


def _ensure_remote(ctx: AutomateContext) -> str:
    _heroku(ctx, "git:remote", "-a", _app(ctx))
    return f"git remote '{REMOTE}' points at {_app(ctx)}"


# ---------------------------------------------------------------- finish


def _db_plan(ctx: AutomateContext) -> str:
    plan = ctx.options.get("heroku_db_plan") or DEFAULT_DB_PLAN
    return plan if plan.startswith("heroku-postgresql:") else f"heroku-postgresql:{plan}"


def _ensure_database(ctx: AutomateContext) -> str:
    addons = _json(ctx, "addons", "-a", _app(ctx), "--json")
    for addon in addons:
        if addon.get("addon_service", {}).get("name") == "heroku-postgresql":
            ctx.reused.append(f"Heroku Postgres {addon['name']} ({addon['plan']['name']})")
            return f"reusing database {addon['name']}"
    plan = _db_plan(ctx)
    _heroku(
        ctx,
        "addons:create",
        plan,
        "--wait",
        "-a",
        _app(ctx),
        label=f"Creating Heroku Postgres ({plan})",
        timeout=900,
    )
    ctx.created.append(f"Heroku Postgres on plan {plan}: billed monthly while it exists")
    return f"created Heroku Postgres ({plan})"


def _ensure_config(ctx: AutomateContext) -> str:
    current = _json(ctx, "config", "-a", _app(ctx), "--json")
    wanted = {
        "ALLOWED_HOSTS": ctx.facts["host"],
        **ctx.project.settings_env,
    }
    if not current.get("SECRET_KEY"):
        # Made here, sent straight to Heroku: never printed, logged or written to a file.
        key = secrets.token_urlsafe(50)
        ctx.runner.log.add_secret(key)
        wanted["SECRET_KEY"] = key
    changes = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not changes:
        return "config vars already set"
    _heroku(ctx, "config:set", *(f"{k}={v}" for k, v in changes.items()), "-a", _app(ctx))
    return "set " + ", ".join(sorted(changes))


def _buildpack_names(ctx: AutomateContext) -> list[str]:
    installed = _json(ctx, "buildpacks", "-a", _app(ctx), "--json")
    ordered = sorted(installed, key=lambda b: b.get("ordinal", 0))
    return [b["buildpack"].get("name") or b["buildpack"]["url"] for b in ordered]


def _ensure_buildpacks(ctx: AutomateContext) -> str:
    """Node.js first (it builds the assets), Python last (it defines the processes),
    keeping any other buildpack the app already has."""
    names = _buildpack_names(ctx)
    wanted = ("heroku/nodejs", "heroku/python")
    if all(n in names for n in wanted) and names.index(wanted[0]) < names.index(wanted[1]):
        ctx.reused.append("buildpacks " + ", ".join(names))
        return "buildpacks already set: " + ", ".join(names)
    if "heroku/python" not in names:
        _heroku(ctx, "buildpacks:add", "heroku/python", "-a", _app(ctx))
    if "heroku/nodejs" in names:
        _heroku(ctx, "buildpacks:remove", "heroku/nodejs", "-a", _app(ctx))
    _heroku(ctx, "buildpacks:add", "--index", "1", "heroku/nodejs", "-a", _app(ctx))
    return "buildpacks set: " + ", ".join(_buildpack_names(ctx))


def _push(ctx: AutomateContext) -> str:
    result = ctx.runner.run(
        ["git", "push", REMOTE, "HEAD:main"],
        cwd=ctx.project.git_root,
        label="Pushing to Heroku (build and release)",
        timeout=1800,
    )
    # Pushing a commit Heroku already has builds nothing and makes no new release.
    if "Everything up-to-date" in result.output:
        return "Heroku already has this commit"
    return "pushed HEAD to Heroku's main branch"


def _newest_release(ctx: AutomateContext) -> dict | None:
    releases = _json(ctx, "releases", "-a", _app(ctx), "--json")
    return max(releases, key=lambda r: r["version"], default=None)


def _ensure_released(ctx: AutomateContext) -> str:
    deadline = time.monotonic() + RELEASE_WAIT_SECONDS
    while True:
        release = _newest_release(ctx)
        status = release["status"] if release else "none"
        if status == "succeeded":
            return f"release v{release['version']} is live"
        if status == "failed":
            # Heroku builds and releases only new commits: after a failed release phase
            # the way forward is a commit, even an empty one when the cause was passing.
            command = f"heroku releases:output v{release['version']} -a {_app(ctx)}"
            raise CommandFailed(
                f"Release v{release['version']} failed in the release phase (migrations), so "
                f"Heroku kept the previous release. See why with `{command}`. Fix it and "
                "commit, then run this command again. If the cause has passed (the database "
                'was still starting), `git commit --allow-empty -m "Redeploy"` gives Heroku '
                "a new commit to release."
            )
        if time.monotonic() > deadline:
            raise CommandFailed(
                f"The release is still '{status}' after {RELEASE_WAIT_SECONDS} s. Check it "
                f"with `heroku releases -a {_app(ctx)}`, then run this command again."
            )
        time.sleep(RELEASE_POLL_SECONDS)


def _open(ctx: AutomateContext) -> str:
    _heroku(ctx, "open", "-a", _app(ctx))
    return f"opened {ctx.facts['url']}"


def _needs_node(project: Project) -> bool:
    # The asset build's package.json at the root: Heroku's Node.js buildpack builds it.
    build = project.asset_build
    return build is not None and build.folder == "."


def automation(project: Project, options: Options) -> Automation:
    plan = (options.get("heroku_db_plan") or DEFAULT_DB_PLAN).removeprefix("heroku-postgresql:")
    notice = (
        "This will use the Heroku CLI with your account to: create a Heroku app (or reuse "
        "the one this repository points at), add Heroku Postgres on the "
        f"'{plan}' plan (or reuse the app's database), set config vars (a new "
        "SECRET_KEY that is never shown), commit the configuration, push it, and open the "
        "site.\nHeroku has no free tier: the app's dyno and the database are billed monthly "
        "from the moment they are created (see https://www.heroku.com/pricing)."
    )
    return Automation(
        notice=notice,
        prepare=(
            Step("Heroku CLI", _ensure_cli),
            Step("login", _ensure_login),
            Step("app", _ensure_app),
            Step("git remote", _ensure_remote),
        ),
        finish=(
            Step("database", _ensure_database),
            Step("config vars", _ensure_config),
            *((Step("buildpacks", _ensure_buildpacks),) if _needs_node(project) else ()),
            Step("push", _push),
            Step("release", _ensure_released),
            Step("open", _open),
        ),
    )
