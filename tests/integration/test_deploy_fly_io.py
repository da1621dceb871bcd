"""`manage.py deploy --platform fly_io` in configuration-only mode, on real sample projects."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import project_files
import pytest
import tomllib
from project_files import git, snapshot

pytestmark = pytest.mark.needs_programs

MANAGERS = ["requirements_txt", "poetry", "pipenv", "uv"]
LAYOUTS = ["flat", "nested"]
LOCKS = {
    "requirements_txt": ["requirements.txt"],
    "poetry": ["pyproject.toml", "poetry.lock"],
    "pipenv": ["Pipfile", "Pipfile.lock"],
    "uv": ["pyproject.toml", "uv.lock"],
}
INSTALL = {
    "requirements_txt": "/opt/venv/bin/python -m pip install --no-input --requirement "
    "requirements.txt",
    "poetry": "poetry sync --only main --no-root --no-interaction",
    "pipenv": "pipenv install --deploy",
    "uv": "uv sync --locked --no-default-groups --no-install-project",
}


def deploy(root: Path, *args: str) -> subprocess.CompletedProcess:
    return project_files.deploy(root, "fly_io", *args)


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    keys = before.keys() | after.keys()
    return {
        k
        for k in keys
        if before.get(k) != after.get(k) and not k.startswith(("simple_deploy_logs/", ".git/"))
    }


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("manager", MANAGERS)
def test_configures_fly_and_second_run_changes_nothing(sample_project, manager, layout):
    root = sample_project(manager, layout)
    result = deploy(root)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "configured this project for Fly.io" in result.stdout
    assert "fly mpg create --name" in result.stdout
    # The saved summary: createsuperuser prompts, and `fly ssh console -C` gives it a
    # terminal only with --pty; migrations can use the cluster's direct address.
    summary = next((root / "simple_deploy_logs").glob("summary-fly_io-*.md")).read_text()
    assert "fly ssh console --pty --app blog-site-" in summary
    assert 'manage.py createsuperuser"`' in summary
    assert "DIRECT_DATABASE_URL" in summary

    prefix = "blog/" if layout == "nested" else ""
    dockerfile = (root / "Dockerfile").read_text()
    fly_toml = tomllib.loads((root / "fly.toml").read_text())
    for name in ("Dockerfile", "fly.toml", ".dockerignore"):
        assert b"\r\n" not in (root / name).read_bytes()

    # Dependency files first (a layer that survives code changes), installed as locked.
    assert f"COPY {' '.join(LOCKS[manager])} ./\nRUN " in dockerfile
    assert INSTALL[manager] in dockerfile
    assert dockerfile.index(INSTALL[manager]) < dockerfile.index("COPY . .")
    assert not re.search(r"\b(poetry|pipenv|uv) lock\b|--upgrade", dockerfile)
    assert f"FROM python:{sys.version_info[0]}.{sys.version_info[1]}-slim" in dockerfile
    assert f"SIMPLE_DEPLOY_FLY_BUILD=1 python {prefix}manage.py collectstatic" in dockerfile
    assert "\nUSER 999\n" in dockerfile and "useradd" in dockerfile
    chdir = '"--chdir", "blog", ' if layout == "nested" else ""
    assert f'CMD ["gunicorn", {chdir}"blog.wsgi"]' in dockerfile
    assert "ENV PORT=8000 " in dockerfile

    assert fly_toml["http_service"]["internal_port"] == 8000
    assert fly_toml["http_service"]["force_https"] is True
    assert fly_toml["deploy"]["release_command"] == f"python {prefix}manage.py migrate --noinput"
    # WhiteNoise serves static files compressed and cached; [[statics]] could not.
    assert "statics" not in fly_toml
    assert "# No [[statics]]: WhiteNoise serves them" in (root / "fly.toml").read_text()
    assert fly_toml["primary_region"] == "iad"
    assert fly_toml["vm"][0]["memory"] == "512mb"
    assert fly_toml["app"].startswith("blog-site-")

    ignore = (root / ".dockerignore").read_text().splitlines()
    for entry in (".venv", ".git", "simple_deploy_logs", "**/__pycache__", "**/.env"):
        assert entry in ignore
    assert f"{prefix}staticfiles" in ignore

    settings = next(root.rglob("settings.py")).read_text()
    assert settings.count("# >>> django-simple-deploy: fly_io >>>") == 1
    assert "ALLOWED_HOSTS = ['*']" not in settings and '"*"' not in settings

    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Fly.io")
    before = snapshot(root)
    again = deploy(root)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "Nothing to change" in again.stdout
    assert changed(before, snapshot(root)) == set()


_DATABASES_PROBE = """
import django
from django.conf import settings
django.setup()
print(sorted(settings.DATABASES), settings.DATABASES["default"]["HOST"])
"""


@pytest.mark.parametrize(
    ("release_machine", "direct", "expected"),
    [
        # The release Machine (flyctl sets RELEASE_COMMAND=1): the direct address,
        # as the one and only database, so migrations and the data migrations' own
        # queries share one connection.
        ({"RELEASE_COMMAND": "1"}, "direct.internal", "['default'] direct.internal"),
        # No direct address given: the release uses the pooled one.
        ({"RELEASE_COMMAND": "1"}, "", "['default'] pooled.flympg.net"),
        # The web Machines: the pooled address, even when the direct one is set.
        ({}, "direct.internal", "['default'] pooled.flympg.net"),
    ],
    ids=["release-direct", "release-pooled", "web-pooled"],
)
def test_settings_give_migrations_one_database(sample_project, release_machine, direct, expected):
    root = sample_project("requirements_txt", "flat")
    result = deploy(root)
    assert result.returncode == 0, result.stderr + result.stdout
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DIRECT_DATABASE_URL", "RELEASE_COMMAND")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="blog.settings",
        FLY_APP_NAME="blog-site",
        SECRET_KEY="not-a-real-key-" + "x" * 40,
        DATABASE_URL="postgres://u:p@pooled.flympg.net:5432/app",
        **release_machine,
    )
    if direct:
        env["DIRECT_DATABASE_URL"] = f"postgres://u:p@{direct}:5432/app"
    out = subprocess.run(
        [sys.executable, "-c", _DATABASES_PROBE],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected


def test_settings_package_extends_production(sample_project):
    root = sample_project("requirements_txt", "nested", settings="package")
    result = deploy(root)
    assert result.returncode == 0, result.stderr
    settings = root / "blog" / "blog" / "settings"
    production = (settings / "production.py").read_text()
    assert "django-simple-deploy: fly_io" in production
    assert 'STATIC_ROOT = BASE_DIR / "staticfiles"' in production
    assert "django-simple-deploy" not in (settings / "base.py").read_text()
    # wsgi.py and manage.py agree, so no DJANGO_SETTINGS_MODULE is forced in the image.
    assert "DJANGO_SETTINGS_MODULE" not in (root / "Dockerfile").read_text()


def test_options_are_written_and_kept_on_rerun(sample_project):
    root = sample_project("requirements_txt", "flat")
    result = deploy(
        root, "--region", "ams", "--fly-vm-memory", "1024", "--deployed-project-name", "my-blog"
    )
    assert result.returncode == 0, result.stderr
    fly_toml = tomllib.loads((root / "fly.toml").read_text())
    assert (fly_toml["app"], fly_toml["primary_region"]) == ("my-blog", "ams")
    assert fly_toml["vm"][0]["memory"] == "1024mb"
    assert "fly apps create my-blog" in result.stdout
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Fly")
    before = snapshot(root)
    # Without the options, the run keeps what fly.toml already says.
    assert deploy(root).returncode == 0
    assert changed(before, snapshot(root)) == set()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fly-vm-memory", "300"), "not a Machine size"),
        (("--region", "Frankfurt"), "not a Fly region code"),
        (("--deployed-project-name", "Blog_Site"), "not a valid Fly app name"),
    ],
)
def test_bad_options_are_refused_and_change_nothing(sample_project, args, message):
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root)
    result = deploy(root, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert snapshot(root) == before


def test_user_written_dockerfile_is_kept_unless_overwrite(sample_project):
    root = sample_project("requirements_txt", "flat")
    mine = "FROM python:3.12\nCMD python manage.py runserver\n"
    (root / "Dockerfile").write_text(mine)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "my Dockerfile")
    result = deploy(root)
    assert result.returncode == 0, result.stderr
    assert (root / "Dockerfile").read_text() == mine
    assert "Your Dockerfile is kept" in result.stdout
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Fly.io")
    assert deploy(root, "--overwrite").returncode == 0
    assert "gunicorn" in (root / "Dockerfile").read_text()


def test_dry_run_writes_nothing(sample_project):
    root = sample_project("uv", "nested")
    before = snapshot(root)
    result = deploy(root, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "+++ b/fly.toml" in result.stdout and "+++ b/Dockerfile" in result.stdout
    assert snapshot(root) == before


def test_summary_sets_secrets_through_stdin_never_on_a_command_line(sample_project):
    import shlex

    from cli_tables import check
    from cli_tables.fly import TABLE

    root = sample_project("requirements_txt", "flat")
    result = deploy(root, "--deployed-project-name", "my-blog")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # No value of a secret typed as an argument (visible in `ps`, kept in shell history).
    assert "secrets set DIRECT_DATABASE_URL" not in out
    assert "SECRET_KEY=<" not in out
    assert "`fly secrets import --app my-blog --stage`, paste `DIRECT_DATABASE_URL=" in out
    pipeline = re.search(r"`(python -c \"[^`]+\") \| (fly secrets import[^`]+)`", out)
    assert pipeline, out
    assert check(TABLE, shlex.split(pipeline[2])[1:]) is None
    # The left side prints what `fly secrets import` reads: NAME=VALUE lines.
    argv = shlex.split(pipeline[1])
    printed = subprocess.run(
        [sys.executable, *argv[1:]], capture_output=True, text=True, check=True
    ).stdout
    (line,) = printed.splitlines()
    name, _, key = line.partition("=")
    assert name == "SECRET_KEY" and len(key) >= 50
