"""The settings block's lines written from what the project's settings hold (block_lines).

Each case writes the lines for one shape of settings, as the probe recorded it, then
runs them as the block does: at the end of the settings module, in its namespace.
"""

from __future__ import annotations

import dataclasses
import textwrap
import types
from pathlib import Path

import pytest

from simple_deploy import block_lines
from simple_deploy.settings_facts import STARTPROJECT, SettingsFacts

SECURITY = "django.middleware.security.SecurityMiddleware"
WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"
XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
WHITENOISE_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def project(
    legacy: str | None = None,
    django: str = "5.2",
    maps: tuple[str, ...] = (),
    at_import: tuple[str, ...] = (),
    **changes,
) -> types.SimpleNamespace:
    facts = dataclasses.replace(STARTPROJECT, **changes)
    return types.SimpleNamespace(
        facts=facts,
        base_dir_depth=1,
        django_version=django,
        legacy_static_storage=legacy,
        missing_source_maps=maps,
        import_time_static=at_import,
    )


def run(lines: str, settings: dict) -> dict:
    namespace = {"__name__": "blog.settings", "__file__": "/srv/app/blog/settings.py", **settings}
    exec(textwrap.dedent(lines), namespace)  # noqa: S102 - our own lines
    return namespace


def startproject_settings(facts: SettingsFacts = STARTPROJECT) -> dict:
    return {
        "BASE_DIR": Path("/srv/app"),
        "MIDDLEWARE": list(facts.middleware),
        "INSTALLED_APPS": list(facts.installed_apps),
    }


def test_startproject_gets_static_root_storage_whitenoise_and_loses_the_tool():
    lines = block_lines.static_and_apps(project())
    got = run(lines, startproject_settings())
    assert got["STATIC_ROOT"] == Path("/srv/app/staticfiles")
    assert got["STORAGES"]["staticfiles"]["BACKEND"] == WHITENOISE_STORAGE
    assert got["MIDDLEWARE"][:2] == [SECURITY, WHITENOISE]
    assert len(got["MIDDLEWARE"]) == len(STARTPROJECT.middleware) + 1
    assert "simple_deploy" not in got["INSTALLED_APPS"]
    # Decided here, written plainly: no test of what the settings hold at import.
    assert "globals()" not in lines and " if " not in lines.replace(" if _a ", "")


def test_a_project_with_its_own_static_storage_and_root_gets_no_static_lines():
    facts = {"storages": ("default", "staticfiles"), "static_root": True}
    lines = block_lines.static_and_apps(project(**facts))
    assert "STORAGES" not in lines and "STATIC_ROOT" not in lines


def test_storages_without_staticfiles_keep_their_default_entry():
    lines = block_lines.static_and_apps(project(storages=("default",)))
    s3 = {"default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    got = run(lines, {**startproject_settings(), "STORAGES": s3})
    assert got["STORAGES"]["default"] == s3["default"]
    assert got["STORAGES"]["staticfiles"]["BACKEND"] == WHITENOISE_STORAGE


def test_staticfiles_storage_on_django_4_2_is_kept_and_moved_on_5_1():
    legacy = "whitenoise.storage.CompressedStaticFilesStorage"
    kept = block_lines.static_and_apps(project(legacy, "4.2", staticfiles_storage=legacy))
    assert "STORAGES" not in kept
    moved = block_lines.static_and_apps(project(legacy, "5.2", staticfiles_storage=legacy))
    got = run(moved, startproject_settings())
    assert got["STORAGES"]["staticfiles"]["BACKEND"] == legacy


def test_middleware_without_security_gets_it_first_then_whitenoise():
    middleware = STARTPROJECT.middleware[1:]
    lines = block_lines.static_and_apps(project(middleware=middleware))
    got = run(lines, {**startproject_settings(), "MIDDLEWARE": list(middleware)})
    assert got["MIDDLEWARE"] == [SECURITY, WHITENOISE, *middleware]


def test_a_tuple_middleware_with_security_later_gets_whitenoise_right_after_it():
    middleware = ("a.First", SECURITY, "b.Last", XFRAME)
    lines = block_lines.static_and_apps(project(middleware=middleware, middleware_is_list=False))
    got = run(lines, {**startproject_settings(), "MIDDLEWARE": middleware})
    assert got["MIDDLEWARE"] == ["a.First", SECURITY, WHITENOISE, "b.Last", XFRAME]


def test_a_list_without_clickjacking_protection_gets_it_last():
    middleware = (SECURITY, WHITENOISE, "b.Last")
    lines = block_lines.static_and_apps(project(middleware=middleware, middleware_is_list=False))
    got = run(lines, {**startproject_settings(), "MIDDLEWARE": middleware})
    assert got["MIDDLEWARE"] == [SECURITY, WHITENOISE, "b.Last", XFRAME]


def test_the_projects_own_whitenoise_stays_where_it_is():
    middleware = (SECURITY, "x.Mine", WHITENOISE, XFRAME)
    assert "MIDDLEWARE" not in block_lines.static_and_apps(project(middleware=middleware))


def test_the_tool_is_dropped_by_the_name_the_settings_give_it():
    apps = ("django.contrib.admin", "simple_deploy.apps.SimpleDeployConfig")
    lines = block_lines.static_and_apps(project(installed_apps=apps))
    got = run(lines, {**startproject_settings(), "INSTALLED_APPS": apps})
    assert got["INSTALLED_APPS"] == ["django.contrib.admin"]
    none = block_lines.static_and_apps(project(installed_apps=("django.contrib.admin",)))
    assert "INSTALLED_APPS" not in none


def test_static_root_follows_the_settings_file_when_base_dir_is_elsewhere():
    lines = block_lines.static_and_apps(project(base_dir_is_manage_dir=False))
    got = run(lines, startproject_settings())
    # resolve(): on Windows a rooted path gains the current drive, as the block's does.
    assert got["STATIC_ROOT"] == Path("/srv/app/staticfiles").resolve()
    assert "BASE_DIR" not in lines


def test_missing_source_maps_get_a_storage_defined_in_the_settings_module():
    # The lines import WhiteNoise's storage; the Windows run (scripts/test-windows)
    # has only Django, tomlkit, packaging and pytest.
    pytest.importorskip("whitenoise")
    lines = block_lines.static_and_apps(project(maps=("blog/static/x.css",)))
    got = run(lines, startproject_settings())
    # Named by the module's own name: production does not install this tool.
    assert got["STORAGES"]["staticfiles"]["BACKEND"] == "blog.settings._MissingMapsStorage"
    assert WHITENOISE_STORAGE in [
        f"{c.__module__}.{c.__name__}" for c in got["_MissingMapsStorage"].__mro__
    ]


def test_a_static_url_asked_for_at_import_gets_compressed_files_without_a_manifest():
    # No manifest, so no source-map rewriting either: the maps' storage is not needed.
    at_import = ("coach/models.py:9",)
    lines = block_lines.static_and_apps(project(maps=("blog/static/x.css",), at_import=at_import))
    got = run(lines, startproject_settings())
    backend = got["STORAGES"]["staticfiles"]["BACKEND"]
    assert backend == "whitenoise.storage.CompressedStaticFilesStorage"
    assert "_MissingMapsStorage" not in lines


def test_a_static_url_asked_for_at_import_overrides_the_projects_own_manifest_storage():
    facts = {
        "storages": ("default", "staticfiles"),
        "staticfiles_backend": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "static_root": True,
    }
    lines = block_lines.static_and_apps(project(at_import=("coach/models.py:9",), **facts))
    staticfiles = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    settings = startproject_settings() | {"STORAGES": {"default": {}, "staticfiles": staticfiles}}
    got = run(lines, settings)
    backend = got["STORAGES"]["staticfiles"]["BACKEND"]
    assert backend == "whitenoise.storage.CompressedStaticFilesStorage"
    # Another storage of the project's (its own S3 one, say) is its choice: kept.
    other = facts | {"staticfiles_backend": "myapp.storage.S3Static"}
    assert "STORAGES" not in block_lines.static_and_apps(
        project(at_import=("coach/models.py:9",), **other)
    )


def test_missing_source_maps_leave_the_projects_own_storage_alone():
    facts = {"storages": ("default", "staticfiles"), "static_root": True}
    lines = block_lines.static_and_apps(project(maps=("blog/static/x.css",), **facts))
    assert "_MissingMapsStorage" not in lines
