"""Is the last commit what `deploy` would write now? Asked before a rehearsal, writing nothing.

`--rehearse` rehearses the commit as it is: the user's edits to generated files
win, because they are what the platform will get. It still tells the user when
that commit is not configured for the platform, or differs from what `deploy`
would write today (a newer version of this tool, a line removed on purpose), and
which command brings it up to date. The plan is computed against HEAD's own
content, in a scratch copy, so uncommitted work neither hides nor causes a
difference and nothing in the user's folder is touched.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .configure import build_plan
from .plugin import Options, PlatformPlugin
from .project import InspectionError, Project, inspect
from .rehearsal.commit import export_head
from .rehearsal.report import StepFailed
from .runtime import Runtime

__all__ = ["Drift", "compare_head"]

_TIMEOUT = 120.0


@dataclass(frozen=True)
class Drift:
    """What the last commit holds compared with what `deploy` would write now.

    `runtime` and `package_manager` are read from the commit itself (None when it
    could not be inspected: the caller then uses the working tree's).
    """

    head: str
    configured: bool
    differing: tuple[str, ...]
    error: str = ""
    runtime: Runtime | None = None
    package_manager: str | None = None

    def message(self, plugin: PlatformPlugin) -> str:
        command = f"python manage.py deploy --platform {plugin.name}"
        commit = f"The last commit ({self.head})" if self.head else "The last commit"
        if self.error:
            return (
                f"Could not compare the last commit with what `{command}` would write now "
                f"({self.error}). Rehearsing the commit as it is."
            )
        if not self.configured:
            return (
                f"{commit} is not configured for {plugin.label}: run `{command}`, commit "
                "the changes, and rehearse again. Rehearsing the commit as it is."
            )
        if self.differing:
            return (
                f"{commit} differs from what `{command}` would write now: "
                f"{', '.join(self.differing)}. Rehearsing the commit as it is: your edits "
                f"are what {plugin.label} will get. To take the current configuration "
                f"instead, see the differences with `{command} --dry-run`, then run it "
                "without --dry-run and commit."
            )
        return f"{commit} holds the configuration `{command}` would write now."


def compare_head(
    project: Project,
    plugin: PlatformPlugin,
    options: Options,
    inspector: Callable[[Path], Project] = inspect,
) -> Drift:
    """Plan the platform's changes against HEAD's content, in a scratch copy; write nothing.

    `inspector` inspects the copy from the folder holding manage.py: the caller
    passes the same choices it inspected the working tree with (settings module).
    """
    scratch = Path(tempfile.mkdtemp(prefix="simple-deploy-head-"))
    try:
        root = scratch / "head"
        try:
            head = export_head(project.git_root, root, _TIMEOUT)
            _make_repository(root)
            committed = inspector(root.joinpath(*PurePosixPath(project.manage_dir_rel).parts))
        except (StepFailed, InspectionError, OSError, subprocess.SubprocessError) as exc:
            return Drift("", False, (), error=str(exc).strip().splitlines()[0])
        try:
            plan = build_plan(committed, plugin, options)
            runtime = plugin.runtime(committed)
        except Exception as exc:  # a plugin's own error must not stop the rehearsal
            return Drift(head, False, (), error=f"{type(exc).__name__}: {exc}")
        return Drift(
            head,
            configured=plugin.name in committed.configured_for,
            differing=tuple(change.path for change in plan.effective),
            runtime=runtime,
            package_manager=committed.package_manager,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _make_repository(root: Path) -> None:
    """Inspection asks git where the project starts (and what it tracks): give it a repository."""
    git = shutil.which("git") or "git"
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(
            [git, *args],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=_TIMEOUT,
        )
