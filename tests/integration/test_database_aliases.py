"""A project with a second database alias the code opens by name (a read-only
"dashboard" connection built from the same URL: field, simonw/simonwillisonblog): the
settings block makes "default" the platform's database and keeps the other aliases as
the settings define them, instead of replacing DATABASES with "default" alone (the
dashboard's pages then failed with ConnectionDoesNotExist)."""

from __future__ import annotations

import pytest
from project_files import deploy, git, manage_dir
from test_field_settings import PLATFORM_ENV, read_settings

pytestmark = pytest.mark.needs_programs

DASHBOARD = """
DATABASES["dashboard"] = {
    **DATABASES["default"],
    "OPTIONS": {"timeout": 3},
}
"""


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "render"])
def test_other_aliases_are_kept_beside_the_platform_database(sample_project, platform):
    root = sample_project("requirements_txt", "flat")
    settings = manage_dir(root) / "blog" / "settings.py"
    settings.write_text(settings.read_text("utf-8") + DASHBOARD, "utf-8")
    git(root, "commit", "-qam", "A second connection for the dashboard")

    result = deploy(root, platform)

    assert result.returncode == 0, result.stdout + result.stderr
    env = {**PLATFORM_ENV[platform], "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}
    aliases, engine, dashboard = read_settings(
        manage_dir(root),
        env,
        "[sorted(s.DATABASES), s.DATABASES['default']['ENGINE'], "
        "s.DATABASES['dashboard']['OPTIONS']]",
    )
    assert aliases == ["dashboard", "default"]
    assert engine == "django.db.backends.postgresql"
    assert dashboard == {"timeout": 3}
