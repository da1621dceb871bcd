"""The probe imports settings once and learns which variables they read and need."""

from __future__ import annotations

import pytest

from simple_deploy.settings_probe import probe

SETTINGS = """import os

DEBUG = os.getenv("APP_DEBUG", "0") == "1"
SECRET_KEY = os.environ["APP_SECRET_KEY"]
DB = os.environ.get("DATABASE_URL") or os.environ["FALLBACK_DATABASE_URL"]
if "FEATURE_X" in os.environ:
    FEATURE = True
"""


def test_reads_and_required_variables_with_their_lines(tmp_path):
    (tmp_path / "mysite").mkdir()
    (tmp_path / "mysite" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "mysite" / "prod.py").write_text(SETTINGS, encoding="utf-8")
    result = probe(tmp_path, tmp_path, "mysite.prod")
    assert result.error is None
    found = {v.name: (v.required, v.kind, v.where) for v in result.variables}
    assert found == {
        "APP_DEBUG": (False, "other", "mysite/prod.py:3"),
        "APP_SECRET_KEY": (True, "secret_key", "mysite/prod.py:4"),
        "DATABASE_URL": (False, "database_url", "mysite/prod.py:5"),
        "FALLBACK_DATABASE_URL": (True, "database_url", "mysite/prod.py:5"),
        "FEATURE_X": (False, "other", "mysite/prod.py:6"),
    }


def test_an_error_of_the_settings_own_is_reported_not_guessed_at(tmp_path):
    (tmp_path / "bad.py").write_text(
        "import os\nX = os.getenv('OPTIONAL')\nraise RuntimeError('broken settings')\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, tmp_path, "bad")
    assert result.error == "RuntimeError: broken settings"
    assert [(v.name, v.required) for v in result.variables] == [("OPTIONAL", False)]


def test_what_libraries_and_python_read_at_import_is_not_the_projects(tmp_path):
    # The Windows run's Python has no psycopg (scripts/test-windows): skipped there.
    pytest.importorskip("psycopg")
    # A library outside the project folder that reads its own variables when imported
    # (as kombu, Sentry or psycopg do), and psycopg itself, which reads PSYCOPG_IMPL and,
    # through the stdlib it imports, PYTHONUSERBASE, HOME, PYTHONTZPATH.
    library = tmp_path / "libs"
    library.mkdir()
    (library / "telemetry.py").write_text(
        "import os\nLEVEL = os.environ.get('TELEMETRY_LEVEL')\n"
        "def start():\n    return os.environ.get('TELEMETRY_RELEASE')\n",
        encoding="utf-8",
    )
    project = tmp_path / "site"
    project.mkdir()
    (project / "prod.py").write_text(
        f"import os, sys, tempfile\nsys.path.insert(0, {str(library)!r})\n"
        "import psycopg\nimport telemetry\n"
        "telemetry.start()\nUPLOADS = tempfile.gettempdir()\n"
        "SENTRY_DSN = os.getenv('SENTRY_DSN')\n",
        encoding="utf-8",
    )
    result = probe(project, project, "prod")
    assert result.error is None
    assert [(v.name, v.where) for v in result.variables] == [("SENTRY_DSN", "prod.py:7")]


def test_reads_through_a_copy_of_the_environment_are_recorded(tmp_path):
    (tmp_path / "prod.py").write_text(
        "import os\nenv = os.environ.copy()\nSECRET_KEY = env['APP_SECRET_KEY']\n"
        "NAME = env.get('SITE_NAME', 'Blog')\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error is None
    found = {v.name: (v.required, v.where) for v in result.variables}
    assert found == {"APP_SECRET_KEY": (True, "prod.py:3"), "SITE_NAME": (False, "prod.py:4")}


def test_a_name_the_settings_pass_through_a_helper_to_a_library_is_theirs(tmp_path):
    # The Windows run's Python has no django-environ (scripts/test-windows): skipped there.
    pytest.importorskip("environ")
    # django-environ reads os.environ for the project: the name is written in the
    # settings file, the read happens in the library called by the project's helper.
    (tmp_path / "helpers.py").write_text(
        "import environ\n_env = environ.Env()\n"
        "def setting(name, **kw):\n    return _env(name, **kw)\n",
        encoding="utf-8",
    )
    (tmp_path / "prod.py").write_text(
        "from helpers import setting\nADMIN = setting('ADMIN_PATH', default='admin/')\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error is None
    assert [(v.name, v.where) for v in result.variables] == [("ADMIN_PATH", "helpers.py:4")]
