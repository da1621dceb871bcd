"""A mistake a new user makes gets the next step, not a traceback."""

from __future__ import annotations

import pytest
from project_files import deploy, snapshot

pytestmark = pytest.mark.needs_programs


@pytest.mark.parametrize(
    ("typed", "meant"), [("fly", "fly_io"), ("platformsh", "platform_sh"), ("herku", "heroku")]
)
def test_unknown_platform_suggests_the_nearest_name(sample_project, typed, meant):
    root = sample_project("requirements_txt", "flat")
    result = deploy(root, typed)
    assert result.returncode != 0
    assert f"Did you mean --platform {meant}?" in result.stderr


def test_rehearse_with_dry_run_is_refused_with_the_reason(sample_project):
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root, logs=False)
    result = deploy(root, "heroku", "--dry-run", "--rehearse")
    assert result.returncode != 0
    assert "--rehearse and --dry-run cannot be combined" in result.stderr
    assert snapshot(root, logs=False) == before


# Each CLI's own install page (checked in the platforms' docs), not a page about Python.
CLI_INSTALL_PAGES = {
    "heroku": "https://devcenter.heroku.com/articles/heroku-cli",
    "fly_io": "https://fly.io/docs/flyctl/install/",
    "platform_sh": "https://docs.platform.sh/administration/cli.html",
    "upsun": "https://docs.upsun.com/administration/cli.html",
}


@pytest.mark.parametrize("platform", ["heroku", "fly_io", "platform_sh", "upsun"])
def test_missing_cli_is_reported_before_the_cost_confirmation(sample_project, platform):
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root, logs=False)
    # No platform CLI on PATH; git is found through its absolute path by the tool.
    result = deploy(root, platform, "--automate-all", env={"PATH": "/usr/bin:/bin"}, stdin="y\n")
    assert result.returncode != 0
    assert "is not installed or not on PATH" in result.stderr
    assert f"Install it ({CLI_INSTALL_PAGES[platform]})" in result.stderr
    assert "languages/python" not in result.stderr
    assert "Go ahead?" not in result.stdout, "asked to confirm before finding the CLI missing"
    assert snapshot(root, logs=False) == before


def test_a_committed_virtual_environment_is_refused_with_the_commands_that_untrack_it(
    sample_project,
):
    # A new user without a .gitignore runs `python -m venv .venv` and `git add -A`.
    import subprocess
    import sys

    from project_files import git

    root = sample_project("requirements_txt", "flat")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    git(root, "add", "-f", ".venv")  # -f: the sample's .gitignore lists it, a beginner's not
    git(root, "commit", "-qm", "everything")
    before = snapshot(root, logs=False)

    result = deploy(root, "heroku")

    assert result.returncode != 0
    assert "Git tracks a virtual environment: `.venv/`" in result.stderr
    assert "`git rm -r --cached .venv`, add `.venv/` to .gitignore" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root, logs=False) == before
    # Following the message is enough.
    git(root, "rm", "-r", "-q", "--cached", ".venv")
    git(root, "add", ".gitignore")
    git(root, "commit", "-qm", "Stop tracking the virtual environment")
    assert deploy(root, "heroku").returncode == 0


@pytest.mark.parametrize("platform", ["upsun", "platform_sh"])
def test_a_rehearsal_without_a_database_it_can_use_stops_before_any_work(sample_project, platform):
    # Their apps read PostgreSQL facts (PLATFORM_RELATIONSHIPS): SQLite cannot stand in.
    import time

    from project_files import git

    root = sample_project("requirements_txt", "flat")
    assert deploy(root, platform).returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure")
    before = snapshot(root, logs=False)
    start = time.monotonic()
    assert deploy(root, platform, "--help").returncode == 0  # Django's own start-up
    startup = time.monotonic() - start

    start = time.monotonic()
    result = deploy(root, platform, "--rehearse", "--database-url", "sqlite:///db.sqlite3")
    seconds = time.monotonic() - start

    assert result.returncode != 0
    assert "rehearsal needs a PostgreSQL database" in result.stderr
    assert "--database-url postgresql://USER:PASSWORD@HOST:PORT/NAME" in result.stderr
    assert "Traceback" not in result.stderr and "Rehearsing" not in result.stdout
    assert seconds - startup < 1.0, f"{seconds:.1f} s, of which {startup:.1f} s start-up"
    assert snapshot(root, logs=False) == before


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("relase=60", "give STEP=SECONDS, where STEP is one of: copy, environment, install"),
        ("release=soon", "SECONDS must be a number above 0 and at most 86400"),
    ],
)
def test_a_bad_rehearsal_limit_is_refused_before_anything_runs(sample_project, value, says):
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root)
    result = deploy(root, "heroku", "--rehearse", "--rehearse-limit", value)
    assert result.returncode == 1
    assert f"CommandError: --rehearse-limit {value!r}: {says}" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Rehearsing" not in result.stdout
    assert snapshot(root) == before
