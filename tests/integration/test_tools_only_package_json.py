"""A package.json listing only the tools of a build run by hand (the Tailwind CLI, no
`build` script) whose output is committed, and settings that serve nothing from
node_modules: no platform installs Node.js packages for it (field: unfoldadmin/formula).
The shape that does serve packages from node_modules is in test_node_modules_packages.py."""

from __future__ import annotations

import pytest
from project_files import deploy, manage_dir
from project_shapes import add_committed_tailwind_output, commit

pytestmark = pytest.mark.needs_programs


@pytest.fixture
def project(sample_project):
    root = sample_project("requirements_txt", "flat")
    add_committed_tailwind_output(root, manage_dir(root), root / "blog" / "settings.py")
    commit(root, "Tailwind output committed")
    return root


@pytest.mark.parametrize(
    ("platform", "where"),
    [
        ("heroku", None),
        ("fly_io", "Dockerfile"),
        ("upsun", ".upsun/config.yaml"),
        ("render", "render.yaml"),
    ],
    ids=["heroku", "fly_io", "upsun", "render"],
)
def test_build_tools_with_committed_output_need_no_node(project, platform, where):
    configured = deploy(project, platform)

    out = " ".join((configured.stdout + configured.stderr).split())
    assert configured.returncode == 0, out
    assert "Asset build found" not in out, out
    assert "heroku/nodejs" not in out, out
    if where is not None:
        text = (project / where).read_text("utf-8")
        assert "npm" not in text and "nodejs" not in text, text
