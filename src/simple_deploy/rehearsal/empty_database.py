"""Pages that fail on an empty database with the project's own settings too.

A rehearsal starts, as a new site does, with an empty database. A page whose own code
assumes content (simonwillisonblog's tag cloud takes `min()` of the tags there are)
answers 500 there whatever the deployment; the rehearsal is about what the
deployment breaks. So a page that fails in the project's own code is requested once
more, through Django's test client, with the settings the developer runs (the module
manage.py names, with the developer's environment instead of the platform's) on the
same empty database. When it raises the same exception at the same line, the failure
is the code's on an empty database, and the rehearsal reports it instead of failing;
any difference (the settings not importing here, another exception) keeps the failure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from .page_errors import own_code_cause

__all__ = [
    "CONTROL_SCRIPT",
    "MARKER",
    "control_env",
    "developer_environ",
    "same_causes",
    "sections",
]

# The database URL in a variable, never on a command line (it holds the password).
CONTROL_URL_VAR = "SIMPLE_DEPLOY_CONTROL_DATABASE_URL"
PATHS_VAR = "SIMPLE_DEPLOY_CONTROL_PATHS"
MARKER = "@@simple-deploy-control@@ "

# Run with `python -c` in manage.py's folder: the settings module manage.py names (the
# one the developer runs), without this tool's app (a development tool the platform's
# Python does not have), on the rehearsal's database, swapped in before anything
# connects (Django connects on first use).
CONTROL_SCRIPT = f"""
import json, os, re, sys, traceback
from urllib.parse import unquote, urlsplit

_named = re.search(
    r"[\\"']DJANGO_SETTINGS_MODULE[\\"']\\s*,\\s*[\\"']([\\w.]+)[\\"']",
    open("manage.py", encoding="utf-8").read(),
)
if _named is None:
    sys.exit(3)
os.environ["DJANGO_SETTINGS_MODULE"] = _named.group(1)
sys.path.insert(0, os.getcwd())
from django.conf import settings
settings.INSTALLED_APPS = [
    app for app in settings.INSTALLED_APPS if app.split(".")[0] != "simple_deploy"
]
_url = urlsplit(os.environ[{CONTROL_URL_VAR!r}])
if _url.scheme.startswith("postgres"):
    _db = {{
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(_url.path.lstrip("/")),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
    }}
else:
    _db = {{"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(_url.path[1:])}}
settings.DATABASES = {{"default": _db}}
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
_client = Client(raise_request_exception=True)
for _path in json.loads(os.environ[{PATHS_VAR!r}]):
    print({MARKER!r} + _path, flush=True)
    try:
        _client.get(_path)
    except Exception:
        traceback.print_exc(file=sys.stdout)
"""

# Variables of this machine's Python and of the rehearsal's own process that are not
# the developer's settings input: the control runs in the platform's Python.
_NOT_SETTINGS_INPUT = frozenset(
    {"DJANGO_SETTINGS_MODULE", "PATH", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}
)


def control_env(environ: Mapping[str, str], database_url: str, paths: list[str]) -> dict[str, str]:
    """The developer's environment (as `manage.py deploy` runs in it), without what
    would point the control at another Python or settings module; the database and
    the paths to request."""
    env = {k: v for k, v in environ.items() if k not in _NOT_SETTINGS_INPUT}
    # The copy is the commit's: the control leaves no bytecode in it.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env[CONTROL_URL_VAR] = database_url
    env[PATHS_VAR] = json.dumps(paths)
    return env


def sections(output: str, marker: str) -> dict[str, str]:
    """path -> what the request printed, from output whose sections start `marker`."""
    out = {}
    for section in output.split(marker)[1:]:
        path, _, text = section.partition("\n")
        out[path.strip()] = text
    return out


def same_causes(platform: Mapping[str, str], control: Mapping[str, str], app_root: str) -> dict:
    """path -> the cause, for each path whose request raised the same exception at the
    same line of the project's own code on the platform and under the developer's
    settings."""
    out = {}
    for path, text in platform.items():
        cause = own_code_cause(text, app_root)
        if cause is not None and cause == own_code_cause(control.get(path, ""), app_root):
            out[path] = cause
    return out


def developer_environ() -> dict[str, str]:
    """This process's environment: the developer's, where `manage.py deploy` runs."""
    return dict(os.environ)
