"""A project whose static files come from a pnpm build (`packageManager` pins pnpm,
pnpm-lock.yaml, an .npmrc; STATICFILES_DIRS names the build's git-ignored output folder):
every platform installs frozen from the lock with the pinned pnpm and runs the build
script before collectstatic, each in its own place. (Rehearsed on Railway in
tests/e2e/test_pnpm_asset_build_rehearsal.py.)"""

from __future__ import annotations

import pytest
from project_files import assert_in_order, configured_text, manage_dir
from project_shapes import (
    PNPM_VERSION,
    add_pnpm_bundle_build,
    add_procfile_with_worker,
    commit,
    npm_env,
)

pytestmark = pytest.mark.needs_programs

PNPM = f"npx --yes pnpm@{PNPM_VERSION}"
INSTALL = f"{PNPM} install --frozen-lockfile"
BUILD = f"{PNPM} run build"
LABEL = "`package.json` build script `node build.js`"


@pytest.fixture
def project(sample_project, monkeypatch):
    monkeypatch.setenv("npm_config_cache", npm_env()["npm_config_cache"])
    root = sample_project("requirements_txt", "flat")
    add_pnpm_bundle_build(root, manage_dir(root), root / "blog" / "settings.py")
    commit(root, "pnpm bundle build")
    return root


def test_heroku_adds_the_node_buildpack_which_installs_with_the_pinned_pnpm(project):
    said = configured_text(project, "heroku")
    assert f"Asset build found: {LABEL}. Heroku builds it with the Node.js buildpack" in said, said
    assert (
        "It runs `pnpm install --frozen-lockfile` and `pnpm run build` with pnpm "
        f"{PNPM_VERSION}, then Python's collectstatic" in said
    ), said
    assert "`heroku buildpacks:add --index 1 heroku/nodejs`" in said


def test_fly_image_builds_with_pnpm_in_its_node_stage(project):
    said = configured_text(project, "fly_io")
    dockerfile = (project / "Dockerfile").read_text("utf-8")
    # .npmrc goes with the lock file: pnpm reads its settings at install.
    assert "COPY package.json pnpm-lock.yaml .npmrc ./\n" in dockerfile, dockerfile
    assert f"RUN {INSTALL}\n" in dockerfile
    assert f"RUN {BUILD} && rm -rf node_modules\n" in dockerfile
    assert_in_order(
        dockerfile, "AS assets", f"RUN {INSTALL}", "COPY --from=assets", "RUN SIMPLE_DEPLOY"
    )
    assert "The Dockerfile builds it in a Node.js" in said and f"`{BUILD}`" in said


def test_railway_installs_node_for_railpack_and_builds_before_collectstatic(project):
    # Worker services run the same build command, so they need the same Node.js.
    add_procfile_with_worker(project)
    commit(project, "Procfile with worker and beat")
    said = configured_text(project, "railway")
    config = (project / ".railway" / "railway.ts").read_text("utf-8")
    # Railpack's Python build has no Node.js unless RAILPACK_PACKAGES names it.
    assert config.count("const worker_") == 2, config
    assert config.count('RAILPACK_PACKAGES: "node@') == 3, config
    assert config.count(f'build: "{INSTALL} && {BUILD} && ') == 3, config
    assert_in_order(config, INSTALL, BUILD, "collectstatic")
    assert f"runs `{INSTALL}` and `{BUILD}` before collectstatic" in said, said


def test_render_build_command_runs_pnpm_before_collectstatic(project):
    said = configured_text(project, "render")
    blueprint = (project / "render.yaml").read_text("utf-8")
    assert_in_order(blueprint, INSTALL, BUILD, "collectstatic")
    assert f"runs `{INSTALL}` and `{BUILD}` before collectstatic" in said, said


@pytest.mark.parametrize(
    ("platform", "config"),
    [("upsun", ".upsun/config.yaml"), ("platform_sh", ".platform.app.yaml")],
)
def test_upsun_and_platform_sh_build_hooks_run_pnpm_before_collectstatic(project, platform, config):
    said = configured_text(project, platform)
    app = (project / config).read_text("utf-8")
    assert "nodejs:\n" in app and "npm: '^10'\n" in app, app
    assert_in_order(app, INSTALL, BUILD, "collectstatic")
    assert f"runs `{INSTALL}` and `{BUILD}` before collectstatic" in said, said
