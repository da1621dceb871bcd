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


@pytest.mark.parametrize(
    ("platform", "names_it", "step"),
    [
        ("heroku", "Heroku Key-Value Store (Redis) on the 'mini' plan", "redis"),
        ("fly_io", "Upstash Redis database", "redis"),
        # Declared in railway.ts: `config apply` makes it with the services.
        ("railway", "Redis service", "service and database"),
        ("render", "Render Key Value", "key value"),
        ("upsun", "Redis service the configuration declares", "Redis service"),
        ("platform_sh", "Redis service the configuration declares", "Redis service"),
    ],
)
def test_a_project_that_reads_redis_has_its_redis_and_its_price_named_first(
    sample_project, platform, names_it, step
):
    import dataclasses

    from simple_deploy.services import Services

    project = inspect(manage_dir(sample_project("requirements_txt", "flat")), probe_env=False)
    plugin = plugins.load(platform)
    plain = plugin.automate(project, {"automate_all": True})
    assert "Redis" not in plain.notice and "Key Value" not in plain.notice
    assert not any("redis" in step.name.lower() for step in plain.finish)

    names = ("REDIS_URL", "CELERY_BROKER_URL")
    redis = dataclasses.replace(project, services=Services(redis_env_names=names))
    automation = plugin.automate(redis, {"automate_all": True})
    (action,) = [line for line in automation.notice.splitlines() if names_it in line]
    assert "REDIS_URL, CELERY_BROKER_URL" in action
    # Its price, or where the price comes from, in the same line.
    assert any(word in action for word in ("$", "billed", "usage", "plan")), action
    # Made (or checked) after the user confirmed and the files are written, never before.
    assert step in [s.name for s in automation.finish]
    assert step not in [s.name for s in automation.prepare]
