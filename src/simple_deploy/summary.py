"""The friendly summary: what changed and why, what to do next, where to read more.

Written by the core from the plan and the plugin's Guide, so every platform's
summary has the same shape. Shown in the terminal and saved as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from .plan import FileChange, Plan
from .plugin import Guide, PlatformPlugin
from .project import Project

__all__ = ["render_summary"]


def _changed_lines(changes: Sequence[FileChange]) -> list[str]:
    if not changes:
        return ["- Nothing to change: the project was already configured."]
    return [f"- `{c.path}` ({c.action}d): {c.reason}" for c in changes]


def render_summary(
    project: Project,
    plugin: PlatformPlugin,
    plan: Plan,
    guide: Guide,
    written: Sequence[FileChange],
    *,
    dry_run: bool = False,
) -> str:
    """The summary as Markdown (it reads fine as plain text in a terminal)."""
    title = "would configure" if dry_run else "configured"
    out = [f"# django-simple-deploy {title} this project for {plugin.label}", ""]
    out += ["## What changed, and why", ""]
    out += _changed_lines(written)
    out += [f"- {note}" for note in plan.notes]
    if plan.requirements:
        specs = ", ".join(f"`{r.spec}`" for r in plan.requirements)
        out.append(f"- Production requirements added: {specs}.")
    out += ["", "Nothing was created on any account and nothing was committed.", ""]
    if guide.finish:
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
        "",
        f"## Read more in {plugin.label}'s documentation",
        "",
    ]
    out += [f"- {title}: {url}" for title, url in guide.links]
    return "\n".join(out) + "\n"
