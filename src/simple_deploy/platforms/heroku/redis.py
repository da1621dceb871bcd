"""Heroku `--automate-all`: one Heroku Key-Value Store (Redis) add-on, under every name
the settings read.

The add-on is created once (`heroku addons:create heroku-redis:PLAN --as=NAME`) and
reused on every later run: the app's add-ons are looked at first, so a re-run never
makes a second paid instance. Each name the settings read that ends in `_URL` gets
an attachment (`heroku addons:attach ADDON --as=STEM`, heroku/cli
src/commands/addons/attach.ts: POST /addon-attachments), so Heroku sets `STEM_URL`
itself and keeps it current when it rotates the credentials
(https://devcenter.heroku.com/articles/heroku-redis#connecting-to-heroku-redis).
A name that cannot be an attachment (no `_URL` ending) gets a copy of the URL as a
config var, set through the API like SECRET_KEY. The URL is never on a command line
nor in the log: `heroku config --json`'s values are kept out of the log by the runner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simple_deploy.plugin import AutomateContext, CommandFailed

SERVICE = "heroku-redis"
# The cheapest plan ($3 a month in 2026): https://elements.heroku.com/addons/heroku-redis
DEFAULT_PLAN = "heroku-redis:mini"
# The Platform API's attachment-name rule; the config var is NAME_URL.
_ATTACHMENT = re.compile(r"[A-Z][A-Z0-9_]*")
# `addons:create` prints "Created redis-xyz as REDIS_URL" (src/lib/addons/create-addon.ts,
# formatConfigVarsMessage); colours only on a terminal, stripped here anyway.
_CREATED = re.compile(r"Created (\S+) as ")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

__all__ = ["DEFAULT_PLAN", "attachments_and_copies", "ensure_redis"]


def attachments_and_copies(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The attachment names (`STEM` for each `STEM_URL`) and the names that get a copy."""
    stems, copies = [], []
    for name in names:
        stem = name.removesuffix("_URL")
        if stem != name and _ATTACHMENT.fullmatch(stem):
            stems.append(stem)
        else:
            copies.append(name)
    return stems, copies


def _addon(addons: Sequence[dict]) -> dict | None:
    return next(
        (a for a in addons if (a.get("addon_service") or {}).get("name") == SERVICE),
        None,
    )


def ensure_redis(ctx: AutomateContext, heroku, app_info, config_of, plan: str) -> str:
    """Create or reuse the app's Redis and attach it under every `_URL` name it lacks.

    `heroku(ctx, *args, ...)` runs the CLI, `app_info(ctx, app)` is `apps:info --json`,
    `config_of(ctx)` the app's config vars (read once and kept in `ctx.facts["config"]`
    for the config-vars step, which also sets the copies). A name the app already has
    is the user's (or an earlier run's) and is left as it is.
    """
    app = ctx.facts["app_name"]
    names = ctx.project.services.redis_env_names
    stems, copies = attachments_and_copies(names)
    addons = ctx.facts.get("addons")
    if addons is None:  # resumed without apps:info in this run: ask once
        addons = (app_info(ctx, app) or {}).get("addons") or []
    addon = _addon(addons)
    # An app this run created has only what its add-ons set: nothing to read.
    present = set() if ctx.facts.get("created_now") else set(config_of(ctx))
    stems = [stem for stem in stems if f"{stem}_URL" not in present]
    copies = [name for name in copies if name not in present]
    if addon is None and not stems and not copies:
        # Every name already points at a Redis (one the user chose): nothing is made.
        ctx.reused.append(f"the Redis your config vars {', '.join(names)} already name")
        return "every Redis name is already set"
    done: list[str] = []
    if addon is None:
        first = stems.pop(0) if stems else None
        args = ["addons:create", plan, "--wait", f"--app={app}"]
        if first:
            args.append(f"--as={first}")
        result = heroku(ctx, *args, label=f"Creating Heroku Key-Value Store ({plan})", timeout=900)
        found = _CREATED.search(_ANSI.sub("", result.stdout))
        if found:
            addon_name = found[1]
        else:  # an older or newer CLI's wording: ask the app instead
            addon = _addon((app_info(ctx, app) or {}).get("addons") or [])
            if addon is None:
                raise CommandFailed(
                    f"`heroku addons:create {plan}` finished but the app lists no {SERVICE} "
                    f"add-on. See `heroku addons --app={app}`, then run this command again."
                )
            addon_name = addon["name"]
        ctx.created.append(
            f"Heroku Key-Value Store {addon_name} on plan {plan}: billed monthly while it exists"
        )
        done.append(f"created {addon_name} ({plan})" + (f" as {first}_URL" if first else ""))
        source = f"{first or 'REDIS'}_URL"
    else:
        addon_name = addon["name"]
        ctx.reused.append(f"Heroku Key-Value Store {addon_name} ({addon['plan']['name']})")
        done.append(f"reusing {addon_name}")
        source = next((f"{s}_URL" for s in attachments_and_copies(names)[0]), "REDIS_URL")
    for stem in stems:
        # Not `--confirm`: only names the app does not have are attached.
        heroku(ctx, "addons:attach", addon_name, f"--app={app}", f"--as={stem}")
        done.append(f"attached as {stem}_URL")
    if copies:
        ctx.facts.pop("config", None)  # read again: the add-on has just set its URL
        url = config_of(ctx).get(source)
        if not url:
            raise CommandFailed(
                f"The Redis add-on {addon_name} set no {source} yet. Check it with "
                f"`heroku addons:info {addon_name}`, then run this command again."
            )
        ctx.runner.log.add_secret(url)
        # Set with the other config vars, in one release.
        ctx.facts["redis_copies"] = dict.fromkeys(copies, url)
        done.append(f"copied to {', '.join(copies)}")
    return "; ".join(done)
