"""The module the platform's web command serves exists, and is committed.

The sample keeps wsgi.py at the top level beside manage.py and sets
`WSGI_APPLICATION = 'wsgi.application'` in a component django-split-settings
includes (so no star-import chain leads to it): gunicorn must serve `wsgi`, not
`blog.wsgi`, which does not exist. A project with no WSGI module at all stops,
naming what to set. (Rehearsed in tests/e2e/test_web_module_rehearsal.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from project_files import deploy, git, snapshot
from project_shapes import commit

pytestmark = pytest.mark.needs_programs


def test_a_top_level_wsgi_py_is_what_gunicorn_serves(sample_project):
    root = sample_project("requirements_txt", "flat", settings="toplevel-wsgi")

    configured = deploy(root, "heroku")

    assert configured.returncode == 0, configured.stderr + configured.stdout
    procfile = (root / "Procfile").read_text("utf-8")
    assert "web: gunicorn wsgi\n" in procfile, procfile
    assert "blog.wsgi" not in procfile


def test_no_wsgi_module_stops_naming_what_to_set(sample_project):
    root = sample_project("requirements_txt", "flat", settings="toplevel-wsgi")
    git(root, "rm", "-q", "wsgi.py")
    commit(root, "wsgi.py removed")
    before = snapshot(root)

    configured = deploy(root, "heroku")

    out = configured.stdout + configured.stderr
    assert configured.returncode == 1, out
    # Inspection reads the split-settings component that sets it, so the message names it.
    flat = " ".join(out.split())
    assert "WSGI_APPLICATION is 'wsgi.application', but there is no module wsgi under " in flat
    assert "the platform's web server (gunicorn wsgi) would fail to start" in flat
    assert "Set WSGI_APPLICATION to the module that defines `application`" in flat
    assert "Traceback" not in out
    assert snapshot(root, logs=False) == {k: v for k, v in before.items()}


def test_a_wsgi_application_naming_no_module_stops(sample_project):
    root = sample_project("requirements_txt", "flat")
    settings = root / "blog" / "settings.py"
    text = settings.read_text("utf-8")
    settings.write_text(
        text.replace("'blog.wsgi.application'", "'config.wsgi.application'"), "utf-8"
    )
    commit(root, "WSGI_APPLICATION names a module that was renamed")
    before = snapshot(root, logs=False)

    configured = deploy(root, "fly_io")

    out = configured.stdout + configured.stderr
    assert configured.returncode == 1, out
    assert (
        "WSGI_APPLICATION is 'config.wsgi.application', but there is no module config.wsgi "
        "under " in out
    )
    assert "(gunicorn config.wsgi) would fail to start" in out
    assert snapshot(root, logs=False) == before


def test_a_git_ignored_wsgi_py_is_let_through(sample_project):
    """The platform gets the commit: a wsgi.py git ignores would never reach it."""
    root = sample_project("requirements_txt", "flat", settings="toplevel-wsgi")
    git(root, "rm", "-q", "--cached", "wsgi.py")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("wsgi.py\n")
    commit(root, "wsgi.py ignored")

    configured = deploy(root, "heroku")

    out = configured.stdout + configured.stderr
    assert configured.returncode == 0, out
    assert "!/wsgi.py" in (root / ".gitignore").read_text("utf-8")
    assert "Git ignored `wsgi.py`" in out


def test_security_middleware_is_added_where_absent(sample_project):
    """Without SecurityMiddleware, SECURE_SSL_REDIRECT and HSTS do nothing and `check
    --deploy` warns (security.W001): the settings block adds it, WhiteNoise right after."""
    root = sample_project("requirements_txt", "flat", settings="toplevel-wsgi")
    assert deploy(root, "heroku").returncode == 0
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    env |= {
        "DYNO": "web.1",
        "ALLOWED_HOSTS": "example.herokuapp.com",
        "SECRET_KEY": "a-long-random-secret-key-for-this-test-only-0123456789abcdef",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    probe = "from django.conf import settings as s; print(list(s.MIDDLEWARE)[:2])"
    shell = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.strip().splitlines()[-1] == str(
        [
            "django.middleware.security.SecurityMiddleware",
            "whitenoise.middleware.WhiteNoiseMiddleware",
        ]
    )
    # simple_deploy is left out of INSTALLED_APPS on the dyno; check --deploy runs without it.
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "W001" not in check.stdout + check.stderr


def test_no_wsgi_application_and_no_wsgi_module_stops_naming_what_to_set(sample_project):
    root = sample_project("requirements_txt", "flat")
    settings = root / "blog" / "settings.py"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace("WSGI_APPLICATION = 'blog.wsgi.application'\n", ""), "utf-8")
    git(root, "rm", "-q", "blog/wsgi.py")
    commit(root, "No WSGI module")
    before = snapshot(root)

    configured = deploy(root, "heroku")

    out = " ".join((configured.stdout + configured.stderr).split())
    assert configured.returncode == 1, out
    assert (
        "No WSGI module found: the settings set no WSGI_APPLICATION we can read, and neither "
        "blog/wsgi.py nor wsgi.py exists under " in out
    )
    assert 'Set WSGI_APPLICATION = "<module>.application" in your settings' in out
    assert "Traceback" not in out
    assert snapshot(root, logs=False) == {k: v for k, v in before.items()}
