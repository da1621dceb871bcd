"""The probe imports settings once and learns which variables they read and need.

Every test runs on both of the probe's paths: a fork of this interpreter (POSIX)
and a new interpreter (Windows, and where a fork is not safe). A forced fork
reports its own findings, unconfirmed by a new interpreter.
"""

from __future__ import annotations

import os
import sys
import time

import pytest

from simple_deploy import settings_probe
from simple_deploy.settings_probe import probe

PATHS = ["fork", "spawn"] if hasattr(os, "fork") else ["spawn"]


@pytest.fixture(autouse=True, params=PATHS)
def probe_path(request, monkeypatch):
    monkeypatch.setattr(settings_probe, "_FORCED", request.param)
    return request.param


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


def test_a_variable_read_as_absent_where_the_import_fails_is_required(tmp_path):
    # The error names no variable: `None.split` and `int(None)` fail on the line that read it.
    (tmp_path / "prod.py").write_text(
        "import os\n"
        "DEBUG = bool(os.environ.get('DEBUG', default=0))\n"
        "ALLOWED_HOSTS = os.environ.get('DJANGO_ALLOWED_HOSTS').split(' ')\n"
        "X = os.environ.get('A_FIRST').lower() + os.environ.get('B_SECOND').lower()\n"
        "timeout = os.getenv('CACHE_TIMEOUT')\n"
        "CACHE = {'timeout': int(timeout)}\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error is None
    found = {v.name: (v.required, v.kind, v.where) for v in result.variables}
    assert found == {
        "DEBUG": (False, "other", "prod.py:2"),
        "DJANGO_ALLOWED_HOSTS": (True, "allowed_hosts", "prod.py:3"),
        "A_FIRST": (True, "other", "prod.py:4"),
        "B_SECOND": (True, "other", "prod.py:4"),
        "CACHE_TIMEOUT": (True, "other", "prod.py:5"),
    }


def test_a_variable_used_by_its_name_further_down_is_required(tmp_path):
    # Tabbycat's render.py: read into names of their own, used six and more lines below
    # in a dict built over several lines, `"redis://" + REDIS_HOST + ":" + REDIS_PORT`.
    (tmp_path / "prod.py").write_text(
        "import os\n"
        "REDIS_HOST = os.environ.get('REDIS_HOST')\n"
        "REDIS_PORT = os.environ.get('REDIS_PORT')\n"
        "\n"
        "CACHES = {\n"
        "    'default': {\n"
        "        'BACKEND': 'django_redis.cache.RedisCache',\n"
        "        'LOCATION': 'redis://' + REDIS_HOST + ':' + REDIS_PORT,\n"
        "    },\n"
        "}\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error is None
    found = {v.name: (v.required, v.where) for v in result.variables}
    assert found == {"REDIS_HOST": (True, "prod.py:2"), "REDIS_PORT": (True, "prod.py:3")}


def test_a_placeholder_that_does_not_help_is_taken_back(tmp_path):
    # The absent variable is read on the failing line, but the failure is the settings' own.
    (tmp_path / "prod.py").write_text(
        "import os\nNAME = (os.environ.get('SITE_NAME'), 1 / 0)\n", encoding="utf-8"
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error == "ZeroDivisionError: division by zero"
    assert [(v.name, v.required) for v in result.variables] == [("SITE_NAME", False)]


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


def test_a_parent_that_imported_the_settings_and_their_library_still_sees_every_read(
    tmp_path, monkeypatch
):
    # `manage.py deploy` has imported the settings (and django-environ, which keeps
    # the os.environ it found at import) before the probe runs: the probe's import
    # must be as fresh as a new interpreter's, or it records nothing.
    pytest.importorskip("environ")
    (tmp_path / "prod.py").write_text(
        "import environ\nenv = environ.Env()\nSECRET_KEY = env('APP_SECRET_KEY')\n"
        "import os\nNAME = os.environ.get('SITE_NAME', 'Blog')\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("APP_SECRET_KEY", "the developer's own, never read by the probe")
    monkeypatch.delitem(sys.modules, "prod", raising=False)
    import prod  # noqa: F401  (as the parent run imports it)

    result = probe(tmp_path, tmp_path, "prod")
    assert result.error is None
    found = {v.name: (v.required, v.where) for v in result.variables}
    assert found == {"APP_SECRET_KEY": (True, "prod.py:3"), "SITE_NAME": (False, "prod.py:5")}
    sys.modules.pop("prod", None)


def test_what_the_settings_do_at_import_stays_in_the_child(tmp_path):
    (tmp_path / "noisy.py").write_text(
        "import os, sys, json\n"
        "sys.noisy_settings_ran = True\njson.noisy = True\n"
        "os.environ['SET_BY_SETTINGS'] = '1'\nsys.path.append('/nowhere')\n"
        "os.chdir(os.path.dirname(os.__file__))\nprint('printed by the settings')\n"
        "DEBUG = os.getenv('APP_DEBUG') == '1'\n",
        encoding="utf-8",
    )
    import json

    environ, path, cwd = os.environ, list(sys.path), os.getcwd()
    result = probe(tmp_path, tmp_path, "noisy")
    assert result.error is None
    assert [v.name for v in result.variables] == ["APP_DEBUG"]
    assert not hasattr(sys, "noisy_settings_ran") and not hasattr(json, "noisy")
    assert os.environ is environ and "SET_BY_SETTINGS" not in os.environ
    assert sys.path == path and os.getcwd() == cwd
    assert "noisy" not in sys.modules


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("import os\nos._exit(3)\n", "exit status 3"),
        (
            "import os, sys\nsys.stderr.write('the settings gave up\\n')\n"
            "sys.stderr.flush()\nos._exit(1)\n",
            "the settings gave up",
        ),
    ],
)
def test_a_child_that_dies_without_answering_is_reported_by_its_last_words(
    tmp_path, body, reported
):
    (tmp_path / "dies.py").write_text(body, encoding="utf-8")
    assert probe(tmp_path, tmp_path, "dies").error == reported


def test_an_import_that_hangs_is_stopped_at_the_time_limit(tmp_path, monkeypatch, probe_path):
    monkeypatch.setattr(settings_probe, "TIME_LIMIT", 2)
    pid_file = tmp_path / "pid"
    (tmp_path / "hangs.py").write_text(
        f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(60)\n",
        encoding="utf-8",
    )
    start = time.monotonic()
    result = probe(tmp_path, tmp_path, "hangs")
    assert result.error == "importing the settings took longer than 2 s"
    assert time.monotonic() - start < 20
    if probe_path == "fork":  # the child is gone, not left behind sleeping
        # (A new interpreter under Wine may not even have started in 2 s: not checked.)
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid_file.read_text()), 0)


def test_a_failure_a_fork_finds_is_confirmed_by_a_new_interpreter(
    tmp_path, monkeypatch, probe_path
):
    # A library with a C extension may refuse a second import in one process (numpy
    # does); a fresh platform process imports it once. Here a library that refuses
    # to import in a process that imported it before.
    if probe_path == "spawn":
        pytest.skip("a fork's finding is what is confirmed")
    monkeypatch.setattr(settings_probe, "_FORCED", None)
    library = tmp_path / "libs"
    library.mkdir()
    (library / "once.py").write_text(
        "import sys\nif getattr(sys, 'once_loaded', False):\n"
        "    raise ImportError('cannot load module more than once per process')\n"
        "sys.once_loaded = True\n",
        encoding="utf-8",
    )
    project = tmp_path / "site"
    project.mkdir()
    (project / "prod.py").write_text(
        f"import os, sys\nsys.path.insert(0, {str(library)!r})\nimport once\n"
        "SECRET_KEY = os.environ['APP_SECRET_KEY']\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(library))
    monkeypatch.delitem(sys.modules, "once", raising=False)
    import once  # noqa: F401  (the parent run imported it)

    spawned = []
    real = settings_probe._spawned
    monkeypatch.setattr(settings_probe, "_spawned", lambda *a: spawned.append(a) or real(*a))
    result = probe(project, project, "prod")
    assert spawned, "the fork's failure was not confirmed"
    assert result.error is None
    assert [(v.name, v.required) for v in result.variables] == [("APP_SECRET_KEY", True)]
    monkeypatch.delattr(sys, "once_loaded")


def test_a_refused_fork_falls_back_to_a_new_interpreter(tmp_path, monkeypatch, probe_path):
    if probe_path == "spawn":
        pytest.skip("only a fork can be refused")

    def refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(settings_probe.os, "fork", refused)
    (tmp_path / "prod.py").write_text(
        "import os\nSECRET_KEY = os.environ['APP_SECRET_KEY']\n", encoding="utf-8"
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error is None
    assert [(v.name, v.required) for v in result.variables] == [("APP_SECRET_KEY", True)]


def test_a_project_module_named_like_one_of_pythons_is_imported_afresh(tmp_path, monkeypatch):
    # The parent keeps Python's own modules for the fork; a project file that shadows
    # one (here colorsys) is the project's, and is imported again like the settings.
    (tmp_path / "colorsys.py").write_text(
        "import os\nKEY = os.environ.get('PALETTE_KEY')\n", encoding="utf-8"
    )
    (tmp_path / "prod.py").write_text("from colorsys import KEY\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    try:
        import colorsys

        assert colorsys.__file__.startswith(str(tmp_path))  # as the parent run has it
        result = probe(tmp_path, tmp_path, "prod")
    finally:
        sys.modules.pop("colorsys", None)
    assert result.error is None
    assert [(v.name, v.where) for v in result.variables] == [("PALETTE_KEY", "colorsys.py:2")]


def test_a_model_built_from_the_whole_environment_names_the_variables_it_lacks(tmp_path):
    # pydantic-settings and goodconf list every variable set and validate a model: a
    # required one they lack is never asked for by name; only the error names it.
    pytest.importorskip("pydantic")
    (tmp_path / "prod.py").write_text(
        "import os\n"
        "from pydantic import BaseModel\n"
        "class Config(BaseModel):\n"
        "    secret_key: str\n"
        "    api_token: str\n"
        "    debug: bool = False\n"
        "values = {k.lower(): v for k, v in os.environ.items()}\n"
        "config = Config(**values)\n"
        "SECRET_KEY = config.secret_key\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error is None
    found = {v.name: (v.required, v.kind, v.where) for v in result.variables}
    assert found == {
        "SECRET_KEY": (True, "secret_key", "prod.py:7"),
        "API_TOKEN": (True, "other", "prod.py:7"),
    }


def test_a_library_that_lists_the_environment_and_names_what_it_lacks(tmp_path):
    # The listing is made by a library the settings call (goodconf's `config.load()`);
    # its error is plain text naming the variables.
    library = tmp_path / "libs"
    library.mkdir()
    (library / "envconf.py").write_text(
        "import os\n"
        "def load(*names):\n"
        "    values = dict(os.environ.items())\n"
        "    lacking = [n for n in names if n not in values]\n"
        "    if lacking:\n"
        "        raise RuntimeError('missing required settings: ' + ', '.join(lacking))\n"
        "    return [values[n] for n in names]\n",
        encoding="utf-8",
    )
    project = tmp_path / "site"
    project.mkdir()
    (project / "prod.py").write_text(
        f"import sys\nsys.path.insert(0, {str(library)!r})\nimport envconf\n"
        "SECRET_KEY, MAIL_HOST_NAME = envconf.load('DJANGO_SECRET_KEY', 'MAIL_HOST_NAME')\n",
        encoding="utf-8",
    )
    result = probe(project, project, "prod")
    assert result.error is None
    found = {v.name: (v.required, v.where) for v in result.variables}
    assert found == {
        "DJANGO_SECRET_KEY": (True, "prod.py:4"),
        "MAIL_HOST_NAME": (True, "prod.py:4"),
    }


def test_a_listed_environment_does_not_turn_the_settings_own_error_into_a_variable(tmp_path):
    (tmp_path / "prod.py").write_text(
        "import os\nNAMES = sorted(os.environ)\nraise RuntimeError('BROKEN_SETTING is wrong')\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error == "RuntimeError: BROKEN_SETTING is wrong"
    assert result.variables == ()


def test_the_list_fields_of_a_pydantic_settings_model_are_read_as_json(tmp_path):
    # pydantic-settings parses a list field's variable as JSON: ALLOWED_HOSTS=example.com
    # fails its validation, ["example.com"] is the form it reads.
    pytest.importorskip("pydantic_settings")
    (tmp_path / "prod.py").write_text(
        "from pydantic import Field\n"
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
        "class Env(BaseSettings):\n"
        "    model_config = SettingsConfigDict(env_prefix='DJANGO_')\n"
        "    allowed_hosts: list[str] = ['localhost']\n"
        "    origins: list[str] | None = None\n"
        "    admins: dict[str, str] = Field(default_factory=dict, validation_alias='ADMIN_MAP')\n"
        "    secret_key: str = 'dev'\n"
        "env = Env()\n"
        "ALLOWED_HOSTS = env.allowed_hosts\n",
        encoding="utf-8",
    )
    result = probe(tmp_path, tmp_path, "prod")
    assert result.error is None
    assert result.json_variables == ("ADMIN_MAP", "DJANGO_ALLOWED_HOSTS", "DJANGO_ORIGINS")
