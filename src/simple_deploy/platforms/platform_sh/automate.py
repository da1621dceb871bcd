"""`--automate-all` for Platform.sh, through the `platform` CLI.

A repository is linked to one project: `platform create --set-remote` and
`platform project:set-remote` record the project ID in
`.platform/local/project.yaml` (git-excluded) and add a `platform` git remote.
A re-run reuses the linked project. Without a link, a project whose title is
this repository's own title is reused (a run that stopped between creating
and linking), so no run ever makes a second project.

The database is a service in `.platform/services.yaml`: the push creates it.
The secret key is the project's entropy: no secret ever passes through us.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
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
)

DEFAULT_REGION = "eu-3.platform.sh"
LINK_FILE = ".platform/local/project.yaml"
COSTS = (
    "A Platform.sh project is billed monthly once any free trial ends (the PostgreSQL "
    "service is part of the project's plan, not billed separately); delete the project "
    "in the Console to stop the charges."
)
_GIT_URL = re.compile(r"^(?P<id>[a-z0-9]{12,})@git\.[\w.-]+:(?P=id)\.git$")
_INSTALL_HELP = (
    "The Platform.sh CLI (`platform`) is not installed or not on PATH. Install it "
    "(https://docs.platform.sh/administration/cli.html), log in with `platform login`, "
    "then run this command again. Nothing was changed."
)


def project_title(project: Project, options: Options) -> str:
    """The title to create or find: the user's choice, else the folder name plus a
    short hash of this repository (root commit and path), so two projects of one
    account never share a title even when their folders have the same name."""
    if options.get("deployed_project_name"):
        return str(options["deployed_project_name"])
    root_commit = subprocess.run(
        ["git", "rev-list", "--max-parents=0", "HEAD"],
        cwd=project.git_root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    seed = f"{root_commit[0] if root_commit else ''}:{project.git_root}"
    slug = re.sub(r"[^a-z0-9-]+", "-", project.git_root.name.lower()).strip("-") or "django"
    return f"{slug}-{hashlib.sha256(seed.encode()).hexdigest()[:6]}"


def linked_project(git_root: Path) -> str | None:
    """The project ID this repository is linked to, as the CLI records it."""
    link = git_root / LINK_FILE
    if link.is_file():
        match = re.search(r"^id:\s*['\"]?([a-z0-9]+)", link.read_text("utf-8"), re.MULTILINE)
        if match:
            return match.group(1)
    return None


def _linked(ctx: AutomateContext) -> str | None:
    found = linked_project(ctx.project.git_root)
    if found:
        return found
    # A remote of any name may link the project (`platform` first).
    remotes = git_remotes(ctx.project)
    for name in sorted(remotes, key=lambda n: n != "platform"):
        match = _GIT_URL.match(remotes[name])
        if match:
            return match.group("id")
    return None


def _platform(ctx: AutomateContext, *args: str, **kwargs):
    # --no-interaction: a question the CLI asks would hang a non-interactive run.
    return ctx.runner.run(
        ["platform", *args, "--no-interaction"], cwd=ctx.project.git_root, **kwargs
    )


# ---------------------------------------------------------------- prepare steps


def _cli_installed(ctx: AutomateContext) -> str:
    try:
        version = _platform(ctx, "--version", timeout=60).stdout.strip()
    except ToolMissing as exc:
        raise ToolMissing(_INSTALL_HELP) from exc
    return version or "installed"


def _logged_in(ctx: AutomateContext) -> str:
    try:
        email = _platform(ctx, "auth:info", "--property", "email", timeout=120).stdout.strip()
    except CommandFailed as exc:
        raise CommandFailed(
            "You are not logged in to Platform.sh. Run `platform login` (or set "
            "PLATFORM_CLI_TOKEN to an API token), then run this command again.\n"
            f"The CLI said: {exc.output}",
            exc.output,
            exc.returncode,
        ) from exc
    return f"logged in as {email}"


def _projects_titled(ctx: AutomateContext, title: str) -> list[str]:
    out = _platform(
        ctx,
        "projects",
        "--title",
        title,
        "--format",
        "csv",
        "--columns",
        "id,title",
        "--no-header",
        timeout=300,
    ).stdout
    # --title is a case-insensitive substring search: keep exact matches only.
    return [row[0] for row in csv.reader(io.StringIO(out)) if len(row) >= 2 and row[1] == title]


def _project_property(ctx: AutomateContext, project_id: str, name: str) -> str:
    return _platform(ctx, "project:info", "--project", project_id, name, timeout=300).stdout.strip()


def _reuse_linked(ctx: AutomateContext, project_id: str) -> None:
    try:
        title = _project_property(ctx, project_id, "title")
    except CommandFailed as exc:
        raise CommandFailed(
            f"This repository is linked to Platform.sh project {project_id}, which your "
            "account cannot see (deleted, or another account's). Remove the link "
            f"(`git remote remove platform` and delete {LINK_FILE}), or log in as its "
            "owner, then run this command again.",
            exc.output,
            exc.returncode,
        ) from exc
    ctx.reused.append(f"project {title} ({project_id}), linked to this repository")


def _create(ctx: AutomateContext, title: str) -> str:
    region = ctx.options.get("region") or DEFAULT_REGION
    org = ctx.options.get("platform_sh_org")
    argv = ["create", "--title", title, "--region", region, "--set-remote", "--yes"]
    argv += ["--org", org] if org else []
    # The CLI prints only the new project's ID on stdout; the rest goes to stderr.
    out = _platform(ctx, *argv, timeout=1800, label="creating the project").stdout
    project_id = out.strip().splitlines()[-1].strip() if out.strip() else ""
    if not re.fullmatch(r"[a-z0-9]+", project_id):
        raise CommandFailed(f"`platform create` did not print a project ID:\n{out}")
    ctx.created.append(f"project {title} ({project_id}) in {region}: {COSTS}")
    return project_id


def _ensure_project(ctx: AutomateContext) -> str:
    title = project_title(ctx.project, ctx.options)
    project_id = _linked(ctx)
    if project_id:
        _reuse_linked(ctx, project_id)
    else:
        found = _projects_titled(ctx, title)
        if len(found) > 1:
            raise CommandFailed(
                f"Several Platform.sh projects are titled {title}: {', '.join(found)}. Link "
                "the one to use with `platform project:set-remote <ID>`, then run again."
            )
        if found:
            project_id = found[0]
            _platform(ctx, "project:set-remote", project_id, timeout=300)
            ctx.reused.append(f"project {title} ({project_id}), now linked to this repository")
        else:
            project_id = _create(ctx, title)
    ctx.facts["project_id"] = project_id
    ctx.facts["project_title"] = title
    ctx.facts["branch"] = _project_property(ctx, project_id, "default_branch") or "main"
    return f"project {project_id} ({title}), production branch {ctx.facts['branch']}"


# ---------------------------------------------------------------- finish steps


def _push(ctx: AutomateContext) -> str:
    project_id, branch = ctx.facts["project_id"], ctx.facts["branch"]
    # --activate: the production environment runs even when nothing new was pushed.
    _platform(
        ctx,
        "push",
        "--project",
        project_id,
        "--target",
        branch,
        "--activate",
        "--yes",
        "HEAD",
        timeout=3600,
        label="pushing; Platform.sh builds and deploys",
    )
    return f"pushed HEAD to {branch}: built, migrated, serving"


def _url(ctx: AutomateContext) -> str:
    out = _platform(
        ctx,
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
        raise CommandFailed(f"`platform url` printed no https URL:\n{out}")
    ctx.facts["url"] = urls[0]
    return urls[0]


def automation(project: Project, options: Options) -> Automation:
    region = options.get("region") or DEFAULT_REGION
    notice = (
        "django-simple-deploy will use the `platform` CLI to create (or reuse) the Platform.sh "
        f"project {project_title(project, options)} in {region}, commit the configuration, "
        f"push it, and open the site.\n{COSTS}"
    )
    return Automation(
        notice=notice,
        prepare=(
            Step("Platform.sh CLI", _cli_installed),
            Step("logged in", _logged_in),
            Step("project", _ensure_project),
        ),
        finish=(Step("push and deploy", _push), Step("site URL", _url)),
    )
