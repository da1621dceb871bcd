"""Helpers for the reliability suite: installed platforms, in-process configuration."""

from __future__ import annotations

import os
from pathlib import Path

import django
import pytest
from django.conf import settings
from project_files import git, manage_dir

from simple_deploy import plugins
from simple_deploy.configure import Prepared, prepare
from simple_deploy.plan import FileChange
from simple_deploy.project import Project, inspect

# Plugins render their templates with Django's engine, which reads a few settings
# (i18n); the defaults are what the deploy command's own process has for them.
if not settings.configured:
    settings.configure()
    django.setup()

# Every installed platform: a new plugin joins every test here without an edit.
PLATFORMS = plugins.available()
MANAGERS = ("requirements_txt", "poetry", "pipenv", "uv")
LAYOUTS = ("flat", "nested")


def inspected(root: Path) -> Project:
    return inspect(manage_dir(root))


def skip_if_declined(root: Path, platform: str) -> None:
    """Skip, with the plugin's own reason, a project kind the plugin refuses to configure."""
    declined = plugins.load(platform).check(inspected(root), {})
    if declined:
        pytest.skip(f"{platform} declines this project: {declined[0]}")


def prepared(root: Path, platform: str, **options) -> Prepared:
    """Inspect and plan as `manage.py deploy` does, in this process."""
    return prepare(inspected(root), plugins.load(platform), options)


def created_files(root: Path, platform: str) -> list[FileChange]:
    """The platform files the plugin would create in this (unconfigured) project."""
    project = inspected(root)
    plan = plugins.load(platform).plan(project, {})
    return [c for c in plan.changes if c.before is None]


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def other_platform(platform: str) -> str:
    """Another installed platform's name, or a plausible one when only one is installed."""
    return next((p for p in PLATFORMS if p != platform), f"not_{platform}")


def settings_file(root: Path) -> Path:
    return inspected(root).settings_file


def without_django_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
