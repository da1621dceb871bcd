"""Django 6.1 mail in each platform's environment: a project whose MAILERS is empty
unless a variable is set (`MAILERS = {}`) gets a working default mailer from the
settings block, so `check --deploy` is clean (no mail.W001). Runs in the Django 6
session (scripts/test, Python 3.12+)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from project_files import PLATFORM_RUN_ENV, deploy, manage_dir
from project_shapes import mailers_only_with_variable

pytestmark = [pytest.mark.django6, pytest.mark.needs_programs]


@pytest.mark.parametrize("platform", sorted(PLATFORM_RUN_ENV))
def test_empty_mailers_get_a_default_and_check_deploy_is_clean(sample_project, platform):
    root = sample_project("requirements_txt", "flat", django="6.1")
    mailers_only_with_variable(root, manage_dir(root) / "blog" / "settings.py")
    configured = deploy(root, platform)
    assert configured.returncode == 0, configured.stdout + configured.stderr
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=manage_dir(root),
        env={**env, **PLATFORM_RUN_ENV[platform]},
        capture_output=True,
        text=True,
    )
    out = check.stdout + check.stderr
    assert check.returncode == 0, out
    assert "mail.W001" not in out and "MAILERS" not in out, out
