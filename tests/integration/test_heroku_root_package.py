"""Heroku and an asset build in another folder (django-layout's client/, built by its
Dockerfile's Node.js stage into client/dist, which STATICFILES_DIRS reads): Heroku's
Node.js buildpack reads only a root package.json, so the run adds one whose
`heroku-prebuild` and `heroku-postbuild` scripts install and build client/, and the
rehearsal runs what the buildpack runs. Without it Heroku builds nothing there:
`check --deploy` warns staticfiles.W004 and the home page (a template in client/dist)
is a 500."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from project_files import configured_text, deploy, git, manage_dir
from project_shapes import add_npm_client_frontend, commit, npm_env

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs


@pytest.fixture
def project(sample_project):
    root = sample_project("requirements_txt", "flat")
    add_npm_client_frontend(root, manage_dir(root), manage_dir(root) / "blog" / "settings.py")
    commit(root, "client built by the Dockerfile")
    return root


def test_a_root_package_json_builds_the_client_folder(project):
    said = configured_text(project, "heroku")
    package = json.loads((project / "package.json").read_text("utf-8"))
    assert package["scripts"] == {
        "heroku-prebuild": "npm ci --prefix client --include=dev",
        "heroku-postbuild": "npm run build --prefix client",
    }
    assert package["engines"]["node"].endswith(".x")
    assert "`heroku buildpacks:add --index 1 heroku/nodejs`" in said, said
    assert "Frontend found" not in said, said
    runtime = plugins.load("heroku").runtime(inspect(manage_dir(project)))
    assert runtime.build_problems == ()
    assert [c.argv for c in runtime.build][:3] == [
        ("npm", "run", "heroku-prebuild"),
        ("npm", "install"),
        ("npm", "run", "heroku-postbuild"),
    ]
    # A second run recognises its own file and changes nothing.
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Heroku")
    assert deploy(project, "heroku").returncode == 0
    assert git(project, "status", "--porcelain") == ""


def test_the_buildpacks_steps_on_the_commit_serve_the_client(project, tmp_path):
    """What the buildpacks run, in order, on a clone of the commit (no dist/ in it): the
    client's build lands where the settings read it and collectstatic collects it."""
    assert deploy(project, "heroku").returncode == 0
    runtime = plugins.load("heroku").runtime(inspect(manage_dir(project)))
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Heroku")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(project), str(clone)], check=True)
    base = {k: v for k, v in npm_env().items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env = base | {
        "NODE_ENV": "production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
        "DYNO": "web.1",
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    for command in runtime.build:
        argv = [sys.executable if arg == "python" else arg for arg in command.argv]
        done = subprocess.run(
            argv, cwd=clone / command.cwd, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{command.argv}: {done.stdout}{done.stderr}"
    assert (clone / "client" / "dist" / "index.html").is_file()
    assert list(clone.glob("staticfiles/app*.css")), "the client's CSS was not collected"
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=clone,
        env={k: v for k, v in env.items() if k != "VIRTUAL_ENV"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "staticfiles.W004" not in check.stdout + check.stderr, check.stdout + check.stderr


def test_a_root_package_json_of_the_users_is_left_alone(project):
    (project / "package.json").write_text('{"private": true, "devDependencies": {}}\n', "utf-8")
    commit(project, "root package.json for editor tools")
    said = configured_text(project, "heroku")
    assert (project / "package.json").read_text("utf-8") == (
        '{"private": true, "devDependencies": {}}\n'
    )
    assert "Frontend found: client/package.json" in said, said
    assert os.path.exists(project / "Dockerfile")
