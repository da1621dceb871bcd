"""Settings that add each platform's module to a list django-split-settings includes
(`if os.environ.get("ON_HEROKU"): base_settings.append("heroku.py")`, then
`include(*base_settings)`), with a git-ignored local.py otherwise (field:
TabbycatDebate/tabbycat): the platform's own module is the one extended and its flag is
set there, as with a direct `include("heroku.py")` (test_field_settings.py)."""

from __future__ import annotations

import pytest
from project_files import deploy, git
from project_shapes import split_settings_listed_by_flag
from test_field_settings import PLATFORM_ENV, read_settings

pytestmark = pytest.mark.needs_programs


@pytest.mark.parametrize("platform", ["heroku", "render"])
def test_the_listed_module_for_the_platform_is_extended(sample_project, platform):
    root = sample_project("requirements_txt", "flat")
    split_settings_listed_by_flag(root)
    folder = root / "blog" / "settings"
    before = {path.name: path.read_bytes() for path in folder.glob("*.py")}

    result = deploy(root, platform)

    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    changed = {p.name for p in folder.glob("*.py") if p.read_bytes() != before.get(p.name)}
    assert changed == {f"{platform}.py"}, out
    flag = {"heroku": "ON_HEROKU", "render": "ON_RENDER"}[platform]
    if platform == "heroku":
        assert "ON_HEROKU=1" in " ".join(out.split()), out
    else:
        assert "ON_RENDER" in (root / "render.yaml").read_text("utf-8")
    env = {**PLATFORM_ENV[platform], flag: "1", "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}
    session, redirect = read_settings(root, env, "[s.SESSION_COOKIE_NAME, s.SECURE_SSL_REDIRECT]")
    assert (session, redirect) == (f"blog_{platform}_session", True)


def test_what_the_included_files_define_is_read(sample_project):
    # ASGI_APPLICATION is in base.py, which only include() names (no star-import): the
    # project is served as ASGI, as when the setting is in the module manage.py names.
    root = sample_project("requirements_txt", "flat")
    split_settings_listed_by_flag(root)
    base = root / "blog" / "settings" / "base.py"
    base.write_text(
        base.read_text("utf-8") + '\nASGI_APPLICATION = "blog.asgi.application"\n', "utf-8"
    )
    git(root, "commit", "-qam", "Served as ASGI")

    result = deploy(root, "heroku")

    assert result.returncode == 0, result.stdout + result.stderr
    procfile = (root / "Procfile").read_text("utf-8")
    assert "blog.asgi:application" in procfile and "blog.wsgi" not in procfile, procfile
