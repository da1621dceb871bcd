"""The example third-party plugin rehearses end to end like a built-in platform."""

from __future__ import annotations

import pytest
from project_files import deploy, git

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("layout", ["flat", "nested"])
def test_render_configuration_rehearses_on_postgres(sample_project, database_url, layout):
    root = sample_project("requirements_txt", layout)
    assert deploy(root, "render").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Render")
    result = deploy(root, "render", "--rehearse", "--database-url", database_url)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    for step in ("install", "build", "release", "check --deploy", "web", "GET /", "static file"):
        assert f"[pass] {step}" in out, out
