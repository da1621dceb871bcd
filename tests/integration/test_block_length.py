"""Each platform's settings block on a `startproject` project is as short as an expert's:
at most 60 lines as the user sees it in their settings file (marker lines included),
written as plain settings (no run-time test of what the project's settings hold)."""

from __future__ import annotations

import pytest
from project_files import deploy, manage_dir

pytestmark = pytest.mark.needs_programs

PLATFORMS = ("heroku", "fly_io", "platform_sh", "upsun", "railway", "render")
MOST = 60


def block(root, platform: str) -> list[str]:
    lines = (manage_dir(root) / "blog" / "settings.py").read_text().splitlines()
    start = lines.index(f"# >>> django-simple-deploy: {platform} >>>")
    end = lines.index(f"# <<< django-simple-deploy: {platform} <<<")
    return lines[start : end + 1]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_startproject_block_is_at_most_60_lines(sample_project, platform):
    root = sample_project("requirements_txt", "flat")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    lines = block(root, platform)
    print(f"{platform}: {len(lines)} lines")
    assert len(lines) <= MOST, "\n".join(lines)
    text = "\n".join(lines)
    for rethought in ("globals()", '"STATIC_ROOT" in', "MIDDLEWARE.index(", "MIDDLEWARE.insert("):
        assert rethought not in text
    assert max(len(line) for line in lines) <= 100


@pytest.mark.django6
@pytest.mark.parametrize("platform", PLATFORMS)
def test_django6_startproject_block_is_at_most_60_lines(sample_project, platform):
    # Django 6.1's startproject configures mail through MAILERS, written in its own form.
    root = sample_project("requirements_txt", "flat", django="6.1")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    lines = block(root, platform)
    print(f"{platform}: {len(lines)} lines")
    assert len(lines) <= MOST, "\n".join(lines)
    assert max(len(line) for line in lines) <= 100
