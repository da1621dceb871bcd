"""`--automate-all` for Platform.sh and Upsun, through their CLI (`platform` or `upsun`).

A repository is linked to one project: `create --set-remote` and
`project:set-remote` record the project ID in `<config dir>/local/project.yaml`
(git-excluded) and add a git remote named after the CLI. A re-run reuses the
linked project. Without a link, a project whose title is this repository's own
title is reused (a run that stopped between creating and linking), so no run
ever makes a second project.

`create` refuses to run without `--org` whenever the CLI is not interactive,
even for a user with one organization (legacy-cli `CommandBase.php`,
selectOrganization): the organizations are listed first and the only one is
used; with several, the run stops before anything is written and names them.

The database is a service in the configuration: the push creates it. The
secret key is the project's entropy: no secret ever passes through us.
Every command and flag used here is in tests/cli_tables.py with its source file.
"""

from __future__ import annotations

import csv
import io
import re
from functools import partial
from pathlib import Path

from simple_deploy.automate import git_remotes
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

from .flavor import Flavor
from .titles import project_title

_GIT_URL = re.compile(r"^(?P<id>[a-z0-9]{12,})@git\.[\w.-]+:(?P=id)\.git$")
# What `push` prints when the environment's containers have no size yet (Flex with a
# "manual" resources strategy): legacy-cli EnvironmentPushCommand.php, exit code 87.
_NEEDS_RESOURCES = "resources must be configured"


def linked_project(git_root: Path, flavor: Flavor) -> str | None:
    """The project ID this repository is linked to, as the CLI records it."""
    link = git_root / flavor.link_file
    if link.is_file():
        match = re.search(r"^id:\s*['\"]?([a-z0-9]+)", link.read_text("utf-8"), re.MULTILINE)
        if match:
            return match.group(1)
    return None


def _linked(ctx: AutomateContext, flavor: Flavor) -> str | None:
    found = linked_project(ctx.project.git_root, flavor)
    if found:
        return found
    # A remote of any name may link the project (the product's own remote name first).
    remotes = git_remotes(ctx.project)
    for name in sorted(remotes, key=lambda n: n != flavor.remote):
        match = _GIT_URL.match(remotes[name])
        if match:
            return match.group("id")
    return None


def _cli(ctx: AutomateContext, flavor: Flavor, *args: str, **kwargs):
    # --no-interaction: a question the CLI asks would hang a non-interactive run.
    return ctx.runner.run(
        [flavor.cli, *args, "--no-interaction"], cwd=ctx.project.git_root, **kwargs
    )


# ---------------------------------------------------------------- prepare steps


def _cli_installed(flavor: Flavor, ctx: AutomateContext) -> str:
    try:
        version = _cli(ctx, flavor, "--version", timeout=60).stdout.strip()
    except ToolMissing as exc:
        raise ToolMissing(
            f"The {flavor.label} CLI (`{flavor.cli}`) is not installed or not on PATH. Install "
            f"it ({flavor.install_url}), log in with `{flavor.cli} login`, then run this "
            "command again. Nothing was changed."
        ) from exc
    return version or "installed"


def _logged_in(flavor: Flavor, ctx: AutomateContext) -> str:
    try:
        email = _cli(ctx, flavor, "auth:info", "--property", "email", timeout=120).stdout.strip()
    except CommandFailed as exc:
        raise CommandFailed(
            f"You are not logged in to {flavor.label}. Run `{flavor.cli} login` (or set "
            f"{flavor.token_var} to an API token), then run this command again.\n"
            f"The CLI said: {exc.output}",
            exc.output,
            exc.returncode,
        ) from exc
    return f"logged in as {email}"


def _projects_titled(ctx: AutomateContext, flavor: Flavor, title: str) -> list[str]:
    out = _cli(
        ctx,
        flavor,
        "projects",
        "--title",
        title,
        # Without --count 0 the list is paged (even as csv): a project past the first
        # page would look absent and be created twice.
        "--count",
        "0",
        "--format",
        "csv",
        "--columns",
        "id,title",
        "--no-header",
        timeout=300,
    ).stdout
    # --title is a case-insensitive substring search: keep exact matches only.
    return [row[0] for row in csv.reader(io.StringIO(out)) if len(row) >= 2 and row[1] == title]


def _project_property(ctx: AutomateContext, flavor: Flavor, project_id: str, name: str) -> str:
    return _cli(
        ctx, flavor, "project:info", "--project", project_id, name, timeout=300
    ).stdout.strip()


def _reuse_linked(ctx: AutomateContext, flavor: Flavor, project_id: str) -> None:
    try:
        title = _project_property(ctx, flavor, project_id, "title")
    except CommandFailed as exc:
        raise CommandFailed(
            f"This repository is linked to {flavor.label} project {project_id}, which your "
            f"account cannot see (deleted, or another account's). Remove the link "
            f"(`git remote remove {flavor.remote}` and delete {flavor.link_file}), or log in "
            "as its owner, then run this command again.",
            exc.output,
            exc.returncode,
        ) from exc
    ctx.reused.append(f"project {title} ({project_id}), linked to this repository")


def _organization(ctx: AutomateContext, flavor: Flavor) -> str:
    """The organization to create the project in: the user's choice, else the only one.

    Several organizations: stop (nothing is written yet) and name them, with the option."""
    chosen = ctx.options.get(flavor.org_option)
    if chosen:
        return str(chosen)
    try:
        out = _cli(
            ctx,
            flavor,
            "organization:list",
            "--format",
            "csv",
            "--columns",
            "name,label",
            "--no-header",
            timeout=300,
        ).stdout
    except CommandFailed as exc:
        if "No organizations found" not in exc.output:
            raise
        out = ""
    orgs = [row for row in csv.reader(io.StringIO(out)) if row and row[0].strip()]
    if len(orgs) == 1:
        return orgs[0][0]
    if not orgs:
        raise CommandFailed(
            f"Your {flavor.label} account belongs to no organization, and a project is created "
            f"in one. Create one (`{flavor.cli} organization:create`, or in the Console), then "
            "run this command again. Nothing was changed."
        )
    listed = "\n".join(f"    {row[0]}" + (f" ({row[1]})" if len(row) > 1 else "") for row in orgs)
    raise CommandFailed(
        f"You belong to several {flavor.label} organizations:\n{listed}\n"
        f"Choose the one to create the project in with {flavor.org_flag} NAME, then run this "
        "command again. Nothing was changed."
    )


def _create(ctx: AutomateContext, flavor: Flavor, title: str) -> str:
    region = ctx.options.get("region") or flavor.region
    org = _organization(ctx, flavor)
    argv = ["create", "--title", title, "--region", region, "--org", org]
    argv += ["--set-remote", "--yes"]
    # The CLI prints only the new project's ID on stdout; the rest goes to stderr.
    out = _cli(ctx, flavor, *argv, timeout=1800, label="creating the project").stdout
    project_id = out.strip().splitlines()[-1].strip() if out.strip() else ""
    if not re.fullmatch(r"[a-z0-9]+", project_id):
        raise CommandFailed(f"`{flavor.cli} create` did not print a project ID:\n{out}")
    ctx.created.append(f"project {title} ({project_id}) in {region}, organization {org}")
    ctx.facts["project_created"] = True
    return project_id


def _ensure_project(flavor: Flavor, ctx: AutomateContext) -> str:
    title = project_title(ctx.project, ctx.options)
    project_id = _linked(ctx, flavor)
    if project_id:
        _reuse_linked(ctx, flavor, project_id)
    else:
        found = _projects_titled(ctx, flavor, title)
        if len(found) > 1:
            raise CommandFailed(
                f"Several {flavor.label} projects are titled {title}: {', '.join(found)}. "
                f"Link the one to use with `{flavor.cli} project:set-remote <ID>`, then run again."
            )
        if found:
            project_id = found[0]
            _cli(ctx, flavor, "project:set-remote", project_id, timeout=300)
            ctx.reused.append(f"project {title} ({project_id}), now linked to this repository")
        else:
            project_id = _create(ctx, flavor, title)
    ctx.facts["project_id"] = project_id
    ctx.facts["project_title"] = title
    ctx.facts["branch"] = _project_property(ctx, flavor, project_id, "default_branch") or "main"
    return f"project {project_id} ({title}), production branch {ctx.facts['branch']}"


# ---------------------------------------------------------------- finish steps


def _push(flavor: Flavor, ctx: AutomateContext) -> str:
    project_id, branch = ctx.facts["project_id"], ctx.facts["branch"]
    try:
        # --activate: the production environment runs even when nothing new was pushed.
        _cli(
            ctx,
            flavor,
            "push",
            "--project",
            project_id,
            "--target",
            branch,
            "--activate",
            "--yes",
            "HEAD",
            timeout=3600,
            label=f"pushing; {flavor.label} builds and deploys",
        )
    except CommandFailed as exc:
        if not (flavor.push_resources and _NEEDS_RESOURCES in exc.output):
            raise
        _set_resources(ctx, flavor, project_id, branch)
        return f"pushed HEAD to {branch}, sized its containers (default sizes), deployed"
    return f"pushed HEAD to {branch}: built, migrated, serving"


def _set_resources(ctx: AutomateContext, flavor: Flavor, project_id: str, branch: str) -> None:
    """Flex: the push arrived, but the organization sizes new containers by hand. Give
    the app and the database (and the Redis) the platform's default sizes; setting them
    deploys. Every service with a disk needs one (legacy-cli ResourcesSetCommand.php:
    "A disk size is required for the service ..."); `redis` is the persistent Redis
    service services.yaml-tpl declares."""
    disks = "db:default,redis:default" if ctx.project.services.needs_redis else "db:default"
    _cli(
        ctx,
        flavor,
        "resources:set",
        "--project",
        project_id,
        "--environment",
        branch,
        "--size",
        "*:default",
        "--disk",
        disks,
        timeout=3600,
        label="sizing the app and database; Upsun deploys",
    )


def _url(flavor: Flavor, ctx: AutomateContext) -> str:
    out = _cli(
        ctx,
        flavor,
        "url",
        "--project",
        ctx.facts["project_id"],
        "--environment",
        ctx.facts["branch"],
        "--primary",
        "--pipe",
        timeout=300,
    ).stdout
    urls = [line.strip() for line in out.splitlines() if line.strip().startswith("https://")]
    if not urls:
        raise CommandFailed(f"`{flavor.cli} url` printed no https URL:\n{out}")
    ctx.facts["url"] = urls[0]
    return urls[0]


# A service of a Redis type in the services the configuration declares: `type: redis:7.2`
# or `redis-persistent:7.2`, indented under its name (services.yaml-tpl).
_REDIS_SERVICE = re.compile(r"^\s+type:\s*[\"']?redis(?:-persistent)?:", re.MULTILINE)


def _redis_declared(flavor: Flavor, ctx: AutomateContext) -> str:
    """The Redis is the platform's service, made by the push from the committed
    configuration (one per environment, the same one on every push): check that the
    configuration about to be pushed declares it, and name it in the summary."""
    root = ctx.project.git_root
    files = flavor.configured_in(root)
    declared = [
        f for f in files if (root / f).is_file() and _REDIS_SERVICE.search((root / f).read_text())
    ]
    if not declared:
        raise CommandFailed(
            f"Your settings read Redis ({', '.join(ctx.project.services.redis_env_names)}), but "
            f"no file of {', '.join(files) or flavor.config_dir} declares a Redis service. Run "
            f"`manage.py deploy --platform {flavor.name}` to write it, then run this again."
        )
    line = f"the Redis service declared in {declared[0]} ({flavor.redis_cost})"
    # A new project's first push makes it; an existing project's already runs it.
    (ctx.created if ctx.facts.get("project_created") else ctx.reused).append(line)
    return f"declared in {declared[0]}"


def automation(flavor: Flavor, project: Project, options: Options) -> Automation:
    """The steps for `flavor`'s CLI; a plugin binds its flavor with functools.partial."""
    region = options.get("region") or flavor.region
    redis = (
        (
            "run the Redis service the configuration declares beside the app "
            f"({flavor.redis_cost}), its URL exported as "
            f"{', '.join(project.services.redis_env_names)}",
        )
        if project.services.needs_redis
        else ()
    )
    notice = cost_notice(
        f"the `{flavor.cli}` CLI with your {flavor.label} account",
        (
            f"create or reuse the {flavor.label} project {project_title(project, options)} "
            f"in {region} (its PostgreSQL service is part of the project)",
            *redis,
            "commit the configuration, push it, and open the site",
        ),
        flavor.costs,
    )
    return Automation(
        notice=notice,
        prepare=(
            Step(f"{flavor.label} CLI", partial(_cli_installed, flavor)),
            Step("logged in", partial(_logged_in, flavor)),
            Step("project", partial(_ensure_project, flavor)),
        ),
        finish=(
            *(
                (Step("Redis service", partial(_redis_declared, flavor)),)
                if project.services.needs_redis
                else ()
            ),
            Step("push and deploy", partial(_push, flavor)),
            Step("site URL", partial(_url, flavor)),
        ),
    )
