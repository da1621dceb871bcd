"""django-compressor with COMPRESS_OFFLINE = True: every platform's build runs
`manage.py compress --force` after collectstatic, and so does the rehearsal's build.

Without it, pages using {% compress %} fail with OfflineGenerationError."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from project_files import BUILD_FILES, deploy, manage_dir

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

_VALUES = {
    "{app_root}": "",
    "{secret_key}": "x" * 50,
    "{database_url}": "postgres://u:p@127.0.0.1:5432/d",
    "{host}": "example.com",
    "{port}": "8000",
}


def _fill(value: str, root: str) -> str:
    for key, filled in {**_VALUES, "{app_root}": root}.items():
        value = value.replace(key, filled)
    return value


@pytest.mark.parametrize("platform", sorted(BUILD_FILES))
def test_the_build_compresses_after_collectstatic(sample_project, platform):
    root = sample_project("requirements_txt", "nested", settings="compress-offline")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    build_file = (root / BUILD_FILES[platform]).read_text(encoding="utf-8")
    assert "manage.py compress --force" in build_file
    assert build_file.index("collectstatic" if platform != "heroku" else "compress") <= (
        build_file.index("compress --force")
    )
    if platform == "heroku":
        assert os.access(root / "bin/post_compile", os.X_OK)
    summary = " ".join(result.stdout.split())
    assert "runs `python manage.py compress --force` after" in summary

    # The rehearsal's build, run here as the platform runs it: collectstatic, then
    # compress, in the platform's build environment.
    runtime = plugins.load(platform).runtime(inspect(manage_dir(root)))
    steps = [c.argv[2:4] if c.argv[:1] == ("python",) else c.argv for c in runtime.build]
    assert [tuple(s[:1]) for s in steps][-2:] == [("collectstatic",), ("compress",)], steps
    base = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    env = base | {k: _fill(v, str(root)) for k, v in runtime.env.items()}
    for command in runtime.build:
        argv = [sys.executable if arg == "python" else arg for arg in command.argv]
        done = subprocess.run(
            argv,
            cwd=root / command.cwd,
            env=env | {k: _fill(v, str(root)) for k, v in command.env.items()},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"{command.argv}: {done.stderr}"
    manifests = list(root.glob("**/staticfiles/CACHE/manifest.json"))
    assert manifests, "compress wrote no offline manifest into STATIC_ROOT"

    # A running instance renders the page from that manifest: the build's settings gave
    # the {% compress %} block the same content (static URLs) as the running ones do.
    running = env | {k: _fill(v, str(root)) for k, v in runtime.run_env.items()}
    if runtime.derived_env is not None:
        values = {k.strip("{}"): v for k, v in {**_VALUES, "{app_root}": str(root)}.items()}
        running |= runtime.derived_env(values)
    page = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.template.loader import render_to_string as r; print(r('home.html'))",
        ],
        cwd=manage_dir(root),
        env=running,
        capture_output=True,
        text=True,
    )
    assert page.returncode == 0, page.stderr
    assert "/static/CACHE/css/output." in page.stdout, page.stdout
