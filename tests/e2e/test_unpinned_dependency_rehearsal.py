"""A dependency of a dependency the requirements leave free (issue 27, the dfp-ch18
shape: `environs[django]` pinned, marshmallow not): the user's environment kept the
release the project was written against, a fresh install gets a new major version,
and the build fails. The rehearsal names the package, both versions and the pin."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sample_projects import git, tool_env

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

ROOT = Path(__file__).resolve().parents[2]
UV = str(Path(sys.executable).with_name("uv"))
# environs 9.5 reads marshmallow.__version_info__, which marshmallow 4 removed.
LOCAL = ("Django>=4.2,<5", "environs[django]==9.5.0", "marshmallow==3.26.1")


def _run(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env=tool_env(), timeout=900, check=False
    )


def _wheel(tmp_path: Path) -> Path:
    """The tool as a user installs it: its built wheel."""
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = _run(tmp_path, UV, "build", "--wheel", "--out-dir", str(tmp_path / "w"), str(source))
    assert built.returncode == 0, built.stderr
    return next((tmp_path / "w").glob("*.whl"))


def test_a_new_major_version_of_an_unpinned_dependency_is_named_with_its_pin(
    tmp_path, database_url
):
    venv = tmp_path / "venv"
    assert _run(tmp_path, UV, "venv", "--python", sys.executable, str(venv)).returncode == 0
    python = str(venv / "bin" / "python")
    got = _run(tmp_path, UV, "pip", "install", "--python", python, *LOCAL, str(_wheel(tmp_path)))
    assert got.returncode == 0, got.stderr
    root = tmp_path / "blog_project"
    root.mkdir()
    assert _run(root, python, "-m", "django", "startproject", "blog", ".").returncode == 0
    settings = root / "blog" / "settings.py"
    text = settings.read_text("utf-8").replace(
        "INSTALLED_APPS = [", 'INSTALLED_APPS = [\n    "simple_deploy",'
    )
    settings.write_text("from environs import Env\n\nenv = Env()\n" + text, "utf-8")
    django = _run(root, python, "-c", "import django; print(django.get_version())").stdout
    requirements = f"Django=={django.strip()}\nenvirons[django]==9.5.0\n"
    (root / "requirements.txt").write_text(requirements, "utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Blog on environs")
    configured = _run(root, python, "manage.py", "deploy", "--platform", "heroku")
    assert configured.returncode == 0, configured.stderr
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Heroku")

    failed = _run(
        root,
        python,
        "manage.py",
        "deploy",
        "--platform",
        "heroku",
        "--rehearse",
        "--database-url",
        database_url,
    )

    out = failed.stdout + failed.stderr
    assert failed.returncode == 1 and "[FAIL] build" in out, out
    joined = " ".join(out.split())
    assert "The install got marshmallow 4." in joined, out
    assert (
        "your environment has 3.26.1, and requirements.txt does not pin it: add "
        "`marshmallow==3.26.1` (or `marshmallow<4`) to requirements.txt"
    ) in joined

    # Following it, as a user would: the rehearsal passes.
    with open(root / "requirements.txt", "a", encoding="utf-8") as file:
        file.write("marshmallow==3.26.1\n")
    git(root, "commit", "-qam", "Pin marshmallow at the release the project runs")
    passed = _run(
        root,
        python,
        "manage.py",
        "deploy",
        "--platform",
        "heroku",
        "--rehearse",
        "--database-url",
        database_url,
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
