"""`deploy --platform heroku --automate-all` against the fake `heroku` CLI (tests/fakes)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_platforms import FAKES as FAKE_PLATFORMS
from project_files import all_text, deploy, git, snapshot

# The fake platform CLIs (tests/fakes) are POSIX programs: a shebang line, and
# fcntl locks on their state file. Windows runs everything else.
pytestmark = pytest.mark.skipif(os.name == "nt", reason="the fake platform CLIs are POSIX scripts")

FAKES = Path(__file__).resolve().parents[1] / "fakes"


@dataclass
class Account:
    """The fake Heroku account: env for the deploy command, and its saved state."""

    env: dict
    path: Path

    def state(self) -> dict:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def apps(self) -> dict:
        return self.state().get("apps", {})

    def seed(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(data))


@pytest.fixture
def heroku(tmp_path) -> Account:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "heroku").symlink_to(FAKES / "heroku")
    path = tmp_path / "account" / "heroku.json"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_CLI_STATE": str(path)}
    return Account(env, path)


@pytest.fixture
def project(sample_project):
    return sample_project("uv", "nested")


def automate(root, heroku, *args, **env):
    return deploy(root, "heroku", "--automate-all", "--no-input", *args, env={**heroku.env, **env})


def assert_deployed(root: Path, heroku) -> dict:
    apps = heroku.apps()
    assert len(apps) == 1
    app = next(iter(apps.values()))
    assert len(app["addons"]) == 1
    assert app["addons"][0]["plan"] == "heroku-postgresql:essential-0"
    host = app["web_url"].split("//")[1].rstrip("/")
    assert app["config"]["ALLOWED_HOSTS"] == host
    assert "ON_HEROKU" not in app["config"], "DYNO marks Heroku: no hand-set switch"
    assert len(app["config"]["SECRET_KEY"]) >= 50
    pushed = git(root, "rev-parse", "heroku/main").strip()
    assert pushed == git(root, "rev-parse", "HEAD").strip()
    assert git(root, "status", "--porcelain") == ""
    assert app["releases"][-1]["status"] == "succeeded"
    assert heroku.state()["opened"][-1] == app["web_url"]
    return app


def test_fresh_run_creates_app_database_and_deploys(project, heroku):
    result = automate(project, heroku)
    assert result.returncode == 0, result.stderr + result.stdout
    app = assert_deployed(project, heroku)

    assert "Configure for Heroku with django-simple-deploy" in git(project, "log", "-1")
    assert f"Your site: {app['web_url']}" in result.stdout
    assert f"Created: Heroku app {app['name']}" in result.stdout
    assert "Created: Heroku Postgres on plan heroku-postgresql:essential-0" in result.stdout
    assert "billed monthly" in result.stdout
    for step in ("login", "app", "database", "config vars", "push", "release", "open"):
        assert f"] {step}:" in result.stdout

    key = app["config"]["SECRET_KEY"]
    assert key not in result.stdout + result.stderr
    assert key not in all_text(project)
    assert key not in git(project, "log", "-p", "--all")


def test_second_run_reuses_everything(project, heroku):
    assert automate(project, heroku).returncode == 0
    first = heroku.apps()
    again = automate(project, heroku)
    assert again.returncode == 0, again.stderr + again.stdout
    app = assert_deployed(project, heroku)
    assert app["config"]["SECRET_KEY"] == next(iter(first.values()))["config"]["SECRET_KEY"]
    assert f"Reused: Heroku app {app['name']}" in again.stdout
    assert "Reused: Heroku Postgres" in again.stdout
    assert "Created:" not in again.stdout
    creates = [c for c in heroku.state()["calls"] if c["argv"][:1] == ["apps:create"]]
    assert len(creates) == 1


@pytest.mark.parametrize("step", FAKE_PLATFORMS["heroku"].steps)
def test_failure_at_each_step_then_rerun_finishes_with_one_app_and_one_database(
    project, heroku, step
):
    before = snapshot(project, logs=False)
    failed = automate(project, heroku, FAKE_CLI_FAIL=step)
    assert failed.returncode != 0
    assert "failed" in failed.stderr and "run the same command again" in failed.stderr
    assert (
        "FAKE_CLI_FAIL" in failed.stderr
        or "rejected" in failed.stderr
        or "release" in (failed.stderr)
    )
    if step in ("apps:create", "git:remote"):
        after = snapshot(project, logs=False)
        if step == "git:remote":  # `apps:create` already added the remote, as Heroku's does
            after.pop(".git/config"), before.pop(".git/config")
        assert after == before, "files changed before the app existed"
        assert "No local file was changed" in failed.stderr
    else:
        assert git(project, "status", "--porcelain") == ""
    if step == "release":
        # Heroku releases only new commits: the message says to fix, commit, re-run.
        assert 'git commit --allow-empty -m "Redeploy"' in failed.stderr
        git(project, "commit", "-q", "--allow-empty", "-m", "Fix the migration")

    resumed = automate(project, heroku)
    assert resumed.returncode == 0, resumed.stderr + resumed.stdout
    assert_deployed(project, heroku)


def test_not_logged_in_changes_nothing(project, heroku):
    before = snapshot(project, logs=False)
    result = automate(project, heroku, FAKE_CLI_LOGGED_OUT="1")
    assert result.returncode != 0
    assert "not logged in" in result.stderr and "heroku login" in result.stderr
    assert snapshot(project, logs=False) == before
    assert heroku.apps() == {}


def test_missing_cli_changes_nothing(project, heroku, tmp_path):
    empty = tmp_path / "no-heroku"
    empty.mkdir()
    path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "heroku").exists()
    )
    before = snapshot(project, logs=False)
    result = automate(project, heroku, PATH=path)
    assert result.returncode != 0
    assert "Heroku CLI (`heroku`) is not installed" in result.stderr
    assert "devcenter.heroku.com/articles/heroku-cli" in result.stderr
    assert snapshot(project, logs=False) == before


def test_name_taken_by_another_account_changes_nothing(project, heroku):
    heroku.seed(
        {
            "user": "dev@example.com",
            "apps": {
                "blog": {
                    "name": "blog",
                    "owner": "someone-else@example.com",
                    "web_url": "https://blog-0123456789ab.herokuapp.com/",
                    "addons": [],
                    "config": {},
                    "releases": [],
                    "region": "us",
                    "id": "x",
                }
            },
        }
    )
    before = snapshot(project, logs=False)
    result = automate(project, heroku, "--deployed-project-name", "blog")
    assert result.returncode != 0
    assert "'blog' is taken by another Heroku account" in result.stderr
    assert "--deployed-project-name" in result.stderr
    assert snapshot(project, logs=False) == before
    assert set(heroku.apps()) == {"blog"}


def test_chosen_name_and_region_are_used(project, heroku):
    result = automate(project, heroku, "--deployed-project-name", "my-blog", "--region", "eu")
    assert result.returncode == 0, result.stderr
    assert heroku.apps()["my-blog"]["region"] == "eu"


def test_declining_the_confirmation_changes_nothing(project, heroku):
    before = snapshot(project, logs=False)
    result = deploy(project, "heroku", "--automate-all", env=heroku.env, stdin="n\n")
    assert result.returncode != 0
    assert "billed monthly" in result.stdout
    assert "Cancelled" in result.stderr
    assert snapshot(project, logs=False) == before
    assert heroku.apps() == {}


def test_system_check_errors_stop_automation_before_anything_is_created(project, heroku):
    settings = project / "blog" / "blog" / "settings.py"
    settings.write_text(settings.read_text().replace("    'django.contrib.messages',\n", ""))
    git(project, "commit", "-qam", "drop the messages app the admin needs")
    before = snapshot(project, logs=False)
    result = automate(project, heroku)
    assert result.returncode != 0
    assert "admin.E406" in result.stderr
    assert heroku.apps() == {}
    assert snapshot(project, logs=False) == before


def test_unknown_git_identity_stops_before_anything_changes(project, heroku, tmp_path):
    # A beginner's machine where git was never told a name: it must not be found out
    # after the files are written (the commit would fail and leave them uncommitted).
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tuseConfigOnly = true\n")
    env = {
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "",
        "GIT_AUTHOR_EMAIL": "",
        "GIT_COMMITTER_NAME": "",
        "GIT_COMMITTER_EMAIL": "",
        "EMAIL": "",
    }
    before = snapshot(project, logs=False)
    result = automate(project, heroku, **env)
    assert result.returncode != 0
    assert "git config --global user.email" in result.stderr
    assert heroku.apps() == {}
    assert snapshot(project, logs=False) == before
