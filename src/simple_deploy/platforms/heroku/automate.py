"""Heroku `--automate-all`: app, Heroku Postgres, config vars, push, release, open.

Every step asks Heroku first (`--json` output) and reuses what exists, so a
re-run after a failure anywhere finishes the job without a second app or
database. Each CLI call costs about a second of Node start-up, so a call is
made only when its answer can change what happens next: `auth:whoami` also
proves the CLI is installed, `apps:info` also lists the add-ons, the git
remote is added locally, and an app created by this run is known to have no
add-ons or config vars. Commands, flags and the source they were checked in:
tests/cli_tables/heroku.py. Commands: https://devcenter.heroku.com/articles/heroku-cli-commands
"""

from __future__ import annotations

import json
import re
import secrets
import time
from urllib.parse import urlsplit

from simple_deploy import env_needs
from simple_deploy.automate import git_remotes
from simple_deploy.platforms.heroku import redis
from simple_deploy.platforms.heroku.config_vars import set_config_vars
from simple_deploy.platforms.heroku.plugin import needs_node
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

CLI = "heroku"
REMOTE = "heroku"
DEFAULT_DB_PLAN = "heroku-postgresql:essential-0"
RELEASE_WAIT_SECONDS = 600
# Heroku makes the release (pending while the release phase runs) before the push
# returns: a pushed commit with no release after this long will not get one.
NO_RELEASE_WAIT_SECONDS = 60
# The release phase (migrations) takes seconds to minutes: look soon, then less often.
RELEASE_POLLS_SECONDS = (1, 1, 2, 3, 5)


def _heroku(ctx: AutomateContext, *args: str, label: str | None = None, timeout: float = 300):
    return ctx.runner.run([CLI, *args], cwd=ctx.project.git_root, label=label, timeout=timeout)


def _json(ctx: AutomateContext, *args: str):
    result = _heroku(ctx, *args)
    try:
        return json.loads(result.stdout)
    except ValueError as exc:
        raise CommandFailed(
            f"Could not read the JSON `heroku {args[0]}` should print; update the Heroku "
            "CLI (https://devcenter.heroku.com/articles/heroku-cli) and run again.\n"
            f"{result.stdout[:300]}",
            result.output,
            result.returncode,
        ) from exc


def _app(ctx: AutomateContext) -> str:
    return ctx.facts["app_name"]


# ---------------------------------------------------------------- the app's git remotes

# Every form Heroku's git host takes in a remote URL: HTTPS (`heroku git:remote`,
# `heroku create`) and SSH (`heroku git:remote --ssh-git`, older setups).
_HEROKU_GIT = re.compile(
    r"(?:https?://(?:[^@/]+@)?git\.heroku\.com/|(?:ssh://)?git@heroku\.com[:/])"
    r"(?P<app>[a-z][a-z0-9-]*?)(?:\.git)?/?"
)


def heroku_app_of(url: str) -> str | None:
    """The Heroku app a git remote URL deploys to, or None for any other URL."""
    match = _HEROKU_GIT.fullmatch(url.strip())
    return match["app"] if match else None


def _remotes(ctx: AutomateContext) -> dict[str, str]:
    return git_remotes(ctx.project)


def linked_apps(remotes: dict[str, str]) -> dict[str, list[str]]:
    """Heroku apps the remotes point at, each with its remote names (`heroku` first)."""
    apps: dict[str, list[str]] = {}
    for name in sorted(remotes, key=lambda n: (n != REMOTE, n)):
        app = heroku_app_of(remotes[name])
        if app:
            apps.setdefault(app, []).append(name)
    return apps


# ---------------------------------------------------------------- prepare


def _ensure_login(ctx: AutomateContext) -> str:
    # `auth:whoami` also proves the CLI is installed: no separate `--version` call.
    try:
        email = _heroku(ctx, "auth:whoami").stdout.strip()
    except ToolMissing as exc:
        raise ToolMissing(
            "The Heroku CLI (`heroku`) is not installed or not on PATH. Install it "
            "(https://devcenter.heroku.com/articles/heroku-cli), run `heroku login`, "
            "then run this command again."
        ) from exc
    except CommandFailed as exc:
        # Exit 100 is the CLI's "not logged in"; 401s mean a token it no longer accepts.
        if exc.returncode == 100 or "not logged in" in exc.output or "401" in exc.output:
            raise CommandFailed(
                f"The Heroku CLI is not logged in. Run `heroku login`, then run this command "
                f"again.\n{exc.output}",
                exc.output,
                exc.returncode,
            ) from exc
        raise
    ctx.facts["account"] = email
    return f"logged in as {email}"


def _app_info(ctx: AutomateContext, name: str) -> dict | None:
    """`apps:info` of an app this account can use (None if there is none by that name)."""
    try:
        info = _json(ctx, "apps:info", f"--app={name}", "--json")
    except CommandFailed as exc:
        if "find that app" in exc.output:
            return None
        if "do not have access" in exc.output:
            raise _taken(name, exc) from exc
        raise
    if not isinstance(info, dict) or not isinstance(info.get("app"), dict):
        raise CommandFailed(f"`heroku apps:info` printed no app for {name}.", str(info)[:300])
    return info


def _taken(name: str, exc: CommandFailed) -> CommandFailed:
    return CommandFailed(
        f"The app name '{name}' is taken by another Heroku account. Choose another "
        "with --deployed-project-name NAME, or leave it out to let Heroku pick one.",
        exc.output,
        exc.returncode,
    )


def _remember(ctx: AutomateContext, app: dict, addons: list | None) -> None:
    ctx.facts["app_name"] = app["name"]
    ctx.facts["url"] = app["web_url"]
    ctx.facts["host"] = urlsplit(app["web_url"]).hostname
    ctx.facts["git_url"] = app.get("git_url") or f"https://git.heroku.com/{app['name']}.git"
    # The add-ons apps:info listed; None when unknown, [] for an app made by this run.
    ctx.facts["addons"] = addons


def _reuse(ctx: AutomateContext, info: dict) -> str:
    app = info["app"]
    _remember(ctx, app, info.get("addons") or [])
    ctx.reused.append(f"Heroku app {app['name']} ({app['web_url']})")
    return f"reusing app {app['name']}"


def _ensure_app(ctx: AutomateContext) -> str:
    wanted = ctx.options.get("deployed_project_name")
    linked = linked_apps(_remotes(ctx))
    if not wanted and len(linked) > 1:
        listed = ", ".join(f"{app} (remote {', '.join(names)})" for app, names in linked.items())
        raise CommandFailed(
            f"This repository has git remotes for several Heroku apps: {listed}. Say which "
            "one to deploy to with --deployed-project-name NAME."
        )
    name = wanted or next(iter(linked), None)
    if name and (name in linked or not wanted):
        info = _app_info(ctx, name)
        if info is not None:
            return _reuse(ctx, info)
        if not wanted:
            name = None
    # `--region=R` and `-- NAME`: no value the user typed can be read as a flag.
    args = ["apps:create", "--no-remote", "--json"]
    if ctx.options.get("region"):
        args.append(f"--region={ctx.options['region']}")
    if name:
        args += ["--", name]
    try:
        app = _json(ctx, *args)
    except CommandFailed as exc:
        if "already taken" not in exc.output or not name:
            raise
        # Taken: by this account (an app a remote no longer names) or by another one.
        info = _app_info(ctx, name)
        if info is None:
            raise _taken(name, exc) from exc
        return _reuse(ctx, info)
    _remember(ctx, app, [])
    ctx.facts["created_now"] = True
    ctx.created.append(
        f"Heroku app {app['name']} ({app['web_url']}): its web dyno is billed monthly "
        "(Eco or Basic dynos are the cheapest)"
    )
    return f"created app {app['name']}"


def _ensure_remote(ctx: AutomateContext) -> str:
    """Push through a remote that already names the app, else `heroku` (added locally)."""
    remotes = _remotes(ctx)
    for name in linked_apps(remotes).get(_app(ctx), []):
        ctx.facts["remote"] = name
        return f"git remote '{name}' points at {_app(ctx)}"
    ctx.facts["remote"] = REMOTE
    url = ctx.facts["git_url"]
    verb = "set-url" if REMOTE in remotes else "add"
    ctx.runner.run(["git", "remote", verb, REMOTE, url], cwd=ctx.project.git_root)
    was = f" (it pointed at {remotes[REMOTE]})" if REMOTE in remotes else ""
    return f"git remote '{REMOTE}' points at {_app(ctx)}{was}"


# ---------------------------------------------------------------- finish


def _db_plan(ctx: AutomateContext) -> str:
    plan = ctx.options.get("heroku_db_plan") or DEFAULT_DB_PLAN
    return plan if plan.startswith("heroku-postgresql:") else f"heroku-postgresql:{plan}"


def _ensure_database(ctx: AutomateContext) -> str:
    addons = ctx.facts.get("addons")
    if addons is None:  # resumed without apps:info in this run: ask once
        addons = (_app_info(ctx, _app(ctx)) or {}).get("addons") or []
    for addon in addons:
        if (addon.get("addon_service") or {}).get("name") == "heroku-postgresql":
            ctx.reused.append(f"Heroku Postgres {addon['name']} ({addon['plan']['name']})")
            return f"reusing database {addon['name']}"
    plan = _db_plan(ctx)
    _heroku(
        ctx,
        "addons:create",
        plan,
        "--wait",
        f"--app={_app(ctx)}",
        label=f"Creating Heroku Postgres ({plan})",
        timeout=900,
    )
    ctx.created.append(f"Heroku Postgres on plan {plan}: billed monthly while it exists")
    return f"created Heroku Postgres ({plan})"


def _config(ctx: AutomateContext) -> dict:
    """The app's config vars, read once per run (the Redis step may have read them)."""
    if "config" not in ctx.facts:
        current = _json(ctx, "config", f"--app={_app(ctx)}", "--json")
        if not isinstance(current, dict):
            raise CommandFailed("`heroku config --json` printed no object of config vars.")
        ctx.facts["config"] = current
    return ctx.facts["config"]


def _ensure_redis(ctx: AutomateContext) -> str:
    return redis.ensure_redis(ctx, _heroku, _app_info, _config, redis.DEFAULT_PLAN)


def _ensure_config(ctx: AutomateContext) -> str:
    # An app this run created has only what its add-ons set: nothing of ours to read.
    current = {} if ctx.facts.get("created_now") else _config(ctx)
    wanted = {
        "ALLOWED_HOSTS": env_needs.in_form_read(ctx.project, "ALLOWED_HOSTS", ctx.facts["host"]),
        # The host under the names the settings read it by (DJANGO_ALLOWED_HOSTS ...).
        **env_needs.known_values(ctx.project, host=ctx.facts["host"]),
        **ctx.project.settings_env,
        # A project shipping its collected static files: the buildpack must not rewrite them.
        **({"DISABLE_COLLECTSTATIC": "1"} if ctx.project.static_shipped else {}),
        # The Redis URL under names that cannot be attachments (redis.py).
        **ctx.facts.get("redis_copies", {}),
    }
    if not current.get("SECRET_KEY"):
        # Made here, sent straight to Heroku: never printed, logged or written to a file.
        key = secrets.token_urlsafe(50)
        ctx.runner.log.add_secret(key)
        wanted["SECRET_KEY"] = key
    # The settings' own secret-key variables (read before our block), under their names.
    for name, value in env_needs.new_secret_keys(ctx.project, current).items():
        ctx.runner.log.add_secret(value)
        wanted[name] = value
    changes = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not changes:
        return "config vars already set"
    # Not `heroku config:set`: it takes values only as arguments (see config_vars).
    set_config_vars(ctx, _app(ctx), changes)
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
    root = ctx.project.git_root
    ctx.facts["pushed_commit"] = ctx.runner.run(
        ["git", "rev-parse", "HEAD"], cwd=root
    ).stdout.strip()
    remote = ctx.facts.get("remote", REMOTE)
    result = ctx.runner.run(
        ["git", "push", remote, "HEAD:main"],
        cwd=root,
        label="Pushing to Heroku (build and release)",
        timeout=1800,
    )
    # Pushing a commit Heroku already has builds nothing and makes no new release.
    if "Everything up-to-date" in result.output:
        ctx.facts["pushed_nothing"] = True
        return "Heroku already has this commit"
    return f"pushed HEAD to Heroku's main branch (remote '{remote}')"


_DEPLOY = re.compile(r"Deploy ([0-9a-f]{7,40})\b")


def names_commit(release: dict, commit: str) -> bool:
    """Whether a release is the deploy of `commit` (Heroku describes it "Deploy <sha>")."""
    match = _DEPLOY.match(release.get("description") or "")
    return bool(match and commit.startswith(match[1]))


def release_of(releases: list[dict], commit: str) -> dict | None:
    """The newest release that deploys `commit`; config-var releases never count."""
    mine = [r for r in releases if isinstance(r, dict) and names_commit(r, commit)]
    return max(mine, key=lambda r: r.get("version", 0), default=None)


def _ensure_released(ctx: AutomateContext) -> str:
    commit = (
        ctx.facts.get("pushed_commit")
        or ctx.runner.run(["git", "rev-parse", "HEAD"], cwd=ctx.project.git_root).stdout.strip()
    )
    started = time.monotonic()
    deadline = started + RELEASE_WAIT_SECONDS
    polls = iter(RELEASE_POLLS_SECONDS)
    while True:
        releases = _json(ctx, "releases", f"--app={_app(ctx)}", "--json")
        release = release_of(releases if isinstance(releases, list) else [], commit)
        status = release["status"] if release else "none"
        if status == "succeeded":
            return f"release v{release['version']} (commit {commit[:8]}) is live"
        if release is None and ctx.facts.get("pushed_nothing"):
            # Heroku had this commit before this run and lists no release of it among
            # its latest: it was released long ago.
            return f"commit {commit[:8]} was released before"
        if status == "failed":
            # Heroku builds and releases only new commits: after a failed release phase
            # the way forward is a commit, even an empty one when the cause was passing.
            command = f"heroku releases:output v{release['version']} --app={_app(ctx)}"
            raise CommandFailed(
                f"Release v{release['version']} failed in the release phase (migrations), so "
                f"Heroku kept the previous release. See why with `{command}`. Fix it and "
                "commit, then run this command again. If the cause has passed (the database "
                'was still starting), `git commit --allow-empty -m "Redeploy"` gives Heroku '
                "a new commit to release."
            )
        if release is None and time.monotonic() > started + NO_RELEASE_WAIT_SECONDS:
            raise CommandFailed(
                f"Heroku took the push of commit {commit[:8]} but lists no release of it after "
                f"{NO_RELEASE_WAIT_SECONDS} s, so the build did not finish. See why with "
                f"`heroku releases --app={_app(ctx)}` and `heroku logs --app={_app(ctx)}`, fix it "
                "and commit, then run this command again."
            )
        if time.monotonic() > deadline:
            raise CommandFailed(
                f"The release of commit {commit[:8]} is still '{status}' after "
                f"{RELEASE_WAIT_SECONDS} s. Check it with `heroku releases --app={_app(ctx)}`, "
                "then run this command again."
            )
        time.sleep(next(polls, RELEASE_POLLS_SECONDS[-1]))


def _open(ctx: AutomateContext) -> str:
    _heroku(ctx, "open", f"--app={_app(ctx)}")
    return f"opened {ctx.facts['url']}"


def _redis_action(project: Project, options: Options) -> tuple[str, ...]:
    names = project.services.redis_env_names
    if not names:
        return ()
    plan = redis.DEFAULT_PLAN.removeprefix("heroku-redis:")
    return (
        f"add Heroku Key-Value Store (Redis) on the '{plan}' plan, or reuse the app's "
        f"(billed monthly), its URL set as {', '.join(names)}",
    )


def automation(project: Project, options: Options) -> Automation:
    plan = (options.get("heroku_db_plan") or DEFAULT_DB_PLAN).removeprefix("heroku-postgresql:")
    notice = cost_notice(
        "the Heroku CLI with your account",
        (
            "create a Heroku app, or reuse the one this repository points at (its dyno is "
            "billed monthly)",
            f"add Heroku Postgres on the '{plan}' plan, or reuse the app's database (billed "
            "monthly)",
            *_redis_action(project, options),
            "set config vars (a new SECRET_KEY, never shown)",
            "commit the configuration, push it, and open the site",
        ),
        "Heroku has no free tier: the dyno and the database"
        + (", and the Key-Value Store," if project.services.needs_redis else "")
        + " are billed monthly from the moment they are created (https://www.heroku.com/pricing).",
    )
    return Automation(
        notice=notice,
        prepare=(
            Step("login", _ensure_login),
            Step("app", _ensure_app),
            Step("git remote", _ensure_remote),
        ),
        finish=(
            Step("database", _ensure_database),
            *((Step("redis", _ensure_redis),) if project.services.needs_redis else ()),
            Step("config vars", _ensure_config),
            *((Step("buildpacks", _ensure_buildpacks),) if needs_node(project) else ()),
            Step("push", _push),
            Step("release", _ensure_released),
            Step("open", _open),
        ),
    )
