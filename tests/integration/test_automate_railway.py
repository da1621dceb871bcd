"""`deploy --platform railway --automate-all` against the fake `railway` CLI
(tests/fakes/railway), which keeps a Railway account in a JSON file across calls and
applies `.railway/railway.ts` by evaluating it (tests/railway_iac)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import project_files
import pytest
from project_files import git, snapshot

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="the fake platform CLIs are POSIX scripts"),
    pytest.mark.needs_programs,
]

FAKES = Path(__file__).resolve().parents[1] / "fakes"


def deploy(root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return project_files.deploy(root, "railway", "--automate-all", "--no-input", *args, env=env)


@pytest.fixture
def railway_cli(tmp_path):
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    (bin_dir / "railway").symlink_to(FAKES / "railway")
    state = tmp_path / "railway-account.json"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(PATH=os.pathsep.join([str(bin_dir), env.get("PATH", "")]), FAKE_CLI_STATE=str(state))
    for name in ("FAKE_CLI_FAIL", "FAKE_CLI_LOGGED_OUT"):
        env.pop(name, None)
    return {"env": env, "state": state}


def account(railway_cli) -> dict:
    path = railway_cli["state"]
    return json.loads(path.read_text()) if path.exists() else {}


def calls(state: dict, start: int = 0) -> list[str]:
    return [" ".join(call["argv"]) for call in state["calls"][start:]]


def only_project(state: dict) -> dict:
    (project,) = state["projects"].values()
    return project


@pytest.fixture
def nested_poetry(sample_project):
    return sample_project("poetry", "nested")


def test_run_and_rerun_leave_one_project_and_one_database(nested_poetry, railway_cli):
    root = nested_poetry
    first = deploy(root, railway_cli["env"])
    out = first.stdout + first.stderr
    assert first.returncode == 0, out
    state = account(railway_cli)
    project = only_project(state)
    assert set(project["services"]) == {"web", "Postgres"}
    web = project["services"]["web"]
    assert web["variables"]["DATABASE_URL"] == "${{Postgres.DATABASE_URL}}"
    assert web["config"]["deploy"] == {
        "preDeployCommand": ["python blog/manage.py migrate --noinput"]
    }
    assert web["deployments"] == [{"status": "SUCCESS"}]
    assert "Configure for Railway" in git(root, "log", "-1", "--format=%s")
    assert f"https://{web['domains'][0]}" in first.stdout
    first_calls = calls(state)
    assert first_calls == [
        "whoami --json",
        "status --json",
        "list --json",
        f"init --name {project['name']} --workspace ws-11111111 --json",
        "status --json",
        "config apply --yes --json",
        "status --json",
        "variable list --service web --json",
        "variable set SECRET_KEY --stdin --service web --skip-deploys --json",
        "domain --service web --json",
        "up --service web --ci",
    ]
    key = web["variables"]["SECRET_KEY"]

    again = deploy(root, railway_cli["env"])
    assert again.returncode == 0, again.stdout + again.stderr
    state = account(railway_cli)
    project = only_project(state)
    assert set(project["services"]) == {"web", "Postgres"}
    web = project["services"]["web"]
    assert web["variables"]["SECRET_KEY"] == key  # kept: a new key would log everyone out
    assert len(web["domains"]) == 1
    assert len(web["deployments"]) == 2
    rerun_calls = calls(state, len(first_calls))
    assert rerun_calls == [
        "whoami --json",
        "status --json",
        "status --json",
        "config apply --yes --json",
        "status --json",
        "variable list --service web --json",
        "domain --service web --json",
        "up --service web --ci",
    ]
    assert "Reused: project" in again.stdout and "Reused: PostgreSQL `Postgres`" in again.stdout
    # Printed for the report (pytest -s): the calls of a first run and of a re-run.
    print("FIRST RUN:\n  railway " + "\n  railway ".join(first_calls))
    print("RE-RUN:\n  railway " + "\n  railway ".join(rerun_calls))


def test_secrets_never_reach_argv_files_logs_or_output(nested_poetry, railway_cli):
    root = nested_poetry
    result = deploy(root, railway_cli["env"])
    assert result.returncode == 0, result.stderr
    state = account(railway_cli)
    project = only_project(state)
    key = project["services"]["web"]["variables"]["SECRET_KEY"]
    db_url = project["services"]["Postgres"]["variables"]["DATABASE_URL"]
    password = db_url.split(":")[2].split("@")[0]
    assert len(key) >= 50
    assert all(key not in " ".join(call["argv"]) for call in state["calls"])
    history = git(root, "log", "-p", "--all")
    for secret in (key, password):
        assert secret not in result.stdout + result.stderr
        assert secret not in history
        for path in root.rglob("*"):
            if path.is_file() and ".git" not in path.parts:
                assert secret.encode() not in path.read_bytes(), path
    log = next((root / "simple_deploy_logs").glob("deploy-*.log")).read_text()
    assert "variable set SECRET_KEY --stdin" in log and "output not logged" in log


def test_a_lost_link_finds_the_project_by_name(nested_poetry, railway_cli):
    root = nested_poetry
    assert deploy(root, railway_cli["env"]).returncode == 0
    state = account(railway_cli)
    state["links"] = {}
    railway_cli["state"].write_text(json.dumps(state))
    again = deploy(root, railway_cli["env"])
    assert again.returncode == 0, again.stdout + again.stderr
    state = account(railway_cli)
    assert len(state["projects"]) == 1
    assert any(c.startswith("link --project ") for c in calls(state))
    assert "now linked to this folder" in again.stdout


def test_not_logged_in_changes_nothing(nested_poetry, railway_cli):
    before = snapshot(nested_poetry, logs=False)
    env = {**railway_cli["env"], "FAKE_CLI_LOGGED_OUT": "1"}
    result = deploy(nested_poetry, env)
    assert result.returncode != 0
    assert "not logged in to Railway" in result.stderr and "railway login" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(nested_poetry, logs=False) == before


def test_failed_deploy_resumes_without_a_second_project(nested_poetry, railway_cli):
    root = nested_poetry
    failed = deploy(root, {**railway_cli["env"], "FAKE_CLI_FAIL": "up"})
    assert failed.returncode != 0
    assert "Step 'deploy' failed" in failed.stderr and "run the same command again" in failed.stderr
    resumed = deploy(root, railway_cli["env"])
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    project = only_project(account(railway_cli))
    assert set(project["services"]) == {"web", "Postgres"}
    assert project["services"]["web"]["deployments"] == [{"status": "SUCCESS"}]


def test_several_workspaces_stop_before_writing_and_name_them(nested_poetry, railway_cli):
    workspaces = [{"id": "ws-aaaa", "name": "Personal"}, {"id": "ws-bbbb", "name": "Team"}]
    railway_cli["state"].write_text(json.dumps({"workspaces": workspaces}))
    before = snapshot(nested_poetry, logs=False)
    result = deploy(nested_poetry, railway_cli["env"])
    assert result.returncode != 0
    assert "several Railway workspaces" in result.stderr
    assert "Personal (ws-aaaa)" in result.stderr and "--workspace <id>" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(nested_poetry, logs=False) == before
    assert not account(railway_cli).get("projects")
