"""What a configuration run pays for beyond Django's start-up (issue 30): no
automation module loaded, no TOML library for reading values, no scan of every
installed distribution through importlib.metadata, and git asked once for the
working tree (one `git status`, no walks of the untracked files of their own),
each platform's root commit at most once."""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from project_files import deploy

pytestmark = [
    pytest.mark.needs_programs,
    pytest.mark.skipif(sys.platform == "win32", reason="the git wrapper is a shell script"),
]

PLATFORMS = ("heroku", "fly_io", "platform_sh", "upsun", "railway", "render")


@pytest.fixture
def git_log(tmp_path):
    """A `git` first on PATH that records each command line, then runs the real git."""
    real = shutil.which("git")
    bin_dir = tmp_path / "git-bin"
    bin_dir.mkdir()
    log = tmp_path / "git.log"
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    env = {"PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}
    return env, log


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_configuration_run_loads_no_automation_and_asks_git_once(
    sample_project, git_log, platform
):
    root = sample_project("requirements_txt", "flat")
    env, log = git_log
    result = deploy(root, platform, env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr[-3000:]

    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "simple_deploy.project" in imported  # the measure works
    # Automation, TOML editing, and the scan of every installed distribution's
    # metadata (plugins are found by reading the metadata folders directly).
    unwanted = ("tomlkit", "importlib.metadata", "importlib.resources", "zipfile")
    loaded = sorted(
        name
        for name in imported
        if name.startswith("simple_deploy") and "automat" in name or name in unwanted
    )
    assert loaded == []

    commands = log.read_text().splitlines()
    assert [c for c in commands if " status " in f" {c} "] == [
        "--no-optional-locks status --porcelain=v2 -z --branch "
        "--untracked-files=normal --ignored=traditional"
    ]
    walks = [c for c in commands if "--others" in c or c.startswith("diff")]
    assert walks == []
    assert len([c for c in commands if c.startswith("rev-list")]) <= 1
    assert len(commands) <= 5, commands
