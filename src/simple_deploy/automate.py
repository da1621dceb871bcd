"""`--automate-all` building blocks: idempotent "ensure" steps run through a platform's CLI.

Each step first asks the platform what exists and reuses it, so running the
command again after a failure at any step finishes the job without creating a
second app or database. A failing step stops the run with a message that names
the step, shows the CLI's own error, and says how to resume.

This module knows no platform: plugins build their steps from these parts, and
`automate_all.py` runs them around the configuration.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .parsing import ReadError, shape_errors
from .project import Project
from .runner import CommandFailed, Runner, ToolMissing

__all__ = [
    "AutomateContext",
    "Automation",
    "Step",
    "StepFailed",
    "run_steps",
    "commit_changes",
    "git_remote_url",
    "git_remotes",
]


@dataclass
class AutomateContext:
    """What the steps share.

    `facts` are learned along the way and read by later steps and by the
    plugin's `plan` (the core passes them in the options mapping): an app name,
    the public host, the URL. `created` and `reused` feed the summary, one line
    each: what exists on the account now and what it costs.
    """

    project: Project
    options: Mapping[str, Any]
    runner: Runner
    facts: dict[str, Any] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One "ensure X" step; `run` returns a one-line account of what it did."""

    name: str
    run: Callable[[AutomateContext], str]


@dataclass(frozen=True)
class Automation:
    """A platform's `--automate-all` recipe.

    - `notice`: shown before the user confirms: what will be created on the
      account and what it costs, in words.
    - `prepare`: steps before any file is written: the CLI is installed and
      logged in, the app exists (created or reused). They may set facts that
      the plugin's `plan` needs (the app name, its host).
    - `finish`: steps after the configuration is written and committed:
      database, secrets, push or deploy, open the site.
    """

    notice: str
    prepare: tuple[Step, ...]
    finish: tuple[Step, ...]


def cost_notice(account: str, actions: Sequence[str], costs: str) -> str:
    """The confirmation every platform shows before `--automate-all` spends money.

    One shape for all of them, so a user who deployed to one platform reads the
    next one's the same way: whose account, each thing it will create or reuse
    (with its price where it has one), then what the costs depend on.
    """
    listed = "\n".join(
        f"  - {action}{'.' if i == len(actions) - 1 else ';'}" for i, action in enumerate(actions)
    )
    return f"--automate-all will use {account} to:\n{listed}\nCosts: {costs}"


class StepFailed(Exception):
    """A step failed; the message names it, shows the CLI's error, and says how to resume."""


RESUME_HINT = "run the same command again: finished steps are reused, not repeated."


def run_steps(
    steps: Sequence[Step],
    ctx: AutomateContext,
    on_step: Callable[[str, str], None] | None = None,
    *,
    files_written: bool = True,
) -> None:
    """Run `steps` in order; StepFailed at the first failure."""
    for step in steps:
        ctx.runner.log.add(f"step: {step.name}")
        try:
            outcome = step.run(ctx)
        except (CommandFailed, ToolMissing, ReadError, *shape_errors()) as exc:
            if isinstance(exc, shape_errors()):
                # The CLI answered in a shape the plugin did not expect (a key
                # missing, a list for an object): say so, naming the command.
                exc = CommandFailed(
                    f"The output of `{ctx.runner.last_command}` was not in the shape expected "
                    f"({type(exc).__name__}: {exc}). Update the CLI, then run again."
                )
            ctx.runner.log.add(f"step failed: {step.name}: {exc}")
            state = (
                "Your local files are configured and committed."
                if files_written
                else "No local file was changed."
            )
            raise StepFailed(
                f"Step '{step.name}' failed:\n{exc}\n\n{state} Fix the problem above, then "
                f"resume: {RESUME_HINT}"
            ) from exc
        ctx.runner.log.add(f"step done: {step.name}: {outcome}")
        if on_step is not None:
            on_step(step.name, outcome)


def _git(project: Project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", *args], cwd=project.git_root, capture_output=True, text=True, check=False
    )


def git_remote_url(project: Project, remote: str) -> str | None:
    """The URL of `remote` in the user's repository, or None if there is no such remote."""
    out = _git(project, "remote", "get-url", remote)
    return out.stdout.strip() if out.returncode == 0 else None


def git_remotes(project: Project) -> dict[str, str]:
    """Every git remote of the user's repository, name -> URL, read locally.

    A repository may be linked to an app by a remote of any name (`production`,
    `staging`) and in any URL form: plugins look at all of them before they
    create anything, so an existing (paid) app is never made twice.
    """
    out = _git(project, "config", "--get-regexp", r"^remote\..*\.url$").stdout
    remotes = {}
    for line in out.splitlines():
        key, _, url = line.partition(" ")
        remotes[key.removeprefix("remote.").removesuffix(".url")] = url
    return remotes


def commit_changes(ctx: AutomateContext, paths: Sequence[str], message: str) -> str:
    """Commit exactly `paths` (the files we wrote), never the user's other changes."""
    root = ctx.project.git_root
    existing = [p for p in paths if (root / Path(p)).exists() or _tracked(ctx, p)]
    if not existing:
        return "nothing to commit"
    ctx.runner.run(["git", "add", "--", *existing], cwd=root)
    staged = _git(ctx.project, "diff", "--cached", "--name-only", "--", *existing).stdout.split()
    if not staged:
        return "nothing to commit: the configuration is already committed"
    ctx.runner.run(["git", "commit", "-q", "-m", message, "--", *existing], cwd=root)
    return f"committed {len(staged)} file(s)"


def _tracked(ctx: AutomateContext, path: str) -> bool:
    return _git(ctx.project, "ls-files", "--error-unmatch", path).returncode == 0
