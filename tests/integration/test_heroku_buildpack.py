"""What Heroku's Python buildpack does with the configured project (checked against
its source: bin/steps/collectstatic, lib/package_manager.sh)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from project_files import deploy, git, manage_dir, snapshot

pytestmark = pytest.mark.needs_programs


def test_two_package_manager_files_are_refused_naming_both_with_0_bytes_changed(
    sample_project,
):
    root = sample_project("uv", "flat")
    (root / "requirements.txt").write_text("django\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "an exported requirements.txt")
    before = snapshot(root, logs=False)

    result = deploy(root, "heroku")

    assert result.returncode != 0
    assert "`requirements.txt` (pip)" in result.stderr and "`uv.lock` (uv)" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root, logs=False) == before


def _settings_on_a_dyno(root, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the configured settings as a dyno would, with only the given variables."""
    probe = (
        "import django; from django.conf import settings; django.setup(); "
        "print('DEBUG', settings.DEBUG, 'STATIC_ROOT', bool(settings.STATIC_ROOT))"
    )
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "blog.settings"}
    return subprocess.run(
        [sys.executable, "-c", probe],
        cwd=manage_dir(root),
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_take_effect_on_a_dyno_without_any_hand_set_switch(sample_project):
    root = sample_project("requirements_txt", "nested")
    assert deploy(root, "heroku").returncode == 0
    dyno = {
        "DYNO": "web.1",
        "SECRET_KEY": "k" * 50,
        "DATABASE_URL": "postgres://u:p@db.example.com:5432/d",
        "ALLOWED_HOSTS": "blog-0123.herokuapp.com",
    }
    result = _settings_on_a_dyno(root, dyno)
    assert "DEBUG False STATIC_ROOT True" in result.stdout, result.stderr


def _buildpack_manage_py(root) -> str:
    """The manage.py each build generation runs collectstatic with, or None.

    Classic (bin/steps/collectstatic): `find . -maxdepth 3 -name manage.py`, the
    shallowest. Fir (buildpacks-python src/django.rs): only `manage.py` in the root.
    """
    found = sorted(
        (len(p.relative_to(root).parts), p.relative_to(root).as_posix())
        for p in root.rglob("manage.py")
        if len(p.relative_to(root).parts) <= 3 and ".git" not in p.parts
    )
    classic = found[0][1] if found else None
    fir = "manage.py" if (root / "manage.py").is_file() else None
    return classic, fir


def test_a_nested_project_collects_static_files_once_on_both_build_generations(sample_project):
    root = sample_project("requirements_txt", "nested")
    assert deploy(root, "heroku").returncode == 0
    classic, fir = _buildpack_manage_py(root)
    assert classic == fir == "manage.py"  # one manage.py, the same for both: one collectstatic
    # The build: no DYNO, the app's config vars, run from the repository root.
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "CACHE_DIR": "/tmp/cache"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "static files copied to" in result.stdout
    assert (root / "blog" / "staticfiles" / "staticfiles.json").is_file()  # the manifest
    # The user's own manage.py is untouched and still runs as before.
    own = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=manage_dir(root),
        capture_output=True,
        text=True,
        check=False,
    )
    assert own.returncode == 0, own.stderr


def test_a_forgotten_step_is_named_with_its_fix(sample_project):
    root = sample_project("requirements_txt", "flat")
    assert deploy(root, "heroku").returncode == 0
    result = _settings_on_a_dyno(root, {"DYNO": "web.1", "ALLOWED_HOSTS": "x.herokuapp.com"})
    assert "SECRET_KEY is not set on this Heroku app" in result.stderr
    assert "heroku config:set SECRET_KEY=" in result.stderr
    assert "STATIC_ROOT" not in result.stderr
