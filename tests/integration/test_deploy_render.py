"""`manage.py deploy --platform render` in configuration-only mode, on real sample projects;
every render.yaml is checked against Render's own Blueprint schema."""

from __future__ import annotations

import subprocess
from pathlib import Path

import project_files
import pytest
import render_schema
from project_files import git, snapshot

MANAGERS = ["requirements_txt", "poetry", "pipenv", "uv"]
LAYOUTS = ["flat", "nested"]
VENV = "/opt/render/project/src/.venv"
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
    if manager != "requirements_txt":
        assert build[0] == f"python -m venv {TOOLS}"
        assert build[1].startswith(f"{TOOLS}/bin/pip install --no-input --quiet ")
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
    assert env["PYTHON_VERSION"]["value"].count(".") >= 1
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
