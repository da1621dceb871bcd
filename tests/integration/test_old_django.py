"""A project on a Django older than the tool supports: installing the tool keeps
its Django, and `manage.py deploy` says which Django it needs, in one message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sample_projects import git, tool_env

pytestmark = pytest.mark.needs_programs

ROOT = Path(__file__).resolve().parents[2]
OLD_DJANGO = "3.2.25"
UV = str(Path(sys.executable).with_name("uv"))


def _run(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env=tool_env(), timeout=600, check=False
    )


def _tree(root: Path) -> dict[Path, bytes]:
    """Every file of the project outside .git, with its bytes."""
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


@pytest.fixture
def old_project(tmp_path) -> tuple[Path, Path, Path]:
    """A startproject made by Django 3.2 in its own venv, committed; the tool's wheel."""
    venv = tmp_path / "venv"
    made = _run(tmp_path, UV, "venv", "--python", sys.executable, str(venv))
    assert made.returncode == 0, made.stderr
    python = str(venv / "bin" / "python")
    got = _run(tmp_path, UV, "pip", "install", "--python", python, f"Django=={OLD_DJANGO}")
    assert got.returncode == 0, got.stderr
    root = tmp_path / "blog_project"
    root.mkdir()
    made = _run(root, python, "-m", "django", "startproject", "blog", ".")
    assert made.returncode == 0, made.stderr
    settings = root / "blog" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace("INSTALLED_APPS = [", 'INSTALLED_APPS = [\n    "simple_deploy",'),
        encoding="utf-8",
    )
    (root / "requirements.txt").write_text(f"Django=={OLD_DJANGO}\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Django 3.2 project")
    # The tool as a user gets it: its built wheel, with its declared dependencies.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    built = _run(tmp_path, UV, "build", "--wheel", "--out-dir", str(wheels), str(source))
    assert built.returncode == 0, built.stderr
    return root, venv, next(wheels.glob("*.whl"))


def test_installing_the_tool_keeps_an_old_django_and_deploy_says_what_it_needs(old_project):
    root, venv, wheel = old_project
    python = str(venv / "bin" / "python")
    installed = _run(root, UV, "pip", "install", "--python", python, str(wheel))
    assert installed.returncode == 0, installed.stderr
    version = _run(root, python, "-c", "import django; print(django.get_version())")
    assert version.stdout.strip() == OLD_DJANGO, installed.stderr
    before = _tree(root)

    result = _run(root, python, "manage.py", "deploy", "--platform", "heroku")

    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    first = result.stderr.strip().splitlines()[0]
    needs = "django-simple-deploy needs Django 4.2 or newer; this project runs Django"
    assert first.startswith(f"{needs} {OLD_DJANGO}."), result.stderr
    assert 'pip install "Django>=4.2,<5"' in result.stderr
    after = _tree(root)
    assert after == before
    assert git(root, "status", "--porcelain") == ""


def test_the_package_does_not_pin_django():
    # An old project's Django must never be upgraded by installing the tool.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert '"Django",' in dependencies
    assert "Django>" not in dependencies and "Django=" not in dependencies


def test_an_old_database_driver_is_named_in_the_upgrade_and_at_django_s_start(old_project):
    # The DjangoGirls shape: Django 3.2 with a driver pin Django 4.2 refuses (its
    # check: "psycopg version 3.1.8 or newer is required"); psycopg 3.1.7 here.
    root, venv, wheel = old_project
    python = str(venv / "bin" / "python")
    (root / "requirements.txt").write_text(f"Django=={OLD_DJANGO}\npsycopg==3.1.7\n", "utf-8")
    git(root, "commit", "-qam", "PostgreSQL driver")
    installed = _run(root, UV, "pip", "install", "--python", python, str(wheel), "psycopg==3.1.7")
    assert installed.returncode == 0, installed.stderr

    asked = _run(root, python, "manage.py", "deploy", "--platform", "heroku")
    assert asked.returncode == 1
    assert 'pip install "Django>=4.2,<5" "psycopg>=3.1.8"' in asked.stderr, asked.stderr

    # Upgrading Django alone, with the project on PostgreSQL: Django stops loading
    # the models (before any command runs) on the driver; one message, no traceback.
    got = _run(root, UV, "pip", "install", "--python", python, "Django>=4.2,<5")
    assert got.returncode == 0, got.stderr
    settings = root / "blog" / "settings.py"
    text = settings.read_text("utf-8").replace(
        "'ENGINE': 'django.db.backends.sqlite3'", "'ENGINE': 'django.db.backends.postgresql'"
    )
    assert "backends.postgresql'" in text
    settings.write_text(text, "utf-8")
    git(root, "commit", "-qam", "PostgreSQL locally")
    before = _tree(root)

    result = _run(root, python, "manage.py", "deploy", "--platform", "heroku")

    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    assert "could not load this project, so nothing was changed" in result.stderr
    assert "psycopg version 3.1.8 or newer is required; you have 3.1.7" in result.stderr
    assert "requirements.txt line 2: `psycopg==3.1.7`" in result.stderr
    assert 'pip install "psycopg>=3.1.8"' in result.stderr
    after = _tree(root)
    assert after == before


def test_a_declared_package_that_requires_the_old_django_stops_the_run(old_project):
    # The DjangoGirls shape after the upgrade: django-admin-sortable2 1.0.4 requires
    # Django<4.1; pip installed it beside 4.2 with a warning, the platform cannot.
    root, venv, wheel = old_project
    python = str(venv / "bin" / "python")
    (root / "requirements.txt").write_text(
        "Django>=4.2,<5\ndjango-admin-sortable2==1.0.4\n", "utf-8"
    )
    git(root, "commit", "-qam", "Django 4.2")
    got = _run(root, UV, "pip", "install", "--python", python, str(wheel), "Django>=4.2,<5")
    assert got.returncode == 0, got.stderr
    kept = _run(
        root, UV, "pip", "install", "--python", python, "--no-deps", "django-admin-sortable2==1.0.4"
    )
    assert kept.returncode == 0, kept.stderr
    before = _tree(root)

    result = _run(root, python, "manage.py", "deploy", "--platform", "heroku")

    assert result.returncode == 1
    out = " ".join(result.stderr.split())
    assert "Traceback" not in out
    assert "django-admin-sortable2 1.0.4 requires Django<4.1,>=2.2" in out, out
    assert 'pip install --upgrade "django-admin-sortable2" "Django==4.2.' in out
    after = _tree(root)
    assert after == before


OLD_APP_SETUP = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "django-oldtags"
version = "1.0.5"

[tool.setuptools]
packages = ["oldtags", "oldtags.templatetags"]
"""


def test_an_installed_template_library_that_fails_on_the_new_django_stops_the_run(
    old_project, tmp_path
):
    # The DjangoGirls shape after the upgrade: django-markdown-deux 1.0.5 imports
    # force_unicode, which Django 4.0 removed. Nothing in `manage.py deploy` imports its
    # template library; Django's checks do, in the platform's release step.
    root, venv, wheel = old_project
    python = str(venv / "bin" / "python")
    app = tmp_path / "oldtags-src"
    (app / "oldtags" / "templatetags").mkdir(parents=True)
    (app / "pyproject.toml").write_text(OLD_APP_SETUP, "utf-8")
    (app / "oldtags" / "__init__.py").write_text("", "utf-8")
    (app / "oldtags" / "templatetags" / "__init__.py").write_text("", "utf-8")
    (app / "oldtags" / "templatetags" / "oldtags_tags.py").write_text(
        "from django import template\n"
        "from django.utils.encoding import force_unicode\n\n"
        "register = template.Library()\n",
        "utf-8",
    )
    settings = root / "blog" / "settings.py"
    settings.write_text(
        settings.read_text("utf-8").replace(
            'INSTALLED_APPS = [\n    "simple_deploy",',
            'INSTALLED_APPS = [\n    "simple_deploy",\n    "oldtags",',
        ),
        "utf-8",
    )
    (root / "requirements.txt").write_text("Django>=4.2,<5\ndjango-oldtags==1.0.5\n", "utf-8")
    git(root, "commit", "-qam", "Django 4.2, an old app's template tags")
    got = _run(
        root, UV, "pip", "install", "--python", python, str(wheel), "Django>=4.2,<5", str(app)
    )
    assert got.returncode == 0, got.stderr
    before = _tree(root)

    result = _run(root, python, "manage.py", "deploy", "--platform", "heroku")

    assert result.returncode == 1
    out = " ".join(result.stderr.split())
    assert "Traceback" not in out
    assert "These template libraries do not import on Django 4.2." in out, out
    assert (
        "oldtags.templatetags.oldtags_tags (from django-oldtags 1.0.5): cannot import name "
        "'force_unicode' from 'django.utils.encoding'"
    ) in out
    assert 'pip install --upgrade "django-oldtags" "Django==4.2.' in out
    after = _tree(root)
    assert after == before
