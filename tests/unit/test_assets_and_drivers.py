"""What inspection finds: asset builds (assets.py) and the project's PostgreSQL driver
(drivers.py), from real files."""

from __future__ import annotations

import json

import pytest

from simple_deploy.assets import compress_offline, find_asset_build
from simple_deploy.drivers import find_driver


def _package(folder, scripts, **extra):
    folder.mkdir(parents=True, exist_ok=True)
    data = {"name": "x", "scripts": scripts, **extra}
    (folder / "package.json").write_text(json.dumps(data), "utf-8")


def test_build_script_with_npm_lock_runs_npm_ci(tmp_path):
    _package(
        tmp_path,
        {"build": "esbuild app.js --bundle --outfile=static/app.js"},
        devDependencies={"esbuild": "0.24.0"},
        engines={"node": ">=22"},
    )
    (tmp_path / "package-lock.json").write_text("{}", "utf-8")
    build = find_asset_build(tmp_path, tmp_path)
    assert build.install_argv == ("npm", "ci") and build.build_argv == ("npm", "run", "build")
    assert build.tools == ("esbuild",) and build.node_major == "22"
    assert build.node_source == "package.json engines.node"
    assert build.files == ("package.json", "package-lock.json")


def test_package_json_beside_manage_py_and_yarn_lock_are_named(tmp_path):
    _package(tmp_path / "blog", {"build": "webpack"}, devDependencies={"webpack": "5"})
    (tmp_path / "blog" / "yarn.lock").write_text("", "utf-8")
    (tmp_path / ".nvmrc").write_text("v20.11.0\n", "utf-8")
    build = find_asset_build(tmp_path, tmp_path / "blog")
    assert build.folder == "blog" and build.other_manager is None
    assert build.lock_file == "yarn.lock" and build.node_major == "20"
    assert build.label == "`blog/package.json` build script `webpack` (webpack)"
    # Yarn 1 (no `__metadata:` in the lock file), frozen from the lock.
    assert build.commands == (
        ("npx", "--yes", "yarn@1", "install", "--frozen-lockfile"),
        ("npx", "--yes", "yarn@1", "run", "build"),
    )
    assert build.files == ("blog/package.json", "blog/yarn.lock")


def test_package_manager_field_pins_pnpm_and_its_config_file_goes_with_the_lock(tmp_path):
    _package(
        tmp_path,
        {"build": "webpack --mode=production"},
        packageManager="pnpm@10.18.0+sha512.e804f889f1cecc40d572db084eec3e48",
    )
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n", "utf-8")
    (tmp_path / ".npmrc").write_text("shamefully-hoist=true\n", "utf-8")
    build = find_asset_build(tmp_path, tmp_path)
    assert (build.manager, build.manager_version, build.lock_file) == (
        "pnpm",
        "10.18.0",
        "pnpm-lock.yaml",
    )
    assert build.install_argv == ("npx", "--yes", "pnpm@10.18.0", "install", "--frozen-lockfile")
    assert build.build_argv == ("npx", "--yes", "pnpm@10.18.0", "run", "build")
    assert build.manager_commands == (
        ("pnpm", "install", "--frozen-lockfile"),
        ("pnpm", "run", "build"),
    )
    assert build.files == ("package.json", "pnpm-lock.yaml", ".npmrc")
    assert build.manager_label == "pnpm 10.18.0"


@pytest.mark.parametrize(
    ("lock", "text", "runner", "install"),
    [
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '6.0'\n",
            ("npx", "--yes", "pnpm@8"),
            "--frozen-lockfile",
        ),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\n",
            ("npx", "--yes", "pnpm@10"),
            "--frozen-lockfile",
        ),
        (
            "yarn.lock",
            "__metadata:\n  version: 8\n",
            ("npx", "--yes", "--package=@yarnpkg/cli-dist@4", "yarn"),
            "--immutable",
        ),
    ],
    ids=["pnpm-8-lock", "pnpm-9-lock", "yarn-berry-lock"],
)
def test_the_lock_file_alone_chooses_the_manager_and_its_release_line(
    tmp_path, lock, text, runner, install
):
    _package(tmp_path, {"build": "node build.js"})
    (tmp_path / lock).write_text(text, "utf-8")
    build = find_asset_build(tmp_path, tmp_path)
    assert build.install_argv == (*runner, "install", install)
    assert build.build_argv == (*runner, "run", "build")


def test_a_bun_lock_is_named_and_not_run(tmp_path):
    _package(tmp_path, {"build": "node build.js"})
    (tmp_path / "bun.lock").write_text("{}", "utf-8")
    build = find_asset_build(tmp_path, tmp_path)
    assert build.other_manager == "Bun" and build.lock_file is None


def test_no_build_script_or_broken_package_json_is_no_asset_build(tmp_path):
    _package(tmp_path, {"test": "jest"})
    assert find_asset_build(tmp_path, tmp_path) is None
    (tmp_path / "package.json").write_text("{not json", "utf-8")
    assert find_asset_build(tmp_path, tmp_path) is None


def test_runtime_dependencies_without_a_build_script_are_installed_only(tmp_path):
    """Packages served straight from node_modules: the platform installs, builds nothing."""
    _package(tmp_path, {"test": "jest"}, dependencies={"htmx.org": "2.0.4", "alpinejs": "3"})
    (tmp_path / "package-lock.json").write_text("{}", "utf-8")
    build = find_asset_build(tmp_path, tmp_path)
    assert build.commands == (("npm", "ci"),) and build.steps == "`npm ci`"
    assert build.label == (
        "`package.json` dependencies served from node_modules (alpinejs, htmx.org; no build script)"
    )


def test_compress_offline_needs_the_app_and_the_setting():
    settings = "INSTALLED_APPS = ['compressor']\nCOMPRESS_OFFLINE = True\n"
    assert compress_offline([settings])
    assert not compress_offline(["INSTALLED_APPS = ['compressor']\n"])
    assert not compress_offline(["COMPRESS_OFFLINE = True\n"])


def test_drivers_from_declared_names_and_lock_texts():
    assert find_driver({"django"}, []) is None
    plain = find_driver({"psycopg"}, ["psycopg==3.2.3\n"])
    assert (plain.name, plain.needs_libpq, plain.needs_compiler) == ("psycopg", True, False)
    binary = find_driver({"psycopg"}, ['name = "psycopg-binary"\n'])
    assert not binary.needs_libpq
    c = find_driver({"psycopg"}, ["psycopg[c,pool]~=3.2\n"])
    assert c.name == "psycopg[c]" and c.needs_compiler
    assert find_driver({"psycopg2"}, []).needs_compiler
    assert not find_driver({"psycopg2-binary"}, []).needs_libpq


_GULP = {"devDependencies": {"gulp": "^4.0.2"}}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "gulpfile.js",
            "const build = series(a, b);\nmodule.exports = {\n  build,\n  watch,\n};\n",
        ),
        ("gulpfile.js", "exports.build = series(clean, css);\n"),
        ("gulpfile.js", "gulp.task('build', ['css']);\n"),
        ("gulpfile.mjs", "export const build = series(css);\n"),
        ("gulpfile.babel.js", "const build = series(css);\nexport { build, watch };\n"),
    ],
)
def test_gulpfile_build_task_without_a_build_script_runs_npx_gulp_build(tmp_path, name, text):
    (tmp_path / "package.json").write_text(json.dumps({"name": "x", **_GULP}), "utf-8")
    (tmp_path / "package-lock.json").write_text("{}", "utf-8")
    (tmp_path / name).write_text(text, "utf-8")
    build = find_asset_build(tmp_path, tmp_path)
    assert build.commands == (("npm", "ci"), ("npx", "gulp", "build"))
    assert build.label == f"`{name}` task `build` (gulp)"
    # Heroku's buildpack runs a package.json script only: not this task.
    assert build.manager_commands == (("npm", "ci"),)


@pytest.mark.parametrize(
    ("package", "gulpfile"),
    [
        (_GULP, "exports.styles = styles;\nexports.default = styles;\n"),  # no build task
        ({"devDependencies": {"webpack": "5"}}, "exports.build = build;\n"),  # no gulp
        (_GULP, None),  # no gulpfile
    ],
)
def test_no_known_gulp_build_task_is_no_asset_build(tmp_path, package, gulpfile):
    (tmp_path / "package.json").write_text(json.dumps({"name": "x", **package}), "utf-8")
    if gulpfile is not None:
        (tmp_path / "gulpfile.js").write_text(gulpfile, "utf-8")
    assert find_asset_build(tmp_path, tmp_path) is None


def test_a_build_script_wins_over_the_gulpfile(tmp_path):
    _package(tmp_path, {"build": "gulp build --production"}, **_GULP)
    (tmp_path / "gulpfile.js").write_text("exports.build = build;\n", "utf-8")
    build = find_asset_build(tmp_path, tmp_path)
    assert build.build_argv == ("npm", "run", "build") and not build.task_argv


def test_tailwind_cli_is_found_in_installed_apps():
    from simple_deploy.assets import tailwind_cli

    assert tailwind_cli(["INSTALLED_APPS = [\n    'django_tailwind_cli',\n]\n"])
    assert tailwind_cli(['INSTALLED_APPS += ["django_tailwind_cli"]'])
    # django-tailwind (the `tailwind` app) is another package, built with npm.
    assert not tailwind_cli(["INSTALLED_APPS = ['tailwind', 'theme']"])
    assert not tailwind_cli(["# django_tailwind_cli is not used here"])


@pytest.mark.parametrize(
    ("scripts", "dockerfile", "chosen"),
    [
        # wagtail.org: `build` is webpack's development mode; its Dockerfile runs build:prod.
        (
            {"build": "webpack --mode development", "build:prod": "webpack --mode production"},
            "",
            "build:prod",
        ),
        (
            {"build": "webpack", "build:production": "webpack --env prod"},
            "FROM node:22 AS assets\nRUN npm ci && npm run build:production\n",
            "build:production",
        ),
        (
            {"build": "vite build", "build:prod": "vite build --mode prod"},
            "FROM node:22\nRUN yarn build:prod\n",
            "build:prod",
        ),
        # Nothing says `build` is not the production build: it stays.
        ({"build": "vite build", "build:prod": "vite build --mode prod"}, "", "build"),
        ({"build": "vite build"}, "FROM node:22\nRUN npm run build:prod\n", "build"),
    ],
)
def test_the_production_build_script_is_chosen_beside_build(tmp_path, scripts, dockerfile, chosen):
    _package(tmp_path, scripts)
    (tmp_path / "package-lock.json").write_text("{}", "utf-8")
    if dockerfile:
        (tmp_path / "Dockerfile").write_text(dockerfile, "utf-8")
    build = find_asset_build(tmp_path, tmp_path)
    assert build.script_name == chosen
    assert build.build_argv == ("npm", "run", chosen)
    assert build.script == scripts[chosen]
