"""`manage.py deploy --platform render` in configuration-only mode, on real sample projects;
every render.yaml is checked against Render's own Blueprint schema."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import project_files
import pytest
import render_schema
from project_files import git, snapshot

pytestmark = pytest.mark.needs_programs

MANAGERS = ["requirements_txt", "poetry", "pipenv", "uv"]
LAYOUTS = ["flat", "nested"]
# The build finds the app's environment from the `python` Render puts on PATH.
FIND_VENV = """VENV="$(python -c 'import sys; print(sys.prefix)')\""""
VENV = '"$VENV"'
TOOLS = "/tmp/simple-deploy-tools"
INSTALL = {
    "requirements_txt": f"{VENV}/bin/python -m pip install --no-input --requirement "
    "requirements.txt",
    "poetry": f"VIRTUAL_ENV={VENV} POETRY_VIRTUALENVS_CREATE=false {TOOLS}/bin/poetry sync "
    "--only main --no-root --no-interaction",
    "pipenv": f"VIRTUAL_ENV={VENV} PIPENV_VERBOSITY=-1 PIPENV_NOSPIN=1 {TOOLS}/bin/pipenv "
    "install --deploy",
    "uv": f"UV_PROJECT_ENVIRONMENT={VENV} UV_PYTHON={VENV}/bin/python {TOOLS}/bin/uv sync "
    "--locked --no-default-groups --no-install-project",
}


def deploy(root: Path, *args: str) -> subprocess.CompletedProcess:
    return project_files.deploy(root, "render", *args)


def env_of(service: dict) -> dict[str, dict]:
    return {var["key"]: var for var in service["envVars"]}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("manager", MANAGERS)
def test_configures_render_and_second_run_changes_nothing(sample_project, manager, layout):
    root = sample_project(manager, layout)
    result = deploy(root)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "configured this project for Render" in result.stdout
    assert "New > Blueprint" in result.stdout

    text = (root / "render.yaml").read_text()
    assert b"\r\n" not in (root / "render.yaml").read_bytes()
    blueprint = render_schema.assert_valid(text)
    [web] = blueprint["services"]
    [database] = blueprint["databases"]
    assert (web["type"], web["runtime"], web["name"]) == ("web", "python", "blog-site")
    assert (web["plan"], web["region"]) == ("starter", "oregon")
    prefix = "blog/" if layout == "nested" else ""
    # The project's own manager installs from its lock file, then static files are collected.
    build = web["buildCommand"].split(" && ")
    assert INSTALL[manager] in build
    assert build[-1] == f"python {prefix}manage.py collectstatic --noinput"
    assert build[0] == FIND_VENV
    if manager != "requirements_txt":
        assert build[1] == f"python -m venv {TOOLS}"
        assert build[2].startswith(f"{TOOLS}/bin/pip install --no-input --quiet ")
    assert not any(word in web["buildCommand"] for word in (" lock", "--upgrade", "migrate"))
    # Migrations once per deploy, before the new version takes traffic; never at boot.
    assert web["preDeployCommand"] == f"python {prefix}manage.py migrate --noinput"
    chdir = "--chdir blog " if layout == "nested" else ""
    assert web["startCommand"] == f"gunicorn {chdir}blog.wsgi"
    assert web["healthCheckPath"] == "/render-health"

    env = env_of(web)
    assert env["SECRET_KEY"] == {"key": "SECRET_KEY", "generateValue": True}
    assert env["DATABASE_URL"]["fromDatabase"] == {
        "name": "blog-site-db",
        "property": "connectionString",
    }
    # PYTHON_VERSION would need a full version; .python-version takes X.Y (Render's docs).
    assert "PYTHON_VERSION" not in env
    python = re.search(r"- Python (3\.\d+) \(", result.stdout).group(1)
    assert (root / ".python-version").read_text() == f"{python}\n"
    assert database == {"name": "blog-site-db", "plan": "basic-256mb", "region": "oregon"}

    settings = next(root.rglob("settings.py")).read_text()
    assert settings.count("# >>> django-simple-deploy: render >>>") == 1
    assert 'if _os.environ.get("RENDER"):' in settings
    assert "RENDER_EXTERNAL_HOSTNAME" in settings
    assert "ALLOWED_HOSTS = ['*']" not in settings and '"*"' not in settings

    summary = next((root / "simple_deploy_logs").glob("summary-render-*.md")).read_text()
    for lesson in ("Rollback", "Logs tab", "Shell tab", "numInstances", "render.com/pricing"):
        assert lesson in summary

    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Render")
    before = snapshot(root)
    again = deploy(root)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "Nothing to change" in again.stdout
    assert {
        k
        for k in before.keys() | snapshot(root).keys()
        if before.get(k) != snapshot(root).get(k) and not k.startswith("simple_deploy_logs/")
    } == set()


def test_the_schema_check_catches_what_render_would_refuse(sample_project):
    root = sample_project("requirements_txt", "flat")
    assert deploy(root, "--render-plan", "free", "--region", "frankfurt").returncode == 0
    text = (root / "render.yaml").read_text()
    blueprint = render_schema.assert_valid(text)
    [web] = blueprint["services"]
    assert "preDeployCommand" not in web and web["plan"] == "free"
    assert web["buildCommand"].endswith(" && python manage.py migrate --noinput")
    assert blueprint["databases"][0] == {
        "name": "blog-site-db",
        "plan": "free",
        "region": "frankfurt",
    }
    # The same file with one mistake each: the schema refuses every one.
    for broken in (
        text.replace("buildCommand:", "buildComand:"),
        text.replace("plan: free", "plan: hobby", 1),
        text.replace("generateValue: true", 'generateValue: "yes"'),
        text.replace("region: frankfurt", "region: paris", 1),
        text.replace("runtime: python", "runtime: python3"),
    ):
        assert render_schema.errors(broken), broken


def test_health_check_answers_plain_http_and_checks_the_database(sample_project):
    """Render sends healthCheckPath straight to the instance over plain HTTP, with the
    service's host: the settings block answers 200 there (not the HTTPS redirect's 301,
    which Render would count as healthy whatever the app's state), and 503 when the
    database does not answer."""
    root = sample_project("requirements_txt", "flat")
    assert deploy(root).returncode == 0
    code = (
        "from django.test import Client; c = Client(); h = 'blog-site.onrender.com'; "
        "print(c.get('/render-health', HTTP_HOST=h).status_code, "
        "c.get('/', HTTP_HOST=h).status_code, "
        "c.get('/', HTTP_HOST='10.201.7.3:10000', HTTP_X_FORWARDED_PROTO='https').status_code, "
        "c.get('/', HTTP_HOST=h, HTTP_X_FORWARDED_PROTO='https').status_code)"
    )

    def run(database_url: str) -> list[str]:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {
            "RENDER": "true",
            "SECRET_KEY": "k" * 60,
            "DATABASE_URL": database_url,
            "RENDER_EXTERNAL_HOSTNAME": "blog-site.onrender.com",
        }
        out = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.split()[-4:]

    health, plain_http, other_host, https = run(f"sqlite:///{root}/db.sqlite3")
    assert (health, plain_http, other_host) == ("200", "301", "400")
    # Past the host and HTTPS checks: the project answers itself (its URLs decide the code).
    assert https not in ("400", "301")
    # A database that does not answer: unhealthy, so a new version never takes traffic.
    assert run("postgres://nobody@127.0.0.1:9/nothing")[0] == "503"


def test_a_re_run_keeps_the_instance_type_and_region_render_yaml_declares(sample_project):
    root = sample_project("uv", "nested")
    assert deploy(root, "--render-plan", "free", "--region", "frankfurt").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Render, free")
    before = snapshot(root, logs=False)
    again = deploy(root)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "Nothing to change" in again.stdout
    assert snapshot(root, logs=False) == before
    # Asked for, another instance type replaces it, and the migrations move to pre-deploy.
    paid = deploy(root, "--render-plan", "starter")
    assert paid.returncode == 0, paid.stderr
    [web] = render_schema.assert_valid((root / "render.yaml").read_text())["services"]
    assert (web["plan"], web["region"]) == ("starter", "frankfurt")
    assert web["preDeployCommand"] == "python blog/manage.py migrate --noinput"
