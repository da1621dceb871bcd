"""The friendly summary: what changed and why, what to do next, where to read more.

Written by the core from the plan and the plugin's Guide, so every platform's
summary has the same shape. Shown in the terminal and saved as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .plan import FileChange, Plan
from .plugin import Guide, PlatformPlugin
from .project import Project

if TYPE_CHECKING:
    from .automate import AutomateContext

__all__ = ["render_summary", "terminal_summary"]

# Every settings block reads email settings the same way (plugin.email_settings).
# A plugin's Guide.email says how to set them on its platform.
_EMAIL = (
    "set `EMAIL_URL` (`smtp+tls://USER:PASSWORD@HOST:587`, from an SMTP provider) and "
    "`DEFAULT_FROM_EMAIL` on the platform; until then sending mail fails with an error in "
    "the log, and nothing is sent."
)


def _changed_lines(changes: Sequence[FileChange]) -> list[str]:
    if not changes:
        return ["- Nothing to change: the project was already configured."]
    return [f"- `{c.path}` ({c.action}d): {c.reason}" for c in changes]


def process_table(rows: Sequence[tuple[str, str, str, str]]) -> list[str]:
    """The processes the configuration declares, as a Markdown table (none: no lines)."""
    if not rows:
        return []
    out = ["", "## Processes", "", "| Process | What runs it | Cost | Scale or stop |"]
    out.append("|---|---|---|---|")
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return out


def render_summary(
    project: Project,
    plugin: PlatformPlugin,
    plan: Plan,
    guide: Guide,
    written: Sequence[FileChange],
    *,
    dry_run: bool = False,
    automated: AutomateContext | None = None,
) -> str:
    """The summary as Markdown (it reads fine as plain text in a terminal).

    With `automated`, the run also drove the platform: the summary says what
    exists on the account, the site's URL, and skips the manual steps.
    """
    if automated is not None:
        title = "deployed"
    else:
        title = "would configure" if dry_run else "configured"
    out = [f"# django-simple-deploy {title} this project for {plugin.label}", ""]
    url = automated.facts.get("url") if automated is not None else None
    if url:
        out += [f"Your site: {url}", ""]
    out += ["## What changed, and why", ""]
    out += _changed_lines(written)
    out += [f"- {note}" for note in plan.notes]
    specs = [r.spec for r in plan.requirements]
    # The manifest's own line usually names them already: say each thing once.
    if specs and not any(all(s in c.reason for s in specs) for c in written):
        listed = ", ".join(f"`{s}`" for s in specs)
        out.append(f"- Production requirements added: {listed}.")
    out += process_table(guide.processes)
    if automated is None:
        out += ["", "Nothing was created on any account and nothing was committed.", ""]
    else:
        out += ["", f"The configuration was committed and deployed to {plugin.label}.", ""]
        out += [f"## On your {plugin.label} account", ""]
        out += [f"- Created: {line}" for line in automated.created]
        out += [f"- Reused: {line}" for line in automated.reused]
        if not automated.created and not automated.reused:
            out.append("- Nothing was created.")
        out.append("")
    if guide.finish and automated is None:
        out += ["## To finish the deployment", ""]
        out += [f"{i}. {step}" for i, step in enumerate(guide.finish, 1)]
        out.append("")
    if guide.costs:
        out += [f"Costs: {guide.costs}", ""]
    out += ["## After that", ""]
    out += [
        f"- Redeploy after local changes: {guide.redeploy}",
        f"- See the logs: {guide.logs}",
        f"- Run a management command there: {guide.run_command}",
        f"- Open a shell there: {guide.remote_shell}",
        f"- Scale: {guide.scale}",
        f"- Roll back: {guide.rollback}",
        f"- Send email: {guide.email or _EMAIL}",
        "",
        f"## Read more in {plugin.label}'s documentation",
        "",
    ]
    out += [f"- {title}: {url}" for title, url in guide.links]
    return "\n".join(out) + "\n"


# Sections kept for the saved summary only: the terminal shows what changed and what
# to do next, once, and points at the file for the rest.
_SAVED_ONLY = ("## After that", "## Read more in ")


def terminal_summary(summary: str, saved_as: str) -> str:
    """The summary as the terminal shows it: what changed, the next commands, and
    where the whole summary (redeploy, logs, shell, scale, roll back, email, links) is."""
    kept: list[str] = []
    skipping = False
    for line in summary.splitlines():
        if line.startswith("## "):
            skipping = line.startswith(_SAVED_ONLY)
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    kept += [
        "",
        f"The full summary (how to redeploy, see logs, open a shell, scale, roll back, send "
        f"email, and links to the docs) is saved as {saved_as}; the log of every step is "
        "beside it.",
    ]
    return "\n".join(kept) + "\n"
