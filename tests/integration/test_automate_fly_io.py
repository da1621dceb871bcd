"""`deploy --platform fly_io --automate-all` against the fake `fly` CLI (tests/fakes/fly).

The fake keeps a Fly account in a JSON file across calls, so these tests see
what a real account would hold after each run: how many apps and databases,
which secrets, how many releases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import project_files
import pytest
import sample_projects
from project_files import git, snapshot

# The fake platform CLIs (tests/fakes) are POSIX programs: a shebang line, and
# fcntl locks on their state file. Windows runs everything else.
pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="the fake platform CLIs are POSIX scripts"),
    pytest.mark.needs_programs,
]

FAKES = Path(__file__).resolve().parents[1] / "fakes"


def deploy(root: Path, env: dict, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    return project_files.deploy(
        root, "fly_io", "--automate-all", "--no-input", *args, env={**env, **extra_env}
    )


@pytest.fixture
def fly_cli(tmp_path):
    """A folder holding only the fake `fly`, first on PATH, and its account state file."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    (bin_dir / "fly").symlink_to(FAKES / "fly")
    state = tmp_path / "fly-account.json"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        PATH=os.pathsep.join([str(bin_dir), env.get("PATH", "")]),
        FAKE_CLI_STATE=str(state),
    )
    for name in ("FAKE_CLI_FAIL", "FAKE_CLI_LOGGED_OUT"):
        env.pop(name, None)
    return {"env": env, "state": state}


def account(fly_cli) -> dict:
    return json.loads(fly_cli["state"].read_text()) if fly_cli["state"].exists() else {}


def assert_one_of_each(state: dict, app: str) -> None:
    assert list(state["apps"]) == [app]
    assert len(state["clusters"]) == 1
    cluster = state["clusters"][0]
    assert cluster["name"] == f"{app}-db" and cluster["apps"] == [app]
    assert set(state["secrets"][app]) == {"SECRET_KEY", "DATABASE_URL"}
    assert [r["app"] for r in state["releases"]][-1] == app


def app_in_fly_toml(root: Path) -> str:
    line = next(x for x in (root / "fly.toml").read_text().splitlines() if x.startswith("app ="))
    return line.split("=", 1)[1].strip().strip("'")


@pytest.fixture
def flat(sample_project):
    return sample_project("requirements_txt", "flat")


def test_fresh_deploy_creates_app_database_secrets_and_releases(flat, fly_cli):
    result = deploy(flat, fly_cli["env"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    app = app_in_fly_toml(flat)
    state = account(fly_cli)
    assert_one_of_each(state, app)
    assert state["opened"] == [app]
    assert f"Your site: https://{app}.fly.dev" in result.stdout
    assert f"Created: app `{app}`" in result.stdout
    assert "Managed Postgres cluster" in result.stdout and "$38 a month" in result.stdout
    # The configuration is committed; the tree is clean for the next run.
    assert git(flat, "status", "--porcelain").strip() == ""
    assert "Configure for Fly.io" in git(flat, "log", "-1", "--format=%s")
    deploy_call = next(c for c in state["calls"] if c["argv"][0] == "deploy")
    assert Path(deploy_call["cwd"]) == flat
    assert deploy_call["argv"] == ["deploy", "--app", app, "--remote-only"]


def test_rerun_reuses_everything(flat, fly_cli):
    assert deploy(flat, fly_cli["env"]).returncode == 0
    key = account(fly_cli)["secrets"]
    again = deploy(flat, fly_cli["env"])
    assert again.returncode == 0, again.stderr + again.stdout
    state = account(fly_cli)
    app = app_in_fly_toml(flat)
    assert_one_of_each(state, app)
    assert state["secrets"] == key  # the secret key is kept, not rotated
    assert len(state["releases"]) == 2
    assert "Created:" not in again.stdout
    assert f"Reused: app `{app}`" in again.stdout
    assert "Reused: the SECRET_KEY secret" in again.stdout


def test_open_failing_does_not_fail_the_deployment(flat, fly_cli):
    result = deploy(flat, fly_cli["env"], FAKE_CLI_FAIL="apps open")
    assert result.returncode == 0, result.stderr
    app = app_in_fly_toml(flat)
    assert f"open https://{app}.fly.dev in your browser" in result.stdout


def test_second_project_gets_its_own_app_and_database(sample_project, fly_cli, tmp_path):
    first = sample_project("requirements_txt", "flat")
    assert deploy(first, fly_cli["env"]).returncode == 0
    (tmp_path / "second").mkdir()
    second_root = sample_projects.copy("uv", "nested", tmp_path / "second")
    second = deploy(second_root, fly_cli["env"])
    assert second.returncode == 0, second.stderr + second.stdout
    state = account(fly_cli)
    apps = {app_in_fly_toml(first), app_in_fly_toml(second_root)}
    assert len(apps) == 2 and set(state["apps"]) == apps
    assert sorted(c["name"] for c in state["clusters"]) == sorted(f"{a}-db" for a in apps)
    for cluster in state["clusters"]:
        assert cluster["apps"] == [cluster["name"].removesuffix("-db")]


def test_app_named_in_fly_toml_is_reused(flat, fly_cli):
    configured = subprocess.run(
        [sys.executable, "manage.py", "deploy", "--platform", "fly_io"]
        + ["--deployed-project-name", "my-blog"],
        cwd=flat,
        capture_output=True,
        text=True,
        env=fly_cli["env"],
    )
    assert configured.returncode == 0, configured.stderr
    git(flat, "add", "-A")
    git(flat, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "Fly")
    fly_cli["state"].write_text(
        json.dumps({"apps": {"my-blog": {"id": "1", "org": "personal", "deployed": False}}})
    )
    result = deploy(flat, fly_cli["env"])
    assert result.returncode == 0, result.stderr + result.stdout
    assert_one_of_each(account(fly_cli), "my-blog")
    assert "Reused: app `my-blog`" in result.stdout


def test_existing_database_url_is_reused_not_replaced(flat, fly_cli):
    app = "blog-with-db"
    fly_cli["state"].write_text(
        json.dumps(
            {
                "apps": {app: {"id": "1", "org": "personal", "deployed": True}},
                "secrets": {app: {"DATABASE_URL": "postgres://u:p@elsewhere/db"}},
            }
        )
    )
    result = deploy(flat, fly_cli["env"], "--deployed-project-name", app)
    assert result.returncode == 0, result.stderr + result.stdout
    state = account(fly_cli)
    assert state.get("clusters", []) == []
    assert state["secrets"][app]["DATABASE_URL"] == "postgres://u:p@elsewhere/db"
    assert f"Reused: the database app `{app}` already uses" in result.stdout


def test_not_logged_in_changes_nothing(flat, fly_cli):
    before = snapshot(flat, logs=False)
    result = deploy(flat, fly_cli["env"], FAKE_CLI_LOGGED_OUT="1")
    assert result.returncode != 0
    assert "not logged in to Fly.io" in result.stderr and "fly auth login" in result.stderr
    assert "No local file was changed" in result.stderr
    assert snapshot(flat, logs=False) == before
    assert account(fly_cli).get("apps", {}) == {}


def test_missing_cli_changes_nothing(flat, fly_cli):
    env = dict(fly_cli["env"])
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if not (Path(p) / "fly").exists()
    )
    before = snapshot(flat, logs=False)
    result = deploy(flat, env)
    assert result.returncode != 0
    assert "https://fly.io/docs/flyctl/install/" in result.stderr
    assert "Nothing was changed and nothing was created" in result.stderr
    assert snapshot(flat, logs=False) == before
    assert not fly_cli["state"].exists()


def test_invalid_app_name_is_refused_before_any_call(flat, fly_cli):
    before = snapshot(flat, logs=False)
    result = deploy(flat, fly_cli["env"], "--deployed-project-name", "My_Blog")
    assert result.returncode != 0
    assert "not a valid Fly app name" in result.stderr
    assert snapshot(flat, logs=False) == before
    assert not fly_cli["state"].exists()


def test_secrets_never_reach_files_logs_or_output(flat, fly_cli):
    result = deploy(flat, fly_cli["env"])
    assert result.returncode == 0, result.stderr
    state = account(fly_cli)
    app = app_in_fly_toml(flat)
    key = state["secrets"][app]["SECRET_KEY"]
    password = state["clusters"][0]["password"]
    assert len(key) >= 50
    # The key went to flyctl on stdin, never as an argument.
    assert all(key not in " ".join(call["argv"]) for call in state["calls"])
    history = git(flat, "log", "-p", "--all")
    for secret in (key, password):
        assert secret not in result.stdout + result.stderr
        assert secret not in history
        for path in flat.rglob("*"):
            if path.is_file() and ".git" not in path.parts:
                assert secret.encode() not in path.read_bytes(), path
    log = next((flat / "simple_deploy_logs").glob("deploy-*.log")).read_text()
    assert "mpg attach" in log and "********" in log


def test_app_name_taken_by_another_account_says_how_to_choose(flat, fly_cli):
    fly_cli["state"].write_text(json.dumps({"taken": ["someone-elses"]}))
    before = snapshot(flat, logs=False)
    result = deploy(flat, fly_cli["env"], "--deployed-project-name", "someone-elses")
    assert result.returncode != 0
    assert "Name has already been taken" in result.stderr
    assert "--deployed-project-name" in result.stderr
    assert snapshot(flat, logs=False) == before


def test_an_older_token_is_found_before_anything_is_written(flat, fly_cli):
    # `fly auth whoami` accepts it; every `fly mpg` command refuses it.
    before = snapshot(flat, logs=False)
    result = deploy(flat, fly_cli["env"], FAKE_FLY_OLD_TOKEN="1")
    assert result.returncode != 0
    assert "older token that Managed Postgres commands refuse" in result.stderr
    assert "`fly auth logout`, then `fly auth login`" in result.stderr
    assert "No local file was changed" in result.stderr
    assert snapshot(flat, logs=False) == before
    assert account(fly_cli).get("apps", {}) == {}


def test_no_cluster_sentence_and_lowercase_secret_keys_are_read(flat, fly_cli):
    # flyctl prints "No managed postgres clusters found in organization personal" (exit 0)
    # and `secrets list --json` keys in lowercase: a first run and a re-run read both.
    assert deploy(flat, fly_cli["env"]).returncode == 0
    again = deploy(flat, fly_cli["env"])
    assert again.returncode == 0, again.stderr
    assert "SECRET_KEY is already set" in again.stdout
    calls = [c["argv"][:2] for c in account(fly_cli)["calls"]]
    assert ["version"] not in [c[:1] for c in calls], (
        "the version call proves nothing whoami does not"
    )
    assert calls.count(["mpg", "list"]) == 3  # one per run in prepare, one after the create
