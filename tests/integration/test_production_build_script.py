"""A package.json whose `build` script is a development build, beside the production
one (`build:prod`) the project's own Dockerfile runs (wagtail.org: `build` is webpack's
development mode, whose bundle names source maps it never writes, so manifest
collectstatic stopped on every platform). The platforms that run the build themselves
run `build:prod`; Heroku, whose Node.js buildpack runs `heroku-postbuild` or `build`,
says which script to add, and its rehearsal runs what the buildpack would."""

from __future__ import annotations

import json

import pytest
from project_files import BUILD_FILES, configured_text, manage_dir
from project_shapes import commit

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

SCRIPTS = {
    "build": "node build.js --mode development",
    "build:prod": "node build.js --mode production",
}


@pytest.fixture
def project(sample_project):
    root = sample_project("requirements_txt", "flat")
    package = {"name": "blog", "private": True, "scripts": SCRIPTS}
    lock = {"name": "blog", "lockfileVersion": 3, "requires": True, "packages": {"": {}}}
    (root / "package.json").write_text(json.dumps(package) + "\n", "utf-8")
    (root / "package-lock.json").write_text(json.dumps(lock) + "\n", "utf-8")
    (root / "build.js").write_text('require("fs").mkdirSync("assets", {recursive: true});\n')
    commit(root, "a development build and a production one")
    return root


@pytest.mark.parametrize(
    ("platform", "config"), [(p, BUILD_FILES[p]) for p in ("railway", "render", "upsun", "fly_io")]
)
def test_the_platforms_build_runs_the_production_script(project, platform, config):
    said = configured_text(project, platform)
    text = (project / config).read_text("utf-8")
    assert "npm run build:prod" in text, text
    assert "npm run build " not in text.replace('"', " ").replace("\n", " "), text
    assert "`package.json` `build:prod` script `node build.js --mode production`" in said


def test_heroku_names_the_script_its_buildpack_needs_and_rehearses_what_it_runs(project):
    # package.json on one line (not npm's own form): the summary names the line to add.
    said = configured_text(project, "heroku")
    assert (
        "Heroku's Node.js buildpack runs package.json's `heroku-postbuild` script, or else "
        "`build`, not `build:prod`" in said
    ), said
    assert '`"heroku-postbuild": "npm run build:prod"`' in said, said
    runtime = plugins.load("heroku").runtime(inspect(manage_dir(project)))
    assert ("npm", "run", "build") in [command.argv for command in runtime.build]


def test_heroku_adds_heroku_postbuild_to_a_package_json_in_npms_form(project):
    package = json.loads((project / "package.json").read_text("utf-8"))
    (project / "package.json").write_text(json.dumps(package, indent=2) + "\n", "utf-8")
    commit(project, "package.json as npm writes it")
    said = configured_text(project, "heroku")
    scripts = json.loads((project / "package.json").read_text("utf-8"))["scripts"]
    assert scripts == {**SCRIPTS, "heroku-postbuild": "npm run build:prod"}
    assert "adds the script `heroku-postbuild`: `npm run build:prod`" in said, said
    assert "not `build:prod`" not in said, said
    runtime = plugins.load("heroku").runtime(inspect(manage_dir(project)))
    assert ("npm", "run", "heroku-postbuild") in [command.argv for command in runtime.build]


def test_heroku_with_the_users_heroku_postbuild_runs_it_and_asks_for_nothing(project):
    package = json.loads((project / "package.json").read_text("utf-8"))
    package["scripts"]["heroku-postbuild"] = "npm run build:prod"
    (project / "package.json").write_text(json.dumps(package) + "\n", "utf-8")
    commit(project, "Heroku builds for production")
    said = configured_text(project, "heroku")
    assert "heroku-postbuild" not in said, said
    runtime = plugins.load("heroku").runtime(inspect(manage_dir(project)))
    assert ("npm", "run", "heroku-postbuild") in [command.argv for command in runtime.build]
