"""Safety checks that run before anything is written.

Each check returns messages that say what is wrong and how to fix it; any
message stops the run with zero bytes changed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from . import git_status
from .changes import case_collisions
from .git_status import GitStatus, read_status
from .log import LOG_DIR_NAME
from .package_managers import get
from .plan import Plan
from .project import Project
from .runner import clean_env

__all__ = [
    "git_tree_problems",
    "tracked_venv_problems",
    "settings_problems",
    "manager_problems",
    "case_collision_problems",
    "ignored_needed_message",
]


def _git_lines(root: Path, *args: str) -> list[str] | None:
    """Lines of a git command's output; None if it failed (no commit yet ...)."""
    out = subprocess.run(
        # quotePath=false: name non-ASCII files as the user sees them, not as octal escapes.
        ["git", "-c", "core.quotePath=false", *args],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if out.returncode != 0:
        return None
    return [line for line in out.stdout.decode("utf-8", errors="replace").splitlines() if line]


def _uncommitted(root: Path, status: GitStatus | None) -> list[str]:
    """Changed and untracked files, by content after git's line-ending conversion.

    What git status (inspection's) thinks changed is confirmed with `git diff`: when
    a file's size changed (an editor or core.autocrlf turned LF into CRLF) status
    reports it modified without comparing content, although `git diff` shows nothing
    to commit. A clean tree, the usual case, costs no second command.
    """
    if status is None:
        return []
    untracked = [f"?? {path}" for path in status.untracked]
    if status.head is None:  # no commit yet: everything is uncommitted
        return list(status.changed) + untracked
    if not status.changed:
        return untracked
    tracked = _git_lines(root, "diff", "--name-status", "HEAD") or []
    return [line.replace("\t", "  ", 1) for line in tracked] + untracked


def git_tree_problems(project: Project) -> list[str]:
    """Uncommitted changes make our changes hard to review or undo: refuse them."""
    status = project.git if project.git is not None else read_status(project.git_root)
    lines = [line for line in _uncommitted(project.git_root, status) if LOG_DIR_NAME not in line]
    if not lines:
        return []
    listed = "\n".join(f"    {line}" for line in lines[:8])
    more = f"\n    ... and {len(lines) - 8} more" if len(lines) > 8 else ""
    return [
        "Your git working tree has uncommitted changes:\n"
        f"{listed}{more}\n"
        "Commit them (or stash them) first, so the changes this command makes can be "
        "reviewed with `git diff` and undone with `git checkout .`. To go ahead anyway, "
        "add --ignore-unclean-git."
    ]


def tracked_venv_problems(project: Project) -> list[str]:
    """A virtual environment committed to git would be pushed to the platform.

    Its interpreter links point at this machine's Python (`bin/python ->
    /usr/bin/python3.12`), its packages are built for this machine, and it can
    hold hundreds of megabytes: every platform builds its own environment from
    the dependency files, so a committed one is only weight and broken links.
    A new user without a .gitignore commits one with `git add -A`.
    """
    # Only the pyvenv.cfg files, not the whole index.
    tracked = [
        name
        for name in git_status.tracked_named(project.git_root) or ()
        if name.rpartition("/")[2] == "pyvenv.cfg"
    ]
    venvs = sorted({name.rpartition("/")[0] or "." for name in tracked})
    if not venvs:
        return []
    if "." in venvs:
        return [
            "The repository's root is a virtual environment (git tracks its pyvenv.cfg). "
            "Nothing was changed. Keep the environment outside the repository (or in a "
            "`.venv` folder that `.gitignore` lists), and commit only your project."
        ]
    names = ", ".join(f"`{v}/`" for v in venvs)
    remove = " ".join(venvs)
    ignore = " ".join(f"{v}/" for v in venvs)
    return [
        f"Git tracks a virtual environment: {names}. It would be pushed to the platform, "
        "which builds its own from your dependency files (its links point at this "
        "machine's Python). Nothing was changed. Untrack it and ignore it, then run "
        f"again: `git rm -r --cached {remove}`, add `{ignore}` to .gitignore, then "
        '`git add .gitignore` and `git commit -m "Stop tracking the virtual environment"`.'
    ]


def _imported_here(project: Project) -> bool:
    """True when this process already imported the settings file we will extend.

    `manage.py deploy` runs with the settings manage.py names; when those are the
    ones we extend, they demonstrably import, and a second interpreter would only
    cost start-up time (the largest part of a configuration run after Django's own).
    """
    module = sys.modules.get(project.settings_module)
    path = getattr(module, "__file__", None)
    return path is not None and Path(path).resolve() == project.settings_file.resolve()


def _import_failure(project: Project, error: str) -> list[str]:
    needed = "".join(f" {var.name}=<value>" for var in project.required_env)
    command = project.check_command().replace(" python", f"{needed} python", 1)
    return [
        f"The settings module {project.settings_module} ({project.settings_rel}) cannot be "
        f"imported: {error}\nReproduce it with `{command}`, fix the error, and run again."
    ]


def _at(where: str | None) -> str:
    path, _, line = (where or "").rpartition(":")
    return f" ({path}, line {line})" if path else ""


def _advice(path: str) -> str:
    """What the project needs instead of a git-ignored path, by its kind."""
    if path.endswith("/"):
        return (
            f"Create {path} before it is used (in the settings: "
            "`Path(...).mkdir(parents=True, exist_ok=True)`), or point the setting that "
            "uses it at a path read from an environment variable the platform sets; files "
            "written there on the platform are lost at each deploy, so keep data the app "
            "needs in its database."
        )
    if path.endswith(".py"):
        name = path.rsplit("/", 1)[-1]
        return (
            f"Include {name} only where it exists: with django-split-settings, "
            f'`optional("{name}")`; with a plain import, `try: from .{name[:-3]} import *` '
            "then `except ImportError: pass`; or include it only when a variable your "
            "platform does not set says this is your machine."
        )
    return (
        f"Give what {path} holds through the platform's environment variables, and read "
        "it only when it exists."
    )


def ignored_needed_message(project: Project) -> str:
    """Why the platform's import fails: the git-ignored paths it lacks, and what to do.
    Empty when the settings need none (or a platform variable does without them)."""
    missing = project.ignored_needed
    if not missing or project.platform_switch:
        return ""
    listed = ", ".join(missing)
    if len(missing) == 1:
        lack = f"git ignores {listed}, which your settings need at import"
        advice = _advice(missing[0])
    else:
        lack = f"git ignores {listed}, and your settings import here with them but not without them"
        advice = " ".join(dict.fromkeys(_advice(path) for path in missing))
    return (
        f"The platform builds from your commit, and {lack}{_at(project.ignored_needed_at)}: "
        f"without {'it' if len(missing) == 1 else 'them'} the settings fail with "
        f"`{project.import_error}`. {advice} Then commit, and run again."
    )


def settings_problems(project: Project) -> list[str]:
    """The settings module we will extend must import cleanly on its own.

    Inspection already imported it (with placeholders for the variables it needs)
    when it looked for the environment the settings read; its verdict is used.
    """
    lacking = ignored_needed_message(project)
    if lacking:
        return [f"{lacking} Nothing was changed."]
    if project.import_error:
        return _import_failure(project, project.import_error)
    if project.settings_probed or _imported_here(project):
        return []
    code = (
        "import importlib, sys; sys.path.insert(0, sys.argv[1]); "
        "importlib.import_module(sys.argv[2])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(project.manage_dir), project.settings_module],
        cwd=project.manage_dir,
        capture_output=True,
        env=clean_env(),
        check=False,
        timeout=120,
    )
    if out.returncode == 0:
        return []
    error = out.stderr.decode("utf-8", errors="replace").strip().splitlines()
    return _import_failure(project, error[-1] if error else "unknown error")


def manager_problems(project: Project) -> list[str]:
    if project.dependencies is not None:
        return (
            list(project.dependencies.problems)
            + _django_pin_problems(project)
            + _template_library_problems(project)
        )
    return get(project.package_manager).check(project.git_root)


def _django_pin_problems(project: Project) -> list[str]:
    """Declared packages whose installed release requires another Django (django_pins)."""
    import django

    from . import django_pins

    deps = project.deps
    running = django.get_version()  # the full release: project.django_version is X.Y
    found = django_pins.refusals(deps.present, running)
    return [django_pins.message(found, running, deps.target)] if found else []


def _template_library_problems(project: Project) -> list[str]:
    """Template libraries that do not import on this Django (template_libraries)."""
    import django

    from . import template_libraries

    broken = template_libraries.broken_libraries()
    if not broken:
        return []
    return [template_libraries.message(broken, django.get_version(), project.deps.target)]


def case_collision_problems(project: Project, plan: Plan) -> list[str]:
    """Files the plan writes that would be one file with a user's file on Windows or macOS."""
    return case_collisions(project.git_root, [change.path for change in plan.effective])
