"""Security of the generated configuration, for every platform x package manager x layout.

The project is configured in-process (plan + atomic apply; the lock refresh is
skipped because `check --deploy` reads settings, never the lock), then Django
starts in a subprocess with the platform's environment as the plugin's Runtime
declares it (build + run variables, placeholders filled), using this test
environment's gunicorn, whitenoise, dj-database-url and psycopg. There:
`check --deploy` reports nothing at WARNING level, the SECRET_KEY is not one
that appears in the repository, and ALLOWED_HOSTS is the platform's host and
not a wildcard. Also: ruff's rules against running commands through a shell are active.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from project_files import all_text
from support import (
    LAYOUTS,
    MANAGERS,
    PLATFORMS,
    inspected,
    prepared,
    skip_if_declined,
    without_django_settings,
)

from simple_deploy import plugins
from simple_deploy.changes import apply_changes

pytestmark = pytest.mark.needs_programs

REPO = Path(__file__).resolve().parents[2]
SHELL = "shell=" + "True"
WILDCARD = re.compile(r"""ALLOWED_HOSTS\s*=\s*[\[(]\s*["']\*["']""")

PROBE = textwrap.dedent(
    """
    import json, pathlib, sys
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.http.request import validate_host

    django.setup()
    call_command("check", deploy=True, fail_level="WARNING")
    texts = [
        p.read_text("utf-8", errors="replace")
        for p in pathlib.Path(sys.argv[1]).rglob("*")
        if p.is_file() and ".git" not in p.parts
    ]
    print("PROBE=" + json.dumps({
        "hosts": list(settings.ALLOWED_HOSTS),
        "host_ok": validate_host(sys.argv[2], settings.ALLOWED_HOSTS),
        "key_in_repo": any(settings.SECRET_KEY in t for t in texts),
        "debug": settings.DEBUG,
    }))
    """
)


def fill(value: str, values: dict[str, str]) -> str:
    for name, filled in values.items():
        value = value.replace("{" + name + "}", filled)
    return value


def platform_env(project, runtime, root: Path, tmp_path: Path) -> dict[str, str]:
    values = {
        "port": "8000",
        "python": sys.executable,
        "venv": sys.prefix,
        "app_root": str(root),
        # Parsed, never connected to: `check --deploy` runs no database checks.
        "database_url": "postgres://probe:probe-password@127.0.0.1:5432/probe",
        "secret_key": secrets.token_urlsafe(50),
        "host": runtime.host,
    }
    env = without_django_settings()
    env["DJANGO_SETTINGS_MODULE"] = project.manage_settings_module  # as manage.py sets it
    for mapping in (runtime.env, runtime.run_env, runtime.web.env):
        env |= {key: fill(value, values) for key, value in mapping.items()}
    if runtime.derived_env is not None:
        env |= dict(runtime.derived_env(values))
    return env


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("manager", MANAGERS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_check_deploy_is_clean_in_the_platform_environment(
    sample_project, tmp_path, platform, manager, layout
):
    root = sample_project(manager, layout)
    skip_if_declined(root, platform)
    plan = prepared(root, platform).plan
    apply_changes(root, plan.changes)
    project = inspected(root)
    runtime = plugins.load(platform).runtime(project)

    for change in plan.effective:
        assert not WILDCARD.search((root / change.path).read_text("utf-8", errors="replace"))

    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(root), runtime.host],
        cwd=project.manage_dir,
        env=platform_env(project, runtime, root, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = out.stdout + out.stderr
    assert out.returncode == 0, output
    assert "System check identified no issues" in output, output
    found = json.loads(next(x for x in out.stdout.splitlines() if x.startswith("PROBE="))[6:])
    assert found["debug"] is False
    assert "*" not in found["hosts"] and found["hosts"], found["hosts"]
    assert found["host_ok"], f"{runtime.host} not allowed by {found['hosts']}"
    assert not found["key_in_repo"], "production uses a SECRET_KEY written in the repository"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_configuration_only_run_writes_no_secret(sample_project, platform):
    """Configuration-only mode creates no secret at all: the settings read it from the
    platform, so the repository and logs hold no SECRET_KEY value but the local one."""
    root = sample_project("requirements_txt", "flat")
    local_key = re.search(r"SECRET_KEY = '([^']+)'", all_text(root)).group(1)
    plan = prepared(root, platform).plan
    apply_changes(root, plan.changes)
    for change in plan.effective:
        text = (root / change.path).read_text("utf-8", errors="replace")
        keys = re.findall(r"""SECRET_KEY\s*=\s*["']([^"']+)["']""", text)
        assert set(keys) <= {local_key}, f"{change.path} hard-codes a SECRET_KEY"


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        # Spelled in two parts so that a search of this repository for the
        # forbidden pattern finds only real uses.
        (f"import subprocess\nsubprocess.run('ls', {SHELL})\n", "S602"),
        (f"def call(cmd, shell):\n    pass\n\n\ncall('ls', {SHELL})\n", "S604"),
    ],
)
def test_lint_forbids_shell_true(tmp_path, code, rule):
    """The repository's own ruff configuration flags commands run through a shell
    (proved on a bad file)."""
    bad = tmp_path / "bad.py"
    bad.write_text(code)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--config",
            str(REPO / "pyproject.toml"),
            str(bad),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert rule in out.stdout, out.stdout


def test_no_shell_true_anywhere_in_the_repository():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--select",
            "S602,S604",
            "src",
            "tests",
            "benchmarks",
            "scripts",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
