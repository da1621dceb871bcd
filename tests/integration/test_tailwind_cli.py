"""django-tailwind-cli (no package.json): every platform's build runs
`manage.py tailwind build` before collectstatic, and so does the rehearsal's build.

Without it the CSS the CLI writes (git-ignored) never reaches STATIC_ROOT: the site
goes out unstyled, its stylesheet a 404."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from project_files import BUILD_FILES, deploy, manage_dir

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

_VALUES = {
    "{secret_key}": "x" * 50,
    "{database_url}": "postgres://u:p@127.0.0.1:5432/d",
    "{host}": "example.com",
    "{port}": "8000",
}


def _steps(runtime) -> list[str]:
    """The build's manage.py commands by name ("tailwind", "collectstatic")."""
    return [
        c.argv[i + 1]
        for c in runtime.build
        for i, arg in enumerate(c.argv[:-1])
        if arg.endswith("manage.py")
    ]


@pytest.mark.parametrize("platform", sorted(BUILD_FILES))
def test_the_build_runs_tailwind_before_collectstatic(sample_project, platform):
    root = sample_project("requirements_txt", "nested", settings="tailwind-cli")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    build_file = (root / BUILD_FILES[platform]).read_text(encoding="utf-8")
    assert "tailwind download_cli" in build_file, build_file
    assert build_file.index("tailwind download_cli") < build_file.index("tailwind build")
    # On Heroku, bin/post_compile runs after the buildpack's collectstatic, and again after.
    assert build_file.index("tailwind build") < build_file.rindex("collectstatic --noinput")
    if platform == "heroku":
        assert os.access(root / "bin/post_compile", os.X_OK)
        # Its `tailwind` commands run in the build, where this tool is not installed.
        settings = (manage_dir(root) / "blog" / "settings.py").read_text(encoding="utf-8")
        assert '{"collectstatic", "tailwind"} & {*_sys.argv}' in settings, settings
    summary = " ".join(result.stdout.split())
    assert "runs `python manage.py tailwind download_cli` and" in summary, summary

    # The rehearsal's build runs the same steps in the same order.
    runtime = plugins.load(platform).runtime(inspect(manage_dir(root)))
    steps = _steps(runtime)
    assert "tailwind" in steps, steps
    assert steps.index("tailwind") < len(steps) - 1 - steps[::-1].index("collectstatic"), steps


def _github_reachable() -> bool:
    # django-tailwind-cli downloads the standalone CLI from GitHub's releases.
    try:
        socket.create_connection(("github.com", 443), timeout=3).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _github_reachable(), reason="the Tailwind CLI downloads from GitHub")
def test_the_build_collects_the_built_css(sample_project):
    root = sample_project("requirements_txt", "nested", settings="tailwind-cli")
    assert deploy(root, "render").returncode == 0
    runtime = plugins.load("render").runtime(inspect(manage_dir(root)))
    base = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    fill = {**_VALUES, "{app_root}": str(root)}

    def _filled(env: dict) -> dict:
        out = {}
        for key, value in env.items():
            for k, v in fill.items():
                value = value.replace(k, v)
            out[key] = value
        return out

    env = base | _filled(runtime.env)
    for command in runtime.build:
        argv = [sys.executable if arg == "python" else arg for arg in command.argv]
        done = subprocess.run(
            argv, cwd=root / command.cwd, env=env | _filled(command.env), capture_output=True
        )
        assert done.returncode == 0, f"{command.argv}: {done.stderr!r}"
    assert list(root.glob("**/staticfiles/css/tailwind*.css")), "no built CSS collected"
