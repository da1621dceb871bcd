"""Real projects' settings shapes end to end: configure, commit and rehearse on PostgreSQL
on two platforms each (every platform is configured by tests/integration/test_settings_shapes.py),
with the project's own variables given through --env / --env-file.

Two sample projects carry the shapes (tests/sample_projects.py SETTINGS_SHAPES), to keep the
rehearsals few: a settings package whose production module needs DJANGO_SECRET_KEY,
DATABASE_URL and DJANGO_ADMIN_URL through django-environ and names this tool by its
AppConfig; and a project that exports DJANGO_SETTINGS_MODULE (its setdefault is
commented out) and keeps its own non-manifest WhiteNoise storage and STATIC_ROOT.
"""

from __future__ import annotations

import pytest
from project_files import all_text, deploy, git
from rehearsals import STEPS, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

ADMIN_URL = "operators-only-7f3a/"


def _rehearse(root, platform, database_url, *args, env=None):
    configured = deploy(root, platform, env=env)
    assert configured.returncode == 0, configured.stderr + configured.stdout
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"Configure for {platform}")
    rehearsal = deploy(root, platform, "--rehearse", "--database-url", database_url, *args, env=env)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    for step in STEPS:
        assert f"[pass] {step}" in out, out
    return out


@pytest.mark.parametrize("platform", ["heroku", "fly_io"])
def test_settings_package_with_environ_variables_rehearses(sample_project, database_url, platform):
    root = sample_project("requirements_txt", "flat", settings="environ")
    out = _rehearse(root, platform, database_url, "--env", f"DJANGO_ADMIN_URL={ADMIN_URL}")
    assert migrations_applied(database_url) > 10
    # The value given with --env reaches neither the terminal nor the log.
    assert ADMIN_URL not in out
    assert ADMIN_URL not in all_text(root / "simple_deploy_logs")


@pytest.mark.parametrize("platform", ["heroku", "platform_sh"])
def test_exported_settings_with_their_own_static_storage_rehearse(
    sample_project, database_url, platform, tmp_path
):
    root = sample_project("requirements_txt", "nested", settings="exported")
    env_file = tmp_path / "production.env"
    env_file.write_text('# what the site is called\nSITE_NAME="Blog of the operators 7f3a"\n')
    out = _rehearse(
        root,
        platform,
        database_url,
        "--env-file",
        str(env_file),
        env={"DJANGO_SETTINGS_MODULE": "blog.settings"},
    )
    assert migrations_applied(database_url) > 10
    assert "operators 7f3a" not in out
    assert "operators 7f3a" not in all_text(root / "simple_deploy_logs")


def test_compress_offline_rehearses_with_the_compressed_home_page(sample_project, database_url):
    # Heroku, whose compress runs from bin/post_compile: its page renders from the offline
    # manifest only when the build's settings gave the compress block the dynos' URLs.
    root = sample_project("requirements_txt", "nested", settings="compress-offline")
    out = _rehearse(root, "heroku", database_url)
    assert "[pass] pages" in out
    # The build ran bin/post_compile's command: its offline manifest is in the log.
    assert "manage.py compress --force" in all_text(root / "simple_deploy_logs")


def test_a_missing_source_map_and_the_projects_own_cache_policy_rehearse(
    sample_project, database_url
):
    # healthchecks: collectstatic stopped on tom-select's missing .css.map, then the
    # static check demanded a year's caching its WHITENOISE_IMMUTABLE_FILE_TEST refuses.
    root = sample_project("requirements_txt", "nested", settings="missing-source-map")
    _rehearse(root, "heroku", database_url)  # every step passed, static file included
