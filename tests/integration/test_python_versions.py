"""Generated files follow the user's Python, the newest ones included.

A new user on Python 3.12+ gets Django 6; the platform must run the same Python
they develop with: Heroku reads `.python-version`, Fly builds FROM python:X-slim,
Platform.sh picks `type: 'python:X'`.
"""

from __future__ import annotations

import pytest
from project_files import deploy, git

pytestmark = pytest.mark.needs_programs


@pytest.mark.parametrize("version", ["3.12", "3.13", "3.14"])
def test_each_platform_uses_the_projects_python(sample_project, version):
    root = sample_project("requirements_txt", "flat")
    (root / ".python-version").write_text(f"{version}\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"Python {version}")
    expected = {
        "heroku": (".python-version", f"{version}\n"),
        "fly_io": ("Dockerfile", f"FROM python:{version}-slim"),
        "platform_sh": (".platform.app.yaml", f"type: 'python:{version}'"),
    }
    for platform, (name, text) in expected.items():
        result = deploy(root, platform, "--dry-run")
        assert result.returncode == 0, result.stdout + result.stderr
        configured = deploy(root, platform)
        assert configured.returncode == 0, configured.stdout + configured.stderr
        assert text in (root / name).read_text(encoding="utf-8"), platform
        git(root, "checkout", "-q", "--", ".")
        git(root, "clean", "-qfdx", "-e", ".venv")
