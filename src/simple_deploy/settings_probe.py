"""Which environment variables the production settings read, found by importing them once.

The settings are imported in a separate process (a fork of this interpreter
where the OS has one, made to look like a new one; a new interpreter otherwise)
whose `os.environ` is replaced by a mapping that records every lookup made
from the project's own files (django-environ, dj-database-url and `os.getenv` all read `os.environ`,
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

import gc
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

__all__ = ["EnvVar", "ProbeResult", "probe", "kind_of", "placeholder_for"]

# Variables a fresh platform process has; nothing of the developer's shell.
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TEMP", "TMP", "TMPDIR")
# Seconds an import of the settings may take before the probe gives up on it.
TIME_LIMIT = 120
# What the child may keep of the parent's modules when it is a fork: Python's own
# (as a fresh interpreter has them) and the module the child script imports.
_KEPT_PACKAGES = ("simple_deploy", "simple_deploy.settings_probe")
_FORGOTTEN: list = []


@dataclass(frozen=True)
class EnvVar:
    """One environment variable the settings read.

    `required`: the settings fail to import without it. `kind` says what it holds,
    so the platform can be given the right value: "secret_key", "database_url",
    "allowed_hosts", "csrf_origins", "site_url" (the site's public URL) or "other".
    `where` is "path:line" of the first project line that read it.
    """

    name: str
    required: bool
    kind: str
    where: str


class ProbeResult(NamedTuple):
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
    # Final values the settings block is written from (see settings_facts); None when
    # the settings did not import.
    final: dict | None = None
    # Variables the settings' pydantic-settings model reads as JSON (a list field).
    json_variables: tuple[str, ...] = ()


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
    # The site's own public URL (healthchecks' SITE_ROOT, defaulting to localhost, which
    # its system check wants among ALLOWED_HOSTS): the tool knows it, https://<host>.
    if upper.removeprefix("DJANGO_") in _SITE_URL_NAMES:
        return "site_url"
    return "other"


_SITE_URL_NAMES = frozenset(
    {"SITE_ROOT", "SITE_URL", "SITE_BASE_URL", "BASE_URL", "WAGTAILADMIN_BASE_URL"}
)


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
import importlib, json, linecache, os, re, sys, traceback
from collections.abc import MutableMapping

root, manage_dir, module = sys.argv[1], sys.argv[2], sys.argv[3]
keep = json.loads(sys.argv[4])
hidden = json.loads(sys.argv[5])
preset = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
skip = [os.path.normcase(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)]

if preset:
    # With a platform's own variables set, a block we wrote on an earlier run would run
    # too: the facts must be the project's own, as on the first run, so the block is
    # blanked (lines kept, for the line numbers) and no cached bytecode is used.
    import importlib.machinery, tempfile
    _BLOCK = re.compile(
        r"^# >>> django-simple-deploy: ([\w-]+) >>>$.*?^# <<< django-simple-deploy: \1 <<<$",
        re.M | re.S,
    )
    _to_code = importlib.machinery.SourceFileLoader.source_to_code
    def _without_blocks(self, data, path, *args, **kwargs):
        if isinstance(data, bytes) and b"# >>> django-simple-deploy: " in data:
            text = data.decode("utf-8", "replace")
            data = _BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), text).encode("utf-8")
        return _to_code(self, data, path, *args, **kwargs)
    importlib.machinery.SourceFileLoader.source_to_code = _without_blocks
    sys.dont_write_bytecode = True
    sys.pycache_prefix = os.path.join(tempfile.gettempdir(), "simple-deploy-no-pycache")

def is_project(frame):
    name = frame.f_code.co_filename
    if name.startswith("<"):
        return False
    return is_project_path(os.path.normcase(os.path.abspath(name)))

def is_project_path(name):
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
    order.append((key, present, own, at))
    seen_at.setdefault(key, at)
    if own:
        reads.setdefault(key, at)

# Where the project listed the whole environment (pydantic-settings, goodconf: a model
# built from every variable set): a variable it lacks is never asked for by name, so
# only the import's error names it. Indexes into `order` at each listing, and the line.
listings = []

def note_listing():
    at, _ = attribute(sys._getframe(2))
    if at is not None:
        listings.append((len(order), at))

def named_missing(exc, error):
    # The names a failed validation of a listed environment says are missing: pydantic's
    # errors() when it has them (field names, as the variables are spelled in any case),
    # else the variable-like words of the message.
    names = []
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            for item in errors():
                loc = item.get("loc") or ()
                if item.get("type") == "missing" and loc and isinstance(loc[0], str):
                    names.append(loc[0].upper())
        except Exception:
            names = []
    if not names:
        names = re.findall(r"(?<![\w.])[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9](?![\w.])", error)
    return [n for n in dict.fromkeys(names) if n not in env.data and n not in supplied]

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
        note_listing()
        return iter(self.data)
    # A listing reads every variable set (PATH, HOME...), not one the settings name.
    def items(self):
        note_listing()
        return self.data.items()
    def values(self):
        note_listing()
        return self.data.values()
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

def failing_line(exc):
    # "path:line" of the last project line the failure passed through.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        name = os.path.normcase(os.path.abspath(frame.filename))
        if not frame.filename.startswith("<") and is_project_path(name):
            return "%s:%d" % (os.path.relpath(name, root).replace(os.sep, "/"), frame.lineno)
    return None

def used_unset(reads_since, error, at):
    # A variable read as absent on the line that failed, or (the error is about a
    # None) a few lines above it in the same file: `os.environ.get("HOSTS").split()`,
    # `int(os.getenv("PORT"))`. The error names no variable, but the read is the cause.
    if at is None:
        return []
    path, _, line = at.rpartition(":")
    source = linecache.getline(os.path.join(root, path), int(line))
    out = []
    for k, present, own, read_at in reads_since:
        if present or not own or k in supplied:
            continue
        rpath, _, rline = read_at.rpartition(":")
        if rpath != path:
            continue
        gap = int(line) - int(rline)
        if gap == 0 or ("NoneType" in error and 0 < gap <= 5):
            out.append(k)
        elif "NoneType" in error and gap > 0 and re.search(r"\b%s\b" % re.escape(k), source):
            # Read into a name of the same spelling further up and used here by it:
            # `"redis://" + REDIS_HOST + ":" + REDIS_PORT` in a dict built over lines.
            out.append(k)
    return out

# Names given a placeholder because they were read as absent where the import
# failed, while it keeps failing with the same error at the same line.
guesses, guessed_at = [], None
for attempt in range(12):
    mark = len(order)
    failure = attempt_import()
    if failure is None:
        error = None
        break
    error = describe(failure)
    at = failing_line(failure)
    if (error, at) != guessed_at:
        guesses = []  # the failure moved on: those placeholders were the cause
    # A variable the error names (KeyError: 'X', "Set the X environment variable")
    # is the cause; so is one read as absent where the import failed. Any other
    # error is the settings' own.
    missing = [
        k for k, present, _, _ in order[mark:] if not present and k not in supplied and k in error
    ]
    if not missing:
        missing = used_unset(order[mark:], error, at)
        if missing:
            guesses.append(missing[-1])
            guessed_at = (error, at)
    listed = [where for index, where in listings if index >= mark]
    if not missing and listed:
        missing = named_missing(failure, error)
        for name in missing:
            seen_at.setdefault(name, listed[-1])
        if missing:
            guesses.append(missing[-1])
            guessed_at = (error, at)
    if not missing:
        if guesses:
            # The placeholders changed nothing: those reads were not the cause.
            for name in guesses:
                supplied.remove(name)
                del env.data[name]
            forget_project_modules()
            failure = attempt_import()
            error = describe(failure) if failure is not None else None
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
    for key, present, own, _ in reversed(order[mark:]) if named else ():
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
tried_off = False
if error is None:
    for key in [k for k in reads if k.upper() == "DEBUG" or k.upper().endswith("_DEBUG")]:
        if key in env.data:
            # Required, so given a placeholder that reads as off: that value, if it is.
            if key in supplied and getattr(sys.modules.get(module), "DEBUG", None) is False:
                debug_off = [key, env.data[key]]
                break
            continue
        # The spellings settings compare against when they read the string themselves
        # (`os.getenv("DJANGO_DEBUG") != "FALSE"`), after the two every parser takes.
        for value in ("False", "0", "FALSE", "false", "off", "no"):
            tried_off = True
            env.data[key] = value
            forget_project_modules()
            if attempt_import() is None and getattr(sys.modules[module], "DEBUG", None) is False:
                debug_off = [key, value]
                break
            del env.data[key]
        if debug_off:
            break
    if debug_off is None and tried_off:
        # Back to the settings as they import without those values.
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

def final_values(settled):
    # The settings' final values the block is written from (settings_facts): a plain
    # line in the block instead of a run-time test of what the project set.
    if settled is None:
        return None
    def strings(name):
        value = getattr(settled, name, None)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            return None
        return [list(value), isinstance(value, list)]
    def text(name):
        value = getattr(settled, name, None)
        return value if isinstance(value, str) else None
    def _static_root_rel(value):
        if value is None:
            return None
        try:
            rel = os.path.relpath(os.path.realpath(str(value)), os.path.realpath(root))
        except (TypeError, ValueError):
            return None
        outside = rel in (".", os.pardir) or rel.startswith(os.pardir + os.sep)
        return None if outside else rel.replace(os.sep, "/")
    def served_dirs():
        # STATICFILES_DIRS entries (a path, or a (prefix, path) pair) and the template
        # DIRS: folders a build outside the Python one may have to fill (frontend).
        found = []
        for entry in getattr(settled, "STATICFILES_DIRS", None) or ():
            pair = isinstance(entry, (list, tuple)) and len(entry) == 2
            found.append(entry[1] if pair else entry)
        for engine in getattr(settled, "TEMPLATES", None) or ():
            if isinstance(engine, dict):
                found.extend(engine.get("DIRS") or ())
        paths = [value for value in found if isinstance(value, (str, os.PathLike))]
        rels = [_static_root_rel(value) for value in paths]
        return [rel for rel in dict.fromkeys(rels) if rel]
    storages = getattr(settled, "STORAGES", None)
    mailers = getattr(settled, "MAILERS", None)
    base_dir = getattr(settled, "BASE_DIR", None)
    try:
        base_dir_here = base_dir is not None and os.path.samefile(str(base_dir), manage_dir)
    except (OSError, TypeError, ValueError):
        base_dir_here = False
    return {
        "middleware": strings("MIDDLEWARE"),
        "installed_apps": strings("INSTALLED_APPS"),
        "storages": sorted(storages) if isinstance(storages, dict) else None,
        "staticfiles_backend": (
            storages["staticfiles"].get("BACKEND")
            if isinstance(storages, dict) and isinstance(storages.get("staticfiles"), dict)
            else None
        ),
        "staticfiles_storage": text("STATICFILES_STORAGE"),
        # STATIC_ROOT = "" (old startproject templates, still in many projects) is unset
        # for collectstatic, which refuses to run: the block must set it.
        "static_root": bool(str(getattr(settled, "STATIC_ROOT", None) or "")),
        # Root-relative (POSIX) when inside the repository: this runs in a copy of it.
        "static_root_rel": _static_root_rel(getattr(settled, "STATIC_ROOT", None) or None),
        "static_url": getattr(settled, "STATIC_URL", None) is not None,
        "served_dirs": served_dirs(),
        # A falsy SECURE_CROSS_ORIGIN_OPENER_POLICY other than None (False, ""): no
        # header, as None means, but `check --deploy` calls it invalid (security.E024).
        "coop_falsy": (
            getattr(settled, "SECURE_CROSS_ORIGIN_OPENER_POLICY", None) is not None
            and not getattr(settled, "SECURE_CROSS_ORIGIN_OPENER_POLICY", None)
        ),
        "silenced_set": hasattr(settled, "SILENCED_SYSTEM_CHECKS"),
        # django-haystack refuses to start without HAYSTACK_CONNECTIONS.
        "haystack_unset": "haystack" in list(getattr(settled, "INSTALLED_APPS", None) or ())
        and not getattr(settled, "HAYSTACK_CONNECTIONS", None),
        "database_aliases": (
            sorted(str(k) for k in settled.DATABASES)
            if isinstance(getattr(settled, "DATABASES", None), dict)
            else None
        ),
        "base_dir_is_manage_dir": bool(base_dir_here),
        "email_backend": text("EMAIL_BACKEND"),
        "sender_set": any(hasattr(settled, n) for n in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL")),
        "wagtail_base_url": hasattr(settled, "WAGTAILADMIN_BASE_URL"),
        "default_auto_field": hasattr(settled, "DEFAULT_AUTO_FIELD"),
        "smtp_settings": any(
            hasattr(settled, name)
            for name in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD")
        ),
        "mailers": (
            {k: (v.get("BACKEND") if isinstance(v, dict) else None) for k, v in mailers.items()}
            if isinstance(mailers, dict) else None
        ),
    }

def json_variables(settled):
    # Variables a pydantic-settings model in the settings (goodconf's Config, a
    # BaseSettings instance) parses as JSON: its list, set, tuple, dict and model
    # fields. `ALLOWED_HOSTS=example.com` fails its validation there; `["example.com"]`
    # is the form it reads.
    import types
    import typing
    unions = (typing.Union, getattr(types, "UnionType", None))
    names = []
    for value in list(vars(settled).values()) if settled is not None else ():
        # The model class, or an instance of it (goodconf's `config`).
        model = value if isinstance(value, type) else type(value)
        config = getattr(model, "model_config", None)
        fields = getattr(model, "model_fields", None)
        if not isinstance(config, dict) or "env_prefix" not in config:
            continue
        if not isinstance(fields, dict):
            continue
        for field_name, info in fields.items():
            kinds = [getattr(info, "annotation", None)]
            if typing.get_origin(kinds[0]) in unions:
                kinds = [k for k in typing.get_args(kinds[0]) if k is not type(None)]
            complex_ = False
            for kind in kinds:
                origin = typing.get_origin(kind) or kind
                if origin in (list, set, tuple, frozenset, dict) or hasattr(origin, "model_fields"):
                    complex_ = True
            alias = getattr(info, "validation_alias", None) or getattr(info, "alias", None)
            if complex_:
                prefix = config.get("env_prefix") or ""
                names.append((alias if isinstance(alias, str) else prefix + field_name).upper())
    return sorted(set(names))

sys.__stdout__.write("\n" + json.dumps({
    "reads": reads, "required": supplied, "error": error,
    "missing": named, "needed_at": needed_at, "switch": switch,
    "legacy_storage": legacy_storage, "debug_off": debug_off, "final": final_values(settled),
    "json_variables": json_variables(settled),
}))
"""


def probe(
    git_root: Path,
    manage_dir: Path,
    module: str,
    python: str = sys.executable,
    preset: dict[str, str] | None = None,
    ignored: Sequence[str] | None = None,
) -> ProbeResult:
    """Import `module` as a fresh platform would and record the variables it reads
    (`preset`: variables the platform is given, such as a platform flag; `ignored`:
    the git-ignored paths that exist, as inspection's git status listed them, None
    to ask git).

    The platform gets the commit: when git ignores files that exist here, the
    settings are imported in a copy without them (see committed_tree), and a
    failure they cause names them. Without such files the working tree is the
    commit's content, and is imported in place (no copy: this runs on every run).
    """
    # Imported here: the child interpreter imports this module for placeholder_for.
    from .committed_tree import committed_copy, ignored_present

    hidden = ignored_present(git_root, manage_dir, ignored)
    if not hidden:
        return _run(git_root, manage_dir, module, python, (), preset)
    with committed_copy(git_root) as copy:
        if copy is None:  # no commit yet: the working tree is all there is
            return _run(git_root, manage_dir, module, python, (), preset)
        copy_dir = copy / manage_dir.relative_to(git_root)
        found = _run(copy, copy_dir, module, python, hidden, preset, user_root=git_root)
        # An ignored file in a folder the commit lacks: the folder is what is missing.
        tops = (_absent_top(copy, path) for path in found.missing)
        found = found._replace(missing=tuple(dict.fromkeys(tops)))
    if found.error is None:
        return found
    # The copy's paths mean nothing to the user: show their own.
    found = found._replace(error=found.error.replace(str(copy), str(git_root)))
    if not found.missing and _run(git_root, manage_dir, module, python, (), preset).error is None:
        # Imports here, not without the ignored files, and the failure names none of
        # them: all of them are suspects.
        found = found._replace(missing=hidden)
    return found


def _absent_top(copy: Path, path: str) -> str:
    """`path`, or the outermost of its folders absent from the committed copy ("data/")."""
    parts = path.rstrip("/").split("/")
    for depth in range(1, len(parts)):
        if not copy.joinpath(*parts[:depth]).is_dir():
            return "/".join(parts[:depth]) + "/"
    return path


_DROPPED_ENV = ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")


def _can_fork(python: str) -> bool:
    """A fork of this interpreter can stand in for a fresh one: the OS has fork, the
    child would run this very interpreter, and no other thread holds a lock the
    child could wait on forever (a fork copies only the calling thread)."""
    return hasattr(os, "fork") and python == sys.executable and threading.active_count() == 1


def _run(
    git_root: Path,
    manage_dir: Path,
    module: str,
    python: str,
    hidden: tuple[str, ...],
    preset: dict[str, str] | None = None,
    user_root: Path | None = None,
) -> ProbeResult:
    """Import the settings in a child process: a fork of this interpreter where the OS
    has one (a new interpreter's start-up is most of the probe's cost), a new
    interpreter otherwise (Windows). A failure a fork finds is confirmed by a new
    interpreter: a library with a C extension may refuse a second import in one
    process (numpy does), which a fresh platform process would not see."""
    args = [
        str(git_root),
        str(manage_dir),
        module,
        json.dumps(_KEEP),
        json.dumps(list(hidden)),
        json.dumps(preset or {}),
    ]
    if _FORCED == "fork" or (_FORCED is None and _can_fork(python)):
        found = _forked(args, manage_dir, user_root or git_root)
        if found is not None and (
            _FORCED == "fork" or found.error is None or found.error == _too_long()
        ):
            return found
    return _spawned(python, args, manage_dir)


# Tests only: "fork" or "spawn" takes that path whatever the machine (a forced fork
# reports its own failures, unconfirmed).
_FORCED: str | None = None


def _too_long() -> str:
    return f"importing the settings took longer than {TIME_LIMIT} s"


def _spawned(python: str, args: list[str], manage_dir: Path) -> ProbeResult:
    # The child runs the interpreter `manage.py deploy` runs in, so it finds this
    # package for the placeholder rule, and the project's own dependencies.
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    try:
        out = subprocess.run(
            [python, "-c", _CHILD, *args],
            cwd=manage_dir,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            check=False,
            timeout=TIME_LIMIT,
        )
    except subprocess.TimeoutExpired:
        return ProbeResult((), _too_long())
    return _parse(out.stdout, out.stderr, out.returncode)


def _forked(args: list[str], manage_dir: Path, user_root: Path) -> ProbeResult | None:
    """The child script in a fork of this interpreter, its output read as a new
    interpreter's would be, and the fork killed past the time limit. None when the
    system refuses a fork (out of processes or memory): a new interpreter may do."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:  # what is buffered now must not be written twice
            stream.flush()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        for fd in (out_r, out_w, err_r, err_w):
            os.close(fd)
        return None
    if pid == 0:
        _child_main(args, manage_dir, user_root, (out_r, out_w, err_r, err_w))
    os.close(out_w)
    os.close(err_w)
    chunks = None
    try:
        chunks = _read_until_closed((out_r, err_r), time.monotonic() + TIME_LIMIT)
    finally:
        os.close(out_r)
        os.close(err_r)
        if chunks is None:  # past the limit, or interrupted: the fork must not outlive us
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if chunks is None:
        return ProbeResult((), _too_long())
    out, err = (chunks[fd].decode("utf-8", "replace") for fd in (out_r, err_r))
    return _parse(out, err, os.waitstatus_to_exitcode(status))


def _read_until_closed(fds: tuple[int, ...], deadline: float) -> dict[int, bytes] | None:
    """Everything written to `fds` until every writer has closed them; None past `deadline`."""
    chunks = {fd: bytearray() for fd in fds}
    with selectors.DefaultSelector() as selector:
        for fd in fds:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for key, _ in selector.select(left):
                data = os.read(key.fd, 65536)
                if data:
                    chunks[key.fd] += data
                else:
                    selector.unregister(key.fd)
    return {fd: bytes(data) for fd, data in chunks.items()}


def _child_main(
    args: list[str], manage_dir: Path, user_root: Path, pipes: tuple[int, int, int, int]
) -> None:
    """The fork's whole life: it never returns into the parent's code, and leaves with
    os._exit, so none of the parent's exit handlers, buffers or database connections
    are run, flushed or closed from here."""
    status = 1
    try:
        out_r, out_w, err_r, err_w = pipes
        os.close(out_r)
        os.close(err_r)
        stdin = os.open(os.devnull, os.O_RDONLY)
        for fd, target in ((stdin, 0), (out_w, 1), (err_w, 2)):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        _as_new_interpreter(manage_dir, (user_root, Path(args[0])))
        sys.argv = ["-c", *args]
        import builtins

        exec(
            compile(_CHILD, "<string>", "exec"), {"__name__": "__main__", "__builtins__": builtins}
        )
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(status)


def _as_new_interpreter(manage_dir: Path, roots: tuple[Path, ...]) -> None:
    """Leave in this fork only what `python -c` started in `manage_dir` would have.

    Every module that is not Python's own is forgotten, so the settings import
    Django, their libraries and the project's modules afresh: a library may keep
    the `os.environ` it found when imported (django-environ's `Env.ENVIRON`), and
    Django's app registry, filled by the parent, must not be seen by the settings.
    """
    os.chdir(manage_dir)
    for name in _DROPPED_ENV:
        os.environ.pop(name, None)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
    # The parent's objects are the child's garbage collector's business no more: left
    # alone, a collection would walk (and copy, page by page) the whole parent heap.
    gc.freeze()
    inside = [os.path.normcase(os.path.abspath(root)) for root in roots]

    def in_project(path: str) -> bool:
        path = os.path.normcase(os.path.abspath(path))
        return any(path == root or path.startswith(root + os.sep) for root in inside)

    stdlib = sys.stdlib_module_names
    for name, module in list(sys.modules.items()):
        if name in _KEPT_PACKAGES:
            continue
        top = name.partition(".")[0]
        # logging too: the parent's handlers (a log file) are not a new interpreter's;
        # and a project module named like one of Python's (`secrets.py`) is the project's.
        own = getattr(module, "__file__", None)
        if top not in stdlib or top == "logging" or (own and in_project(own)):
            # Kept referenced: freeing the parent's modules would cost as much as its exit.
            _FORGOTTEN.append(sys.modules.pop(name))
    # The project's folders come from the child script, as in a new interpreter;
    # the parent's (its manage.py folder, a settings file's additions) are left out.
    sys.path[:] = [""] + [entry for entry in sys.path if entry and not in_project(entry)]
    sys.path_importer_cache.clear()


def _parse(stdout: str, stderr: str, returncode: int) -> ProbeResult:
    lines = stdout.strip().splitlines()
    try:
        data = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        errors = stderr.strip().splitlines()
        return ProbeResult((), errors[-1] if errors else f"exit status {returncode}")
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
        final=data.get("final"),
        json_variables=tuple(data.get("json_variables") or ()),
    )
