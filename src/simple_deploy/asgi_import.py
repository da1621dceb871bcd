"""Does the project's ASGI module import on its own, as an ASGI server imports it?

`runserver` (Django's, Daphne's or Channels') sets Django up before it imports the
ASGI application; daphne, uvicorn and gunicorn import the module alone. An asgi.py
that imports its routing (consumers, their models, channels' auth) before
`get_asgi_application()` runs works locally and stops every web process on the
platform with AppRegistryNotReady, or with "settings are not configured" when the
settings are named after those imports (the order of Channels 3's tutorial). The
module is imported once, in a new interpreter, with the production settings named.
"""

from __future__ import annotations

import json
import subprocess
import sys

from .project import Project
from .runner import clean_env
from .settings_probe import placeholder_for

__all__ = ["asgi_import_problems"]

# Runs in the child: argv = [manage_dir, module, path of the module's file].
_CHILD = r"""
import importlib, json, os, sys, traceback
sys.path.insert(0, sys.argv[1])
try:
    importlib.import_module(sys.argv[2])
    found = None
except Exception as exc:
    where = [
        (f.lineno, (f.line or "").strip())
        for f in traceback.extract_tb(exc.__traceback__)
        if os.path.normcase(os.path.abspath(f.filename)) == os.path.normcase(sys.argv[3])
    ]
    found = {
        "error": type(exc).__name__,
        "message": str(exc).splitlines()[0] if str(exc) else "",
        "line": where[-1] if where else None,
    }
sys.__stdout__.write("\n" + json.dumps(found))
"""

# The two ways a module imported before Django is set up fails.
_NOT_SET_UP = ("AppRegistryNotReady", "ImproperlyConfigured")


def _failure(project: Project, module: str, path: str) -> dict | None:
    env = clean_env()
    env.update({var.name: placeholder_for(var.name) for var in project.required_env})
    env.update(project.settings_env)
    env["DJANGO_SETTINGS_MODULE"] = project.settings_module
    try:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(project.manage_dir), module, path],
            cwd=project.manage_dir,
            capture_output=True,
            env=env,
            check=False,
            timeout=120,
        )
        found = json.loads(out.stdout.decode("utf-8", errors="replace").splitlines()[-1])
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        return None  # the rehearsal's web step says what else is wrong
    return found if isinstance(found, dict) else None


def asgi_import_problems(project: Project) -> list[str]:
    """One message when the ASGI module the platform will serve fails to import alone
    because it uses Django before setting it up; nothing otherwise."""
    services = project.services
    if not services.asgi_application or not services.asgi_server:
        return []
    module = services.asgi_application.partition(":")[0]
    path = project.manage_dir.joinpath(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        return []
    found = _failure(project, module, str(path.resolve()))
    if not found or found.get("error") not in _NOT_SET_UP:
        return []
    if found["error"] == "ImproperlyConfigured" and "not configured" not in found["message"]:
        return []  # the settings' own complaint, which the rehearsal reports
    rel = project.rel(path)
    line = found.get("line")
    what = f"`{line[1]}` (line {line[0]})" if line else "a module that uses Django's models"
    server = services.asgi_server.replace("gunicorn+uvicorn", "gunicorn")
    return [
        f"{rel} runs {what} before Django is set up: runserver sets Django up first, "
        f"but {server} imports {rel} alone on the platform and stops with "
        f"`{found['error']}: {found['message']}`. Nothing was changed. In {rel}, name the "
        "settings and call `django_asgi_app = get_asgi_application()` before importing "
        'your routing, consumers or channels.auth, and serve `"http": django_asgi_app` '
        "(the order Channels' docs show); then commit, and run again."
    ]
