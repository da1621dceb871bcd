"""The example third-party plugin (examples/simple-deploy-render-example), found through
its entry point alone and driven through the real `deploy` command. It registers as
`render_example`: the built-in `render` platform is never shadowed."""

from __future__ import annotations

from importlib.metadata import distribution

import pytest
from project_files import deploy, git, manage_dir, snapshot


def test_installed_as_its_own_package_with_only_an_entry_point():
    dist = distribution("simple-deploy-render-example")
    entry = [ep for ep in dist.entry_points if ep.group == "simple_deploy.platforms"]
    assert [(ep.name, ep.value) for ep in entry] == [
        ("render_example", "simple_deploy_render_example.plugin:platform")
    ]


@pytest.mark.needs_programs
def test_listed_in_help_with_its_own_options(sample_project):
    root = sample_project("requirements_txt", "flat")
    result = deploy(root, "heroku", "--help")
    assert result.returncode == 0, result.stderr
    installed = result.stdout.split("Installed:")[1].split(".")[0]
    assert "render_example" in installed and "render," in installed + ","
    assert "Render (example plugin) options:" in result.stdout
    assert "--render-example-plan {starter,standard,pro}" in result.stdout


OPTIONS = ("--render-example-plan", "standard", "--render-example-region", "frankfurt")


@pytest.mark.needs_programs
@pytest.mark.parametrize("layout", ["flat", "nested"])
def test_configures_render_with_its_options_and_second_run_changes_nothing(sample_project, layout):
    root = sample_project("requirements_txt", layout)
    result = deploy(root, "render_example", *OPTIONS)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "configured this project for Render (example plugin)" in result.stdout
    blueprint = (root / "render.yaml").read_text()
    assert "plan: standard" in blueprint and "region: frankfurt" in blueprint
    assert "name: blog-site\n" in blueprint
    chdir = "--chdir blog " if layout == "nested" else ""
    assert f'startCommand: "gunicorn {chdir}blog.wsgi"' in blueprint
    assert "generateValue: true" in blueprint
    settings = (manage_dir(root) / "blog" / "settings.py").read_text()
    assert settings.count("# >>> django-simple-deploy: render_example >>>") == 1
    assert "gunicorn~=27.0" in (root / "requirements.txt").read_text()

    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Render")
    before = snapshot(root, logs=False)
    again = deploy(root, "render_example", *OPTIONS)
    assert again.returncode == 0, again.stderr
    assert "Nothing to change" in again.stdout
    assert snapshot(root, logs=False) == before


@pytest.mark.needs_programs
def test_its_check_refuses_other_package_managers_and_changes_nothing(sample_project):
    root = sample_project("pipenv", "flat")
    before = snapshot(root, logs=False)
    result = deploy(root, "render_example")
    assert result.returncode != 0
    assert "supports projects with a requirements.txt only" in result.stderr
    assert snapshot(root, logs=False) == before


@pytest.mark.needs_programs
def test_an_invalid_option_value_is_refused(sample_project):
    root = sample_project("requirements_txt", "flat")
    result = deploy(root, "render_example", "--render-example-plan", "huge")
    assert result.returncode != 0
    assert "invalid choice: 'huge'" in result.stderr
