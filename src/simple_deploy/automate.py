"""`--automate-all`: a list of idempotent "ensure" steps run through the platform's CLI.

Each step first asks the platform what exists and reuses it, so running the
command again after a failure at any step finishes the job without creating a
second app or database. A failing step stops the run with a message that names
the step, shows the CLI's own error, and says how to resume.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .plugin import Options
from .project import Project
from .runner import CommandFailed, Runner, ToolMissing

__all__ = [
    "AutomateContext",
    "Step",
    "StepFailed",
    "run_steps",
    "commit_changes",
]


@dataclass
class AutomateContext:
    """What the steps share: the project, the options, the runner, and the facts
    learned along the way (app name, URL ...). `created` and `reused` feed the
    summary: what exists on the account now, and what it costs."""

    project: Project
    options: Options
    runner: Runner
    facts: dict[str, Any] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One "ensure X" step; `run` returns a one-line account of what it did."""

    name: str
    run: Callable[[AutomateContext], str]


class StepFailed(Exception):
    """A step failed; the message names it, shows the CLI's error, and says how to resume."""


def run_steps(
    steps: Sequence[Step],
    ctx: AutomateContext,
    on_step: Callable[[str, str], None] | None = None,
    resume_hint: str = "Run the same command again: finished steps are reused, not repeated.",
) -> None:
    for step in steps:
        ctx.runner.log.add(f"step: {step.name}")
        try:
            outcome = step.run(ctx)
        except (CommandFailed, ToolMissing) as exc:
            ctx.runner.log.add(f"step failed: {step.name}: {exc}")
            raise StepFailed(
                f"Step '{step.name}' failed:\n{exc}\n\nYour local files are configured and "
                f"consistent. Fix the problem above, then resume: {resume_hint}"
            ) from exc
        ctx.runner.log.add(f"step done: {step.name}: {outcome}")
        if on_step is not None:
            on_step(step.name, outcome)


def _git(project: Project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=project.git_root, capture_output=True, text=True, check=False
    )


def commit_changes(ctx: AutomateContext, paths: Sequence[str], message: str) -> str:
    """Commit exactly `paths` (the files we wrote), never the user's other changes."""
    existing = [p for p in paths if (ctx.project.git_root / Path(p)).exists() or _tracked(ctx, p)]
    if not existing:
        return "nothing to commit"
    ctx.runner.run(["git", "add", "--", *existing], cwd=ctx.project.git_root)
    staged = _git(ctx.project, "diff", "--cached", "--name-only", "--", *existing).stdout.split()
    if not staged:
        return "nothing to commit: the configuration is already committed"
    ctx.runner.run(["git", "commit", "-m", message, "--", *existing], cwd=ctx.project.git_root)
    return f"committed {len(staged)} file(s)"


def _tracked(ctx: AutomateContext, path: str) -> bool:
    return _git(ctx.project, "ls-files", "--error-unmatch", path).returncode == 0
