"""`deploy --platform heroku --automate-all` with the real Heroku CLI and a stand-in API.

The CLI is the npm package `heroku` (11.x) that scripts/test installs; it talks
to tests/heroku_api's stand-in of the Platform API on 127.0.0.1, and pushes
land in local bare repositories whose hook builds and releases as Heroku
would. Failure at every step, then a resume, is in
tests/reliability/test_automate_faults.py (same CLI, same stand-in).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import sample_projects
from cli_tables import check
from cli_tables.heroku import TABLE as HEROKU_TABLE
from heroku_api.account import path_without_heroku
from project_files import all_text, deploy, git, snapshot

# The CLI wrapper that counts calls is a shell script; the stand-in's git hook too.
pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="the stand-in's git hook is POSIX"),
    pytest.mark.needs_programs,
]

# What each run costs in CLI calls (each ~0.8 s of Node start-up).
FIRST_RUN = ["auth:whoami", "apps:create", "addons:create", "auth:token", "releases", "open"]
RE_RUN = ["auth:whoami", "apps:info", "config", "releases", "open"]


@pytest.fixture
def heroku(heroku_account):
    return heroku_account


@pytest.fixture
def project(sample_project):
    return sample_project("uv", "nested")


def automate(root, heroku, *args, env=None):
    return deploy(
        root, "heroku", "--automate-all", "--no-input", *args, env={**heroku.env, **(env or {})}
    )


def commands(heroku) -> list[str]:
    """The commands the real CLI was given, each checked against tests/cli_tables/heroku.py."""
    calls = heroku.calls()
    for argv in calls:
        assert check(HEROKU_TABLE, argv) is None, check(HEROKU_TABLE, argv)
    names = [argv[0] for argv in calls]
    # `releases` is polled until the release phase ends: a busy machine needs one more
    # poll, which is the same request again, not another step.
    return [n for i, n in enumerate(names) if not (n == "releases" and names[i - 1 : i] == [n])]


def assert_deployed(root: Path, heroku, remote: str = "heroku") -> dict:
    apps = heroku.apps()
    assert len(apps) == 1
    app = next(iter(apps.values()))
    assert len(app["addons"]) == 1
    assert app["addons"][0]["plan"]["name"] == "heroku-postgresql:essential-0"
    host = app["web_url"].split("//")[1].rstrip("/")
    assert app["config"]["ALLOWED_HOSTS"] == host
    assert "ON_HEROKU" not in app["config"], "DYNO marks Heroku: no hand-set switch"
    assert len(app["config"]["SECRET_KEY"]) >= 50
    head = git(root, "rev-parse", "HEAD").strip()
    assert git(root, "rev-parse", f"{remote}/main").strip() == head
    assert git(root, "status", "--porcelain") == ""
    deploys = [r for r in app["releases"] if r["description"].startswith("Deploy ")]
    assert deploys[-1]["description"] == f"Deploy {head[:8]}"
    assert deploys[-1]["status"] == "succeeded"
    assert heroku.state()["opened"][-1] == app["web_url"]
    return app


def test_fresh_run_creates_app_database_and_deploys_then_a_rerun_reuses_everything(project, heroku):
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
    assert commands(heroku) == FIRST_RUN
    assert git(project, "remote", "get-url", "heroku").strip() == (
        f"https://git.heroku.com/{app['name']}.git"
    )
    assert heroku.world.unknown == [], "the CLI called endpoints the stand-in does not serve"

    key = app["config"]["SECRET_KEY"]
    assert key not in result.stdout + result.stderr
    assert key not in all_text(project)
    # Set through the API with the CLI's token: on no command line, token in no log either.
    assert not any(key in arg for argv in heroku.calls() for arg in argv)
    assert ("PATCH", f"/apps/{app['name']}/config-vars") in heroku.world.calls
    assert heroku.world.token not in all_text(project)
    assert key not in git(project, "log", "-p", "--all")

    # Run again (one test, to pay for one first run): everything is reused.
    before = len(heroku.calls())
    again = automate(project, heroku)
    assert again.returncode == 0, again.stderr + again.stdout
    app = assert_deployed(project, heroku)
    assert app["config"]["SECRET_KEY"] == key
    assert f"Reused: Heroku app {app['name']}" in again.stdout
    assert "Reused: Heroku Postgres" in again.stdout
    assert "Created:" not in again.stdout
    assert commands(heroku)[before:] == RE_RUN
    assert f"(commit {git(project, 'rev-parse', 'HEAD')[:8]}) is live" in again.stdout


def test_a_second_project_gets_its_own_app(project, heroku, tmp_path):
    assert automate(project, heroku).returncode == 0
    other = sample_projects.copy("requirements_txt", "flat", tmp_path / "second")
    result = automate(other, heroku)
    assert result.returncode == 0, result.stderr + result.stdout
    apps = heroku.apps()
    assert len(apps) == 2
    names = {git(root, "remote", "get-url", "heroku").strip() for root in (project, other)}
    assert names == {f"https://git.heroku.com/{name}.git" for name in apps}
    assert all(len(app["addons"]) == 1 for app in apps.values())


def test_release_detection_waits_for_this_push_not_a_newer_config_release(project, heroku):
    # Heroku releases config changes at any time (an add-on finishing, a teammate):
    # the newest release is then not the deploy, which here fails its release phase.
    heroku.world.config_release_after_deploy = True
    heroku.fail("release")
    result = automate(project, heroku)
    assert result.returncode != 0
    app = next(iter(heroku.apps().values()))
    assert app["releases"][-1]["description"] == "Update DATABASE by heroku-postgresql"
    deploy_release = [r for r in app["releases"] if r["description"].startswith("Deploy")][-1]
    assert f"Release v{deploy_release['version']} failed in the release phase" in result.stderr
    assert 'git commit --allow-empty -m "Redeploy"' in result.stderr


def test_an_app_linked_by_an_ssh_remote_of_another_name_is_reused(project, heroku):
    assert automate(project, heroku).returncode == 0
    app = next(iter(heroku.apps()))
    # The user re-links the repository their own way (`heroku git:remote --ssh-git
    # -r production`); every URL form is in tests/unit/test_heroku_automate.py.
    git(project, "remote", "remove", "heroku")
    git(project, "remote", "add", "production", f"git@heroku.com:{app}.git")
    git(project, "commit", "-q", "--allow-empty", "-m", "More work")
    # SSH is redirected to the stand-in like HTTPS (the tests hold no SSH key).
    gitconfig = Path(heroku.env["HOME"]) / ".gitconfig"
    bare = heroku.world.root / "git"
    gitconfig.write_text(
        gitconfig.read_text() + f'[url "{bare}/"]\n\tpushInsteadOf = git@heroku.com:\n'
        "\tpushInsteadOf = ssh://git@heroku.com/\n"
    )
    result = automate(project, heroku)
    assert result.returncode == 0, result.stderr + result.stdout
    assert list(heroku.apps()) == [app], "a second app was created"
    assert f"Reused: Heroku app {app}" in result.stdout
    assert "git remote 'production' points at" in result.stdout
    assert git(project, "remote") == "production\n"
    assert_deployed(project, heroku, remote="production")


def test_remotes_for_two_apps_stop_before_anything_changes(project, heroku):
    git(project, "remote", "add", "heroku", "https://git.heroku.com/blog-one.git")
    git(project, "remote", "add", "staging", "git@heroku.com:blog-two.git")
    before = snapshot(project, logs=False)
    result = automate(project, heroku)
    assert result.returncode != 0
    assert "several Heroku apps: blog-one (remote heroku), blog-two (remote staging)" in (
        result.stderr
    )
    assert "--deployed-project-name" in result.stderr
    assert snapshot(project, logs=False) == before
    assert heroku.apps() == {}


def test_a_remote_naming_a_deleted_app_gets_a_new_app(project, heroku):
    git(project, "remote", "add", "heroku", "https://git.heroku.com/gone-app.git")
    result = automate(project, heroku)
    assert result.returncode == 0, result.stderr + result.stdout
    (name,) = heroku.apps()
    assert name != "gone-app"
    assert git(project, "remote", "get-url", "heroku").strip().endswith(f"/{name}.git")
    assert "it pointed at https://git.heroku.com/gone-app.git" in result.stdout


def test_not_logged_in_changes_nothing(project, heroku):
    before = snapshot(project, logs=False)
    result = deploy(project, "heroku", "--automate-all", "--no-input", env=heroku.logged_out())
    assert result.returncode != 0
    assert "not logged in" in result.stderr and "heroku login" in result.stderr
    assert snapshot(project, logs=False) == before
    assert heroku.apps() == {}
    assert commands(heroku) == ["auth:whoami"]


def test_missing_cli_changes_nothing(project, heroku):
    before = snapshot(project, logs=False)
    result = automate(project, heroku, env={"PATH": path_without_heroku()})
    assert result.returncode != 0
    assert "Heroku CLI (`heroku`) is not installed" in result.stderr
    assert "devcenter.heroku.com/articles/heroku-cli" in result.stderr
    assert snapshot(project, logs=False) == before


def test_name_taken_by_another_account_changes_nothing(project, heroku):
    heroku.world.add_foreign_app("blog")
    before = snapshot(project, logs=False)
    result = automate(project, heroku, "--deployed-project-name", "blog")
    assert result.returncode != 0
    assert "'blog' is taken by another Heroku account" in result.stderr
    assert "--deployed-project-name" in result.stderr
    assert snapshot(project, logs=False) == before
    assert heroku.apps() == {}


def test_chosen_name_and_region_are_used(project, heroku):
    result = automate(project, heroku, "--deployed-project-name", "my-blog", "--region", "eu")
    assert result.returncode == 0, result.stderr
    assert heroku.apps()["my-blog"]["region"] == "eu"
    assert ["apps:create", "--no-remote", "--json", "--region=eu", "--", "my-blog"] in (
        heroku.calls()
    )


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
    result = automate(project, heroku, env=env)
    assert result.returncode != 0
    assert "git config --global user.email" in result.stderr
    assert heroku.apps() == {}
    assert snapshot(project, logs=False) == before


def test_the_stand_in_answers_the_buildpack_commands_and_the_registry(heroku, tmp_path):
    """What the asset-build step relies on, straight from the CLI: registry names resolve
    through the stand-in's buildpack registry, `--index 1` inserts first, an unknown name
    installs nothing; `auth:token` prints the token with no expiry warning."""

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["heroku", *argv], cwd=tmp_path, env=heroku.env, capture_output=True, text=True
        )

    assert run("apps:create", "--no-remote", "--json", "--", "assets").returncode == 0
    assert run("buildpacks:add", "heroku/python", "--app=assets").returncode == 0
    added = run("buildpacks:add", "--index", "1", "heroku/nodejs", "--app=assets")
    assert added.returncode == 0, added.stderr
    assert "1. heroku/nodejs\n  2. heroku/python" in added.stdout
    listed = json.loads(run("buildpacks", "--app=assets", "--json").stdout)
    assert [(b["buildpack"]["name"], b["ordinal"]) for b in listed] == [
        ("heroku/nodejs", 0),
        ("heroku/python", 1),
    ]
    again = run("buildpacks:add", "heroku/python", "--app=assets")
    assert "The buildpack heroku/python is already set on your app." in again.stderr
    unknown = run("buildpacks:add", "nobody/nothing", "--app=assets")
    assert unknown.returncode != 0
    assert heroku.apps()["assets"]["buildpacks"] == ["heroku/nodejs", "heroku/python"]
    token = run("auth:token")
    assert (token.returncode, token.stdout.strip(), token.stderr) == (0, heroku.world.token, "")
    assert ("GET", "registry:/buildpacks/heroku%2Fnodejs") in heroku.world.calls
    assert heroku.world.unknown == []
