"""The field runner's pure parts: reading the corpus, reading the tool's messages,
rendering the table. The runs themselves need the public repositories (not in CI);
see field/README.md."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load_runner():
    spec = importlib.util.spec_from_file_location("field_run", REPO / "field" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["field_run"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


field_run = _load_runner()

TWO = """
[[project]]
name = "tiny"
repo = "someone/tiny"
commit = "0123456789abcdef0123456789abcdef01234567"
[project.shape]
manager = "pip: requirements.txt"
services = []

[[project]]
name = "nested"
repo = "org/nested-app"
commit = "89abcdef0123456789abcdef0123456789abcdef"
subdir = "backend"
python = "3.12"
[project.setup]
source = "repo"
copy = [["settings/local.py.example", "settings/local.py"]]
env = { DJANGO_SETTINGS_MODULE = "settings.local" }
"""


def test_the_committed_corpus_reads_and_has_at_least_25_projects():
    projects = field_run.load_projects((REPO / "field" / "projects.toml").read_text())
    # The floor is on the projects the table counts, not the excluded ones.
    assert len([p for p in projects if not p.excluded]) >= 25
    assert len({p.name for p in projects}) == len(projects)
    for project in projects:
        assert project.shape.get("manager"), project.name
        assert project.setup.get("source", "repo") in ("repo", "extract", "template")


def test_projects_read_with_their_defaults_and_setup():
    tiny, nested = field_run.load_projects(TWO)
    assert (tiny.subdir, tiny.python, tiny.setup) == ("", "3.11", {})
    assert tiny.mirror_name == "someone+tiny"
    assert nested.subdir == "backend" and nested.python == "3.12"
    assert nested.setup["copy"] == [["settings/local.py.example", "settings/local.py"]]
    assert nested.setup["env"] == {"DJANGO_SETTINGS_MODULE": "settings.local"}


@pytest.mark.parametrize(
    "text, said",
    [
        (TWO.replace('commit = "0123456789abcdef0123456789abcdef01234567"\n', ""), "commit"),
        (TWO.replace('"nested"', '"tiny"'), "listed twice"),
        (TWO.replace("0123456789abcdef0123456789abcdef01234567", "main"), "40-digit"),
    ],
)
def test_a_bad_corpus_entry_is_named(text, said):
    with pytest.raises(ValueError, match=said):
        field_run.load_projects(text)


def test_the_first_line_is_the_one_a_user_reads():
    traceback = "Traceback (most recent call last):\n  File x\nKeyError: 'SECRET_KEY'\n"
    assert field_run.first_line("", traceback) == "traceback: KeyError: 'SECRET_KEY'"
    assert field_run.first_line("", "CommandError: Procfile is yours.\nmore") == (
        "Procfile is yours."
    )
    rehearsal = "[pass] install (3.0 s)\n[fail] check --deploy (2.1 s)\n  W003 base url\n"
    assert field_run.failed_step(rehearsal) == ("check --deploy", "W003 base url")
    assert field_run.first_line(rehearsal, "") == "W003 base url"
    # A download the build makes from a host this machine cannot resolve: the network.
    download = (
        "[FAIL] build (4.0 s): python manage.py tailwind download_cli exited with code 1:\n"
        "  CommandError: Failed to download Tailwind CSS CLI: Connection error: "
        "<urlopen error [Errno -2] Name or service not known>\n"
    )
    assert field_run.first_line(download, "").startswith("network: CommandError: Failed to")
    assert field_run.failed_step(download)[1].startswith("network: CommandError: Failed to")


def test_the_advice_the_runner_follows_is_read_from_the_message():
    out = "Give the rehearsal values: --env ALLOWED_HOSTS=<value> --env SECRET=<value> (or"
    assert field_run.env_names_asked(out) == ["ALLOWED_HOSTS", "SECRET"]
    assert field_run.settings_module_offered("with --settings-module config.prod.") == (
        "config.prod"
    )
    assert field_run.settings_module_offered("--settings-module <package>.settings") is None
    assert field_run.ProjectRun._advice("needs --overwrite", []) == ["--overwrite"]
    assert field_run.ProjectRun._advice("needs --overwrite", ["--overwrite"]) == []


def test_a_lock_the_message_asks_for_is_the_command_the_runner_runs():
    said = (
        "pyproject.toml is managed by Poetry but poetry.lock is missing, so the platform "
        "could not install exactly what you tested. Run `poetry lock`, commit poetry.lock, "
        "and run again."
    )
    assert field_run.lock_asked(said) == (["poetry", "lock"], "poetry.lock")
    assert field_run.lock_asked("Run `uv lock`, commit uv.lock, and run again.") == (
        ["uv", "lock"],
        "uv.lock",
    )
    # Only a manager's own lock command, with its own file: nothing else a message names.
    assert field_run.lock_asked("Run `pipenv lock` and run again: your .gitignore") == (
        ["pipenv", "lock"],
        None,
    )
    assert field_run.lock_asked("Run `rm -rf x` and run again.") is None
    assert field_run.lock_asked("Run `rm -rf x`, commit poetry.lock, and run again.") is None
    assert field_run.lock_asked("Run `poetry lock`, commit uv.lock, and run again.") is None
    assert field_run.lock_asked("Run `git init`, commit, run again.") is None


def test_the_requires_python_a_lock_message_asks_for_is_set_before_locking():
    said = (
        'First set requires-python = ">=3.11,<4" in pyproject.toml and commit it (it says '
        '">=3.9", ...). Run `uv lock`, commit uv.lock, and run again.'
    )
    assert field_run.requires_python_asked(said) == ">=3.11,<4"
    assert field_run.requires_python_asked("Run `uv lock`, commit uv.lock") is None
    text = '[project]\nname = "x"\nrequires-python = ">=3.9"\ndependencies = []\n'
    assert field_run.set_requires_python(text, ">=3.11") == text.replace(">=3.9", ">=3.11")
    assert field_run.set_requires_python('[project]\nname = "x"\n', ">=3.11") is None


def test_the_table_has_a_row_a_project_and_platform_and_totals():
    projects = field_run.load_projects(TWO)
    cells = [
        field_run.Cell("tiny", "heroku", configured="yes", rehearsed="pass"),
        field_run.Cell(
            "nested",
            "heroku",
            configured="yes",
            rehearsed="fail",
            step="check --deploy",
            message="wagtailadmin.W003 | base url",
            passes=[{"command": "deploy --platform heroku", "outcome": "ok", "message": ""}],
        ),
        field_run.Cell("nested", "upsun", configured="no", step="configure", message="x"),
    ]
    text = field_run.render_results(cells, projects, ("heroku", "upsun"))
    assert "| tiny | ✅ | · |" in text
    assert "| nested | ⚠️ rehearsal | ❌ configure |" in text
    assert "- heroku: 2/2 configured; 1/2 rehearsals passed; deployable 1/2 (50%)" in text
    assert "- upsun: 0/1 configured; 0/0 rehearsals passed; deployable 0/2 (0%)" in text
    # A pipe in a message would split the Markdown row.
    assert "| nested | heroku | yes | fail | check --deploy | wagtailadmin.W003 \\| base url |" in (
        text
    )
    assert "### nested: org/nested-app (`backend/`) @ 89abcdef0123" in text


def test_cells_stopped_by_this_machines_network_are_counted_apart_too():
    projects = field_run.load_projects(TWO)
    cells = [
        field_run.Cell("tiny", "heroku", configured="yes", rehearsed="pass"),
        field_run.Cell(
            "nested",
            "heroku",
            configured="yes",
            rehearsed="fail",
            step="build",
            message="network: fatal: unable to access 'https://github.com/x.git/'",
        ),
    ]
    text = field_run.render_results(cells, projects, ("heroku",))
    assert (
        "- heroku: 2/2 configured; 1/2 rehearsals passed; deployable 1/2 (50%); 1 stopped "
        "by this machine's network, deployable 1/1 (100%) without them"
    ) in text


def test_an_excluded_project_is_listed_with_its_reason_and_not_counted():
    projects = field_run.load_projects(
        TWO
        + '\n[[project]]\nname = "gone"\nrepo = "org/gone"\ncommit = "'
        + "a" * 40
        + '"\nexcluded = "needs Python 3.14, which this machine lacks"\n'
    )
    cells = [field_run.Cell("tiny", "heroku", configured="yes", rehearsed="pass")]
    text = field_run.render_results(cells, projects, ("heroku",))
    assert "2 projects counted (1 excluded, below)" in text
    assert "- gone (org/gone): needs Python 3.14, which this machine lacks" in text
    assert "| gone |" not in text
    assert "- heroku: 1/1 configured; 1/1 rehearsals passed; deployable 1/2 (50%)" in text


def test_each_row_says_which_commit_of_the_tool_it_ran_on():
    projects = field_run.load_projects(TWO)
    cells = [
        field_run.Cell("tiny", "heroku", configured="yes", rehearsed="pass", tool="abc123def456"),
        field_run.Cell("nested", "heroku", configured="yes", rehearsed="pass"),
    ]
    text = field_run.render_results(cells, projects, ("heroku",))
    assert (
        "Rows ran on django-simple-deploy at: abc123def456 (1 cells), an unrecorded commit "
        "(1 cells)."
    ) in text
    assert (
        "- **heroku**: configured yes, rehearsed pass (django-simple-deploy at abc123def456)"
        in (text)
    )


def test_results_survive_a_round_trip(tmp_path):
    cell = field_run.Cell("tiny", "fly_io", configured="yes", notes=["n"], changed=["fly.toml"])
    field_run.save_cells(tmp_path / "r.json", [cell])
    assert field_run.load_cells(tmp_path / "r.json") == [cell]


def test_a_package_the_tool_replaced_is_named():
    output = " - django==3.2.25\n + django==5.2.19\n + tomlkit==0.13.2\n"
    assert field_run.replaced_packages(output) == ["django 3.2.25 -> 5.2.19"]


def test_an_install_that_cannot_reach_a_host_says_so():
    stderr = (
        "   Updating https://github.com/a/b.git\n"
        "error: Failed to download and build `b @ git+https://github.com/a/b.git`\n"
        "  fatal: unable to access 'https://github.com/a/b.git/': Could not resolve host: "
        "github.com\n"
    )
    assert field_run.first_line("", stderr).startswith("network: fatal: unable to access")
    assert field_run.first_line("", "  Collecting x\nERROR: No matching distribution") == (
        "ERROR: No matching distribution"
    )


def test_an_env_file_reads_as_compose_reads_it():
    text = '# comment\nDJANGO_DEBUG=True\nFRAMEWORK_TITLE="Django Packages"\n\nexport A=b=c\n'
    assert field_run.read_env_file(text) == {
        "DJANGO_DEBUG": "True",
        "FRAMEWORK_TITLE": "Django Packages",
        "A": "b=c",
    }


def test_a_dependency_that_does_not_build_is_named():
    stderr = (
        "Collecting Pillow==6.2.0\n  Getting requirements to build wheel: finished with status"
        " 'error'\n  error: subprocess-exited-with-error\n  Traceback (most recent call last):\n"
        "      ImportError: cannot import name 'convert_path' from 'setuptools'\n"
        "note: This error originates from a subprocess, and is likely not a problem with pip.\n"
    )
    assert field_run.first_line("", stderr) == (
        "building Pillow==6.2.0 failed: ImportError: cannot import name 'convert_path' from "
        "'setuptools'"
    )


def test_the_steps_a_rehearsal_ran_are_listed():
    out = "  [pass] copy (0.1 s)\n  [pass] check --deploy (2.0 s): ok\n  [FAIL] web (1.0 s)\n"
    assert field_run.steps_run(out) == "copy pass, check --deploy pass, web FAIL"


def test_the_work_folder_is_not_in_the_table(tmp_path):
    cell = field_run.Cell(
        "tiny",
        "heroku",
        message=f"No dependency file found in {tmp_path}/heroku: expected",
        passes=[{"command": "deploy", "outcome": "exit 1", "message": f"in {tmp_path}/x"}],
        notes=["kept in /tmp/simple-deploy-rehearsal-ab_12/app"],
    )
    field_run.scrub(cell, tmp_path)
    assert cell.message == "No dependency file found in <work>/heroku: expected"
    assert cell.passes[0]["message"] == "in <work>/x"
    assert cell.notes == ["kept in <rehearsal>/app"]


def test_a_failed_check_is_named_by_its_id():
    out = (
        "  [pass] release (1.0 s)\n  [FAIL] check --deploy (3.0 s)\n"
        "        venv/bin/python manage.py check --deploy exited with code 1:\n"
        "        WARNINGS:\n        ?: (security.W019) You have XFrameOptionsMiddleware\n"
    )
    assert field_run.failed_step(out) == (
        "check --deploy",
        "?: (security.W019) You have XFrameOptionsMiddleware",
    )


def test_the_django_upgrade_the_message_asks_for_is_pinned_where_django_is():
    from simple_deploy.django_support import unsupported_message

    message = unsupported_message((4, 0), "4.0.4")
    assert field_run.django_upgrade_asked(message) == "Django>=4.2,<5"
    text = "asgiref==3.5\r\nDjango==4.0.4\r\ndjango-environ==1\r\ndjango==3.2 # pinned\n"
    assert field_run.pin_django(text, "Django>=4.2,<5") == (
        "asgiref==3.5\r\nDjango>=4.2,<5\r\ndjango-environ==1\r\nDjango>=4.2,<5 # pinned\n"
    )
    assert field_run.pin_django("django-environ==1\n", "Django>=4.2,<5") is None
    assert field_run.upgrade_also_asked(message) == []


def test_the_database_drivers_the_upgrade_message_names_are_installed_with_django():
    from simple_deploy.django_support import unsupported_message

    message = unsupported_message((3, 2), "3.2.25", ["psycopg2-binary>=2.8.4"])
    assert field_run.django_upgrade_asked(message) == "Django>=4.2,<5"
    assert field_run.upgrade_also_asked(message) == ["psycopg2-binary>=2.8.4"]


def test_the_pins_pip_moved_are_pinned_at_what_is_installed():
    text = (
        "asgiref==3.5.0\r\nDjango>=4.2,<5\r\nsqlparse==0.4.2 ; python_version>'3'\nrich[x]==1.0\n"
    )
    installed = {"asgiref": "3.8.1", "sqlparse": "0.5.3", "django": "4.2.30", "rich": "1.0"}
    assert field_run.repin(text, installed) == (
        "asgiref==3.8.1\r\nDjango>=4.2,<5\r\nsqlparse==0.5.3 ; python_version>'3'\nrich[x]==1.0\n"
    )


def test_slugignore_asked_reads_the_files_heroku_message_names():
    said = (
        "To keep both working, list `requirements.txt` in a `.slugignore` file in the root "
        "(Heroku removes ...): `printf '%s\\n' requirements.txt >> .slugignore`, commit, "
        "and run again. Keep requirements.txt in step"
    )
    assert field_run.slugignore_asked(said) == ["requirements.txt"]
    assert field_run.slugignore_asked("`printf x >> .slugignore`") == []


def test_export_asked_reads_the_command_and_file_of_a_stale_export_message():
    said = (
        "requirements.txt is not the export of Pipfile.lock: it pins django==4.2 where "
        "Pipfile.lock locks 5.2.1. To write the export of Pipfile.lock again, run `pipenv\n"
        "requirements --hash` and save what it prints as requirements.txt (it prints ..."
    )
    assert field_run.export_asked(said) == (
        ["pipenv", "requirements", "--hash"],
        "requirements.txt",
    )
    assert field_run.export_asked("run `rm -rf x` and save what it prints as a.txt") is None


def test_the_pins_the_rehearsal_asks_for_are_read_from_its_message():
    from simple_deploy.rehearsal import versions

    found = [versions.Moved("marshmallow", "4.0.0", "3.26.1")]
    out = "        [FAIL] build\n" + versions.advice(found, "requirements.txt").replace(
        " to requirements.txt", "\n        to requirements.txt"
    )
    assert field_run.pins_asked(out) == [("marshmallow==3.26.1", "requirements.txt")]
    assert field_run.pins_asked("add `x` to y") == []


def test_the_upgrade_of_packages_that_require_another_django_is_read_from_the_message():
    from simple_deploy.django_pins import Refusal, message

    text = message(
        [Refusal("django-admin-sortable2", "1.0.4", "Django<4.1,>=2.2")], "4.2.30", "r.in"
    )
    assert field_run.upgrade_asked(text) == ["django-admin-sortable2", "Django==4.2.30"]
    assert field_run.upgrade_asked("nothing") == []


def test_nested_export_asked_reads_the_nested_dependencies_message():
    said = (
        "Your dependencies are recorded in backend/poetry.lock (Poetry), beside manage.py, "
        "... Export them for the platform: `poetry -C backend export --without-hashes -o "
        "requirements.txt` (Poetry 2 has no export command until you add its plugin: "
        "`poetry self add poetry-plugin-export`), then create a requirements.txt in the root "
        "holding the line `-r backend/requirements.txt` (re-run the export ...)"
    )
    assert field_run.nested_export_asked(said) == (
        ["poetry", "-C", "backend", "export", "--without-hashes", "-o", "requirements.txt"],
        "-r backend/requirements.txt",
    )
    uv = said.replace(
        "poetry -C backend export --without-hashes",
        "uv --directory backend export --no-dev --no-hashes",
    )
    assert field_run.nested_export_asked(uv)[0][:4] == ["uv", "--directory", "backend", "export"]
    # Nothing else a message names is run.
    assert (
        field_run.nested_export_asked(said.replace("poetry -C backend export", "rm -rf x y"))
        is None
    )
    assert field_run.nested_export_asked(said.replace("-r backend/", "backend/")) is None


def test_raise_in_lock_asked_reads_the_export_pin_message():
    said = (
        "backend/requirements.txt is an export of backend/poetry.lock and pins "
        "`dj-database-url==0.5.0`, ... Raise it in the lock: `poetry -C backend add --lock "
        '"dj-database-url>=1.1"`, run the export again (`poetry -C backend export '
        "--without-hashes -o requirements.txt`), commit, and run again."
    )
    assert field_run.raise_in_lock_asked(said) == (
        ["poetry", "-C", "backend", "add", "--lock", "dj-database-url>=1.1"],
        ["poetry", "-C", "backend", "export", "--without-hashes", "-o", "requirements.txt"],
    )
    assert field_run.raise_in_lock_asked(said.replace("add --lock", "remove --lock")) is None
    assert (
        field_run.raise_in_lock_asked(said.replace("-C backend export", "-C other export")) is None
    )


def test_a_failed_steps_cause_is_the_exception_its_command_raised():
    output = (
        "  [pass] install (3.1 s)\n"
        "  [FAIL] build (9.0 s)\n"
        "        python manage.py collectstatic --noinput exited with code 1:\n"
        "        Traceback (most recent call last):\n"
        "        ValueError: Missing staticfiles manifest entry for 'img/a.jpg'\n"
        "CommandError: The rehearsal failed after 9.9 s; see the step marked FAIL above.\n"
    )
    assert field_run.failed_step(output) == (
        "build",
        "python manage.py collectstatic --noinput exited with code 1: "
        "ValueError: Missing staticfiles manifest entry for 'img/a.jpg'",
    )


def test_a_cause_that_is_not_named_error_is_still_the_exception_line():
    output = (
        "  [FAIL] release (2.0 s)\n"
        "        python manage.py migrate --noinput exited with code 1:\n"
        "        Traceback (most recent call last):\n"
        '          File "manage.py", line 22, in <module>\n'
        "        django.template.library.InvalidTemplateLibrary: Invalid template library\n"
        "CommandError: The rehearsal failed after 9.9 s; see the step marked FAIL above.\n"
    )
    assert field_run.failed_step(output)[1] == (
        "python manage.py migrate --noinput exited with code 1: "
        "django.template.library.InvalidTemplateLibrary: Invalid template library"
    )


def test_a_failed_steps_cause_names_an_exception_class_without_error_in_its_name():
    # python.org: haystack raises ImproperlyConfigured; a package's SyntaxWarning after it.
    output = (
        "  [FAIL] build (2.2 s)\n"
        "        python manage.py collectstatic --noinput exited with code 1:\n"
        "        Traceback (most recent call last):\n"
        "        django.core.exceptions.ImproperlyConfigured: The HAYSTACK_CONNECTIONS setting "
        "is required.\n"
        "/venv/pandoc_download.py:61: SyntaxWarning: invalid escape sequence\n"
        "Log: /tmp/x/deploy.log\n"
        "CommandError: The rehearsal failed after 15.6 s; see the step marked FAIL above.\n"
    )
    assert field_run.failed_step(output)[1] == (
        "python manage.py collectstatic --noinput exited with code 1: "
        "django.core.exceptions.ImproperlyConfigured: The HAYSTACK_CONNECTIONS setting is required."
    )


def test_the_optional_include_a_git_ignored_settings_file_message_asks_for_is_made():
    said = (
        "The platform builds from your commit, and git ignores proj/settings/local.py, which "
        "your settings need at import (proj/settings/__init__.py, line 12): without it the "
        "settings fail with `OSError: No such file`. Include local.py only where it exists: "
        'with django-split-settings, `optional("local.py")`; with a plain import, ...'
    )
    assert field_run.optional_include_asked(said) == ("proj/settings/__init__.py", "local.py")
    assert field_run.optional_include_asked("Run `uv lock`, commit uv.lock") is None
    text = (
        "from split_settings.tools import include\n\n"
        "parts = ['base.py']\nif not CI:\n    parts.append('local.py')\ninclude(*parts)\n"
    )
    assert field_run.make_include_optional(text, "local.py") == (
        "from split_settings.tools import include, optional\n\n"
        "parts = ['base.py']\nif not CI:\n    parts.append(optional('local.py'))\n"
        "include(*parts)\n"
    )
    done = field_run.make_include_optional(text, "local.py")
    assert field_run.make_include_optional(done, "local.py") is None
    assert field_run.make_include_optional("from .local import *\n", "local.py") is None


def test_the_asgi_order_the_import_order_message_asks_for_is_written():
    said = (
        "web/asgi.py runs `import app.routing` (line 6) before Django is set up: ... Nothing "
        "was changed. In web/asgi.py, name the settings and call `django_asgi_app = "
        "get_asgi_application()` before importing your routing, consumers or channels.auth"
    )
    assert field_run.asgi_order_asked(said) == "web/asgi.py"
    assert field_run.asgi_order_asked("Run `uv lock`, commit uv.lock") is None
    text = (
        "import os\n\nfrom channels.routing import ProtocolTypeRouter\n"
        "from django.core.asgi import get_asgi_application\n\nimport app.routing\n\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'web.settings')\n\n"
        "application = ProtocolTypeRouter({'http': get_asgi_application()})\n"
    )
    assert field_run.set_django_up_first(text) == (
        "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'web.settings')\n"
        "from django.core.asgi import get_asgi_application\n\n"
        "django_asgi_app = get_asgi_application()\n\n"
        "from channels.routing import ProtocolTypeRouter\n\nimport app.routing\n\n\n"
        "application = ProtocolTypeRouter({'http': django_asgi_app})\n"
    )
    assert field_run.set_django_up_first("application = get_asgi_application()\n") is None
