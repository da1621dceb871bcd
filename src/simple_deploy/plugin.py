"""The public API a platform plugin implements, and the helpers the core lends it.

A plugin is a `PlatformPlugin` object published under the entry-point group
`simple_deploy.platforms`. The built-in platforms register exactly this way, so
a third-party plugin is a first-class citizen. A plugin holds platform
knowledge only: which files, which settings, which commands. The core does the
inspecting, file writing, requirements, lock files, logging and summary.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import block_lines, templates
from .log import RunLog
from .names import NameRule, quoted
from .package_managers import Requirement
from .plan import FileChange, generated_file, settings_block
from .project import Project
from .runner import CommandFailed, Result, Runner, ToolMissing

if TYPE_CHECKING:
    from .automate import (
        AutomateContext,
        Automation,
        Step,
        commit_changes,
        cost_notice,
        git_remote_url,
    )
    from .runtime import Command, Runtime

__all__ = [
    "API_VERSION",
    "PlatformPlugin",
    "PlatformPlan",
    "Guide",
    "Options",
    "Command",
    "Runtime",
    "Requirement",
    "FileChange",
    "Project",
    "generated_file",
    "settings_block",
    "render_template",
    "manage_py_argv",
    "email_settings",
    "Automation",
    "cost_notice",
    "AutomateContext",
    "Step",
    "Runner",
    "Result",
    "RunLog",
    "CommandFailed",
    "ToolMissing",
    "commit_changes",
    "git_remote_url",
    "NameRule",
    "quoted",
]

API_VERSION = 1

# Names only --automate-all (automate) and the rehearsal (runtime) use, loaded on first
# use (PEP 562): a configuration run never builds their classes.
_LAZY = {
    **dict.fromkeys(
        (
            "AutomateContext",
            "Automation",
            "Step",
            "commit_changes",
            "cost_notice",
            "git_remote_url",
        ),
        "automate",
    ),
    "Command": "runtime",
    "Runtime": "runtime",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"{__package__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Options = Mapping[str, Any]


@dataclass(frozen=True)
class PlatformPlan:
    """What a platform needs: files, requirements and notes for the user.

    The core turns `requirements` into manifest and lock-file changes with the
    project's own package manager, so plugins never touch dependency files.
    """

    changes: tuple[FileChange, ...]
    requirements: tuple[Requirement, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guide:
    """What the friendly summary teaches about the platform.

    `finish` lists the steps that remain in configuration-only mode (commands
    to type, in order); the other fields are one command or sentence each.
    `links` are (title, URL) pairs into the platform's own documentation.
    `email` says how to turn on email there: where SMTP credentials come from and
    the command that sets `EMAIL_URL` and `DEFAULT_FROM_EMAIL` (see `email_settings`).
    """

    finish: tuple[str, ...]
    redeploy: str
    logs: str
    run_command: str
    remote_shell: str
    scale: str
    rollback: str
    links: tuple[tuple[str, str], ...]
    costs: str = ""
    email: str = ""
    # The summary's process table: (process, what runs it, cost, how to scale or stop
    # it) rows, empty for a project that runs only a WSGI web process.
    processes: tuple[tuple[str, str, str, str], ...] = ()


def _no_problems(project: Project, options: Options) -> list[str]:
    return []


@dataclass(frozen=True)
class PlatformPlugin:
    """A hosting platform, as the core sees it.

    - `name`: the value of `--platform`; also the settings-block name.
    - `label`: how users know the platform ("Heroku").
    - `plan(project, options)`: the files and requirements this platform needs.
      Read files if you must; never write.
    - `runtime(project)`: how the platform builds, releases and serves the
      project configured by `plan` (the rehearsal replays it).
    - `guide(project, options)`: facts for the friendly summary.
    - `check(project, options)`: problems that stop the run, as messages
      telling the user what to do.
    - `add_arguments(group)`: add options, each named `--<name>-...`.
    - `names`: the platform's rules for names the user gives (app, region,
      organization), each a `NameRule` matched in full; the core checks them in
      both modes, after its own rule that no name can be read as an option.
    - `automate(project, options)`: the `--automate-all` recipe (an
      `Automation`), or None when the platform offers only configuration.
      Facts its prepare steps learn (e.g. `app_name`) reach `plan` and `guide`
      in the options mapping.
    - `python_support`: Python versions ("3.12") the platform offers, each
      "supported" or "deprecated"; the core warns about any other (empty: no check).
    - `cli`: the platform's command-line tool; --automate-all stops before its
      cost confirmation when it is not on PATH (`extra["cli_names"]` lists other
      names it may be installed under, `extra["cli_install_url"]` where to get it).
    """

    name: str
    label: str
    plan: Callable[[Project, Options], PlatformPlan]
    runtime: Callable[[Project], Runtime]
    guide: Callable[[Project, Options], Guide]
    check: Callable[[Project, Options], list[str]] = _no_problems
    add_arguments: Callable[[argparse._ArgumentGroup], None] | None = None
    automate: Callable[[Project, Options], Automation] | None = None
    cli: str | None = None
    docs_url: str = ""
    api_version: int = API_VERSION
    extra: Mapping[str, Any] = field(default_factory=dict)
    names: tuple[NameRule, ...] = ()
    python_support: Mapping[str, str] = field(default_factory=dict)


def render_template(package: str, name: str, context: Mapping[str, Any]) -> str:
    """Render a template shipped in `package`'s `templates/` folder as Django's template
    engine renders it (autoescape off: these are config files, not HTML).

    A template of names, `if` and `for` only (all of ours) takes a small renderer of
    the same meaning (simple_deploy.templates); any other syntax, Django's engine.
    """
    source = _template_source(package, name)
    try:
        return templates.render(source, context)
    except templates.TemplateSyntaxError:
        pass
    from django.template import Context, Engine

    engine = Engine(autoescape=False)
    return engine.from_string(source).render(Context(dict(context), autoescape=False))


def _template_source(package: str, name: str) -> str:
    # The package's folder when it is one (importlib.resources, and the zip support it
    # loads, only for a package that is not).
    origin = getattr(importlib.import_module(package), "__file__", None)
    path = Path(origin).parent.joinpath("templates", *name.split("/")) if origin else None
    if path is not None and path.is_file():
        return path.read_text("utf-8")
    from importlib import resources

    return resources.files(package).joinpath("templates", *name.split("/")).read_text("utf-8")


def email_settings(relay_host_variable: str | None = None, project: Project | None = None) -> str:
    """The production email lines every platform's settings block ends with.

    Shared so each platform sends mail the same way (one `EMAIL_URL` variable, the
    right setting for the project's Django: `MAILERS` on 6.1+, `EMAIL_*` before) and
    `check --deploy` stays clean on Django 6.1, whose startproject configures the
    console backend. Insert it with `{{ email_settings }}` inside the block's `if`.
    `relay_host_variable` names the environment variable in which a platform gives an
    SMTP relay of its own (port 25, no login), used when `EMAIL_URL` is not set.
    `project`: whose settings the lines are written for (its probed mail setup decides
    which of them it needs); None writes them for startproject's.
    """
    return block_lines.email_lines(project, relay_host_variable)


def manage_py_argv(project: Project, *args: str) -> tuple[str, ...]:
    """`python <path>/manage.py ARGS` run from the repository root, POSIX paths."""
    prefix = f"{project.manage_dir_rel}/" if project.nested else ""
    return ("python", f"{prefix}manage.py", *args)
