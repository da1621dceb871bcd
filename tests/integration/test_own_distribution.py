"""A uv project whose own code reads its installed distribution's metadata
(cal-itp/benefits: `__version__ = importlib.metadata.version("benefits")`, the version
read from git by setuptools-scm). The platforms installed its dependencies only, so
its settings stopped at the build (`NameError: __version__`): now each platform
installs the project too, once its source is there, and pyproject.toml gets a
setuptools-scm `fallback_version`, since no platform build has .git to read from."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile

import pytest
from project_files import assert_in_order, deploy, git
from project_shapes import scm_pyproject
from sample_projects import run, tool_env

from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

DJANGO = __import__("django").get_version()
PYPROJECT = scm_pyproject(DJANGO, packages='["blog"]')
INIT = """from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("blog-site")
except PackageNotFoundError:
    pass

VERSION = __version__
"""
SYNC = "uv sync --locked --no-default-groups"


@pytest.fixture
def project(sample_project):
    root = sample_project("requirements_txt", "flat")
    git(root, "rm", "-q", "requirements.txt")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "blog" / "__init__.py").write_text(INIT, encoding="utf-8")
    with (root / ".gitignore").open("a", encoding="utf-8") as ignore:
        ignore.write("*.egg-info/\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "A package versioned from git")
    run(root, "uv", "lock")
    git(root, "add", "uv.lock")
    git(root, "commit", "-qm", "uv.lock")
    return root


@pytest.mark.parametrize("platform", ["render", "fly_io", "upsun"])
def test_the_platform_installs_the_project_after_its_dependencies(project, platform):
    result = deploy(project, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    said = " ".join(result.stdout.split())
    assert "Your code reads the installed metadata of blog-site itself" in said, said
    pyproject = (project / "pyproject.toml").read_text("utf-8")
    assert '[tool.setuptools_scm]\nfallback_version = "0+unknown"\n' in pyproject, pyproject
    assert "[tool.setuptools_scm] fallback_version" in said, said
    if platform == "render":
        build = (project / "render.yaml").read_text("utf-8")
        assert_in_order(build, f"{SYNC} --no-install-project", f"{SYNC} &&")
    elif platform == "fly_io":
        dockerfile = (project / "Dockerfile").read_text("utf-8")
        # The dependencies first (their own layer), the project once its source is in.
        assert_in_order(dockerfile, f"{SYNC} --no-install-project", "COPY . .", f"{SYNC}\n")
    else:
        hook = (project / ".upsun" / "config.yaml").read_text("utf-8")
        assert f"{SYNC}\n" in hook and "--no-install-project" not in hook, hook


def test_the_install_without_git_gives_the_code_its_version(project, tmp_path):
    """The install steps as a platform runs them, on the commit without .git: the
    project is installed, setuptools-scm falls back, and the package imports."""
    assert deploy(project, "render").returncode == 0
    git(project, "add", "-A")
    git(project, "commit", "-qm", "Render")
    steps = inspect(project).deps.install_steps
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=project, capture_output=True, check=True
    ).stdout
    app = tmp_path / "app"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(app, filter="data")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    for step in steps:
        fill = {"{venv}": str(venv), "{python}": python}
        env = {**tool_env(), **{k: fill.get(v, v) for k, v in step.env.items()}}
        done = subprocess.run(
            [fill.get(a, a) for a in step.argv], cwd=app, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
    read = subprocess.run(
        [python, "-c", "import blog; print(blog.VERSION)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert read.stdout.strip() == "0+unknown", read.stdout + read.stderr


def test_heroku_rehearsal_builds_a_package_project_as_its_buildpack_does(
    sample_project, database_url
):
    """Heroku's buildpack runs a plain `uv sync`, which builds and installs a package
    project (a [build-system]) itself: a package that does not build here stops the
    rehearsal's install, as it would stop the build on Heroku (before, the rehearsal
    installed the dependencies only and passed)."""
    root = sample_project("requirements_txt", "flat")
    git(root, "rm", "-q", "requirements.txt")
    pyproject = scm_pyproject(DJANGO, packages='["blog_missing"]')
    pyproject = pyproject.replace('dynamic = ["version"]', 'version = "1.0"').replace(
        "\n[tool.setuptools_scm]\n", ""
    )
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "A package that names a folder it does not have")
    run(root, "uv", "lock")
    git(root, "add", "uv.lock")
    git(root, "commit", "-qm", "uv.lock")
    assert deploy(root, "heroku").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Heroku")
    rehearsal = deploy(root, "heroku", "--rehearse", "--database-url", database_url)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode != 0, out
    assert "[FAIL] install (" in out, out
    assert "blog_missing" in out, out
