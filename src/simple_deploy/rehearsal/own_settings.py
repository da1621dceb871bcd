"""The same commit under the developer's own settings: the rehearsal's control.

The rehearsal is about what the deployment breaks. Some failures it sees are the
code's on any machine: a page whose own code assumes content fails on an empty
database (simonwillisonblog's tag cloud takes `min()` of the tags there are), and a
library warns about a deprecated setting of the project's own (django-allauth's
`ACCOUNT_AUTHENTICATION_METHOD`, in pythondotorg's base settings) wherever the
settings run. Such a failure is tried once more with the settings the developer runs
(the module manage.py names, the developer's environment instead of the platform's,
the same commit and the same empty database): a page that raises the same exception
at the same line there, or a warning `check` prints there too, is the code's, and the
rehearsal reports it instead of failing. Any difference (the settings not importing
here, another exception, a warning only the platform's settings raise) keeps the
failure.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping

from .page_errors import own_code_cause

__all__ = [
    "CHECK_MARKER",
    "CONTROL_SCRIPT",
    "MARKER",
    "checked_here_too",
    "control_env",
    "warnings_of",
    "developer_environ",
    "same_causes",
    "sections",
]

# The database URL in a variable, never on a command line (it holds the password).
CONTROL_URL_VAR = "SIMPLE_DEPLOY_CONTROL_DATABASE_URL"
PATHS_VAR = "SIMPLE_DEPLOY_CONTROL_PATHS"
CHECK_VAR = "SIMPLE_DEPLOY_CONTROL_CHECK"
MARKER = "@@simple-deploy-control@@ "
CHECK_MARKER = "@@simple-deploy-control-check@@"

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
if os.environ.get({CHECK_VAR!r}):
    import io
    from django.core.management import call_command
    _out = io.StringIO()
    try:
        call_command("check", stdout=_out, stderr=_out)
    except Exception as _error:
        _out.write(str(_error))
    print({CHECK_MARKER!r}, flush=True)
    print(_out.getvalue(), flush=True)
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


def control_env(
    environ: Mapping[str, str], database_url: str, paths: list[str], check: bool = False
) -> dict[str, str]:
    """The developer's environment (as `manage.py deploy` runs in it), without what
    would point the control at another Python or settings module; the database, the
    paths to request, and whether to run `check` first."""
    env = {k: v for k, v in environ.items() if k not in _NOT_SETTINGS_INPUT}
    # The copy is the commit's: the control leaves no bytecode in it.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env[CONTROL_URL_VAR] = database_url
    env[PATHS_VAR] = json.dumps(paths)
    if check:
        env[CHECK_VAR] = "1"
    return env


def warnings_of(output: str) -> list[str]:
    """The warnings `check` printed, one entry each (its first line, as printed)."""
    section = output.split("WARNINGS:", 1)[1] if "WARNINGS:" in output else ""
    section = section.split("System check identified", 1)[0]
    return [line.strip() for line in section.splitlines() if line and not line[0].isspace()]


def _same_warning(entry: str) -> str:
    """`entry` with each `{...}` set's items sorted: a set prints its items in an order
    that changes from one process to the next (django-allauth's
    `ACCOUNT_LOGIN_METHODS = {'email', 'username'}`)."""
    return re.sub(
        r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", entry
    )


def checked_here_too(platform_output: str, control_output: str) -> list[str]:
    """The platform's warnings that `check` under the developer's settings printed too."""
    if CHECK_MARKER not in control_output:
        return []
    here = {_same_warning(w) for w in warnings_of(control_output.split(CHECK_MARKER, 1)[1])}
    return [w for w in warnings_of(platform_output) if _same_warning(w) in here]


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
