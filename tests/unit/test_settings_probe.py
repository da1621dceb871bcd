"""The probe imports settings once and learns which variables they read and need."""

from __future__ import annotations

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
