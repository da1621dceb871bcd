"""`manage.py deploy --platform platform_sh` in configuration-only mode, on real sample projects."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import project_files
import pytest
from project_files import git, manage_dir, snapshot

pytestmark = pytest.mark.needs_programs

MANAGERS = ["requirements_txt", "poetry", "pipenv", "uv"]
LAYOUTS = ["flat", "nested"]
PLATFORM_FILES = (".platform.app.yaml", ".platform/services.yaml", ".platform/routes.yaml")
INSTALL = {
    "requirements_txt": "pip install --no-input --requirement requirements.txt",
    "poetry": "poetry sync --only main --no-root --no-interaction",
    "pipenv": "pipenv install --deploy",
    "uv": "uv sync --locked --no-default-groups --no-install-project",
}
TOOL = {"poetry": "poetry: '>=2.0'", "pipenv": "pipenv: '*'", "uv": "uv: '*'"}


def deploy(root: Path, *args: str) -> subprocess.CompletedProcess:
    return project_files.deploy(root, "platform_sh", *args)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("manager", MANAGERS)
def test_configures_platform_sh_and_second_run_changes_nothing(sample_project, manager, layout):
    root = sample_project(manager, layout)
    result = deploy(root)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "configured this project for Platform.sh" in result.stdout
    assert "platform create --title blog-site-" in result.stdout

    app = (root / ".platform.app.yaml").read_text()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"type: 'python:{python}'" in app
    assert INSTALL[manager] in app
    if manager in TOOL:
        assert TOOL[manager] in app
    else:
        assert "\ndependencies:" not in app
    assert "poetry lock" not in app and "export" not in app.replace('export PATH="', "")
    prefix = "blog/" if layout == "nested" else ""
    assert f"python {prefix}manage.py collectstatic --noinput" in app
    assert f"python {prefix}manage.py migrate --noinput" in app
    chdir = "--chdir blog " if layout == "nested" else ""
    assert f'start: "gunicorn --bind 0.0.0.0:$PORT --workers 2 {chdir}blog.wsgi"' in app
    assert "database: 'db:postgresql'" in app
    assert "type: postgresql:16" in (root / ".platform/services.yaml").read_text()
    assert 'upstream: "app:http"' in (root / ".platform/routes.yaml").read_text()
    for name in (*PLATFORM_FILES, ".environment"):
        data = (root / name).read_bytes()
        assert b"\r\n" not in data and data.startswith(b"#")
        assert b"https://docs.platform.sh/" in data[:400]

    settings = (manage_dir(root) / "blog" / "settings.py").read_text()
    assert settings.count("# >>> django-simple-deploy: platform_sh >>>") == 1
    assert '"*"' not in settings and "'*'" not in settings
    assert "platformshconfig" not in settings

    manifest = {"requirements_txt": "requirements.txt", "pipenv": "Pipfile"}.get(
        manager, "pyproject.toml"
    )
    text = (root / manifest).read_text()
    for name in ("gunicorn", "psycopg", "whitenoise"):
        assert name in text
    assert "django-simple-deploy" not in text
    lock = {"poetry": "poetry.lock", "pipenv": "Pipfile.lock", "uv": "uv.lock"}.get(manager)
    if lock:
        assert "gunicorn" in (root / lock).read_text()

    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Platform.sh")
    before = snapshot(root)
    again = deploy(root)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "Nothing to change" in again.stdout
    after = snapshot(root)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert {k for k in changed if not k.startswith(("simple_deploy_logs/", ".git/"))} == set()


def _settings_in_platform_env(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'hosts': settings.ALLOWED_HOSTS, 'csrf': settings.CSRF_TRUSTED_ORIGINS,"
        " 'db': settings.DATABASES['default'].get('HOST'), 'debug': settings.DEBUG,"
        " 'apps': settings.INSTALLED_APPS}))"
    )
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=manage_dir(root),
        capture_output=True,
        text=True,
        env={**base, "DJANGO_SETTINGS_MODULE": "blog.settings", **env},
    )


def _b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def test_settings_read_routes_and_relationships_and_build_needs_neither(sample_project):
    root = sample_project("requirements_txt", "flat")
    assert deploy(root).returncode == 0
    build = {"PLATFORM_APPLICATION_NAME": "app", "PLATFORM_PROJECT_ENTROPY": "x" * 56}
    at_build = _settings_in_platform_env(root, build)
    assert at_build.returncode == 0, at_build.stderr
    assert json.loads(at_build.stdout)["hosts"] == []

    routes = {
        "https://main-abc.eu-3.platformsh.site/": {"type": "upstream", "upstream": "app"},
        "https://www.main-abc.eu-3.platformsh.site/": {"type": "redirect", "to": "x"},
        "https://other.example.com/": {"type": "upstream", "upstream": "worker"},
    }
    database = {"host": "db.internal", "port": 5432, "username": "main", "password": "pw"}
    runtime = {
        **build,
        "PLATFORM_ENVIRONMENT": "main-abc",
        "PLATFORM_ROUTES": _b64(routes),
        "PLATFORM_RELATIONSHIPS": _b64({"database": [{**database, "path": "main"}]}),
    }
    at_runtime = _settings_in_platform_env(root, runtime)
    assert at_runtime.returncode == 0, at_runtime.stderr
    seen = json.loads(at_runtime.stdout)
    assert seen["hosts"] == ["main-abc.eu-3.platformsh.site"]
    assert seen["csrf"] == ["https://main-abc.eu-3.platformsh.site"]
    assert seen["db"] == "db.internal" and seen["debug"] is False
    assert "simple_deploy" not in seen["apps"]

    missing = _settings_in_platform_env(root, {**runtime, "PLATFORM_RELATIONSHIPS": ""})
    assert missing.returncode != 0 and "'database' relationship is missing" in missing.stderr


def test_settings_package_extends_the_module_wsgi_points_at(sample_project):
    root = sample_project("poetry", "nested", settings="package")
    result = deploy(root)
    assert result.returncode == 0, result.stderr
    settings = root / "blog" / "blog" / "settings"
    assert "django-simple-deploy: platform_sh" in (settings / "production.py").read_text()
    assert "django-simple-deploy" not in (settings / "base.py").read_text()
    assert 'STATIC_ROOT = BASE_DIR / "staticfiles"' in (settings / "production.py").read_text()


def test_user_written_app_yaml_is_not_overwritten(sample_project):
    root = sample_project("requirements_txt", "flat")
    (root / ".platform.app.yaml").write_text("name: mine\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "my config")
    before = snapshot(root)
    result = deploy(root)
    assert result.returncode != 0
    assert ".platform.app.yaml" in result.stderr and "--overwrite" in result.stderr
    assert snapshot(root) == before


def test_other_platform_block_is_refused_with_zero_bytes_changed(sample_project):
    root = sample_project("requirements_txt", "flat")
    settings = root / "blog" / "settings.py"
    settings.write_text(
        settings.read_text()
        + "\n# >>> django-simple-deploy: heroku >>>\n# <<< django-simple-deploy: heroku <<<\n"
    )
    git(root, "commit", "-qam", "heroku block")
    before = snapshot(root)
    result = deploy(root)
    assert result.returncode != 0 and "'heroku'" in result.stderr
    assert snapshot(root) == before
