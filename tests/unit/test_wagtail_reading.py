"""Reading whether a project uses Wagtail, and the block lines it gets (simple_deploy.wagtail)."""

from __future__ import annotations

from simple_deploy import markers
from simple_deploy.wagtail import Wagtail, find_wagtail, wagtail_settings

APPS = "INSTALLED_APPS = [\n    'wagtail.search',\n    'wagtail',\n    'django.contrib.admin',\n]\n"


def test_a_project_without_wagtail_is_none():
    assert find_wagtail(["INSTALLED_APPS = ['django.contrib.admin']\n"], frozenset()) is None
    assert wagtail_settings(None, "X") == ""


def test_wagtail_apps_in_a_base_module_need_both_lines():
    found = find_wagtail(["from .base import *\n", APPS], frozenset())
    assert found == Wagtail(base_url_set=False, needs_postgres_app=True)
    lines = wagtail_settings(found, "CSRF_TRUSTED_ORIGINS[0]")
    assert "\n    WAGTAILADMIN_BASE_URL = CSRF_TRUSTED_ORIGINS[0]\n" in lines
    assert lines.endswith('\n    INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.postgres"]')


def test_the_projects_own_settings_are_kept():
    text = (
        APPS + '    "django.contrib.postgres",\nWAGTAILADMIN_BASE_URL: str = "https://x.example"\n'
    )
    found = find_wagtail([text], frozenset())
    assert found == Wagtail(base_url_set=True, needs_postgres_app=False)
    assert wagtail_settings(found, "X") == ""


def test_the_tools_own_block_is_not_the_projects_setting():
    block = "    WAGTAILADMIN_BASE_URL = CSRF_TRUSTED_ORIGINS[0]\n"
    text = APPS + markers.start_line("heroku") + "\n" + block + markers.end_line("heroku") + "\n"
    assert find_wagtail([text], frozenset()).base_url_set is False


def test_a_dependency_on_wagtail_alone_is_a_wagtail_project():
    found = find_wagtail(["INSTALLED_APPS = get_apps()\n"], frozenset({"wagtail"}))
    assert found == Wagtail(base_url_set=False, needs_postgres_app=False)
