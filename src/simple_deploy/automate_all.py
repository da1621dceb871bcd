"""`--automate-all`: configure the project and drive the platform's CLI to deploy it.

    checks and plan -> confirm -> prepare steps (CLI, login, app)
    -> plan again with the app's facts -> apply -> commit -> finish steps

Nothing is written before the prepare steps succeed, so a missing or
logged-out CLI leaves the project byte-for-byte unchanged. The configuration
is committed right after it is written, so a failure in a later step leaves a
clean, configured tree that the next run picks up from.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from .automate import AutomateContext, StepFailed, commit_changes, run_steps
from .configure import ConfigureError, apply_plan, prepare
from .plan import FileChange, Plan
from .plugin import Options, PlatformPlugin
from .project import Project
from .runner import CommandFailed, Runner, ToolMissing

__all__ = ["AutomateResult", "automate_all"]


def _git_identity_problem(project: Project) -> str | None:
    """The run commits the configuration: find out now if git cannot, not after writing."""
    out = subprocess.run(
        ["git", "var", "GIT_COMMITTER_IDENT"],
        cwd=project.git_root,
        capture_output=True,
        check=False,
    )
    if out.returncode == 0:
        return None
    return (
        "git does not know who you are, so the configuration could not be committed. "
        'Run `git config --global user.name "Your Name"` and '
        '`git config --global user.email "you@example.com"`, then run this command again. '
        "Nothing was changed and nothing was created."
    )


@dataclass(frozen=True)
class AutomateResult:
    plan: Plan
    written: list[FileChange]
    context: AutomateContext


def _require_cli(plugin: PlatformPlugin, runner: Runner) -> None:
    """A missing CLI is reported before the cost confirmation, not after the user said yes."""
    names = (plugin.cli, *plugin.extra.get("cli_names", ())) if plugin.cli else ()
    for name in names:
        try:
            runner.which(name)
            return
        except ToolMissing:
            continue
    if names:
        url = plugin.extra.get("cli_install_url") or plugin.docs_url
        where = f" ({url})" if url else ""
        raise ConfigureError(
            f"The {plugin.label} CLI (`{plugin.cli}`) is not installed or not on PATH. "
            f"Install it{where}, log in with it, then run this command again. Nothing was "
            "changed and nothing was created."
        )


def automate_all(
    project: Project,
    plugin: PlatformPlugin,
    options: Options,
    runner: Runner,
    *,
    confirm: Callable[[str], bool],
    on_step: Callable[[str, str], None] | None = None,
) -> AutomateResult:
    """Run the whole deployment; ConfigureError or StepFailed say where it stopped."""
    if plugin.automate is None:
        raise ConfigureError(
            f"The {plugin.label} plugin does not offer --automate-all. Run without it to "
            "configure the project, then follow the summary's steps."
        )
    prepare(project, plugin, options)  # every safety check, before anything else
    identity = _git_identity_problem(project)
    if identity:
        raise ConfigureError(identity)
    automation = plugin.automate(project, options)
    _require_cli(plugin, runner)
    if not confirm(automation.notice):
        raise ConfigureError("Cancelled: nothing was changed and nothing was created.")

    ctx = AutomateContext(project, options, runner)
    run_steps(automation.prepare, ctx, on_step, files_written=False)

    try:
        prepared = prepare(project, plugin, {**options, **ctx.facts})
        plan, written = apply_plan(prepared, runner)
    except ConfigureError as exc:
        raise StepFailed(
            f"Step 'configure' failed:\n{exc}\n\nNo local file was changed. Fix the problem "
            "above, then run the same command again."
        ) from exc
    message = f"Configure for {plugin.label} with django-simple-deploy"
    try:
        paths = [change.path for change in plan.changes] + list(plan.unignored)
        outcome = commit_changes(ctx, list(dict.fromkeys(paths)), message)
    except (CommandFailed, ToolMissing) as exc:
        raise StepFailed(
            f"Step 'commit' failed:\n{exc}\n\nYour local files are configured but not "
            "committed. Fix the problem above, commit them (`git add -A` and `git commit`), "
            "then run the same command again."
        ) from exc
    if on_step is not None:
        on_step("commit", outcome)

    run_steps(automation.finish, ctx, on_step)
    return AutomateResult(plan, written, ctx)
