"""One project carrying the shapes real projects have, configured and rehearsed on every
platform: a Tailwind CSS build (npm), plain `psycopg` added with uv (libpq at run time),
a git-ignored .python-version, and on Heroku a Procfile with worker processes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from project_files import git, manage_dir
from project_shapes import (
    add_plain_psycopg,
    add_tailwind_build,
    commit,
    ignore_python_version,
    npm_env,
)
from rehearsals import configure_commit_and_rehearse

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

KEPT_WEB = "gunicorn blog.wsgi --bind 0.0.0.0:$PORT --workers 2 --log-file -"


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "platform_sh", "render"])
def test_asset_build_plain_psycopg_and_ignored_file_rehearse(
    sample_project, database_url, monkeypatch, platform
):
    for name, value in npm_env().items():
        if name == "npm_config_cache":
            monkeypatch.setenv(name, value)
    # uv: its installs keep this test's added time small.
    root = sample_project("uv", "flat")
    add_tailwind_build(root, manage_dir(root), root / "blog" / "settings.py")
    add_plain_psycopg(root)
    ignore_python_version(root, f"{sys.version_info[0]}.{sys.version_info[1]}")
    if platform == "heroku":
        # A web line that already serves the app with gunicorn keeps its flags; the
        # rehearsal runs it as Heroku's shell would, $PORT included. (Worker lines are
        # rehearsed as processes: tests/e2e/test_services_rehearsal.py, on a project
        # that has the Celery they run.)
        (root / "Procfile").write_text(f"web: {KEPT_WEB}\n", "utf-8")
    commit(root, "Tailwind, psycopg, pyenv")

    configure_commit_and_rehearse(root, platform, database_url)

    # The asset build ran before collectstatic: GET / renders {% static 'css/site.css' %},
    # which the manifest storage answers with 500 unless the CSS was built and collected.
    log = "\n".join(p.read_text("utf-8") for p in (root / "simple_deploy_logs").glob("*.log"))
    build = log[log.index("rehearsal build: pass") : log.index("rehearsal release: pass")]
    assert "npm ci\n" in build and "npm run build\n" in build, build
    # One PostgreSQL driver: the project's own.
    requirements = (root / "pyproject.toml").read_text("utf-8")
    assert "psycopg~=3.2" in requirements and "psycopg[binary]" not in requirements
    assert "psycopg-binary" not in (root / "uv.lock").read_text("utf-8")
    # The ignored .python-version reached the commit the platform receives.
    assert ".python-version" in git(root, "ls-files").split()
    ignored = subprocess.run(["git", "check-ignore", ".python-version"], cwd=root)
    assert ignored.returncode == 1
    if platform == "heroku":
        procfile = (root / "Procfile").read_text("utf-8")
        assert "release: python manage.py migrate --noinput\n" in procfile
        assert f"web: {KEPT_WEB}\n" in procfile
        log = "\n".join(p.read_text("utf-8") for p in (root / "simple_deploy_logs").glob("*.log"))
        assert "--bind 0.0.0.0:" in log and "$PORT" not in log.split("rehearsal web")[-1]
