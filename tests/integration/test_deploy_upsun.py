"""`manage.py deploy --platform upsun` in configuration-only mode, on real sample projects.
Every generated .upsun/config.yaml goes through Upsun's own validator."""

from __future__ import annotations

import subprocess
import sys

import project_files
import pytest
from project_files import git, manage_dir, snapshot
from upsun_validator import assert_valid

pytestmark = pytest.mark.needs_programs

INSTALL = {
    "requirements_txt": "pip install --no-input --requirement requirements.txt",
    "poetry": "poetry sync --only main --no-root --no-interaction",
    "pipenv": "pipenv sync",
    "uv": "uv sync --locked --no-dev --no-install-project",
}
LOCAL_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def deploy(root, *args: str) -> subprocess.CompletedProcess:
    return project_files.deploy(root, "upsun", *args)


def commit(root, message: str = "Configure for Upsun") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def unchanged_but_logs(before: dict, after: dict) -> bool:
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return all(k.startswith("simple_deploy_logs/") for k in changed)


@pytest.mark.parametrize(
    ("manager", "layout"), [("poetry", "nested"), ("requirements_txt", "flat")]
)
def test_configures_one_upsun_file_and_second_run_changes_nothing(
    sample_project, upsun_validator, manager, layout
):
    root = sample_project(manager, layout)
    result = deploy(root)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "configured this project for Upsun" in result.stdout
    assert "upsun create --title blog-site-" in result.stdout and "--org" in result.stdout
    assert "upsun push" in result.stdout
    (summary,) = (root / "simple_deploy_logs").glob("summary-upsun-*.md")
    saved = summary.read_text()
    assert "https://docs.upsun.com/" in saved and "upsun resources:set" in saved
    assert "upsun.com/pricing" in result.stdout
    assert_valid(upsun_validator, root)
    config = (root / ".upsun/config.yaml").read_text()
    assert config.startswith("# Upsun configuration") and "\r\n" not in config
    for key in ("\napplications:\n", "\nservices:\n", "\nroutes:\n"):
        assert key in config
    assert INSTALL[manager] in config
    prefix = "blog/" if layout == "nested" else ""
    assert f"python {prefix}manage.py migrate --noinput" in config.split("deploy: |")[1]
    assert "gunicorn --bind 0.0.0.0:$PORT" in config
    assert "disk:" not in config and "\n        name:" not in config  # Fixed-only keys
    assert not (root / ".platform").exists() and not (root / ".platform.app.yaml").exists()
    settings = (manage_dir(root) / "blog" / "settings.py").read_text()
    assert settings.count("# >>> django-simple-deploy: upsun >>>") == 1
    assert "# Upsun settings, written by django-simple-deploy" in settings
    assert "Platform.sh" not in settings
    assert '"*"' not in settings and "'*'" not in settings
    commit(root)
    before = snapshot(root, logs=False)
    again = deploy(root)
    assert again.returncode == 0, again.stderr + again.stdout
    assert snapshot(root, logs=False) == before


def test_deprecated_python_is_named_with_the_nearest_supported_one(sample_project):
    root = sample_project("requirements_txt", "flat")
    (root / ".python-version").write_text("3.11\n")
    commit(root, "Python 3.11")
    result = deploy(root)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Python 3.11 is deprecated on Upsun (supported: 3.13, 3.14)" in result.stdout
    assert "--upsun-python 3.13" in result.stdout
    assert "type: 'python:3.11'" in (root / ".upsun/config.yaml").read_text()


def test_chosen_python_goes_in_the_config(sample_project, upsun_validator):
    root = sample_project("uv", "flat")
    result = deploy(root, "--upsun-python", "3.13")
    assert result.returncode == 0, result.stderr + result.stdout
    config = (root / ".upsun/config.yaml").read_text()
    assert "type: 'python:3.13'" in config
    assert "deprecated" not in result.stdout
    assert_valid(upsun_validator, root)


@pytest.mark.parametrize(
    ("python_version", "option", "nearest"),
    [("3.9", None, "3.13"), (None, "3.15", "3.14")],
)
def test_python_upsun_does_not_offer_stops_and_names_the_nearest(
    sample_project, python_version, option, nearest
):
    root = sample_project("requirements_txt", "flat")
    if python_version:
        (root / ".python-version").write_text(f"{python_version}\n")
        commit(root, "Python version")
    before = snapshot(root, logs=False)
    result = deploy(root, *(["--upsun-python", option] if option else []))
    assert result.returncode != 0
    wanted = python_version or option
    assert f"Upsun has no Python {wanted} image" in result.stderr
    assert f"The nearest supported version is {nearest}" in result.stderr
    assert f"--upsun-python {nearest}" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root, logs=False) == before


def test_platform_sh_project_run_for_upsun_gets_a_clear_message(sample_project):
    root = sample_project("requirements_txt", "flat")
    assert project_files.deploy(root, "platform_sh").returncode == 0
    commit(root, "Configure for Platform.sh")
    before = snapshot(root, logs=False)
    result = deploy(root)
    assert result.returncode != 0
    assert "configured for Platform.sh (Upsun Fixed)" in result.stderr
    assert ".platform.app.yaml" in result.stderr and "--platform platform_sh" in result.stderr
    assert snapshot(root, logs=False) == before
    assert not (root / ".upsun").exists()


def test_upsun_project_run_for_platform_sh_gets_a_clear_message(sample_project):
    root = sample_project("requirements_txt", "flat")
    assert deploy(root).returncode == 0
    commit(root)
    before = snapshot(root, logs=False)
    result = project_files.deploy(root, "platform_sh")
    assert result.returncode != 0
    assert "configured for Upsun (Flex)" in result.stderr
    assert ".upsun/config.yaml" in result.stderr and "--platform upsun" in result.stderr
    assert snapshot(root, logs=False) == before
    assert not (root / ".platform.app.yaml").exists()


def test_help_says_which_customers_each_plugin_serves(sample_project):
    root = sample_project("requirements_txt", "flat")
    out = subprocess.run(
        [sys.executable, "manage.py", "deploy", "--help"],
        cwd=manage_dir(root),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(out.split())
    assert "For Upsun (Flex) organizations, which every new Upsun or Platform.sh signup" in flat
    assert "For existing Platform.sh customers (Upsun Fixed" in flat
    assert "--upsun-org" in flat and "--upsun-python" in flat and "--platform-sh-org" in flat
