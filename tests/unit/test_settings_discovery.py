"""Which settings module a project names (live code only) and which one production uses."""

from __future__ import annotations

from simple_deploy.settings_discovery import production_sibling, settings_default

STARTPROJECT_MANAGE = """import os
import sys


def main():
    # os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'blog.settings_old')
    '''os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'blog.in_a_string')'''
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'blog.settings')
"""


def test_only_live_code_names_a_module():
    named = settings_default(STARTPROJECT_MANAGE)
    assert named is not None
    assert (named.module, named.line) == ("blog.settings", 8)


def test_a_file_without_a_live_setdefault_names_nothing():
    assert (
        settings_default("import os\n# os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x')\n")
        is None
    )
    assert settings_default("this is not python (\n") is None


def test_assignment_and_imported_environ_count():
    text = "from os import environ\nenviron['DJANGO_SETTINGS_MODULE'] = 'config.settings.prod'\n"
    assert settings_default(text).module == "config.settings.prod"
    text = "from os import environ\nenviron.setdefault('DJANGO_SETTINGS_MODULE', 'a.b')\n"
    assert settings_default(text).module == "a.b"


def _touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")


def test_production_module_beside_the_development_one(tmp_path):
    _touch(tmp_path, "config/__init__.py", "config/settings/__init__.py")
    _touch(tmp_path, "config/settings/base.py", "config/settings/local.py")
    assert production_sibling(tmp_path, "config.settings.local") is None
    _touch(tmp_path, "config/settings/production.py")
    assert production_sibling(tmp_path, "config.settings.local") == "config.settings.production"
    assert production_sibling(tmp_path, "config.settings") == "config.settings.production"
    assert production_sibling(tmp_path, "config.settings.production") is None


def test_flat_production_settings_beside_settings_py(tmp_path):
    _touch(tmp_path, "blog/__init__.py", "blog/settings.py", "blog/live.py")
    # blog/live.py beside blog/settings.py may be any module: not taken.
    assert production_sibling(tmp_path, "blog.settings") is None
    _touch(tmp_path, "blog/settings_prod.py")
    assert production_sibling(tmp_path, "blog.settings") == "blog.settings_prod"


def test_a_production_module_that_star_imports_the_named_one_in_any_folder(tmp_path):
    # config/django/base.py is what manage.py names; production.py beside it builds on it.
    _touch(tmp_path, "config/__init__.py", "config/django/__init__.py", "config/django/base.py")
    (tmp_path / "config/django/production.py").write_text("DEBUG = False\n", "utf-8")
    assert production_sibling(tmp_path, "config.django.base") is None
    (tmp_path / "config/django/production.py").write_text(
        "from config.env import env\n\nfrom .base import *  # noqa\n", "utf-8"
    )
    assert production_sibling(tmp_path, "config.django.base") == "config.django.production"
    # Absolute star import, beside a flat settings.py (Azure's quickstart).
    _touch(tmp_path, "site/__init__.py", "site/settings.py")
    (tmp_path / "site/production.py").write_text("from site.settings import *\n", "utf-8")
    assert production_sibling(tmp_path, "site.settings") == "site.production"
