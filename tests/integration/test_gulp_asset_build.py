"""A project whose static files come from a gulpfile's `build` task, with no `build`
script in package.json (gulp in devDependencies, a package-lock.json; STATICFILES_DIRS
names the task's git-ignored output folder): every platform that runs the build itself
installs with npm and runs `npx gulp build` before collectstatic; Heroku, whose Node.js
buildpack runs only a package.json script, gets `heroku-postbuild` added to package.json
(or, when package.json is not in the form npm writes, the line to add)."""

from __future__ import annotations

import json

import pytest
from project_files import BUILD_FILES, assert_in_order, configured_text, manage_dir
from project_shapes import add_gulp_build, commit

from simple_deploy import plugins
from simple_deploy.platforms.heroku.plugin import POSTBUILD
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

LABEL = "`gulpfile.js` task `build` (gulp)"
INSTALL = "npm ci"
BUILD = "npx gulp build"


@pytest.fixture
def project(sample_project):
    root = sample_project("requirements_txt", "flat")
    add_gulp_build(root, root / "blog" / "settings.py")
    commit(root, "gulp build")
    return root


@pytest.mark.parametrize(
    ("platform", "config"),
    [(p, BUILD_FILES[p]) for p in ("railway", "render", "upsun", "platform_sh")],
)
def test_build_runs_the_gulp_build_task_before_collectstatic(project, platform, config):
    said = configured_text(project, platform)
    text = (project / config).read_text("utf-8")
    assert_in_order(text, INSTALL, BUILD, "collectstatic")
    assert f"Asset build found: {LABEL}." in said, said
    assert f"runs `{INSTALL}` and `{BUILD}` before collectstatic" in said, said


def test_fly_image_runs_the_gulp_build_task_in_its_node_stage(project):
    said = configured_text(project, "fly_io")
    dockerfile = (project / "Dockerfile").read_text("utf-8")
    assert "COPY package.json package-lock.json ./\n" in dockerfile, dockerfile
    assert f"RUN {BUILD} && rm -rf node_modules\n" in dockerfile, dockerfile
    assert_in_order(dockerfile, "AS assets", f"RUN {INSTALL}", f"RUN {BUILD}", "RUN SIMPLE_DEPLOY")
    assert f"Asset build found: {LABEL}. The Dockerfile builds it" in said, said


def test_heroku_gets_the_heroku_postbuild_script_that_runs_the_task(project):
    # Heroku's Node.js buildpack runs package.json's `heroku-postbuild` (else `build`)
    # script and nothing else: the one line it needs is added, in npm's own format.
    before = (project / "package.json").read_text("utf-8")
    said = configured_text(project, "heroku")
    after = (project / "package.json").read_text("utf-8")
    assert json.loads(after) == {
        **json.loads(before),
        "scripts": {"heroku-postbuild": "gulp build"},
    }
    assert after == json.dumps(json.loads(after), indent=2) + "\n"
    assert "adds the script `heroku-postbuild`: `gulp build`" in said, said
    assert "`npm ci` and `npm run heroku-postbuild`" in said, said
    runtime = plugins.load("heroku").runtime(inspect(manage_dir(project)))
    assert [c.argv for c in runtime.build][:2] == [("npm", "ci"), ("npm", "run", POSTBUILD)]


def test_heroku_names_the_script_when_package_json_is_not_in_npms_form(sample_project):
    # A hand-formatted package.json is not rewritten: the summary names the line to add.
    root = sample_project("requirements_txt", "flat")
    add_gulp_build(root, root / "blog" / "settings.py")
    package = json.loads((root / "package.json").read_text("utf-8"))
    (root / "package.json").write_text(json.dumps(package) + "\n", "utf-8")
    commit(root, "gulp build, package.json on one line")
    before = (root / "package.json").read_bytes()
    said = configured_text(root, "heroku")
    assert f"Asset build found: {LABEL}. Heroku's Node.js buildpack runs only" in said, said
    assert '`"scripts": {"build": "gulp build"}` to package.json' in said, said
    assert (root / "package.json").read_bytes() == before


DEV_DOCKERFILE = (
    "FROM node:20 AS assets\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\n"
    "FROM python:3.12\nWORKDIR /app\nCOPY . .\nCOPY --from=assets /app/node_modules node_modules\n"
    "RUN pip install -r requirements.txt && npm install -g gulp\n"
    "RUN npx gulp local\n"
    "RUN SIMPLE_DEPLOY_FLY_BUILD=1 python manage.py collectstatic --noinput\n"
    'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "blog.wsgi"]\n'
)


def test_a_kept_dockerfile_running_a_development_gulp_task_fails_the_build_naming_both(
    project,
):
    # djangogirls' Dockerfile, made for docker compose, runs `gulp local`; its production
    # settings serve static/build/, which only `gulp build` makes.
    (project / "Dockerfile").write_text(DEV_DOCKERFILE, "utf-8")
    commit(project, "A Dockerfile for docker compose")
    configured_text(project, "fly_io")
    assert (project / "Dockerfile").read_text("utf-8") == DEV_DOCKERFILE
    runtime = plugins.load("fly_io").runtime(inspect(manage_dir(project)))
    said = " ".join(runtime.build_problems)
    assert "Your Dockerfile (kept as yours) runs `npx gulp local`, not your production " in said
    assert f"asset build `{BUILD}` ({LABEL})" in said, said
    assert "configure again with --overwrite to deploy with our Dockerfile" in said, said

    # Following it, the image is ours, and it runs the production build.
    commit(project, "Configured for Fly.io")
    configured_text(project, "fly_io", "--overwrite")
    assert f"RUN {BUILD} && rm -rf node_modules\n" in (project / "Dockerfile").read_text("utf-8")
    assert not plugins.load("fly_io").runtime(inspect(manage_dir(project))).build_problems


def test_a_kept_dockerfile_running_the_production_task_is_not_a_problem(project):
    (project / "Dockerfile").write_text(DEV_DOCKERFILE.replace("gulp local", "gulp build"), "utf-8")
    commit(project, "A Dockerfile that builds for production")
    configured_text(project, "fly_io")
    runtime = plugins.load("fly_io").runtime(inspect(manage_dir(project)))
    assert not runtime.build_problems
    # Without a container engine the rehearsal replays the image's build: the Dockerfile's
    # own npm steps run before its collectstatic, as in the image (tabbycat's layout).
    steps = "\n".join(" ".join(command.argv) for command in runtime.build)
    assert_in_order(steps, INSTALL, BUILD, "collectstatic")
