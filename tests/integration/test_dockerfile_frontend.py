"""A frontend in its own folder that only the project's Dockerfile builds (a Node.js stage
runs `yarn build`, a later stage copies dist/ to the folder STATICFILES_DIRS and the
template DIRS name), as doccano does with its Nuxt app: every platform whose build can
run Node.js runs the same install and build, with the stage's Node.js and variables, and
copies the output to where the settings read it, before collectstatic; Heroku, whose
Node.js buildpack reads only a root package.json, says in one line what to build where.

Without it the folder is missing on the platform: `check --deploy` warns
staticfiles.W004 and the home page (a template in that folder) is a 500."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from project_files import BUILD_FILES, assert_in_order, configured_text, deploy, git, manage_dir
from project_shapes import add_dockerfile_frontend, commit

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

INSTALL = "npx --yes yarn@1 install --frozen-lockfile"
BUILD = "npx --yes yarn@1 run build"
PLACE = "dist ../blog/client/dist"
_VALUES = {
    "{secret_key}": "x" * 50,
    "{database_url}": "postgres://u:p@127.0.0.1:5432/d",
    "{host}": "example.com",
    "{port}": "8000",
}


@pytest.fixture
def project(sample_project):
    root = sample_project("requirements_txt", "nested")
    backend = manage_dir(root)
    add_dockerfile_frontend(root, backend, backend / "blog" / "settings.py")
    commit(root, "frontend built by the Dockerfile")
    return root


@pytest.mark.parametrize(
    ("platform", "config"),
    [(p, BUILD_FILES[p]) for p in ("railway", "render", "upsun", "platform_sh")],
)
def test_build_runs_the_frontend_build_and_copies_its_output(project, platform, config):
    said = configured_text(project, platform)
    text = (project / config).read_text("utf-8")
    assert_in_order(
        text, "frontend", "PUBLIC_PATH=/static/", INSTALL, BUILD, PLACE, "collectstatic"
    )
    assert "Asset build found: frontend `frontend/package.json` build script" in said, said
    assert "docker/Dockerfile copies to blog/client/dist/" in said, said
    assert (
        "in frontend/ with PUBLIC_PATH=/static/ as docker/Dockerfile sets it, then copies "
        "frontend/dist/ to blog/client/dist/ before collectstatic" in said
    ), said
    if platform == "render":
        # Render's Node.js follows NODE_VERSION: the stage's 18, not Render's default.
        assert '- key: NODE_VERSION\n        value: "18"\n' in text, text


def test_fly_image_builds_the_frontend_with_the_dockerfiles_node(project):
    said = configured_text(project, "fly_io")
    dockerfile = (project / "Dockerfile").read_text("utf-8")
    # Node.js 18, as the project's own stage (this machine runs another).
    assert "FROM node:18-slim AS assets\n" in dockerfile, dockerfile
    assert 'ENV PUBLIC_PATH="/static/"\n' in dockerfile, dockerfile
    assert "COPY frontend/package.json frontend/yarn.lock ./\n" in dockerfile, dockerfile
    assert_in_order(
        dockerfile, "AS assets", f"RUN {INSTALL}", f"RUN {BUILD}", PLACE, "RUN SIMPLE_DEPLOY"
    )
    assert "Asset build found: frontend" in said, said
    assert "copies frontend/dist/ to blog/client/dist/, and copies the result" in said, said


def test_heroku_says_in_one_line_what_to_build_and_where(project):
    said = configured_text(project, "heroku")
    assert (
        "Frontend found: frontend/package.json (built by docker/Dockerfile), which Heroku's "
        "Node.js buildpack cannot build" in said
    ), said
    assert f"`PUBLIC_PATH=/static/ {BUILD}` in frontend/" in said, said
    assert "commit frontend/dist/ as blog/client/dist/" in said, said


def _filled(env, fill) -> dict:
    out = {}
    for key, value in env.items():
        for k, v in fill.items():
            value = value.replace(k, v)
        out[key] = value
    return out


def test_render_build_on_the_commit_serves_the_frontend(project, tmp_path):
    """The build steps Render runs, on a clone of the commit (no built file in it): the
    frontend lands where the settings read it, collectstatic collects its files, and
    `check --deploy` no longer warns W004."""
    assert deploy(project, "render").returncode == 0
    runtime = plugins.load("render").runtime(inspect(manage_dir(project)))
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Render")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(project), str(clone)], check=True)
    base = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    fill = {**_VALUES, "{app_root}": str(clone)}
    env = base | _filled(runtime.env, fill)
    for command in runtime.build:
        argv = [sys.executable if arg == "python" else arg for arg in command.argv]
        done = subprocess.run(
            argv, cwd=clone / command.cwd, env=env | _filled(command.env, fill), capture_output=True
        )
        assert done.returncode == 0, f"{command.argv}: {done.stderr!r}"
    backend = clone / "blog"
    assert (backend / "client" / "dist" / "index.html").is_file()
    assert list(backend.glob("staticfiles/app*.css")), "the frontend's CSS was not collected"
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=backend,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "staticfiles.W004" not in check.stdout + check.stderr, check.stdout + check.stderr


def test_heroku_rehearsal_build_fails_with_that_line(project):
    """Heroku cannot build it: the rehearsal's build stops with the summary's line, not at
    `check --deploy` with a W004 that names no build."""
    assert deploy(project, "heroku").returncode == 0
    problems = plugins.load("heroku").runtime(inspect(manage_dir(project))).build_problems
    assert len(problems) == 1 and problems[0].startswith("Frontend found: frontend/package.json")


def test_committed_output_needs_no_frontend_build(project):
    """The built frontend committed where the settings read it: the platform has it as
    committed, and no platform builds it again."""
    dist = manage_dir(project) / "client" / "dist"
    (dist / "static").mkdir(parents=True)
    (dist / "index.html").write_text("{% load static %}Blog\n", "utf-8")
    (dist / "static" / "app.css").write_text("body {}\n", "utf-8")
    git(project, "add", "-f", "blog/client/dist")
    git(project, "commit", "-q", "-m", "built frontend")
    said = configured_text(project, "render")
    assert "yarn" not in (project / "render.yaml").read_text("utf-8")
    assert "Frontend" not in said and "frontend `" not in said, said


def test_fly_replay_of_a_kept_dockerfile_runs_its_frontend_stage(sample_project, tmp_path):
    """The project's own Dockerfile at the root, kept for Fly, builds the frontend in a
    Node.js stage and copies it in: a rehearsal without a container engine replays the
    Dockerfile's manage.py steps, and runs that stage's build before them (without it
    the folder is missing: `check --deploy` warns W004, the home page is a 500)."""
    project = sample_project("requirements_txt", "flat")
    add_dockerfile_frontend(project, project, project / "blog" / "settings.py")
    (project / "docker" / "Dockerfile").rename(project / "Dockerfile")
    commit(project, "frontend built by the project's Dockerfile")
    assert deploy(project, "fly_io").returncode == 0
    assert "FROM node:${NODE_VERSION} AS frontend-builder" in (project / "Dockerfile").read_text(
        "utf-8"
    ), "the project's Dockerfile was not kept"
    runtime = plugins.load("fly_io").runtime(inspect(manage_dir(project)))
    assert not runtime.build_problems, runtime.build_problems
    steps = [" ".join(command.argv) for command in runtime.build]
    assert_in_order("\n".join(steps), INSTALL, BUILD, "dist ../client/dist", "collectstatic")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Fly")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(project), str(clone)], check=True)
    base = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    fill = {**_VALUES, "{app_root}": str(clone)}
    env = base | _filled(runtime.env, fill)
    for command in runtime.build:
        argv = [sys.executable if arg == "python" else arg for arg in command.argv]
        cwd = _filled({"cwd": str(command.cwd)}, fill)["cwd"]
        done = subprocess.run(
            argv, cwd=clone / cwd, env=env | _filled(command.env, fill), capture_output=True
        )
        assert done.returncode == 0, f"{command.argv}: {done.stderr!r}"
    assert (clone / "client" / "dist" / "index.html").is_file()
    assert list(clone.glob("staticfiles/app*.css")), "the frontend's CSS was not collected"
