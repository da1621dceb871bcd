"""A project that commits its collected static files (babybuddy's shape): STATIC_ROOT
inside the repository with ManifestStaticFilesStorage's staticfiles.json tracked, while
the app folder its local asset build writes into is git-ignored.

A platform build that runs collectstatic rewrites the manifest with only the files the
repository has (the admin's), and every page naming an ignored file fails. No platform
runs collectstatic for such a project; Heroku gets DISABLE_COLLECTSTATIC=1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from project_files import deploy, git, manage_dir
from rehearsals import configure_commit_and_rehearse

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

# The file each platform's build is declared in, as generated.
BUILD_FILES = {
    "heroku": "Procfile",
    "fly_io": "Dockerfile",
    "railway": ".railway/railway.ts",
    "render": "render.yaml",
    "upsun": ".upsun/config.yaml",
    "platform_sh": ".platform.app.yaml",
}
SUMMARY = "Your repository ships its collected static files (static/ with staticfiles.json)"


def _shipping_project(sample_project, built: bool = True, assets: bool = True) -> Path:
    """The manifest-storage sample, made to ship its collected files: a home page naming
    a stylesheet from a git-ignored build folder (its asset build's output), collected
    locally and committed. With `built` False the stylesheet is committed too, and with
    `assets` False there is no asset build: either way the collect is only an old one."""
    root = sample_project("requirements_txt", "flat", settings="manifest-storage")
    here = manage_dir(root)
    if assets:
        # An asset build with no dependencies, so `npm ci` (Heroku's buildpack) runs here.
        package = {"name": "blog", "private": True, "scripts": {"build": "node build.js"}}
        lock = {
            "name": "blog",
            "lockfileVersion": 3,
            "requires": True,
            "packages": {"": {"name": "blog"}},
        }
        (root / "package.json").write_text(json.dumps(package) + "\n", "utf-8")
        (root / "package-lock.json").write_text(json.dumps(lock) + "\n", "utf-8")
        (root / "build.js").write_text(
            'const fs = require("fs");\nfs.mkdirSync("blog/static/blog", { recursive: true });\n'
            'fs.writeFileSync("blog/static/blog/site.css", "h1 { color: #123; }\\n");\n',
            "utf-8",
        )
    (here / "templates").mkdir()
    (here / "templates" / "home.html").write_text(
        "{% load static %}<!doctype html><title>Blog</title>\n"
        '<link rel="stylesheet" href="{% static \'blog/site.css\' %}"><h1>Blog</h1>\n',
        encoding="utf-8",
    )
    # What a gulp build writes into an app's static folder, git-ignored as babybuddy's
    # `/*/static` is.
    (here / "blog" / "static" / "blog").mkdir(parents=True)
    (here / "blog" / "static" / "blog" / "site.css").write_text("h1 { color: #123; }\n", "utf-8")
    if built:
        with open(here / ".gitignore", "a", encoding="utf-8") as out:
            out.write("\n/*/static\n")
    urls = here / "blog" / "urls.py"
    text = urls.read_text(encoding="utf-8")
    text = text.replace(
        "from django.urls import path\n",
        "from django.urls import path\nfrom django.views.generic import TemplateView\n",
    ).replace(
        "urlpatterns = [\n",
        "urlpatterns = [\n    path('', TemplateView.as_view(template_name='home.html')),\n",
    )
    urls.write_text(text, encoding="utf-8")
    settings = here / "blog" / "settings.py"
    text = settings.read_text(encoding="utf-8").replace(
        "'DIRS': [],", "'DIRS': [BASE_DIR / 'templates'],"
    )
    # babybuddy's storage: its committed files carry WhiteNoise's compressed copies.
    text = text.replace(
        "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    )
    text += '\nINSTALLED_APPS += ["blog"]\nSTATIC_ROOT = BASE_DIR / "static"\n'
    settings.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=here,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (here / "static" / "staticfiles.json").exists()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Ship the collected static files")
    assert "static/staticfiles.json" in git(root, "ls-files", "static")
    assert bool(git(root, "ls-files", "blog/static")) is not built
    return root


@pytest.mark.parametrize("platform", sorted(BUILD_FILES))
def test_no_build_runs_collectstatic_for_a_shipped_static_root(sample_project, platform):
    root = _shipping_project(sample_project)
    project = inspect(manage_dir(root))
    assert project.static_shipped == "static"
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    summary = " ".join(result.stdout.split())
    assert SUMMARY in summary, summary
    build_file = (root / BUILD_FILES[platform]).read_text(encoding="utf-8")
    assert "collectstatic" not in build_file, build_file
    runtime = plugins.load(platform).runtime(inspect(manage_dir(root)))
    assert not [c for c in runtime.build if "collectstatic" in c.argv], runtime.build
    if platform == "heroku":
        assert runtime.env.get("DISABLE_COLLECTSTATIC") == "1"
        assert "`heroku config:set DISABLE_COLLECTSTATIC=1`" in summary


@pytest.mark.parametrize("platform", ["railway", "render"])
def test_no_build_runs_the_asset_build_of_a_shipped_static_root(sample_project, platform):
    # babybuddy's shape: an asset build (its gulpfile) beside the committed collected
    # files. Nothing the platform builds is collected, and the build would need Node.js.
    root = _shipping_project(sample_project)
    assert inspect(manage_dir(root)).asset_build is None
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    build_file = (root / BUILD_FILES[platform]).read_text(encoding="utf-8")
    assert "build.js" not in build_file and "npm" not in build_file, build_file


def test_a_kept_dockerfile_without_collectstatic_is_left_as_it_is(sample_project):
    root = _shipping_project(sample_project)
    dockerfile = (
        "FROM python:3.12-slim\nWORKDIR /srv/site\nCOPY requirements.txt ./\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nEXPOSE 8080\n"
        'CMD ["gunicorn", "--bind", "0.0.0.0:8080", "blog.wsgi"]\n'
    )
    (root / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    git(root, "add", "Dockerfile")
    git(root, "commit", "-qm", "Our own image")
    result = deploy(root, "fly_io")
    assert result.returncode == 0, result.stderr + result.stdout
    assert (root / "Dockerfile").read_text(encoding="utf-8") == dockerfile


def test_a_project_that_collects_at_build_still_collects(sample_project):
    # The same settings without the committed manifest: the build collects as before.
    root = sample_project("requirements_txt", "flat", settings="manifest-storage")
    assert inspect(manage_dir(root)).static_shipped is None
    result = deploy(root, "render")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "collectstatic --noinput" in (root / "render.yaml").read_text(encoding="utf-8")
    assert SUMMARY not in " ".join(result.stdout.split())


@pytest.mark.e2e
def test_a_shipped_static_root_rehearses_its_pages_on_heroku(sample_project, database_url):
    root = _shipping_project(sample_project)
    out = configure_commit_and_rehearse(root, "heroku", database_url)
    assert "[pass] pages (" in out


@pytest.mark.parametrize("shape", ["every file committed", "no asset build"])
def test_an_old_collect_is_collected_at_build(sample_project, shape):
    # djangoforprofessionals: a manifest collected under an older Django (its admin had
    # no dark_mode.css, and it names debug_toolbar's files, an app production lacks) was
    # shipped as it was, and the admin pages failed on the new Django's templates.
    if shape == "every file committed":
        root = _shipping_project(sample_project, built=False)
    else:
        root = _shipping_project(sample_project, assets=False)
        manifest = manage_dir(root) / "static" / "staticfiles.json"
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["paths"]["debug_toolbar/css/toolbar.css"] = "debug_toolbar/css/toolbar.0123.css"
        manifest.write_text(json.dumps(data), encoding="utf-8")
        git(root, "commit", "-qam", "An old collect, with an app production lacks")
    assert inspect(manage_dir(root)).static_shipped is None
    result = deploy(root, "render")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "collectstatic --noinput" in (root / "render.yaml").read_text(encoding="utf-8")
    assert SUMMARY not in " ".join(result.stdout.split())
