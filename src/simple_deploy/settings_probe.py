"""Which environment variables the production settings read, found by importing them once.

The settings are imported in a separate interpreter whose `os.environ` is
replaced by a mapping that records every lookup made from the project's own
files (django-environ, dj-database-url and `os.getenv` all read `os.environ`,
so their lookups are recorded too, attributed to the project line that asked).
What libraries and Python itself read while they are imported, or for their own
configuration (TERM, HOME, SENTRY_RELEASE), is left out: only the project's own
reads are the platform's business. A copy (`os.environ.copy()`) records as well.
The environment starts almost empty, as on a fresh platform: when the import
fails right after a variable was found missing, that variable is required to
import; the probe gives it a placeholder and tries again, so one run finds
every required variable, not only the first. Nothing the project reads is
printed: only names travel back, never values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["EnvVar", "ProbeResult", "probe", "kind_of", "placeholder_for"]

# Variables a fresh platform process has; nothing of the developer's shell.
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TEMP", "TMP", "TMPDIR")


@dataclass(frozen=True)
class EnvVar:
    """One environment variable the settings read.

    `required`: the settings fail to import without it. `kind` says what it holds,
    so the platform can be given the right value: "secret_key", "database_url",
    "allowed_hosts", "csrf_origins" or "other". `where` is "path:line" of the first
    project line that read it.
    """

    name: str
    required: bool
    kind: str
    where: str


@dataclass(frozen=True)
class ProbeResult:
    """What importing the settings found.

    `missing`: git-ignored paths the import needed (the platform, which gets the
    commit, lacks them); `needed_at` is "path:line" of the project line that failed
    without them. `switch`: a variable read before that line which, once set, makes
    the settings import without them (a platform flag such as ON_HEROKU); it is
    then among the required `variables` and `error` is None.
    """

    variables: tuple[EnvVar, ...]
    error: str | None
    missing: tuple[str, ...] = ()
    needed_at: str | None = None
    switch: str | None = None
    # STATICFILES_STORAGE as the settings left it, when STORAGES names no staticfiles.
    legacy_storage: str | None = None
    # (name, value): the project's debug variable and the value that turns DEBUG off.
    debug_off: tuple[str, str] | None = None


def kind_of(name: str) -> str:
    upper = name.upper()
    if "SECRET_KEY" in upper:
        return "secret_key"
    if upper in ("DATABASE_URL", "DB_URL") or upper.endswith("DATABASE_URL"):
        return "database_url"
    # Values the tool knows too: the app's host, and its HTTPS origin.
    if upper.endswith("ALLOWED_HOSTS"):
        return "allowed_hosts"
    if upper.endswith("CSRF_TRUSTED_ORIGINS"):
        return "csrf_origins"
    return "other"


def placeholder_for(name: str) -> str:
    """A harmless value that parses as what the name suggests (never a real secret)."""
    upper = name.upper()
    if kind_of(name) == "database_url":
        return "postgres://placeholder:placeholder@127.0.0.1:5432/placeholder"
    if kind_of(name) == "secret_key":
        return "build-only-placeholder-not-a-secret-" + "x" * 30
    if upper.endswith("DEBUG"):
        return "False"
    if "HOST" in upper:
        return "localhost"
    if upper.endswith(("PORT", "_COUNT", "_SECONDS", "_AGE", "_TIMEOUT")):
        return "0"
    if upper.endswith("_URL"):
        return "https://placeholder.invalid/"
    return "placeholder"


# Runs in the child interpreter: argv = [git root, manage_dir, module, names to keep,
# git-ignored paths absent from this tree].
_CHILD = r"""
import importlib, json, os, re, sys, traceback
from collections.abc import MutableMapping

root, manage_dir, module = sys.argv[1], sys.argv[2], sys.argv[3]
keep = json.loads(sys.argv[4])
hidden = json.loads(sys.argv[5])
preset = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
skip = [os.path.normcase(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)]

def is_project(frame):
    name = frame.f_code.co_filename
    if name.startswith("<"):
        return False
    name = os.path.normcase(os.path.abspath(name))
    return name.startswith(os.path.normcase(root)) and not any(
        name.startswith(s) for s in skip
    ) and "site-packages" not in name

def where(frame):
    name = os.path.normcase(os.path.abspath(frame.f_code.co_filename))
    return os.path.relpath(name, root).replace(os.sep, "/"), frame.f_lineno

# The mapping layer a read passes through on its way from the caller: this recorder
# (<string>), `os.getenv` and the frozen os module, the mapping mixins (setdefault).
_PASS_THROUGH = {"os", "_collections_abc", "collections.abc"}

def attribute(frame):
    # (project "path:line", how): the project frame a read is attributed to. A read
    # is the project's own when a project line reads the variable itself, or calls a
    # library that reads it under a name written in the project's files
    # (`env("SECRET_KEY")`, `config("X")`) or a database URL (`env.db()`). Reads made
    # while a library (or Python's stdlib) is being imported, or by a library for its
    # own configuration (TERM, HOME, SENTRY_RELEASE), are not: they are only noise.
    while frame is not None and (
        frame.f_code.co_filename.startswith("<string")
        or frame.f_globals.get("__name__") in _PASS_THROUGH
    ):
        frame = frame.f_back
    direct = frame is not None and is_project(frame)
    found = None
    while frame is not None and found is None:
        if is_project(frame):
            found = frame
        elif frame.f_code.co_filename.startswith("<frozen importlib"):
            return None, False  # a library module (or Python's) is being imported
        else:
            frame = frame.f_back
    if found is None:
        return None, False
    # Every project file on the stack: a helper of the project's own (utils.py) may
    # pass on a name the settings file writes.
    files = []
    while frame is not None:
        if is_project(frame):
            files.append(frame.f_code.co_filename)
        frame = frame.f_back
    return "%s:%d" % where(found), (direct, files)

sources = {}

def read_in_files(key, files):
    pattern = re.compile(r"(?<![\w])" + re.escape(key) + r"(?![\w])")
    for name in dict.fromkeys(files):
        if name not in sources:
            try:
                with open(name, encoding="utf-8", errors="replace") as source:
                    sources[name] = source.read()
            except OSError:
                sources[name] = ""
        if pattern.search(sources[name]):
            return True
    return False

reads = {}
seen_at = {}
order = []

def note(key, present):
    if key == "DJANGO_SETTINGS_MODULE" or not isinstance(key, str):
        return
    at, how = attribute(sys._getframe(3))
    if at is None:
        return
    direct, files = how
    own = direct or kind_of(key) == "database_url" or read_in_files(key, files)
    order.append((key, present, own))
    seen_at.setdefault(key, at)
    if own:
        reads.setdefault(key, at)

class Recorder(MutableMapping):
    def __init__(self, data):
        self.data = data
    def _note(self, key):
        note(key, key in self.data)
    def __getitem__(self, key):
        self._note(key)
        return self.data[key]
    def __contains__(self, key):
        self._note(key)
        return key in self.data
    def get(self, key, default=None):
        self._note(key)
        return self.data.get(key, default)
    def __setitem__(self, key, value):
        self.data[key] = value
    def __delitem__(self, key):
        del self.data[key]
    def __iter__(self):
        return iter(self.data)
    def __len__(self):
        return len(self.data)
    def copy(self):
        # A dict, as os.environ.copy() returns, that still records reads: settings
        # that take their values from a copy (`env = os.environ.copy()`) are seen.
        return RecordingCopy(self.data)

class RecordingCopy(dict):
    def _note(self, key):
        note(key, dict.__contains__(self, key))
    def __getitem__(self, key):
        self._note(key)
        return dict.__getitem__(self, key)
    def __contains__(self, key):
        self._note(key)
        return dict.__contains__(self, key)
    def get(self, key, default=None):
        self._note(key)
        return dict.get(self, key, default)
    def copy(self):
        return RecordingCopy(self)

env = Recorder({k: os.environ[k] for k in keep if k in os.environ})
env.data["DJANGO_SETTINGS_MODULE"] = module
env.data.update(preset)
os.environ = env
sys.path.insert(0, manage_dir)
from simple_deploy.settings_probe import kind_of, placeholder_for
supplied = []
error = None
failure = None
before = set(sys.modules)

def forget_project_modules():
    # Import the project's modules afresh; installed libraries stay loaded.
    for loaded in set(sys.modules) - before:
        mod = sys.modules.get(loaded)
        path = os.path.normcase(os.path.abspath(getattr(mod, "__file__", "") or ""))
        if path.startswith(os.path.normcase(root)) and "site-packages" not in path:
            del sys.modules[loaded]

def attempt_import():
    try:
        importlib.import_module(module)
        return None
    except BaseException as exc:
        return exc

def describe(exc):
    lines = traceback.format_exception_only(type(exc), exc)
    return (lines[-1] if lines else repr(exc)).strip()

for attempt in range(12):
    mark = len(order)
    failure = attempt_import()
    if failure is None:
        error = None
        break
    error = describe(failure)
    # Only a variable the error names (KeyError: 'X', "Set the X environment
    # variable") is taken as the cause; any other error is the settings' own.
    missing = [
        k for k, present, _ in order[mark:] if not present and k not in supplied and k in error
    ]
    if not missing:
        break
    name = missing[-1]
    supplied.append(name)
    env.data[name] = placeholder_for(name)
    forget_project_modules()

def project_lines(exc):
    out = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<"):
            continue
        name = os.path.normcase(os.path.abspath(frame.filename))
        if name.startswith(os.path.normcase(root)) and "site-packages" not in name:
            rel = os.path.relpath(name, root).replace(os.sep, "/")
            out.append((rel, frame.lineno, (frame.line or "").strip()))
    return out

def mentions(text, path):
    # The path itself ("settings/local.py" in a message), or its last part as a
    # word ("data" in `BASE_DIR / "data" / "tasks.sqlite3"`).
    path = path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    return path in text or re.search(r"(?<![\w.])" + re.escape(last) + r"(?![\w])", text)

named, needed_at, switch = [], None, None
if failure is not None and hidden:
    lines = project_lines(failure)
    text = error + "\n" + "\n".join(line for _, _, line in lines)
    named = [path for path in hidden if mentions(text, path)]
    if lines:
        needed_at = "%s:%d" % lines[-1][:2]
    # A variable the settings read (and did not find) before failing may be the
    # platform's switch around the ignored file (`if not os.environ.get("ON_HEROKU")`):
    # the one that, set, lets the settings import is what the platform must set.
    tried = []
    for key, present, own in reversed(order[mark:]) if named else ():
        if not own or present or key in supplied or key in tried or len(tried) >= 4:
            continue
        tried.append(key)
        env.data[key] = "1"
        forget_project_modules()
        if attempt_import() is None:
            switch = key
            supplied.append(key)
            error = None
            break
        del env.data[key]
# A variable the settings cannot import without is needed whoever reads it.
for key in supplied:
    reads.setdefault(key, seen_at.get(key, ""))
# The project's own debug switch (`env.bool("DJANGO_DEBUG", default=True)`): the value
# that, set on the platform, leaves DEBUG off, so every `if not DEBUG:` branch the
# settings have runs there (the platform block turns DEBUG off only after them).
# A value is taken only when the settings then import with DEBUG False.
debug_off = None
if error is None:
    for key in [k for k in reads if k.upper() == "DEBUG" or k.upper().endswith("_DEBUG")]:
        if key in env.data:
            # Required, so given a placeholder that reads as off: that value, if it is.
            if key in supplied and getattr(sys.modules.get(module), "DEBUG", None) is False:
                debug_off = [key, env.data[key]]
                break
            continue
        for value in ("False", "0"):
            env.data[key] = value
            forget_project_modules()
            if attempt_import() is None and getattr(sys.modules[module], "DEBUG", None) is False:
                debug_off = [key, value]
                break
            del env.data[key]
        if debug_off:
            break
    if debug_off is None:
        forget_project_modules()
        attempt_import()
# STATICFILES_STORAGE left for STORAGES to say (Django 5.1 ignores it): its value once
# the settings have run, whatever branch or helper set it.
settled = sys.modules.get(module) if error is None else None
legacy_storage = getattr(settled, "STATICFILES_STORAGE", None)
storages = getattr(settled, "STORAGES", None)
if not isinstance(legacy_storage, str) or (
    isinstance(storages, dict) and "staticfiles" in storages
):
    legacy_storage = None
sys.__stdout__.write("\n" + json.dumps({
    "reads": reads, "required": supplied, "error": error,
    "missing": named, "needed_at": needed_at, "switch": switch,
    "legacy_storage": legacy_storage, "debug_off": debug_off,
}))
"""


def probe(
    git_root: Path,
    manage_dir: Path,
    module: str,
    python: str = sys.executable,
    preset: dict[str, str] | None = None,
) -> ProbeResult:
    """Import `module` as a fresh platform would and record the variables it reads
    (`preset`: variables the platform is given, such as a platform flag).

    The platform gets the commit: when git ignores files that exist here, the
    settings are imported in a copy without them (see committed_tree), and a
    failure they cause names them. Without such files the working tree is the
    commit's content, and is imported in place (no copy: this runs on every run).
    """
    # Imported here: the child interpreter imports this module for placeholder_for.
    from .committed_tree import committed_copy, ignored_present

    hidden = ignored_present(git_root, manage_dir)
    if not hidden:
        return _run(git_root, manage_dir, module, python, (), preset)
    with committed_copy(git_root) as copy:
        if copy is None:  # no commit yet: the working tree is all there is
            return _run(git_root, manage_dir, module, python, (), preset)
        found = _run(copy, copy / manage_dir.relative_to(git_root), module, python, hidden, preset)
        # An ignored file in a folder the commit lacks: the folder is what is missing.
        tops = (_absent_top(copy, path) for path in found.missing)
        found = replace(found, missing=tuple(dict.fromkeys(tops)))
    if found.error is None:
        return found
    # The copy's paths mean nothing to the user: show their own.
    found = replace(found, error=found.error.replace(str(copy), str(git_root)))
    if not found.missing and _run(git_root, manage_dir, module, python, (), preset).error is None:
        # Imports here, not without the ignored files, and the failure names none of
        # them: all of them are suspects.
        found = replace(found, missing=hidden)
    return found


def _absent_top(copy: Path, path: str) -> str:
    """`path`, or the outermost of its folders absent from the committed copy ("data/")."""
    parts = path.rstrip("/").split("/")
    for depth in range(1, len(parts)):
        if not copy.joinpath(*parts[:depth]).is_dir():
            return "/".join(parts[:depth]) + "/"
    return path


def _run(
    git_root: Path,
    manage_dir: Path,
    module: str,
    python: str,
    hidden: tuple[str, ...],
    preset: dict[str, str] | None = None,
) -> ProbeResult:
    # The child runs the interpreter `manage.py deploy` runs in, so it finds this
    # package for the placeholder rule, and the project's own dependencies.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    argv = [python, "-c", _CHILD, str(git_root), str(manage_dir), module, json.dumps(_KEEP)]
    try:
        out = subprocess.run(
            [*argv, json.dumps(list(hidden)), json.dumps(preset or {})],
            cwd=manage_dir,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            check=False,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        return ProbeResult((), "importing the settings took longer than 120 s")
    lines = out.stdout.strip().splitlines()
    try:
        data = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        errors = out.stderr.strip().splitlines()
        return ProbeResult((), errors[-1] if errors else f"exit status {out.returncode}")
    required = set(data["required"])
    variables = tuple(
        EnvVar(name, name in required, kind_of(name), where)
        for name, where in data["reads"].items()
    )
    return ProbeResult(
        variables,
        data["error"],
        missing=tuple(data["missing"]),
        needed_at=data["needed_at"],
        switch=data["switch"],
        legacy_storage=data.get("legacy_storage"),
        debug_off=tuple(data["debug_off"]) if data.get("debug_off") else None,
    )
