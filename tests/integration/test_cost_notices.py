"""Every platform asks before spending money, in the same words (automate.cost_notice)."""

from __future__ import annotations

import pytest
from project_files import manage_dir

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "platform_sh", "upsun", "render"])
def test_each_confirmation_names_the_account_each_resource_and_the_costs(sample_project, platform):
    project = inspect(manage_dir(sample_project("requirements_txt", "flat")), probe_env=False)
    plugin = plugins.load(platform)

    notice = plugin.automate(project, {"automate_all": True}).notice

    lines = notice.splitlines()
    assert lines[0].startswith("--automate-all will use ") and lines[0].endswith(" to:")
    assert plugin.label in lines[0] or plugin.label.split(".")[0] in lines[0]
    actions = [line for line in lines if line.startswith("  - ")]
    assert len(actions) >= 2
    assert all(a.endswith(";") for a in actions[:-1]) and actions[-1].endswith(".")
    assert "commit the configuration" in actions[-1] and "open the site" in actions[-1]
    assert lines[-1].startswith("Costs: ") and "http" in lines[-1]
