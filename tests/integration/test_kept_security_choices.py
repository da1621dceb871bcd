"""Security choices the settings made in a form `check --deploy` rejects, kept in the
form it accepts (field: simonw/simonwillisonblog): SECURE_CROSS_ORIGIN_OPENER_POLICY =
False (no header, which Django's check calls invalid, security.E024) becomes None in the
block, and XFrameOptionsMiddleware commented out of MIDDLEWARE (pages meant to be
framed) adds security.W002 to the project's SILENCED_SYSTEM_CHECKS instead of the
middleware. Each platform's settings then pass `check --deploy` in its environment."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from project_files import PLATFORM_RUN_ENV, deploy, git, manage_dir

pytestmark = pytest.mark.needs_programs

X_FRAME = '"django.middleware.clickjacking.XFrameOptionsMiddleware",'


@pytest.fixture
def project(sample_project):
    root = sample_project("requirements_txt", "flat")
    settings = manage_dir(root) / "blog" / "settings.py"
    text = settings.read_text("utf-8")
    for quote in ("'", '"'):
        text = text.replace(
            f"{quote}django.middleware.clickjacking.XFrameOptionsMiddleware{quote},",
            f"# {X_FRAME}",
        )
    assert f"# {X_FRAME}" in text
    text += '\nSECURE_CROSS_ORIGIN_OPENER_POLICY = False\nSILENCED_SYSTEM_CHECKS = ("urls.W002",)\n'
    settings.write_text(text, "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Framed pages, no COOP header")
    return root


@pytest.mark.parametrize("platform", sorted(PLATFORM_RUN_ENV))
def test_kept_choices_pass_check_deploy(project, platform):
    configured = deploy(project, platform)
    assert configured.returncode == 0, configured.stdout + configured.stderr
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }

    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=manage_dir(project),
        env={**env, **PLATFORM_RUN_ENV[platform]},
        capture_output=True,
        text=True,
    )

    out = check.stdout + check.stderr
    assert check.returncode == 0, out
    assert "E024" not in out and "W002" not in out, out
    settings = (manage_dir(project) / "blog" / "settings.py").read_text("utf-8")
    assert "    SECURE_CROSS_ORIGIN_OPENER_POLICY = None\n" in settings
    assert '    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W002"]\n' in settings
