"""A root manage.py that is a symbolic link to the nested project's, end to end on every
platform: configured and rehearsed from the repository root, as the user runs it. The
rehearsal runs the commit (the link included) against PostgreSQL, and the link and the
file it leads to are byte for byte what the user committed."""

from __future__ import annotations

import os

import pytest
from project_files import deploy, git
from project_shapes import link_root_manage_py
from rehearsals import STEPS, migrations_applied

from simple_deploy import plugins

pytestmark = [
    pytest.mark.needs_programs,
    pytest.mark.e2e,
    pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows"),
]


# Upsun builds on Platform.sh's plugin (the same hooks and commands, platform_sh.plugin.runtime): a
# Platform.sh cell would rehearse the same commands again.
@pytest.mark.parametrize("platform", [p for p in plugins.available() if p != "platform_sh"])
def test_a_root_manage_py_link_configures_and_rehearses(sample_project, database_url, platform):
    root = sample_project("requirements_txt", "nested", django="4.2")
    link = link_root_manage_py(root)
    target = (root / "blog" / "manage.py").read_bytes()

    configured = deploy(root, platform, cwd=root)
    assert configured.returncode == 0, configured.stderr + configured.stdout
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"Configure for {platform}")
    rehearsal = deploy(root, platform, "--rehearse", "--database-url", database_url, cwd=root)

    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    for step in STEPS:
        assert f"[pass] {step} (" in out, out
    assert migrations_applied(database_url) > 10
    assert os.readlink(link) == "blog/manage.py"
    assert (root / "blog" / "manage.py").read_bytes() == target
    assert git(root, "show", "HEAD:manage.py") == "blog/manage.py"
