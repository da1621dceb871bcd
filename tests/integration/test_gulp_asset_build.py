"""A project whose static files come from a gulpfile's `build` task, with no `build`
script in package.json (gulp in devDependencies, a package-lock.json; STATICFILES_DIRS
names the task's git-ignored output folder): every platform that runs the build itself
installs with npm and runs `npx gulp build` before collectstatic; Heroku, whose Node.js
buildpack runs only a package.json script, says which script to add."""

from __future__ import annotations

import pytest
from project_files import BUILD_FILES, assert_in_order, configured_text
from project_shapes import add_gulp_build, commit

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


def test_heroku_names_the_package_json_script_its_buildpack_needs(project):
    said = configured_text(project, "heroku")
    assert f"Asset build found: {LABEL}. Heroku's Node.js buildpack runs only" in said, said
    assert '`"scripts": {"build": "gulp build"}` to package.json' in said, said
    # The user's package.json is theirs: the tool names the script, it does not add it.
    assert '"scripts"' not in (project / "package.json").read_text("utf-8")
