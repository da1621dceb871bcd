"""Every platform's plan, its diff and the summary for a project described by hand.

Inspection asks git (the git root, ignored files), so the integration tests make
sample projects with it; these need no program at all, and so they also run on the
real Windows CPython (scripts/test-windows): a nested project in a folder whose
name has a space and an accent, whose files were checked out with CRLF and a BOM.
Whatever the local separator, platform files hold POSIX paths and LF endings.
"""

from __future__ import annotations

import argparse
import codecs

import django
import pytest
from django.conf import settings as django_settings

from simple_deploy import plugins
from simple_deploy.plan import Plan, unified_diff
from simple_deploy.project import Project
from simple_deploy.summary import render_summary

SETTINGS = (
    codecs.BOM_UTF8
    + b"from pathlib import Path\r\n\r\n"
    + b"BASE_DIR = Path(__file__).resolve().parent.parent\r\n"
    + b'SECRET_KEY = "dev-only"\r\nDEBUG = True\r\nALLOWED_HOSTS = []\r\n'
    + b'STATIC_URL = "static/"\r\n'
)


@pytest.fixture(scope="module", autouse=True)
def template_engine():
    """Plugins render templates with Django's engine, which reads a few settings."""
    if not django_settings.configured:
        django_settings.configure()
        django.setup()


@pytest.fixture
def project(tmp_path) -> Project:
    """`django-admin startproject blog` in "Mon Blog Été", as inspection would see it."""
    root = tmp_path / "Mon Blog Été"
    package = root / "blog" / "blog"
    package.mkdir(parents=True)
    (root / "blog" / "manage.py").write_bytes(b"#!/usr/bin/env python\r\n")
    (package / "settings.py").write_bytes(SETTINGS)
    (package / "wsgi.py").write_bytes(b"application = None\r\n")
    (root / "requirements.txt").write_bytes(b"Django==5.2.1\r\n")
    return Project(
        git_root=root,
        manage_dir=root / "blog",
        settings_module="blog.settings",
        settings_file=package / "settings.py",
        settings_source="the module blog/wsgi.py names",
        manage_settings_module="blog.settings",
        wsgi_module="blog.wsgi",
        wsgi_settings_module="blog.settings",
        package_manager="requirements_txt",
        python_version="3.12",
        django_version="5.2",
        configured_for=(),
    )


def _options(plugin) -> dict:
    """The options of `manage.py deploy --platform NAME --deployed-project-name mon-blog`.

    The name is given because a derived one asks git for the root commit."""
    parser = argparse.ArgumentParser()
    if plugin.add_arguments is not None:
        plugin.add_arguments(parser.add_argument_group(plugin.label))
    core = {"dry_run": False, "overwrite": False, "ignore_unclean_git": False}
    named = {"platform": plugin.name, "deployed_project_name": "mon-blog"}
    return core | vars(parser.parse_args([])) | named


@pytest.mark.parametrize("name", plugins.available())
def test_platform_files_hold_posix_paths_and_lf_and_the_settings_keep_crlf(project, name):
    plugin = plugins.load(name)
    options = _options(plugin)
    assert plugin.check(project, options) == []
    changes = plugin.plan(project, options).changes

    local = str(project.git_root)
    settings = next(c for c in changes if c.path == project.settings_rel)
    assert settings.path == "blog/blog/settings.py"
    assert settings.after.startswith(SETTINGS), "the user's lines are kept byte for byte"
    assert settings.after.count(b"\n") == settings.after.count(b"\r\n"), "CRLF kept"
    created = [c for c in changes if c.before is None]
    assert created, f"{name} generated no file"
    for change in created:
        assert "\\" not in change.path, change.path
        text = change.after.decode("utf-8")
        assert "\r" not in text, f"{name}: {change.path} has CR bytes"
        # Nothing of this machine's paths: no absolute path, no Windows separator
        # between the project's own folder names.
        assert local not in text and project.git_root.name not in text, change.path
        for fragment in ("blog\\", "\\manage.py", "\\settings", "\\static"):
            assert fragment not in text, f"{name}: {change.path} holds {fragment!r}"


@pytest.mark.parametrize("name", plugins.available())
def test_the_diff_and_the_summary_name_files_with_posix_paths(project, name):
    plugin = plugins.load(name)
    options = _options(plugin)
    platform_plan = plugin.plan(project, options)
    plan = Plan(platform=name, changes=platform_plan.changes, notes=platform_plan.notes)

    for change in plan.effective:
        diff = unified_diff(change)
        header = "--- a/" if change.before is not None else "--- /dev/null"
        assert diff.startswith(header), diff[:80]
        assert f"+++ b/{change.path}\n" in diff
        assert "\r" not in diff.replace("\r\n", "\n"), "a diff line ends in a stray CR"

    summary = render_summary(project, plugin, plan, plugin.guide(project, options), plan.effective)
    assert "`blog/blog/settings.py`" in summary
    assert "blog\\" not in summary and str(project.git_root) not in summary


@pytest.mark.parametrize("name", ["heroku", "fly_io"])
def test_a_required_secret_key_under_djangos_own_name_is_set_once(project, name):
    # Settings that require SECRET_KEY itself: the summary's command names it once.
    from dataclasses import replace

    from simple_deploy.project import EnvVar

    reads = (EnvVar("SECRET_KEY", True, "secret_key", "blog/blog/settings.py:4"),)
    project = replace(project, env_vars=reads, settings_probed=True)
    plugin = plugins.load(name)
    finish = " ".join(plugin.guide(project, _options(plugin)).finish)
    # Heroku's command takes the key as typed; Fly's prints it into `fly secrets import`.
    named = {"heroku": "SECRET_KEY=<that key>", "fly_io": "print('SECRET_KEY=' + k)"}[name]
    assert finish.count(named) == 1


def test_herokus_note_on_an_asset_build_locked_by_bun_names_bun(project):
    # The note used to show the placeholder `{build.other_manager}` itself. (pnpm and
    # Yarn now run: tests/integration/test_pnpm_asset_build.py.)
    from dataclasses import replace

    from simple_deploy.assets import AssetBuild

    build = AssetBuild(".", "webpack", ("webpack",), None, "Bun", "22", "package.json")
    plugin = plugins.load("heroku")
    plan = plugin.plan(replace(project, asset_build=build), _options(plugin))
    note = next(n for n in plan.notes if n.startswith("Asset build found"))
    assert "locked by Bun, which Heroku's Node.js buildpack does not install" in note
    assert "{" not in note
