"""A production module that already serves its static files (STATIC_ROOT, WhiteNoise's
middleware, a compressed manifest storage) and never lists simple_deploy (the
development module manage.py names adds it) gives Heroku's block no static or app
lines: the block must still import, in the build's collectstatic and on a dyno
(it once opened `if ... or _heroku_build:` with nothing under it, and the build's
collectstatic stopped on an IndentationError, as on wagtail/bakerydemo)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from project_files import deploy, git

pytestmark = pytest.mark.needs_programs

DEV = """from .base import *  # noqa: F403

DEBUG = True
INSTALLED_APPS = [*INSTALLED_APPS, "simple_deploy"]  # noqa: F405
"""
PRODUCTION = '''"""Settings for the deployed site."""

from .base import *  # noqa: F403

DEBUG = False
STATIC_ROOT = BASE_DIR / "collected_static"  # noqa: F405
MIDDLEWARE.append("whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
'''


def _manage(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=root,
        env={**base, "DJANGO_SETTINGS_MODULE": "blog.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_block_with_no_static_lines_imports_in_the_build_and_on_a_dyno(sample_project):
    root = sample_project("requirements_txt", "flat", settings="package")
    settings = root / "blog" / "settings"
    base = settings / "base.py"
    base.write_text(base.read_text("utf-8").replace("    'simple_deploy',\n", ""), "utf-8")
    (settings / "dev.py").write_text(DEV, "utf-8")
    (settings / "production.py").write_text(PRODUCTION, "utf-8")
    for name in ("manage.py", "blog/wsgi.py", "blog/asgi.py"):
        path = root / name
        path.write_text(path.read_text("utf-8").replace(".production'", ".dev'"), "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "dev.py for manage.py; production.py serves its static files")

    configured = deploy(root, "heroku")
    assert configured.returncode == 0, configured.stdout + configured.stderr

    build = _manage(root, {"CACHE_DIR": str(root / ".cache-dir")}, "collectstatic", "--noinput")
    assert build.returncode == 0, build.stderr[-3000:]
    dyno = {
        "DYNO": "web.1",
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "blog.example",
        "DATABASE_URL": "postgres://u:p@localhost/blog",
    }
    shown = _manage(
        root,
        dyno,
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)",
    )
    assert shown.returncode == 0, shown.stderr[-3000:]
    assert shown.stdout.strip().splitlines()[-1] == "False ['blog.example']"
    block = (settings / "production.py").read_text("utf-8").split("# >>> django-simple-deploy")[1]
    assert "_heroku_build" not in block  # nothing for the build to switch on
