"""Run django-simple-deploy on the field corpus as a new user would, and write the table.

For each project of `field/projects.toml` and each platform: clone the pinned commit
into a work folder, make a virtual environment with the Python the project asks for,
install the project with its own package manager and this package from the
repository it sits in, do the local setup the project's README asks for, add
"simple_deploy" to INSTALLED_APPS and commit; then `manage.py deploy --dry-run`,
configure, commit, and `--rehearse` on PostgreSQL, following the tool's own messages
where it stops (`--overwrite`, `--ignore-unclean-git`, `--settings-module M`,
`--env NAME=<value>`). Every pass is recorded in `field/results.json`, from which
`field/RESULTS.md` is rendered. Not a test: it needs the repositories (see
field/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: tomlkit is one of the package's own dependencies.
    tomllib = None

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
PLATFORMS = ("heroku", "fly_io", "railway", "render", "upsun", "platform_sh")

# Seconds. Installs of large projects (netbox, taiga) on a shared machine are slow.
TIMEOUT_INSTALL = 1800
TIMEOUT_DEPLOY = 900
TIMEOUT_REHEARSE = 1800
TIMEOUT_GIT = 120

# How many times the runner follows the tool's own advice before it gives up.
MAX_PASSES = 4


# ---------------------------------------------------------------- corpus (pure)


@dataclass(frozen=True)
class Project:
    name: str
    repo: str
    commit: str
    subdir: str = ""
    python: str = "3.11"
    shape: dict = field(default_factory=dict)
    setup: dict = field(default_factory=dict)
    # Why the project cannot be installed or run locally here, for reasons outside
    # the tool (unreachable GitHub-only dependencies, a Python this machine lacks,
    # pins that no longer build): listed with the reason, not run, not counted.
    excluded: str = ""

    @property
    def mirror_name(self) -> str:
        return self.repo.replace("/", "+")


def _parse_toml(text: str) -> dict:
    if tomllib is not None:
        return tomllib.loads(text)
    import tomlkit

    return tomlkit.parse(text).unwrap()


def load_projects(text: str) -> list[Project]:
    """The corpus from the text of projects.toml; a missing key or a duplicate name
    raises ValueError naming the project."""
    data = _parse_toml(text)
    projects: list[Project] = []
    seen: set[str] = set()
    for entry in data.get("project", []):
        for key in ("name", "repo", "commit"):
            if not entry.get(key):
                raise ValueError(f"project {entry.get('name', '?')!r}: {key} is missing")
        if entry["name"] in seen:
            raise ValueError(f"project {entry['name']!r} is listed twice")
        if not re.fullmatch(r"[0-9a-f]{40}", entry["commit"]):
            raise ValueError(f"project {entry['name']!r}: commit is not a 40-digit hash")
        seen.add(entry["name"])
        projects.append(
            Project(
                name=entry["name"],
                repo=entry["repo"],
                commit=entry["commit"],
                subdir=entry.get("subdir", ""),
                python=str(entry.get("python", "3.11")),
                shape=dict(entry.get("shape", {})),
                setup=dict(entry.get("setup", {})),
                excluded=str(entry.get("excluded", "")),
            )
        )
    return projects


# ---------------------------------------------------------------- messages (pure)


# What a download from a host this machine cannot resolve prints (curl, glibc's getaddrinfo).
_NETWORK = (
    "Could not resolve host",
    "Temporary failure in name resolution",
    "Name or service not known",
)


def first_line(stdout: str, stderr: str) -> str:
    """The line of a failed command a user reads first: the exception of a
    traceback, the CommandError, a rehearsal's failing step, else the first line."""
    err_lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    out_lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    both = out_lines + err_lines
    # Installers: a host this machine cannot reach is the cause, not the tool's error.
    for line in both:
        # (getaddrinfo's "Name or service not known": a download the build makes, such as
        # django-tailwind-cli's CLI from GitHub.)
        if any(cause in line for cause in _NETWORK):
            return "network: " + line
    if any("subprocess-exited-with-error" in line for line in both):
        # pip could not build a pinned dependency: name it and the build's own error.
        where = next(i for i, line in enumerate(both) if "subprocess-exited-with-error" in line)
        package = next(
            (line.split()[1] for line in reversed(both[:where]) if line.startswith("Collecting ")),
            "a dependency",
        )
        cause = next((line for line in both if re.match(r"^\w+(Error|Exception):", line)), "")
        return f"building {package} failed: {cause}".rstrip(": ")
    if any(line.startswith("Traceback") for line in err_lines):
        return "traceback: " + err_lines[-1]
    fail = failed_step(stdout + "\n" + stderr)
    if fail:
        return fail[1]
    for line in err_lines + out_lines:
        if line.startswith("CommandError:"):
            return line[len("CommandError:") :].strip()
    for line in err_lines + out_lines:
        if line.lower().startswith("error"):
            return line
    if err_lines:
        return err_lines[0]
    return out_lines[-1] if out_lines else ""


# The deploy command prints "  [FAIL] check --deploy (2.1 s): summary", then the detail.
_STEP = re.compile(r"^\s*\[(?:fail|FAIL)\]\s+(.+?)\s+\([\d.]+ s\)(?::\s*(.*))?$")


# An exception's line at a traceback's end: `ValueError: ...`, or any class named with
# its module (`django.core.exceptions.ImproperlyConfigured: ...`, python.org).
_RAISED = re.compile(r"^(?:\w*(?:Error|Exception)|(?:\w+\.)+[A-Z]\w*):")


def failed_step(output: str) -> tuple[str, str] | None:
    """(step, first line of its message) of a rehearsal's first failing step."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        match = _STEP.match(line)
        if match:
            message = (match.group(2) or "").strip()
            detail = []
            for later in lines[index + 1 :]:
                if re.match(r"^\s*\[(?:pass|FAIL|fail)\]", later):
                    break
                if later.strip():
                    detail.append(later.strip())
            # `check --deploy` says which command exited first; the check's id is the cause.
            checks = [x for x in detail if re.search(r"\(\w+\.[WE]\d+\)", x)]
            # A step's download (django-tailwind-cli's CLI from GitHub) that this machine
            # cannot resolve: the network is the cause, not the command that exited.
            network = [x for x in detail if any(cause in x for cause in _NETWORK)]
            # A command that exited on an exception: the exception's line says why (not
            # the deploy command's own closing CommandError).
            raised = [x for x in detail if _RAISED.match(x) and not x.startswith("CommandError:")]
            if checks:
                message = checks[0]
            elif network:
                message = "network: " + network[0]
            else:
                message = message or (detail[0] if detail else "")
                if raised and message.endswith(":"):
                    message = f"{message} {raised[-1]}"
            return match.group(1).strip(), message
    return None


def steps_run(output: str) -> str:
    """The rehearsal's steps as the deploy command reported them: `install pass, web FAIL`."""
    found = re.findall(r"^\s*\[(pass|FAIL)\]\s+(.+?)\s+\([\d.]+ s\)", output, re.M)
    return ", ".join(f"{name} {mark}" for mark, name in found)


def env_names_asked(output: str) -> list[str]:
    """The names the tool asks for as `--env NAME=<value>`, in order, once each."""
    names: list[str] = []
    for name in re.findall(r"--env[ =]([A-Za-z_][A-Za-z0-9_]*)=<value>", output):
        if name not in names:
            names.append(name)
    return names


def pins_asked(output: str) -> list[tuple[str, str]]:
    """(requirement, file) for each pin the rehearsal asks for: "add `marshmallow==3.26.1`
    (or `marshmallow<4`) to requirements.txt, commit, and rehearse again"."""
    joined = " ".join(output.split())
    found = re.findall(
        r"add `([A-Za-z0-9][\w.\[\],-]*==[^\s`]+)`(?: \(or `[^`]+`\))? to ([\w./-]+), "
        r"commit, and rehearse again",
        joined,
    )
    return list(dict.fromkeys(found))


def settings_module_offered(output: str) -> str | None:
    """A concrete module the tool suggests with --settings-module (not a placeholder)."""
    match = re.search(r"--settings-module ([A-Za-z_][\w.]*[A-Za-z0-9_])", output)
    return match.group(1) if match else None


# The upgrade django_support.py's message asks for: `pip install "Django>=4.2,<5"`, with
# the database drivers the new Django needs (`"psycopg2-binary>=2.8.4"`) when it names them.
_UPGRADE = re.compile(r'`pip install "(Django>=[\d.]+,<\d+)"((?: "[^"`]+")*)`')
_DJANGO_LINE = re.compile(r"^[ \t]*django(?![\w.-])[^\r\n#]*?(?=[ \t]*(?:#|\r|$))", re.I | re.M)


def django_upgrade_asked(output: str) -> str | None:
    """The requirement the tool's message asks a project on an old Django to install."""
    match = _UPGRADE.search(output)
    return match.group(1) if match else None


def upgrade_also_asked(output: str) -> list[str]:
    """The other requirements (database drivers) the same upgrade command installs."""
    match = _UPGRADE.search(output)
    return re.findall(r'"([^"]+)"', match.group(2)) if match else []


def upgrade_asked(output: str) -> list[str]:
    """The requirements of `pip install --upgrade "a" "Django==4.2.30"`, the command the
    tool gives for declared packages that require another Django."""
    match = re.search(r'`pip install --upgrade((?: "[^"`]+")+)`', " ".join(output.split()))
    return re.findall(r'"([^"]+)"', match.group(1)) if match else []


def pin_django(text: str, requirement: str) -> str | None:
    """A requirements file's text with its Django line made `requirement` (comments and
    line endings kept); None when the file names no Django."""
    new, count = _DJANGO_LINE.subn(requirement, text)
    return new if count else None


# Commands the tool's messages may ask a user to run before running again: the
# package managers' own lock commands (the runner runs nothing else a message names).
LOCK_COMMANDS = {"poetry lock": "poetry.lock", "uv lock": "uv.lock", "pipenv lock": "Pipfile.lock"}


def lock_asked(output: str) -> tuple[list[str], str | None] | None:
    """(command, file to commit) when the tool says "Run `poetry lock`, commit
    poetry.lock, and run again" (or uv's, or Pipenv's); the file is None for "Run
    `pipenv lock` and run again" (a git-ignored lock the next run unignores itself)."""
    match = re.search(r"Run `([^`]+)`, commit ([\w./-]+), and run again", output)
    if match and LOCK_COMMANDS.get(match.group(1)) == match.group(2).rsplit("/", 1)[-1]:
        return match.group(1).split(), match.group(2)
    match = re.search(r"Run `([^`]+)` and run again", output)
    if match and match.group(1) in LOCK_COMMANDS:
        return match.group(1).split(), None
    return None


def requires_python_asked(output: str) -> str | None:
    """The range the tool says to set before locking ("First set requires-python =
    ">=3.11" in pyproject.toml and commit it")."""
    match = re.search(r'First set requires-python = "([^"]+)" in pyproject\.toml', output)
    return match.group(1) if match else None


def set_requires_python(text: str, specifier: str) -> str | None:
    """pyproject.toml's text with its requires-python line set to `specifier`."""
    new, count = re.subn(
        r'^(requires-python\s*=\s*)(["\'])[^"\']*\2', rf'\g<1>"{specifier}"', text, flags=re.M
    )
    return new if count == 1 else None


# The exports the nested-dependencies message names, run from the git root: the
# manager, then its directory option (the runner runs no other export).
_EXPORT_COMMANDS = (("poetry", "-C"), ("uv", "--directory"))


def nested_export_asked(output: str) -> tuple[list[str], str] | None:
    """(export command, root requirements line) when the tool says "Export them for the
    platform: `poetry -C backend export ... -o requirements.txt` ..., then create a
    requirements.txt in the root holding the line `-r backend/requirements.txt`"."""
    command = re.search(r"Export them for the platform: `([^`]+)`", output)
    include = re.search(r"requirements\.txt in the root holding the line `(-r [\w./-]+)`", output)
    if not (command and include):
        return None
    cmd = command.group(1).split()
    if tuple(cmd[:2]) not in _EXPORT_COMMANDS or len(cmd) < 4 or cmd[3] != "export":
        return None
    return cmd, include.group(1)


def raise_in_lock_asked(output: str) -> tuple[list[str], list[str]] | None:
    """(add command, export command) when the tool says a nested export pins a package too
    old: "Raise it in the lock: `poetry -C backend add --lock "x>=1.1"`, run the export
    again (`poetry -C backend export ...`), commit, and run again"."""
    match = re.search(
        r"Raise it in the lock: `([^`]+)`, run the export again \(`([^`]+)`\)", output
    )
    if not match:
        return None
    add, export = shlex.split(match.group(1)), match.group(2).split()
    allowed = {("poetry", "-C", "add", "--lock"), ("uv", "--directory", "add", "--no-sync")}
    if len(add) != 6 or (add[0], add[1], add[3], add[4]) not in allowed:
        return None
    if tuple(export[:2]) not in _EXPORT_COMMANDS or export[2:4] != [add[2], "export"]:
        return None
    return add, export


def slugignore_asked(output: str) -> list[str]:
    """The files Heroku's two-manager-files message asks to list in `.slugignore`
    ("`printf '%s\\n' requirements.txt >> .slugignore`, commit, and run again")."""
    match = re.search(
        r"`printf '%s\\n' ([\w./ -]+) >> \.slugignore`, commit, and run again", output
    )
    return match.group(1).split() if match else []


_IGNORED_INCLUDE = re.compile(
    r"git ignores ([\w./-]+\.py), which your settings need at import \(([\w./-]+\.py), line \d+\)"
    r".*?with django-split-settings, `optional\(\"([\w.-]+)\"\)`",
    re.S,
)


def optional_include_asked(output: str) -> tuple[str, str] | None:
    """(settings file, included name) when the tool says the settings include a
    git-ignored file and django-split-settings' `optional("local.py")` is the way."""
    match = _IGNORED_INCLUDE.search(output)
    return (match.group(2), match.group(3)) if match else None


def make_include_optional(text: str, name: str) -> str | None:
    """A django-split-settings file's text with each bare `'name'` it includes wrapped in
    `optional(...)` (and `optional` imported); None when the file is not one, or names
    `name` nowhere outside `optional(...)`."""
    if "split_settings" not in text:
        return None
    new, count = re.subn(
        rf"(?<!optional\()(['\"]){re.escape(name)}\1", rf"optional(\g<1>{name}\g<1>)", text
    )
    if not count:
        return None
    if not re.search(r"^from split_settings\.tools import[^\n]*\boptional\b", new, re.M):
        new, imported = re.subn(
            r"^(from split_settings\.tools import [^\n(]+?)[ \t]*$",
            r"\1, optional",
            new,
            count=1,
            flags=re.M,
        )
        if not imported:
            return None
    return new


def asgi_order_asked(output: str) -> str | None:
    """The asgi.py the tool says imports routing before Django is set up ("call
    `django_asgi_app = get_asgi_application()` before importing your routing")."""
    match = re.search(
        r"([\w./-]+asgi\.py) runs `[^`]+` \(line \d+\) before Django is set up", output
    )
    if match and "call `django_asgi_app = get_asgi_application()` before importing" in output:
        return match.group(1)
    return None


_SETTINGS_DEFAULT = re.compile(
    r"^os\.environ\.setdefault\(\s*['\"]DJANGO_SETTINGS_MODULE['\"].*$", re.M
)
_ASGI_IMPORT = "from django.core.asgi import get_asgi_application"


def set_django_up_first(text: str) -> str | None:
    """asgi.py in the order the message asks: settings named and
    `django_asgi_app = get_asgi_application()` before the first other import, the router
    serving `django_asgi_app`; None when the file is not in a shape this edit knows."""
    setting = _SETTINGS_DEFAULT.search(text)
    if setting is None or text.count("get_asgi_application()") != 1 or _ASGI_IMPORT not in text:
        return None
    lines = [line for line in text.splitlines() if line not in (setting.group(0), _ASGI_IMPORT)]
    first = next(
        (
            i
            for i, line in enumerate(lines)
            if re.match(r"(from|import) ", line) and line.strip() != "import os"
        ),
        None,
    )
    if first is None:
        return None
    block = [setting.group(0), _ASGI_IMPORT, "", "django_asgi_app = get_asgi_application()", ""]
    lines[first:first] = block
    done = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
    head, _, tail = done.partition("django_asgi_app = get_asgi_application()")
    return (
        head
        + "django_asgi_app = get_asgi_application()"
        + tail.replace("get_asgi_application()", "django_asgi_app")
    )


def export_asked(output: str) -> tuple[list[str], str] | None:
    """(command, file) when the tool says "run `pipenv requirements` and save what it
    prints as requirements.txt" (a stale export of the lock): the manager's own export
    command, whose output a user saves as the file; None for any other command."""
    match = re.search(
        r"run `(pipenv requirements(?: --dev| --hash)*)` and save what it prints as "
        r"([\w./-]+\.txt)",
        " ".join(output.split()),
    )
    return (match.group(1).split(), match.group(2)) if match else None


_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;#]+)", re.M)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def repin(text: str, installed: dict[str, str]) -> str:
    """Each `name==version` line at the version installed, where that differs (markers,
    comments and line endings kept)."""

    def pinned(match: re.Match) -> str:
        now = installed.get(canonical(match.group(1)))
        return match.group(0) if now is None else f"{match.group(1)}{match.group(2) or ''}=={now}"

    return _PIN.sub(pinned, text)


def replaced_packages(output: str) -> list[str]:
    """`django 3.2.25 -> 5.2.19` for each package uv's install output removed and re-added."""
    removed = dict(re.findall(r"^\s*- ([\w.\-]+)==(\S+)", output, re.M))
    added = dict(re.findall(r"^\s*\+ ([\w.\-]+)==(\S+)", output, re.M))
    return [f"{name} {old} -> {added[name]}" for name, old in removed.items() if name in added]


def value_for(name: str, database_url: str) -> str:
    """A value a developer would give for a variable the rehearsal asks for."""
    upper = name.upper()
    if "DATABASE" in upper and upper.endswith("URL"):
        return database_url
    if upper.endswith(("REDIS_URL", "BROKER_URL", "CACHE_URL")) or "REDIS" in upper:
        return "redis://127.0.0.1:6379/0"
    if "DEBUG" in upper:
        return "False"
    if "HOSTS" in upper:
        return "*"
    if "ORIGINS" in upper:
        return "https://localhost"
    if upper.endswith(("_URL", "_DSN")):
        return ""
    if upper.endswith(("PORT",)):
        return "8000"
    return "field-" + secrets.token_urlsafe(30)


# ---------------------------------------------------------------- results (pure)


@dataclass
class Cell:
    """One project on one platform: each command run, and the outcome."""

    project: str
    platform: str
    configured: str = "not run"  # yes / no / not run
    rehearsed: str = "not run"  # pass / fail / not run / skipped
    step: str = ""
    message: str = ""
    passes: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    # The django-simple-deploy commit the row ran on ("+changes" when its tree had
    # uncommitted ones): a row older than a class that can touch it must run again.
    tool: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> Cell:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _md(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mark(cell: Cell | None) -> str:
    if cell is None:
        return "·"
    if cell.rehearsed == "pass":
        return "✅"
    if cell.configured == "yes" and cell.rehearsed == "fail":
        return "⚠️ rehearsal"
    if cell.configured == "yes":
        return "✔ config"
    if cell.configured == "no":
        return "❌ " + (cell.step or "config")
    return "·"


def render_results(cells: list[Cell], projects: list[Project], platforms=PLATFORMS) -> str:
    """RESULTS.md: a grid, the table (one row per project x platform), then details."""
    by_key = {(c.project, c.platform): c for c in cells}
    out = [
        "# Field results",
        "",
        "Written by `field/run.py` (see field/README.md). ✅ configured and rehearsed;",
        "⚠️ configured, rehearsal failed; ✔ configured, not rehearsed yet; ❌ stopped before",
        "configuring (the step named); · not run.",
        "",
        "| project | " + " | ".join(platforms) + " |",
        "|---|" + "---|" * len(platforms),
    ]
    counted = [p for p in projects if not p.excluded]
    excluded = [p for p in projects if p.excluded]
    for project in counted:
        marks = [_mark(by_key.get((project.name, p))) for p in platforms]
        out.append(f"| {project.name} | " + " | ".join(marks) + " |")
    out += [
        "",
        "## Totals",
        "",
        f"{len(counted)} projects counted ({len(excluded)} excluded, below). Deployable: "
        "configured, and the rehearsal passed every step.",
        "",
    ]
    for platform in platforms:
        ran = [by_key[(p.name, platform)] for p in counted if (p.name, platform) in by_key]
        configured = sum(c.configured == "yes" for c in ran)
        rehearsed = [c for c in ran if c.rehearsed in ("pass", "fail")]
        passed = sum(c.rehearsed == "pass" for c in rehearsed)
        share = f" ({100 * passed // len(counted)}%)" if counted else ""
        # Cells stopped by this machine's network (GitHub unreachable): not a verdict on
        # the tool, and said apart so the figure without them can be read too.
        offline = sum((c.message or "").startswith("network:") for c in rehearsed)
        apart = ""
        if offline and len(counted) > offline:
            reachable = len(counted) - offline
            apart = (
                f"; {offline} stopped by this machine's network, deployable {passed}/"
                f"{reachable} ({100 * passed // reachable}%) without them"
            )
        out.append(
            f"- {platform}: {configured}/{len(ran)} configured; "
            f"{passed}/{len(rehearsed)} rehearsals passed; deployable {passed}/{len(counted)}"
            f"{share}{apart}"
        )
    ages: dict[str, int] = {}
    for project in counted:
        for platform in platforms:
            if (project.name, platform) in by_key:
                tool = by_key[(project.name, platform)].tool or "an unrecorded commit"
                ages[tool] = ages.get(tool, 0) + 1
    if ages:
        out += [
            "",
            "Rows ran on django-simple-deploy at: "
            + ", ".join(f"{tool} ({count} cells)" for tool, count in sorted(ages.items()))
            + ".",
        ]
    if excluded:
        out += [
            "",
            "## Excluded",
            "",
            "Not counted: each cannot be installed or run locally on this machine, for a "
            "reason outside the tool.",
            "",
        ]
        out += [f"- {p.name} ({p.repo}): {_md(p.excluded, 300)}" for p in excluded]
    out += [
        "",
        "## Table",
        "",
        "| project | platform | configured | rehearsed | failing step | first line of the message"
        " |",
        "|---|---|---|---|---|---|",
    ]
    for project in counted:
        for platform in platforms:
            cell = by_key.get((project.name, platform))
            if cell is None:
                continue
            out.append(
                f"| {project.name} | {platform} | {cell.configured} | {cell.rehearsed} | "
                f"{_md(cell.step, 40)} | {_md(cell.message)} |"
            )
    out += ["", "## Details", ""]
    for project in counted:
        mine = [by_key[(project.name, p)] for p in platforms if (project.name, p) in by_key]
        if not mine:
            continue
        where = f" (`{project.subdir}/`)" if project.subdir else ""
        out.append(f"### {project.name}: {project.repo}{where} @ {project.commit[:12]}")
        out.append("")
        for key, value in project.shape.items():
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            out.append(f"- {key}: {_md(shown or 'none', 300)}")
        for note in dict.fromkeys(n for c in mine for n in c.notes):
            out.append(f"- note: {_md(note, 300)}")
        for cell in mine:
            out.append(
                f"- **{cell.platform}**: configured {cell.configured}, rehearsed {cell.rehearsed}"
                + (f" (django-simple-deploy at {cell.tool})" if cell.tool else "")
            )
            if cell.changed:
                out.append(f"  - changed: {_md(', '.join(cell.changed), 300)}")
            for run in cell.passes:
                line = f"  - `{run['command']}` -> {run['outcome']}"
                if run.get("message"):
                    line += f": {_md(run['message'], 240)}"
                if run.get("steps"):
                    line += f" (steps: {_md(run['steps'], 300)})"
                out.append(line)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def scrub(cell: Cell, work: Path) -> Cell:
    """The table shows `<work>` for the run's temporary folder, so reruns compare."""
    prefix = str(work)

    def clean(text: str) -> str:
        text = re.sub(r"/\S*/simple-deploy-rehearsal-\w+", "<rehearsal>", text)
        return text.replace(prefix, "<work>")

    cell.message = clean(cell.message)
    cell.notes = [clean(note) for note in cell.notes]
    for run in cell.passes:
        run["message"] = clean(run.get("message", ""))
    return cell


def load_cells(path: Path) -> list[Cell]:
    if not path.exists():
        return []
    return [Cell.from_dict(item) for item in json.loads(path.read_text())]


def save_cells(path: Path, cells: list[Cell]) -> None:
    data = [cell.__dict__ for cell in sorted(cells, key=lambda c: (c.project, c.platform))]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------- processes


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run(cmd: list[str], cwd: Path, env: dict, timeout: int, log: Path | None = None) -> Result:
    """One subprocess with a timeout; output kept (and appended to `log`)."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
        result = Result(-9, out, f"timed out after {timeout} s", time.monotonic() - start)
    except OSError as exc:
        result = Result(-1, "", f"could not run {cmd[0]}: {exc}", time.monotonic() - start)
    if log is not None:
        with log.open("a") as handle:
            handle.write(
                f"\n$ {' '.join(cmd)}   (in {cwd}, {result.seconds:.0f} s, "
                f"exit {result.returncode})\n{result.stdout}\n{result.stderr}\n"
            )
    return result


def find_python(version: str) -> tuple[str, str]:
    """(interpreter, note): the version asked for, else the nearest one found."""
    wanted = tuple(int(x) for x in version.split(".")[:2])
    found: dict[tuple[int, int], str] = {}
    pyenv = Path.home() / ".pyenv" / "versions"
    for minor in range(10, 16):
        exe = shutil.which(f"python3.{minor}")
        candidates = [Path(exe)] if exe else []
        candidates += sorted(pyenv.glob(f"3.{minor}.*/bin/python3.{minor}"), reverse=True)
        for candidate in candidates:
            try:
                ok = (
                    subprocess.run(
                        [str(candidate), "-c", "import venv"], capture_output=True, timeout=30
                    ).returncode
                    == 0
                )
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                found[(3, minor)] = str(candidate)
                break
    if not found:
        raise SystemExit("no Python 3.10+ interpreter found")
    if wanted in found:
        return found[wanted], ""
    higher = sorted(v for v in found if v > wanted)
    chosen = higher[0] if higher else max(found)
    return found[chosen], (
        f"asks for Python {version}, not installed here: used {chosen[0]}.{chosen[1]}"
    )


# ---------------------------------------------------------------- PostgreSQL


class Postgres:
    """A throwaway server on 127.0.0.1 (as the `postgres` user when run as root),
    or the server of a URL given on the command line; one new database a rehearsal."""

    def __init__(self, url: str | None):
        self.url = url
        self.process: subprocess.Popen | None = None
        self.data: Path | None = None
        self.port = 0
        self.as_user: list[str] = []
        self.bin = Path()

    def start(self) -> None:
        if self.url:
            return
        initdb = shutil.which("initdb") or next(
            iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)), None
        )
        if not initdb:
            raise SystemExit("PostgreSQL is not installed: give --database-url")
        self.bin = Path(initdb).resolve().parent
        self.data = Path(tempfile.mkdtemp(prefix="field-pg-"))
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        db = str(self.data / "db")
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "initdb"),
                "-D",
                db,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.process = subprocess.Popen(
            [
                *self.as_user,
                str(self.bin / "postgres"),
                "-D",
                db,
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.data),
                "-c",
                "fsync=off",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [
                    *self.as_user,
                    str(self.bin / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                ],
                capture_output=True,
                timeout=30,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.3)
        raise SystemExit("PostgreSQL did not start within 60 s")

    def new_database(self) -> str:
        if self.url:
            return self.url
        name = f"field_{uuid.uuid4().hex[:10]}"
        subprocess.run(
            [
                *self.as_user,
                str(self.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                name,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)
        if self.data:
            shutil.rmtree(self.data, ignore_errors=True)


# ---------------------------------------------------------------- one project


def base_env(work: Path, venv: Path, project_env: dict) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    tools = REPO_ROOT / ".venv" / "bin"  # poetry, uv, pipenv (scripts/test installs them)
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", ""), str(tools)])
    env["VIRTUAL_ENV"] = str(venv)
    env["UV_PROJECT_ENVIRONMENT"] = str(venv)
    env["POETRY_VIRTUALENVS_CREATE"] = "false"
    env["PIPENV_IGNORE_VIRTUALENVS"] = "0"
    env["PIPENV_YES"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["HOME"] = env.get("HOME", str(work))
    for name, email in (("AUTHOR", "field@example.com"), ("COMMITTER", "field@example.com")):
        env[f"GIT_{name}_NAME"] = "Field Runner"
        env[f"GIT_{name}_EMAIL"] = email
    for key, value in project_env.items():
        env[key] = value.replace("{work}", str(work))
    return env


def mirror_dir(repos: Path, project: Project) -> Path:
    base = repos / project.mirror_name
    return base / "repo" if (base / "repo").exists() else base


def git(args: list[str], cwd: Path, env: dict, log: Path) -> Result:
    return run(["git", *args], cwd, env, TIMEOUT_GIT, log)


def make_source(project: Project, repos: Path, work: Path, env: dict, log: Path) -> Path:
    """A git repository whose HEAD is the project as the user starts from it."""
    mirror = mirror_dir(repos, project)
    kind = project.setup.get("source", "repo")
    if kind == "repo":
        return mirror
    source = work / "source"
    tree = work / "tree"
    tree.mkdir(parents=True)
    spec = f"{project.commit}:{project.subdir}" if kind == "extract" else project.commit
    archive = work / "tree.tar"
    with archive.open("wb") as handle:
        subprocess.run(
            ["git", "-C", str(mirror), "archive", spec],
            stdout=handle,
            check=True,
            timeout=TIMEOUT_GIT,
        )
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    archive.unlink()
    if kind == "extract":
        shutil.move(str(tree), source)
    elif kind == "template":
        source.mkdir()
        name = project.setup.get("template_name", "myproject")
        cmd = [
            str(REPO_ROOT / ".venv" / "bin" / "django-admin"),
            "startproject",
            f"--template={tree}",
        ]
        for ext in project.setup.get("template_extensions", []):
            cmd.append(f"--extension={ext}")
        for name_ in project.setup.get("template_files", []):
            cmd.append(f"--name={name_}")
        result = run([*cmd, name, str(source)], work, env, TIMEOUT_DEPLOY, log)
        if result.returncode:
            raise RuntimeError("template: " + first_line(result.stdout, result.stderr))
    else:
        raise RuntimeError(f"unknown setup source {kind!r}")
    git(["init", "-q", "-b", "main"], source, env, log)
    git(["add", "-A"], source, env, log)
    git(["commit", "-q", "-m", "The project as its README makes it"], source, env, log)
    return source


def checkout(project: Project, source: Path, dest: Path, env: dict, log: Path) -> None:
    result = git(["clone", "-q", "--no-checkout", str(source), str(dest)], dest.parent, env, log)
    if result.returncode:
        raise RuntimeError("clone: " + first_line(result.stdout, result.stderr))
    commit = project.commit if project.setup.get("source", "repo") == "repo" else "HEAD"
    result = git(["checkout", "-q", "-B", "main", commit], dest, env, log)
    if result.returncode:
        raise RuntimeError("checkout: " + first_line(result.stdout, result.stderr))
    git(["remote", "remove", "origin"], dest, env, log)
    # A snapshot may leave its largest blobs out: the checkout then lacks those files.
    status = git(["status", "--porcelain"], dest, env, log)
    absent = [line[3:] for line in status.stdout.splitlines() if line.startswith(" D")]
    # Only Python files of the project count (doccano's snapshot lacks two GIFs of its docs);
    # the others are left out in a commit of their own, so the tool sees the clean tree a
    # user has, and later commits can write their trees (git refuses a tree naming a blob
    # it does not hold, even one hidden with --skip-worktree).
    inside = f"{project.subdir}/" if project.subdir else ""
    missing = [name for name in absent if name.startswith(inside) and name.endswith(".py")]
    if absent and not missing:
        git(["rm", "-q", "--cached", "--", *absent], dest, env, log)
        message = "Leave out the files the snapshot lacks"
        git(["commit", "-q", "--no-verify", "-m", message], dest, env, log)
    if missing:
        raise RuntimeError(
            f"clone: the clone lacks {len(missing)} file(s) of the commit "
            f"({', '.join(missing[:3])}); give a complete clone"
        )


def manage_dir(project: Project, root: Path) -> Path:
    if project.setup.get("source", "repo") == "extract":
        return root
    return root / project.subdir if project.subdir else root


def apply_local_setup(project: Project, root: Path, work: Path) -> list[str]:
    """The README's local files (copied or written), not committed; their paths."""
    mdir = manage_dir(project, root)
    made: list[str] = []
    for src, dst in project.setup.get("copy", []):
        target = mdir / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mdir / src, target)
        made.append(str(target.relative_to(root)))
    for path, text in project.setup.get("write", {}).items():
        path = path.replace("{work}", str(work))
        target = Path(path) if os.path.isabs(path) else mdir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        if target.is_relative_to(root):
            made.append(str(target.relative_to(root)))
    return made


def read_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as docker compose's `env_file` reads them (quotes removed)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def env_file_values(project: Project, mdir: Path) -> dict[str, str]:
    """The variables of the file the project's compose setup loads (`env_file`)."""
    name = project.setup.get("env_file")
    return read_env_file((mdir / name).read_text()) if name else {}


def install_command(project: Project, root: Path) -> tuple[list[str], Path]:
    """The project's own install, run where its manager's file is."""
    mdir = manage_dir(project, root)
    if project.setup.get("install"):
        return list(project.setup["install"]), mdir
    for folder in dict.fromkeys([mdir, root]):
        if (folder / "uv.lock").exists():
            return ["uv", "sync", "--frozen"], folder
        if (folder / "poetry.lock").exists():
            return ["poetry", "install", "--no-root", "--no-interaction"], folder
        if (folder / "Pipfile").exists():
            return ["pipenv", "install", "--dev", "--deploy"], folder
        if (folder / "requirements.txt").exists():
            return ["pip", "install", "-r", "requirements.txt"], folder
        pyproject = folder / "pyproject.toml"
        if pyproject.exists() and "[tool.poetry" in pyproject.read_text(errors="replace"):
            # No lock committed: Poetry resolves and writes one, as on the user's machine.
            return ["poetry", "install", "--no-root", "--no-interaction"], folder
    return ["pip", "install", "Django"], mdir


def settings_module(project: Project, mdir: Path, env: dict) -> str | None:
    """The module manage.py names, as the user would read it."""
    if env.get("DJANGO_SETTINGS_MODULE"):
        return env["DJANGO_SETTINGS_MODULE"]
    text = (mdir / "manage.py").read_text(errors="replace")
    # vintasoftware's manage.py reads it from .env with python-decouple's config().
    reads_dotenv = "config(" in text or "load_dotenv" in text or "read_env" in text
    for dotenv in (mdir / ".env", mdir.parent / ".env"):
        if reads_dotenv and dotenv.exists():
            found = re.search(r"^DJANGO_SETTINGS_MODULE=([\w.]+)", dotenv.read_text(), re.M)
            if found:
                return found.group(1)
    match = re.search(
        r"setdefault\(\s*[\"']DJANGO_SETTINGS_MODULE[\"']\s*,\s*[\"']([\w.]+)[\"']", text
    )
    if match:
        return match.group(1)
    # Azure's sample: 'x.production' if 'WEBSITE_HOSTNAME' in os.environ else 'x.settings'.
    literals = re.findall(r"[\"']([\w.]*settings[\w.]*)[\"']", text)
    if literals:
        return literals[-1]
    return None


def add_app(project: Project, root: Path, env: dict) -> str:
    """Add "simple_deploy" to INSTALLED_APPS in the settings file; its path."""
    mdir = manage_dir(project, root)
    if project.setup.get("add_app_to"):
        target = mdir / project.setup["add_app_to"]
    else:
        module = settings_module(project, mdir, env)
        if not module:
            raise RuntimeError("add the app: manage.py names no settings module")
        rel = Path(*module.split("."))
        target = mdir / rel.with_suffix(".py")
        if not target.exists():
            target = mdir / rel / "__init__.py"
        if not target.exists():
            raise RuntimeError(f"add the app: no file for {module}")
    text = target.read_text()
    match = re.search(r"^INSTALLED_APPS\s*=\s*[\[(]\s*\n", text, re.M)
    if match:
        indent = "    "
        text = text[: match.end()] + f'{indent}"simple_deploy",\n' + text[match.end() :]
    else:
        text = text.rstrip("\n") + '\n\nINSTALLED_APPS = [*INSTALLED_APPS, "simple_deploy"]\n'
    target.write_text(text)
    return str(target.relative_to(root))


def commit_all(root: Path, env: dict, log: Path, message: str, leave: list[str]) -> None:
    git(["add", "-A"], root, env, log)
    if leave:
        git(["reset", "-q", "--", *leave], root, env, log)
    git(["commit", "-q", "--no-verify", "-m", message], root, env, log)


class ProjectRun:
    def __init__(self, project, repos, work, logs, postgres, rehearse, wheel):
        self.project = project
        self.repos = repos
        self.work = work
        self.logs = logs
        self.postgres = postgres
        self.rehearse = rehearse
        self.wheel = wheel
        self.log = logs / f"{project.name}.log"
        self.venv = work / "venv"
        self.notes: list[str] = []
        self.env: dict = {}
        self.ready_error = ""
        # The Django requirement installed as the tool's message asked, once per project.
        self.django_upgrade = ""
        self.upgrades: set[tuple[str, ...]] = set()
        self.installed: dict[str, str] = {}  # what the upgrade left installed, by canonical name

    def prepare(self) -> None:
        """The venv and the install, once for every platform."""
        self.log.write_text(f"# {self.project.name} {self.project.repo}\n")
        project = self.project
        python, note = find_python(project.python)
        if note:
            self.notes.append(note)
        self.env = base_env(self.work, self.venv, project.setup.get("env", {}))
        try:
            self.source = make_source(project, self.repos, self.work, self.env, self.log)
            first = self.work / "install-checkout"
            checkout(project, self.source, first, self.env, self.log)
        except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
            self.ready_error = f"checkout: {exc}"
            return
        result = run([python, "-m", "venv", str(self.venv)], self.work, self.env, 300, self.log)
        if result.returncode:
            self.ready_error = "venv: " + first_line(result.stdout, result.stderr)
            return
        cmd, where = install_command(project, first)
        self.notes.append(f"installed with `{' '.join(cmd)}` in {where.relative_to(first) or '.'}")
        result = run(cmd, where, self.env, TIMEOUT_INSTALL, self.log)
        if result.returncode:
            self.ready_error = "install: " + first_line(result.stdout, result.stderr)
            return
        result = run(
            [
                "uv",
                "pip",
                "install",
                "--python",
                str(self.venv / "bin" / "python"),
                str(self.wheel),
            ],
            self.work,
            self.env,
            TIMEOUT_INSTALL,
            self.log,
        )
        if result.returncode:
            self.ready_error = "install simple_deploy: " + first_line(result.stdout, result.stderr)
        changed = replaced_packages(result.stdout + "\n" + result.stderr)
        if changed:
            self.notes.append("installing simple_deploy replaced " + ", ".join(changed))
        freeze = run(
            [
                str(self.venv / "bin" / "python"),
                "-c",
                "import django, sys; print(django.get_version(), sys.version.split()[0])",
            ],
            self.work,
            self.env,
            60,
            self.log,
        )
        if freeze.returncode == 0:
            django_v, py_v = freeze.stdout.split()
            self.notes.append(f"venv: Python {py_v}, Django {django_v} after installing")

    def _setup_commands(self, root: Path) -> None:
        """The commands the README has a developer run before the project works (as
        `makemigrations` for an app shipped without migrations), in the manage.py
        folder with the project's environment; what they write is committed with
        the app, as a developer commits it."""
        for argv in self.project.setup.get("run", []):
            result = run(
                list(argv), manage_dir(self.project, root), self.env, TIMEOUT_DEPLOY, self.log
            )
            if result.returncode:
                raise RuntimeError(
                    f"setup: `{' '.join(argv)}` failed: {first_line(result.stdout, result.stderr)}"
                )

    def deploy(self, mdir: Path, args: list[str], timeout: int) -> Result:
        python = str(self.venv / "bin" / "python")
        return run([python, "manage.py", "deploy", *args], mdir, self.env, timeout, self.log)

    def platform(self, platform: str) -> Cell:
        cell = Cell(self.project.name, platform, notes=list(self.notes))
        if self.ready_error:
            cell.configured = "no"
            cell.step, _, cell.message = self.ready_error.partition(": ")
            return cell
        root = self.work / platform
        try:
            checkout(self.project, self.source, root, self.env, self.log)
            made = apply_local_setup(self.project, root, self.work)
            self.env.update(env_file_values(self.project, manage_dir(self.project, root)))
            edited = add_app(self.project, root, self.env)
            self._setup_commands(root)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            cell.configured = "no"
            cell.step, _, cell.message = str(exc).partition(": ")
            return cell
        if made:
            status = run(["git", "status", "--porcelain", "--", *made], root, self.env, 60)
            shown = [line[3:] for line in status.stdout.splitlines()]
            if shown:
                cell.notes.append("local setup files git does not ignore: " + ", ".join(shown))
        cell.notes.append(f"added simple_deploy to {edited}")
        commit_all(root, self.env, self.log, "Add simple_deploy", made)
        if self.django_upgrade or self.upgrades:
            # An earlier platform's run upgraded the environment, as the message asked.
            self._pin_django(root, cell)
        mdir = manage_dir(self.project, root)
        head_before = git(["rev-parse", "HEAD"], root, self.env, self.log).stdout.strip()

        extra: list[str] = []
        locked: list[str] = []
        for kind in ("dry-run", "configure"):
            base = ["--platform", platform] + (["--dry-run"] if kind == "dry-run" else [])
            for _ in range(MAX_PASSES):
                result = self.deploy(mdir, base + extra, TIMEOUT_DEPLOY)
                out = result.stdout + "\n" + result.stderr
                message = first_line(result.stdout, result.stderr) if result.returncode else ""
                cell.passes.append(
                    {
                        "command": "deploy " + " ".join(base + extra),
                        "outcome": "ok" if result.returncode == 0 else f"exit {result.returncode}",
                        "message": message,
                        "seconds": round(result.seconds, 1),
                    }
                )
                if result.returncode == 0:
                    break
                if (
                    self._upgrade_django(out, root, cell)
                    or self._upgrade_packages(out, root, cell)
                    or self._lock(out, root, cell, locked)
                    or self._slugignore(out, root, cell)
                    or self._export(out, root, cell, locked)
                    or self._nested_export(out, root, cell, locked)
                    or self._raise_in_lock(out, root, cell, locked)
                    or self._optional_include(out, root, cell)
                    or self._asgi_order(out, root, cell)
                ):
                    continue
                follow = self._advice(out, extra)
                if not follow:
                    cell.configured = "no"
                    cell.step, cell.message = kind, message
                    return cell
                extra += follow
        cell.configured = "yes"
        status = run(["git", "status", "--porcelain"], root, self.env, 60)
        cell.changed = sorted(
            line[3:] for line in status.stdout.splitlines() if line[3:] not in made
        )
        commit_all(root, self.env, self.log, f"Configure for {platform}", made)
        if git(["rev-parse", "HEAD"], root, self.env, self.log).stdout.strip() == head_before:
            cell.notes.append("configuration changed nothing")
        if not self.rehearse:
            cell.rehearsed = "not run"
            return cell
        self._rehearse(cell, root, mdir, platform, extra, made)
        return cell

    def _upgrade_django(self, out: str, root: Path, cell: Cell) -> bool:
        """Upgrade Django as the tool's message asks (once per project), as a careful user
        with pinned requirements would: install it, then pin Django and every pin pip
        moved (asgiref ...) at what is now installed, and commit; each pass is recorded.
        False when there is no such message, or the project's Django is not pinned in
        requirements files (Poetry, Pipenv, uv: left to the user)."""
        requirement = django_upgrade_asked(out)
        if requirement is None or self.django_upgrade or not self._requirement_files(root):
            return False
        python = str(self.venv / "bin" / "python")
        also = upgrade_also_asked(out)
        cmd = [python, "-m", "pip", "install", requirement, *also]
        result = run(cmd, root, self.env, TIMEOUT_INSTALL, self.log)
        shown = " ".join(f'"{r}"' for r in (requirement, *also))
        cell.passes.append(
            {
                "command": f"pip install {shown} (as the message asks)",
                "outcome": "ok" if result.returncode == 0 else f"exit {result.returncode}",
                "message": first_line(result.stdout, result.stderr) if result.returncode else "",
                "seconds": round(result.seconds, 1),
            }
        )
        if result.returncode:
            return False
        listed = run([python, "-m", "pip", "list", "--format=json"], root, self.env, 120)
        installed = {
            canonical(item["name"]): item["version"] for item in json.loads(listed.stdout or "[]")
        }
        self.django_upgrade = requirement
        self.installed = installed
        return bool(self._pin_django(root, cell))

    def _upgrade_packages(self, out: str, root: Path, cell: Cell) -> bool:
        """Run the upgrade the tool asks for (packages that require another Django), once
        per set, then pin what it installed where the files pin those names, and commit."""
        asked = upgrade_asked(out)
        if not asked or tuple(asked) in self.upgrades or not self._requirement_files(root):
            return False
        self.upgrades.add(tuple(asked))
        python = str(self.venv / "bin" / "python")
        cmd = [python, "-m", "pip", "install", "--upgrade", *asked]
        result = run(cmd, root, self.env, TIMEOUT_INSTALL, self.log)
        shown = " ".join(f'"{r}"' for r in asked)
        cell.passes.append(
            {
                "command": f"pip install --upgrade {shown} (as the message asks)",
                "outcome": "ok" if result.returncode == 0 else f"exit {result.returncode}",
                "message": first_line(result.stdout, result.stderr) if result.returncode else "",
                "seconds": round(result.seconds, 1),
            }
        )
        if result.returncode:
            return False
        listed = run([python, "-m", "pip", "list", "--format=json"], root, self.env, 120)
        self.installed = {
            canonical(item["name"]): item["version"] for item in json.loads(listed.stdout or "[]")
        }
        return bool(self._pin_django(root, cell))

    @staticmethod
    def _requirement_files(root: Path) -> list[Path]:
        names = [
            f"{d}requirements{s}.{e}"
            for d in ("", "*/")
            for s in ("*", "/*")
            for e in ("txt", "in")
        ]
        found = {p for name in names for p in root.glob(name)}
        return sorted(p for p in found if _DJANGO_LINE.search(p.read_text("utf-8", "replace")))

    def _pin_django(self, root: Path, cell: Cell) -> list[str]:
        """Pin the upgrade in each requirements file that names Django (and re-pin at the
        installed version each `name==version` pip moved), and commit."""
        edited = []
        for path in self._requirement_files(root):
            text = path.read_bytes().decode("utf-8")
            pinned = pin_django(text, self.django_upgrade) if self.django_upgrade else None
            new = repin(pinned or text, self.installed)
            if new != text:
                path.write_bytes(new.encode("utf-8"))
                edited.append(path.relative_to(root).as_posix())
        if edited:
            git(["add", "--", *edited], root, self.env, self.log)
            message = f"{self.django_upgrade or 'Upgrades'}, and the pins pip moved"
            git(["commit", "-q", "--no-verify", "-m", message], root, self.env, self.log)
            cell.notes.append(
                f"{self.django_upgrade or 'upgrades'} pinned in {', '.join(edited)} with the "
                "pins pip moved, as the tool asks"
            )
        return edited

    def _lock(self, out: str, root: Path, cell: Cell, locked: list[str]) -> bool:
        """Run the lock command the tool's message names and commit the lock file, as a
        new user would (once); the pass is recorded. False: no such message, or done."""
        asked = lock_asked(out)
        if asked is None or " ".join(asked[0]) in locked:
            return False
        cmd, lock = asked
        locked.append(" ".join(cmd))
        edited = self._set_requires_python(out, root, cell)
        result = run(cmd, root, self.env, TIMEOUT_INSTALL, self.log)
        if result.returncode == 0 and lock is not None:
            git(["add", "--", lock, *edited], root, self.env, self.log)
            done = git(
                ["commit", "-q", "--no-verify", "-m", f"Add {lock}"], root, self.env, self.log
            )
            result = done if done.returncode else result
        cell.passes.append(
            {
                "command": f"{' '.join(cmd)}"
                + (f" && git commit {lock}" if lock else "")
                + " (as the message asks)",
                "outcome": "ok" if result.returncode == 0 else f"exit {result.returncode}",
                "message": first_line(result.stdout, result.stderr) if result.returncode else "",
                "seconds": round(result.seconds, 1),
            }
        )
        return result.returncode == 0

    def _set_requires_python(self, out: str, root: Path, cell: Cell) -> list[str]:
        """Edit requires-python as the message asks before its lock; the files edited."""
        specifier = requires_python_asked(out)
        path = root / "pyproject.toml"
        if specifier is None or not path.is_file():
            return []
        text = set_requires_python(path.read_text(encoding="utf-8"), specifier)
        cell.passes.append(
            {
                "command": f'requires-python = "{specifier}" (as the message asks)',
                "outcome": "ok" if text else "no requires-python line",
                "message": "",
                "seconds": 0.0,
            }
        )
        if text is None:
            return []
        path.write_text(text, encoding="utf-8")
        return ["pyproject.toml"]

    def _export(self, out: str, root: Path, cell: Cell, done: list[str]) -> bool:
        """Write the export the tool's message asks for (the command's output saved as
        the file it names) and commit it, as a new user would (once); the pass is
        recorded. False: no such message, or done already."""
        asked = export_asked(out)
        if asked is None or " ".join(asked[0]) in done:
            return False
        cmd, name = asked
        done.append(" ".join(cmd))
        result = run(cmd, root, self.env, TIMEOUT_INSTALL, self.log)
        if result.returncode == 0:
            (root / name).write_text(result.stdout)
            git(["add", "--", name], root, self.env, self.log)
            commit = ["commit", "-q", "--no-verify", "-m", f"{name}: {' '.join(cmd)}"]
            committed = git(commit, root, self.env, self.log)
            result = committed if committed.returncode else result
        cell.passes.append(
            {
                "command": f"{' '.join(cmd)}, saved as {name}, git commit (as the message asks)",
                "outcome": "ok" if result.returncode == 0 else f"exit {result.returncode}",
                "message": first_line(result.stdout, result.stderr) if result.returncode else "",
                "seconds": round(result.seconds, 1),
            }
        )
        return result.returncode == 0

    def _nested_export(self, out: str, root: Path, cell: Cell, done: list[str]) -> bool:
        """Run the export the nested-dependencies message names from the root, write the
        root requirements.txt holding the include it names, and commit both, as a new
        user would (once); the pass is recorded. False: no such message, or done."""
        asked = nested_export_asked(out)
        if asked is None or " ".join(asked[0]) in done:
            return False
        cmd, include = asked
        done.append(" ".join(cmd))
        result = run(cmd, root, self.env, TIMEOUT_INSTALL, self.log)
        if result.returncode == 0:
            (root / "requirements.txt").write_text(f"{include}\n", encoding="utf-8")
            nested = include.split(None, 1)[1]
            git(["add", "--", "requirements.txt", nested], root, self.env, self.log)
            message = "Export the dependencies for the platforms"
            committed = git(
                ["commit", "-q", "--no-verify", "-m", message], root, self.env, self.log
            )
            result = committed if committed.returncode else result
        cell.passes.append(
            {
                "command": f"{' '.join(cmd)} && echo '{include}' > requirements.txt"
                " && git commit (as the message asks)",
                "outcome": "ok" if result.returncode == 0 else f"exit {result.returncode}",
                "message": first_line(result.stdout, result.stderr) if result.returncode else "",
                "seconds": round(result.seconds, 1),
            }
        )
        return result.returncode == 0

    def _raise_in_lock(self, out: str, root: Path, cell: Cell, done: list[str]) -> bool:
        """Raise the pin in the nested lock with the command the message names, export
        again, and commit the lock, its pyproject.toml and the export (once)."""
        asked = raise_in_lock_asked(out)
        if asked is None or " ".join(asked[0]) in done:
            return False
        add, export = asked
        done.append(" ".join(add))
        result = run(add, root, self.env, TIMEOUT_INSTALL, self.log)
        if result.returncode == 0:
            result = run(export, root, self.env, TIMEOUT_INSTALL, self.log)
        if result.returncode == 0:
            git(["add", "-A", "--", add[2]], root, self.env, self.log)
            message = f"Raise {add[5]} in the lock, and export again"
            committed = git(
                ["commit", "-q", "--no-verify", "-m", message], root, self.env, self.log
            )
            result = committed if committed.returncode else result
        cell.passes.append(
            {
                "command": f"{shlex.join(add)} && {' '.join(export)} && git commit"
                " (as the message asks)",
                "outcome": "ok" if result.returncode == 0 else f"exit {result.returncode}",
                "message": first_line(result.stdout, result.stderr) if result.returncode else "",
                "seconds": round(result.seconds, 1),
            }
        )
        return result.returncode == 0

    def _optional_include(self, out: str, root: Path, cell: Cell) -> bool:
        """Include the git-ignored settings file only where it exists, as the message asks
        of a django-split-settings project, and commit (once: a second ask means the edit
        did not help). False: no such message, or not a file this edit applies to."""
        asked = optional_include_asked(out)
        if asked is None:
            return False
        rel, name = asked
        path = root / rel
        text = (
            make_include_optional(path.read_text(encoding="utf-8"), name)
            if path.is_file()
            else None
        )
        if text is None:
            return False
        return self._commit_edit(
            root,
            cell,
            rel,
            text,
            f"Include {name} only where it exists",
            f'{name} -> optional("{name}") in {rel}, git commit',
        )

    def _asgi_order(self, out: str, root: Path, cell: Cell) -> bool:
        """Set Django up in asgi.py before its routing is imported, as the message asks,
        and commit (once). False: no such message, or a file this edit does not know."""
        rel = asgi_order_asked(out)
        path = root / rel if rel else None
        text = set_django_up_first(path.read_text(encoding="utf-8")) if path else None
        if text is None:
            return False
        return self._commit_edit(
            root,
            cell,
            rel,
            text,
            "Set Django up before importing the routing",
            f"django_asgi_app = get_asgi_application() first in {rel}, git commit",
        )

    def _commit_edit(
        self, root: Path, cell: Cell, rel: str, text: str, message: str, shown: str
    ) -> bool:
        """Write `text` to `rel` and commit it, as the user the message asked would; the
        pass is recorded as `shown`."""
        (root / rel).write_text(text, encoding="utf-8")
        git(["add", "--", rel], root, self.env, self.log)
        done = git(["commit", "-q", "--no-verify", "-m", message], root, self.env, self.log)
        cell.passes.append(
            {
                "command": f"{shown} (as the message asks)",
                "outcome": "ok" if done.returncode == 0 else f"exit {done.returncode}",
                "message": first_line(done.stdout, done.stderr) if done.returncode else "",
                "seconds": 0.0,
            }
        )
        return done.returncode == 0

    def _slugignore(self, out: str, root: Path, cell: Cell) -> bool:
        """List the files the Heroku message names in `.slugignore` and commit, as the
        message asks (once a file). False: no such message, or they are listed already."""
        names = slugignore_asked(out)
        path = root / ".slugignore"
        listed = path.read_text().split() if path.is_file() else []
        names = [name for name in names if name not in listed]
        if not names:
            return False
        text = path.read_text() if path.is_file() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        path.write_text(text + "".join(f"{name}\n" for name in names))
        git(["add", "--", ".slugignore"], root, self.env, self.log)
        done = git(
            ["commit", "-q", "--no-verify", "-m", "List in .slugignore"], root, self.env, self.log
        )
        cell.passes.append(
            {
                "command": f"printf '%s\\n' {' '.join(names)} >> .slugignore && git commit"
                " (as the message asks)",
                "outcome": "ok" if done.returncode == 0 else f"exit {done.returncode}",
                "message": first_line(done.stdout, done.stderr) if done.returncode else "",
                "seconds": 0.0,
            }
        )
        return done.returncode == 0

    @staticmethod
    def _advice(out: str, extra: list[str]) -> list[str]:
        """The option the tool's message asks for, if the runner has not given it."""
        if "--overwrite" in out and "--overwrite" not in extra:
            return ["--overwrite"]
        if "--ignore-unclean-git" in out and "--ignore-unclean-git" not in extra:
            return ["--ignore-unclean-git"]
        module = settings_module_offered(out)
        if module and "--settings-module" not in extra:
            return ["--settings-module", module]
        return []

    def _reconfigure(
        self, cell: Cell, root: Path, mdir: Path, platform: str, extra: list[str], made: list[str]
    ) -> bool:
        """Configure again with the options a rehearsal's message asks for (--overwrite:
        "configure again with --overwrite to deploy with our Dockerfile") and commit."""
        args = ["--platform", platform, *extra]
        result = self.deploy(mdir, args, TIMEOUT_DEPLOY)
        cell.passes.append(
            {
                "command": "deploy " + " ".join(args) + " (as the rehearsal's message asks)",
                "outcome": "ok" if result.returncode == 0 else f"exit {result.returncode}",
                "message": first_line(result.stdout, result.stderr) if result.returncode else "",
                "seconds": round(result.seconds, 1),
            }
        )
        if result.returncode:
            return False
        commit_all(root, self.env, self.log, f"Configure for {platform} {' '.join(extra)}", made)
        return True

    def _rehearse(
        self,
        cell: Cell,
        root: Path,
        mdir: Path,
        platform: str,
        extra: list[str],
        made: list[str],
    ) -> None:
        try:
            database_url = self.postgres.new_database()
        except (subprocess.SubprocessError, OSError) as exc:
            cell.rehearsed, cell.step, cell.message = "fail", "database", str(exc)
            return
        keep = [x for x in extra if x != "--overwrite"]
        env_args: list[str] = []
        given: list[str] = []
        pinned: list[tuple[str, str]] = []
        for _ in range(MAX_PASSES):
            args = [
                "--platform",
                platform,
                "--rehearse",
                "--database-url",
                database_url,
                *keep,
                *env_args,
            ]
            result = self.deploy(mdir, args, TIMEOUT_REHEARSE)
            out = result.stdout + "\n" + result.stderr
            shown = " ".join(
                "<postgres>"
                if a == database_url
                else (a.split("=", 1)[0] + "=<value>" if a in env_args and "=" in a else a)
                for a in args
            )
            step = failed_step(out)
            message = "" if result.returncode == 0 else first_line(result.stdout, result.stderr)
            cell.passes.append(
                {
                    "command": "deploy " + shown,
                    "outcome": "pass" if result.returncode == 0 else f"exit {result.returncode}",
                    "message": message,
                    "seconds": round(result.seconds, 1),
                    "steps": steps_run(out),
                }
            )
            if result.returncode == 0:
                cell.rehearsed, cell.step, cell.message = "pass", "", ""
                return
            names = [n for n in env_names_asked(out) if n not in given]
            if names:
                given += names
                for name in names:
                    env_args += ["--env", f"{name}={value_for(name, database_url)}"]
                continue
            pins = [p for p in pins_asked(out) if p not in pinned]
            if pins:
                pinned += pins
                self._add_pins(root, cell, pins)
                continue
            if "configure again with --overwrite" in out and "--overwrite" not in extra:
                extra = [*extra, "--overwrite"]
                if self._reconfigure(cell, root, mdir, platform, extra, made):
                    continue
            cell.rehearsed = "fail"
            cell.step = step[0] if step else "rehearse"
            cell.message = step[1] if step and step[1] else message
            return
        cell.rehearsed, cell.step = "fail", "rehearse"
        cell.message = f"still failing after {MAX_PASSES} passes: {cell.message}"

    def _add_pins(self, root: Path, cell: Cell, pins: list[tuple[str, str]]) -> None:
        """Add each pin the rehearsal asks for to its file and commit, as a user would."""
        for requirement, file in pins:
            path = root / file
            text = path.read_bytes().decode("utf-8") if path.exists() else ""
            newline = "\r\n" if "\r\n" in text else "\n"
            if text and not text.endswith(("\n", "\r")):
                text += newline
            path.write_bytes((text + requirement + newline).encode("utf-8"))
            git(["add", "--", file], root, self.env, self.log)
        shown = ", ".join(f"{r} in {f}" for r, f in pins)
        git(["commit", "-q", "--no-verify", "-m", f"Pin {shown}"], root, self.env, self.log)
        cell.notes.append(f"pinned {shown}, as the rehearsal asks")


def tool_commit() -> str:
    """The commit of this checkout of django-simple-deploy, as the rows record it."""
    head = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def build_wheel(work: Path) -> Path:
    out = work / "wheel"
    subprocess.run(
        [
            str(REPO_ROOT / ".venv" / "bin" / "uv"),
            "build",
            "--wheel",
            "--out-dir",
            str(out),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return next(out.glob("*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=Path, help="folder of bare clones named owner+name")
    parser.add_argument(
        "--render", action="store_true", help="only write RESULTS.md again from results.json"
    )
    parser.add_argument("--projects", nargs="*", help="names from projects.toml (default: all)")
    parser.add_argument("--platforms", nargs="*", default=list(PLATFORMS))
    parser.add_argument("--no-rehearse", action="store_true", help="configure only")
    parser.add_argument(
        "--database-url", help="a PostgreSQL URL for every rehearsal (default: start a server)"
    )
    parser.add_argument("--corpus", type=Path, default=HERE / "projects.toml")
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    parser.add_argument("--markdown", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    projects = load_projects(args.corpus.read_text())
    if args.render:
        args.markdown.write_text(render_results(load_cells(args.results), projects, PLATFORMS))
        return 0
    if args.repos is None:
        parser.error("--repos is required")
    chosen = [
        p for p in projects if not p.excluded and (not args.projects or p.name in args.projects)
    ]
    unknown = set(args.projects or []) - {p.name for p in projects}
    if unknown:
        parser.error("not in the corpus: " + ", ".join(sorted(unknown)))
    for project in chosen:
        if not mirror_dir(args.repos, project).exists():
            parser.error(f"{project.name}: no clone at {args.repos / project.mirror_name}")

    work_root = Path(tempfile.mkdtemp(prefix="field-", dir=args.work))
    logs = work_root / "logs"
    logs.mkdir()
    postgres = Postgres(args.database_url)
    if not args.no_rehearse:
        postgres.start()
    cells = load_cells(args.results)
    try:
        wheel = build_wheel(work_root)
        tool = tool_commit()
        for project in chosen:
            work = work_root / project.name
            work.mkdir()
            print(f"== {project.name}", flush=True)
            runner = ProjectRun(
                project, args.repos, work, logs, postgres, not args.no_rehearse, wheel
            )
            runner.prepare()
            for platform in args.platforms:
                cell = scrub(runner.platform(platform), work)
                cell.tool = tool
                if args.no_rehearse:
                    # Keep an earlier rehearsal's outcome only if configuring still agrees.
                    old = next(
                        (c for c in cells if (c.project, c.platform) == (project.name, platform)),
                        None,
                    )
                    if old and old.rehearsed in ("pass", "fail") and cell.configured == "yes":
                        cell.rehearsed, cell.step, cell.message = (
                            old.rehearsed,
                            old.step,
                            old.message,
                        )
                # Read again: another run (other projects) may have saved since.
                cells = load_cells(args.results)
                cells = [c for c in cells if (c.project, c.platform) != (project.name, platform)]
                cells.append(cell)
                save_cells(args.results, cells)
                args.markdown.write_text(render_results(cells, projects, PLATFORMS))
                print(
                    f"   {platform}: configured {cell.configured}, rehearsed "
                    f"{cell.rehearsed} {cell.step} {cell.message[:100]}",
                    flush=True,
                )
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        postgres.stop()
    print(f"logs: {logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
