"""Platforms are found through the `simple_deploy.platforms` entry-point group; a broken
third-party plugin is named in a clear message and does not break the others."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from project_files import deploy, snapshot

pytestmark = pytest.mark.needs_programs

ENTRY_POINTS = """[simple_deploy.platforms]
broken = broken_plugin:platform
incomplete = incomplete_plugin:platform
"""


@pytest.fixture
def broken_plugins(tmp_path) -> dict:
    """Two installed-looking plugin packages: one fails to import, one lacks the API."""
    site = tmp_path / "site"
    dist = site / "broken_plugins-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugins\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    (site / "broken_plugin.py").write_text('raise ImportError("needs libfoo")\n')
    (site / "incomplete_plugin.py").write_text("platform = object()\n")
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}


@pytest.fixture
def project(sample_project) -> Path:
    return sample_project("requirements_txt", "flat")


def test_help_lists_every_installed_platform_and_groups_options(project, broken_plugins):
    result = deploy(project, "heroku", "--help", env=broken_plugins)
    assert result.returncode == 0, result.stderr
    installed = result.stdout.split("Installed:")[1].split(".")[0]
    for name in ("heroku", "broken", "incomplete"):
        assert name in installed
    groups = [
        "Configuration:",
        "Automation (--automate-all):",
        "Rehearsal:",
        "Heroku options:",
        "Options of every Django command:",
    ]
    positions = [result.stdout.index(group) for group in groups]
    assert positions == sorted(positions)


def test_a_plugin_that_fails_to_import_is_named_and_nothing_changes(project, broken_plugins):
    before = snapshot(project)
    result = deploy(project, "broken", env=broken_plugins)
    assert result.returncode != 0
    assert "The platform plugin 'broken' (broken_plugin:platform from package broken-plugins)" in (
        result.stderr
    )
    assert "ImportError('needs libfoo')" in result.stderr
    assert snapshot(project) == before


def test_a_plugin_missing_the_api_is_named(project, broken_plugins):
    result = deploy(project, "incomplete", env=broken_plugins)
    assert result.returncode != 0
    assert "'incomplete'" in result.stderr and "is incomplete (missing: name, label" in (
        result.stderr
    )


def test_other_platforms_still_work_beside_a_broken_one(project, broken_plugins):
    result = deploy(project, "heroku", env=broken_plugins)
    assert result.returncode == 0, result.stderr
    assert "configured this project for Heroku" in result.stdout


def test_unknown_platform_lists_the_installed_ones(project):
    before = snapshot(project)
    result = deploy(project, "herokku")
    assert result.returncode != 0
    assert "Unknown platform 'herokku'. Did you mean --platform heroku?" in result.stderr
    assert "Installed platforms: " in result.stderr
    installed = result.stderr.split("Installed platforms: ")[1].split(".")[0]
    assert {"heroku", "fly_io", "platform_sh"} <= set(installed.split(", "))
    assert snapshot(project) == before
