"""Configuration-only mode: inspect -> plan -> apply, with every safety check first.

The management command is a thin shell around `prepare` and `apply_plan`; tests
and other front ends call them directly.
"""

from __future__ import annotations

import stat
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from . import checks, env_needs, gitignore, markers, service_config
from .changes import ApplyError, apply_changes, link_problems, never_replaced, written_at
from .drivers import DRIVER_NAMES
from .lock import refresh_lock
from .log import LogError
from .names import name_problems
from .package_managers import lock_export, pipenv_export
from .parsing import ReadError, reading_files
from .plan import FileChange, Plan, requirement_changes
from .plugin import Options, PlatformPlugin
from .project import MANAGER_FILES, Project
from .python_version import platform_warning
from .runner import CommandFailed, Runner, ToolMissing
from .settings_discovery import module_file

__all__ = ["ConfigureError", "prepare", "apply_plan", "Prepared"]


class ConfigureError(Exception):
    """The run stopped before writing anything, or after restoring every file."""


class Prepared(NamedTuple):
    project: Project
    plugin: PlatformPlugin
    plan: Plan


def _other_platform_problems(project: Project, plugin: PlatformPlugin) -> list[str]:
    others = [name for name in project.configured_for if name != plugin.name]
    return [
        f"{project.settings_rel} already holds the django-simple-deploy block for '{name}'. "
        f"A project is configured for one platform at a time: remove that block (between its "
        f"marker lines) and the files made for '{name}', commit, and run again."
        for name in others
    ]


def _block_problems(project: Project) -> list[str]:
    if project.new_settings_text is not None:
        return []  # a module this run creates holds no block yet
    text = project.settings_file.read_text(encoding="utf-8", errors="replace")
    repeated = [
        f"{project.settings_rel} holds the django-simple-deploy block for '{name}' "
        f"{text.count(markers.start_line(name))} times (pasted twice?). Keep one block "
        f"between `{markers.start_line(name)}` and `{markers.end_line(name)}`, delete the "
        "other copies, commit, and run again."
        for name in markers.repeated(text)
    ]
    return repeated + [
        f"{project.settings_rel} has the line `{markers.start_line(name)}` but not the line "
        f"`{markers.end_line(name)}` after it, so the block's end is unknown. Put the end "
        "line back after the block (or delete the whole block), commit, and run again."
        for name in markers.unterminated(text)
    ]


def _read_only(path: Path) -> bool:
    # Judged by the owner's write bit, not os.access: for root os.access says yes to
    # everything, but a file made read-only was made so on purpose.
    return not stat.S_IMODE(path.stat().st_mode) & stat.S_IWUSR


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def read_only_problems(project: Project, plan: Plan) -> list[str]:
    """Files (or folders) the plan must change but that are read-only: say so, change nothing."""
    blocked = []
    for change in plan.effective:
        path = project.git_root / change.path
        target = path if path.exists() else _nearest_existing(path.parent)
        if _read_only(target):
            blocked.append(project.rel(target) or ".")
    if not blocked:
        return []
    names = ", ".join(dict.fromkeys(blocked))
    return [
        f"Read-only, but this run must change them: {names}. Nothing was changed. Make them "
        "writable (for example `chmod u+w <path>`), or leave this platform alone, then run again."
    ]


def safety_problems(project: Project, plugin: PlatformPlugin, options: Options) -> list[str]:
    """Every reason not to touch the project, each with its fix."""
    # Names first, alone: a name that reads as an option must reach no plugin code.
    problems: list[str] = name_problems(options, plugin.names)
    if problems:
        return problems
    if not options.get("ignore_unclean_git"):
        problems += checks.git_tree_problems(project)
    problems += checks.tracked_venv_problems(project)
    problems += checks.settings_problems(project)
    problems += checks.asgi_problems(project)
    with _reading(project, "the dependency tables of your package manager"):
        problems += checks.manager_problems(project)
    problems += _other_platform_problems(project, plugin)
    problems += _block_problems(project)
    with _reading(project, f"what {plugin.label} reads from its own files"):
        problems += plugin.check(project, options)
    return problems


@contextmanager
def _reading(project: Project, expected: str):
    """A file of an unexpected shape stops the run with one message (ConfigureError)."""
    root = project.git_root
    candidates = [*MANAGER_FILES, *sorted(p.name for p in root.glob("*.toml"))]
    try:
        with reading_files(root, candidates, expected):
            yield
    except ReadError as exc:
        raise ConfigureError(str(exc)) from exc


def python_notes(project: Project, plugin: PlatformPlugin) -> list[str]:
    """The Python version every platform gets, its source, and any platform warning."""
    notes = [f"Python {project.python_version} (from {project.python_source})."]
    notes += project.python_notes
    warning = platform_warning(
        project.python_version, project.python_source, plugin.label, dict(plugin.python_support)
    )
    return notes + ([warning] if warning else [])


def platform_needs(
    project: Project, changes: list[FileChange], also_planned: tuple[str, ...] = ()
) -> list[str]:
    """Every file the platform must receive: what we write, the dependency files, the
    Python version files and the asset build's files (those that exist or will)."""
    files = [name for name in project.deps.install_files if not name.endswith("/")]
    candidates = [c.path for c in changes]
    candidates += [*files, ".python-version", "runtime.txt"]
    if project.asset_build is not None:
        candidates += project.asset_build.files
    # The module the web command serves (a git-ignored wsgi.py never reaches the platform).
    wsgi = module_file(project.manage_dir, project.wsgi_module)
    if wsgi is not None and wsgi.is_relative_to(project.git_root):
        candidates.append(project.rel(wsgi))
    planned = {c.path for c in changes} | set(also_planned)
    return [
        path
        for path in dict.fromkeys(candidates)
        if path in planned or (project.git_root / path).is_file()
    ]


def build_plan(project: Project, plugin: PlatformPlugin, options: Options) -> Plan:
    """The plugin's plan plus the requirement changes for the project's manager, plus
    the .gitignore exceptions the platform's files need."""
    with _reading(project, f"what {plugin.label} reads from its own files"):
        platform_plan = plugin.plan(project, options)
    wanted = list(platform_plan.requirements)
    notes = [f"Settings extended: `{project.settings_rel}` ({project.settings_source})."]
    notes += python_notes(project, plugin)
    driver = project.postgres_driver
    if driver is not None and any(r.name in DRIVER_NAMES for r in wanted):
        # One driver: the one the project already uses and tests with. A Celery broker on
        # the database through SQLAlchemy loads psycopg2 whatever Django uses (its own
        # requirement, added only when the project has no psycopg2).
        broker = {"psycopg2-binary"} if project.services.database_broker else set()
        wanted = [r for r in wanted if r.name not in DRIVER_NAMES or r.name in broker]
        notes.append(f"PostgreSQL driver: your `{driver.name}` is kept (no second driver added).")
    with _reading(project, "the dependency tables of your package manager"):
        requirement_files, added, problems = requirement_changes(project, wanted)
    if problems:
        raise ConfigureError("\n\n".join(problems))
    changes = list(platform_plan.changes) + list(requirement_files)
    deps = project.deps
    notes += deps.notes
    # The lock file is refreshed after planning, so it may not exist yet.
    locked = (deps.lock_file,) if requirement_files and deps.lock_file else ()
    needed = platform_needs(project, changes, locked)
    ignore_changes, unignored, problems = gitignore.unignore(project, needed)
    if problems:
        raise ConfigureError("\n\n".join(problems))
    if unignored:
        names = ", ".join(f"`{p}`" for p in unignored)
        notes.append(
            f"Git ignored {names}, which the deployment needs: the .gitignore exception above "
            "lets git commit them, so the platform gets the files you tested."
        )
    return Plan(
        platform=plugin.name,
        changes=tuple(changes + ignore_changes),
        requirements=added,
        lock_argv=deps.lock_argv if requirement_files and deps.lock_file else None,
        notes=(
            *notes,
            *env_needs.notes(project),
            *service_config.notes(project),
            *platform_plan.notes,
        ),
        unignored=unignored,
    )


def prepare(
    project: Project, plugin: PlatformPlugin, options: Options, *, dry_run: bool = False
) -> Prepared:
    """Check, then plan. Raises ConfigureError with every problem found.

    A dry run plans even over the user's own platform files, to show the diff
    --overwrite would apply (`overwrite_preview`).
    """
    problems = safety_problems(project, plugin, options)
    if problems:
        raise ConfigureError("\n\n".join(problems))
    plan = build_plan(project, plugin, options)
    collisions = checks.case_collision_problems(project, plan)
    if collisions:
        raise ConfigureError("Nothing was changed.\n" + "\n\n".join(collisions))
    links = link_problems(project.git_root, [c.path for c in plan.effective])
    if links:
        raise ConfigureError("\n\n".join(links))
    kept = never_replaced(project.git_root, plan.user_files)
    if kept:
        raise ConfigureError("\n\n".join(kept))
    plan = replace(plan, changes=tuple(_where_written(project, c) for c in plan.changes))
    read_only = read_only_problems(project, plan)
    if read_only:
        raise ConfigureError("\n\n".join(read_only))
    if plan.user_files and not options.get("overwrite") and not dry_run:
        names = ", ".join(c.path for c in plan.user_files)
        raise ConfigureError(
            f"These files exist and were not written by django-simple-deploy: {names}. "
            f"{plugin.label} needs different content in them. Nothing was changed. Review "
            "them, then run again with --overwrite to replace them (the replaced content "
            "stays in git history), or move them aside."
        )
    return Prepared(project, plugin, plan)


def _where_written(project: Project, change: FileChange) -> FileChange:
    """A change written through a link inside the repository says so: the file that
    changes is the link's target (the link itself stays as it is)."""
    target = written_at(project.git_root, change.path) if change.changed else None
    if target is None:
        return change
    return replace(
        change,
        reason=f"{change.reason} (written in {target}: {change.path} is a link to it, "
        "and stays one)",
    )


def overwrite_preview(prepared: Prepared, options: Options) -> list[FileChange]:
    """The changes to the user's own files that only --overwrite would make (dry run)."""
    if options.get("overwrite"):
        return list(prepared.plan.user_files)
    forced = build_plan(prepared.project, prepared.plugin, {**options, "overwrite": True})
    now = {c.path: c.after for c in prepared.plan.effective if not c.user_file}
    root = prepared.project.git_root
    # A file --overwrite would still refuse (a link, a manage.py) is not offered.
    return [
        c for c in forced.user_files if now.get(c.path) != c.after and not never_replaced(root, [c])
    ]


def with_lock(prepared: Prepared, runner: Runner) -> Plan:
    """The plan plus the refreshed lock file, computed in a scratch folder."""
    plan = prepared.plan
    if plan.lock_argv is None:
        return plan
    deps = prepared.project.deps
    try:
        lock = refresh_lock(prepared.project, plan.changes, runner)
    except (CommandFailed, ToolMissing) as exc:
        raise ConfigureError(
            f"Refreshing {deps.lock_file} with `{' '.join(plan.lock_argv)}` failed; "
            f"nothing was changed.\n{exc}"
        ) from exc
    if lock is None:
        return plan
    plan = plan.with_change(lock)
    export = _export_change(prepared.project, lock)
    return plan.with_change(export) if export else plan


def _export_change(project: Project, lock: FileChange) -> FileChange | None:
    """The requirements.txt exported from the lock, with the packages the lock gained."""
    name = project.deps.export
    if not name or lock.before is None:
        return None
    before = (project.git_root / name).read_bytes()
    if project.deps.manager == "pipenv":
        # `pipenv lock` resolves again: versions may move, not only new pins appear.
        text = pipenv_export.in_step(before.decode("utf-8"), lock.after.decode("utf-8"))
    else:
        text = lock_export.with_new_pins(
            before.decode("utf-8"), lock.before.decode("utf-8"), lock.after.decode("utf-8")
        )
    after = text.encode("utf-8")
    if after == before:
        return None
    return FileChange(
        name,
        before,
        after,
        f"an export of {lock.path}: the packages this run locked, pinned at the locked "
        "versions, so pip installs what is locked",
    )


def apply_plan(prepared: Prepared, runner: Runner) -> tuple[Plan, list[FileChange]]:
    """Refresh the lock, then write everything atomically. Returns what was written."""
    plan = with_lock(prepared, runner)
    try:
        # The log folder first: a name taken by a file is found before any write,
        # not after the configuration is written.
        runner.log.folder(prepared.project.git_root)
    except LogError as exc:
        raise ConfigureError(f"{exc} Nothing was changed.") from exc
    try:
        written = apply_changes(
            prepared.project.git_root,
            plan.changes,
            on_write=lambda c: runner.log.add(f"wrote {c.path}: {c.reason}"),
        )
    except ApplyError as exc:
        raise ConfigureError(str(exc)) from exc
    return plan, written
