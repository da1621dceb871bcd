"""A Poetry project in package mode (no `package-mode = false`) whose package Poetry
cannot find: Heroku's buildpack runs `poetry sync --only main`, which installs the
project itself too, and stops ("The current project could not be installed: No
file/folder found for package blog-site"). The run says `package-mode = false` in
pyproject.toml, as Poetry itself advises, and poetry.lock stays valid. A project whose
package Poetry finds is installed with it on Heroku, and in Heroku's rehearsal."""

from __future__ import annotations

import pytest
from project_files import deploy, git
from sample_projects import run

from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs


def _in_package_mode(root):
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8").replace("package-mode = false\n", ""), "utf-8"
    )
    git(root, "add", "pyproject.toml")
    git(root, "commit", "-qm", "Package mode (Poetry's default)")


def test_a_package_poetry_cannot_find_gets_package_mode_off(sample_project):
    root = sample_project("poetry", "flat")
    _in_package_mode(root)
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    said = " ".join(result.stdout.split())
    assert "[tool.poetry] package-mode = false: no folder is named for your project's" in said
    assert "package-mode = false" in (root / "pyproject.toml").read_text("utf-8")
    # The lock still matches pyproject.toml: Heroku's `poetry sync` accepts it.
    run(root, "poetry", "check", "--lock")
    assert not inspect(root).deps.package_install_steps


def test_a_package_poetry_finds_is_installed_where_heroku_installs_it(sample_project):
    root = sample_project("poetry", "flat")
    _in_package_mode(root)
    (root / "blog_site.py").write_text('"""The site, as a package Poetry installs."""\n')
    git(root, "add", "blog_site.py")
    git(root, "commit", "-qm", "A module named for the project")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "package-mode" not in (root / "pyproject.toml").read_text("utf-8")
    (step,) = inspect(root).deps.package_install_steps
    assert "--no-root" not in step.argv
