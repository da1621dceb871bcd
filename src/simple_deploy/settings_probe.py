"""Which environment variables the production settings read, found by importing them once.

The settings are imported in a separate interpreter whose `os.environ` is
replaced by a mapping that records every lookup made from the project's own
files (django-environ, dj-database-url and `os.getenv` all read `os.environ`,
so their lookups are recorded too, attributed to the project line that asked).
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
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EnvVar", "ProbeResult", "probe", "kind_of", "placeholder_for"]

# Variables a fresh platform process has; nothing of the developer's shell.
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TEMP", "TMP", "TMPDIR")


@dataclass(frozen=True)
class EnvVar:
    """One environment variable the settings read.

    `required`: the settings fail to import without it. `kind` says what it holds,
    so the platform can be given the right value: "secret_key", "database_url"
    or "other". `where` is "path:line" of the first project line that read it.
    """

    name: str
    required: bool
    kind: str
    where: str


@dataclass(frozen=True)
class ProbeResult:
    variables: tuple[EnvVar, ...]
    error: str | None


def kind_of(name: str) -> str:
    upper = name.upper()
    if "SECRET_KEY" in upper:
        return "secret_key"
    if upper in ("DATABASE_URL", "DB_URL") or upper.endswith("DATABASE_URL"):
        return "database_url"
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


# Runs in the child interpreter: argv = [git root, manage_dir, module, names to keep].
_CHILD = r"""
import importlib, json, os, sys, traceback
from collections.abc import MutableMapping

root, manage_dir, module = sys.argv[1], sys.argv[2], sys.argv[3]
keep = json.loads(sys.argv[4])
skip = [os.path.normcase(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)]

def project_frame(frame):
    while frame is not None:
        if frame.f_code.co_filename.startswith("<"):  # <frozen os>, <string>
            frame = frame.f_back
            continue
        name = os.path.normcase(os.path.abspath(frame.f_code.co_filename))
        if name.startswith(os.path.normcase(root)) and not any(
            name.startswith(s) for s in skip
        ) and "site-packages" not in name:
            return os.path.relpath(name, root).replace(os.sep, "/"), frame.f_lineno
        frame = frame.f_back
    return None

reads = {}
order = []

class Recorder(MutableMapping):
    def __init__(self, data):
        self.data = data
    def _note(self, key):
        if key == "DJANGO_SETTINGS_MODULE" or not isinstance(key, str):
            return
        where = project_frame(sys._getframe(2))
        if where is None:
            return
        order.append((key, key in self.data))
        reads.setdefault(key, "%s:%d" % where)
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
        return dict(self.data)

env = Recorder({k: os.environ[k] for k in keep if k in os.environ})
env.data["DJANGO_SETTINGS_MODULE"] = module
os.environ = env
sys.path.insert(0, manage_dir)
from simple_deploy.settings_probe import placeholder_for
supplied = []
error = None
before = set(sys.modules)
for attempt in range(12):
    mark = len(order)
    try:
        importlib.import_module(module)
        error = None
        break
    except BaseException as exc:
        lines = traceback.format_exception_only(type(exc), exc)
        error = (lines[-1] if lines else repr(exc)).strip()
        # Only a variable the error names (KeyError: 'X', "Set the X environment
        # variable") is taken as the cause; any other error is the settings' own.
        missing = [
            k for k, present in order[mark:] if not present and k not in supplied and k in error
        ]
        if not missing:
            break
        name = missing[-1]
        supplied.append(name)
        env.data[name] = placeholder_for(name)
        # Import the project's modules afresh; installed libraries stay loaded.
        for loaded in set(sys.modules) - before:
            mod = sys.modules.get(loaded)
            path = os.path.normcase(os.path.abspath(getattr(mod, "__file__", "") or ""))
            if path.startswith(os.path.normcase(root)) and "site-packages" not in path:
                del sys.modules[loaded]
sys.__stdout__.write("\n" + json.dumps({"reads": reads, "required": supplied, "error": error}))
"""


def probe(
    git_root: Path, manage_dir: Path, module: str, python: str = sys.executable
) -> ProbeResult:
    """Import `module` as a fresh platform would and record the variables it reads."""
    # The child runs the interpreter `manage.py deploy` runs in, so it finds this
    # package for the placeholder rule, and the project's own dependencies.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    try:
        out = subprocess.run(
            [python, "-c", _CHILD, str(git_root), str(manage_dir), module, json.dumps(_KEEP)],
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
    return ProbeResult(variables, data["error"])
