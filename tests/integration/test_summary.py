"""The friendly summary a run prints: what changed, the next commands, where the rest is
saved; each thing said once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from project_files import deploy

pytestmark = pytest.mark.needs_programs


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "platform_sh", "render"])
def test_terminal_says_each_thing_once_and_points_at_the_full_summary(sample_project, platform):
    root = sample_project("requirements_txt", "flat")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr
    out = result.stdout

    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)), "a line was printed twice"
    assert out.count("gunicorn~=") == 1, "the requirements are listed once"
    assert "## What changed, and why" in out and "## To finish the deployment" in out
    assert "## After that" not in out and "## Read more" not in out

    saved = Path(re.search(r"is saved as (\S+\.md);", out).group(1))
    full = saved.read_text(encoding="utf-8")
    assert "## After that" in full and "## Read more in" in full and "Roll back" in full
