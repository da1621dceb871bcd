"""What a Windows or macOS user gets, checked here on Linux with the real deploy command.

Each test recreates one condition of those systems: a folder name with spaces
and accents, Git for Windows' core.autocrlf=true and core.fileMode=false, CRLF
files, and a file name that differs from ours only in case.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import django
import project_files
import pytest
from django.conf import settings as django_settings
from project_files import git, snapshot

from simple_deploy import plugins
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs


def deploy(manage_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return project_files.deploy(manage_dir, "heroku", *args)


def git_bytes(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


def to_crlf(root: Path) -> None:
    """Rewrite every tracked text file with CRLF, as Git for Windows checks it out."""
    for name in git(root, "ls-files", "-z").split("\0"):
        path = root / name
        if name and path.suffix in {".py", ".txt", ".toml", ".lock", ""} and path.is_file():
            data = path.read_bytes().replace(b"\r\n", b"\n")
            path.write_bytes(data.replace(b"\n", b"\r\n"))


def test_folder_with_spaces_and_accents_is_configured_end_to_end(sample_project, tmp_path):
    made = sample_project("uv", "nested")
    root = Path(shutil.move(str(made), str(tmp_path / "Mes projets été" / "blog site ü")))

    result = deploy(root / "blog")

    assert result.returncode == 0, result.stderr + result.stdout
    assert "gunicorn --chdir blog blog.wsgi" in (root / "Procfile").read_text("utf-8")
    assert "gunicorn" in (root / "uv.lock").read_text("utf-8")
    settings = (root / "blog" / "blog" / "settings.py").read_text("utf-8")
    assert settings.count("# >>> django-simple-deploy: heroku >>>") == 1


def test_uncommitted_file_with_an_accent_is_named_as_the_user_wrote_it(sample_project):
    root = sample_project("requirements_txt", "flat")
    (root / "café.txt").write_text("wip\n", encoding="utf-8")
    result = deploy(root)
    assert result.returncode != 0
    assert "café.txt" in result.stderr, result.stderr


def test_core_autocrlf_checkout_is_clean_and_commits_lf_platform_files(sample_project):
    root = sample_project("requirements_txt", "nested")
    git(root, "config", "core.autocrlf", "true")
    # As an editor or a late core.autocrlf leaves it: `git status` now lists every
    # file as modified (sizes changed), while `git diff` shows nothing to commit.
    to_crlf(root)
    assert git(root, "diff", "--name-only", "HEAD") == ""

    result = deploy(root / "blog")

    assert result.returncode == 0, result.stderr + result.stdout
    settings = (root / "blog" / "blog" / "settings.py").read_bytes()
    assert b"# >>> django-simple-deploy: heroku >>>\r\n" in settings
    assert settings.count(b"\n") == settings.count(b"\r\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Heroku")
    for name in ("Procfile", ".python-version"):
        assert b"\r" not in git_bytes(root, "show", f"HEAD:{name}"), name
    # Only the lines we meant to add changed: no file was rewritten wholesale.
    for line in git(root, "diff", "--numstat", "HEAD~1", "HEAD").splitlines():
        added, deleted, name = line.split("\t")
        assert deleted == "0", name


@pytest.mark.parametrize("extra", [(), ("--dry-run",), ("--overwrite",)])
def test_procfile_differing_only_in_case_is_refused_with_0_bytes_changed(sample_project, extra):
    root = sample_project("requirements_txt", "flat")
    (root / "procfile").write_text("web: python manage.py runserver 0.0.0.0:$PORT\n", "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "my procfile")
    before = snapshot(root)

    result = deploy(root, *extra)

    assert result.returncode != 0
    assert "procfile" in result.stderr and "differs from Procfile only in case" in result.stderr
    assert "git mv procfile Procfile" in result.stderr
    assert snapshot(root) == before


def _default_options(plugin) -> dict:
    """The options a plain `manage.py deploy --platform NAME` run passes to the plugin."""
    parser = argparse.ArgumentParser()
    if plugin.add_arguments is not None:
        plugin.add_arguments(parser.add_argument_group(plugin.label))
    core = {"dry_run": False, "overwrite": False, "ignore_unclean_git": False}
    return core | vars(parser.parse_args([])) | {"platform": plugin.name}


@pytest.fixture
def template_engine():
    """Plugins render templates with Django's engine, which reads a few settings."""
    if not django_settings.configured:
        django_settings.configure()
        django.setup()


@pytest.mark.parametrize("layout", ["flat", "nested"])
@pytest.mark.parametrize("name", plugins.available())
def test_every_generated_platform_file_has_lf_endings(
    sample_project, template_engine, name, layout
):
    # The user's files are CRLF (a Windows checkout); the platform's servers are Linux.
    plugin = plugins.load(name)
    root = sample_project("requirements_txt", layout)
    to_crlf(root)
    project = inspect(root / "blog" if layout == "nested" else root)

    changes = plugin.plan(project, _default_options(plugin)).changes

    created = [c for c in changes if c.before is None]
    assert created, f"{name} generated no file"
    for change in created:
        assert b"\r" not in change.after, f"{name}: {change.path} has CR bytes"
    settings = next(c for c in changes if c.path == project.settings_rel)
    assert settings.after.count(b"\n") == settings.after.count(b"\r\n"), "user's CRLF kept"
