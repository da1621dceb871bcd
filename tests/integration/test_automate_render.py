"""`deploy --platform render --automate-all` against tests/render_api, a local stand-in of
Render's REST API at its real paths and JSON shapes. The push goes to a local bare
repository standing in for GitHub (`url.<dir>.pushInsteadOf`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import render_schema
from project_files import all_text, deploy, git, snapshot
from render_api import StandIn

pytestmark = pytest.mark.needs_programs

REPO = "https://github.com/example/blog-site"
# Every call of a first run, and of a re-run, in order (ids normalized).
FIRST_RUN = [
    "GET /owners?limit=100",
    "GET /services?name=blog-site&ownerId=tea-ID&type=web_service&limit=100",
    "GET /postgres?name=blog-site-db&ownerId=tea-ID&limit=100",
    "POST /postgres",
    "GET /postgres/dpg-ID/connection-info",
    "POST /services",
    "GET /services/srv-ID/deploys/dep-ID",
]
RE_RUN = [
    "GET /owners?limit=100",
    "GET /services?name=blog-site&ownerId=tea-ID&type=web_service&limit=100",
    "GET /postgres?name=blog-site-db&ownerId=tea-ID&limit=100",
    "GET /postgres/dpg-ID/connection-info",
    "PATCH /services/srv-ID",
    "GET /services/srv-ID/env-vars?limit=100",
    "POST /services/srv-ID/deploys",
    "GET /services/srv-ID/deploys/dep-ID",
]


@pytest.fixture
def standin(render_standin):
    return render_standin


@pytest.fixture
def world(standin):
    world = standin.world()
    world.connected.add(REPO)
    return world


@pytest.fixture
def project(sample_project, tmp_path):
    root = sample_project("poetry", "nested")
    bare = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(root, "remote", "add", "origin", f"{REPO}.git")
    git(root, "config", f"url.{bare}.pushInsteadOf", f"{REPO}.git")
    return root


def automate(root: Path, standin: StandIn, world, *args: str, env: dict | None = None):
    return deploy(
        root,
        "render",
        "--automate-all",
        "--no-input",
        *args,
        env={"RENDER_API_KEY": world.key, "RENDER_HOST": standin.url, **(env or {})},
    )


def normalized(calls: list[str]) -> list[str]:
    return [re.sub(r"\b(tea|srv|dpg|dep)-[0-9a-f]{20}\b", r"\1-ID", call) for call in calls]


def the_only(world):
    [service] = world.web_services()
    [database] = world.postgres.values()
    return service, database


def test_first_run_creates_and_deploys_then_a_re_run_reuses(project, standin, world, tmp_path):
    first = automate(project, standin, world)
    out = first.stdout + first.stderr
    assert first.returncode == 0, out
    assert normalized(world.calls) == FIRST_RUN, world.calls
    service, database = the_only(world)
    blueprint = render_schema.assert_valid((project / "render.yaml").read_text())
    [web] = blueprint["services"]
    # The service has what render.yaml declares.
    details = service["serviceDetails"]
    assert details["envSpecificDetails"] == {
        "buildCommand": web["buildCommand"],
        "startCommand": web["startCommand"],
    }
    assert details["preDeployCommand"] == web["preDeployCommand"]
    assert (details["plan"], details["region"]) == (web["plan"], web["region"])
    assert details["healthCheckPath"] == web["healthCheckPath"]
    branch = git(project, "branch", "--show-current").strip()
    assert (service["repo"], service["branch"]) == (REPO, branch)
    assert (database["name"], database["plan"]) == ("blog-site-db", "basic_256mb")
    env = world.env[service["id"]]
    password = world.passwords[database["id"]]
    assert env["DATABASE_URL"].startswith("postgresql://") and password in env["DATABASE_URL"]
    assert len(env["SECRET_KEY"]) >= 32 and "PYTHON_VERSION" not in env
    # Render made the key: it never passed through this run.
    create = world.bodies[FIRST_RUN.index("POST /services")]
    assert {"key": "SECRET_KEY", "generateValue": True} in create["envVars"]
    # The configuration commit reached the Git host Render builds from.
    pushed = subprocess.run(
        [
            "git",
            "--git-dir",
            str(tmp_path / "github.git"),
            "show",
            f"refs/heads/{branch}:render.yaml",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert pushed == (project / "render.yaml").read_text()
    assert "https://blog-site.onrender.com" in out

    secret_key = env["SECRET_KEY"]
    before = snapshot(project, logs=False)
    world.calls.clear()
    again = automate(project, standin, world)
    assert again.returncode == 0, again.stdout + again.stderr
    assert normalized(world.calls) == RE_RUN, world.calls
    assert the_only(world)[0]["id"] == service["id"]
    assert the_only(world)[1]["id"] == database["id"]
    assert world.env[service["id"]]["SECRET_KEY"] == secret_key
    assert snapshot(project, logs=False) == before

    # Neither the key nor the database's password reached the terminal or a log.
    shown = all_text(project) + out + again.stdout + again.stderr
    for secret in (world.key, password, secret_key):
        assert secret not in shown


def test_each_process_beside_web_is_a_background_worker_made_once(project, standin, world):
    """A Procfile worker runs on Render as render.yaml declares it: its own background
    worker with the web service's secret key and database and the line's variables,
    named with its cost before it is made, reused (not made again) on a re-run."""
    (project / "Procfile").write_text(
        "worker: REMAP_SIGTERM=SIGQUIT python blog/manage.py qcluster\n", "utf-8"
    )
    git(project, "add", "Procfile")
    git(project, "commit", "-qm", "A worker")
    first = automate(project, standin, world)
    out = first.stdout + first.stderr
    assert first.returncode == 0, out
    [web], [worker] = world.web_services(), world.workers()
    blueprint = render_schema.assert_valid((project / "render.yaml").read_text())
    declared = next(s for s in blueprint["services"] if s["type"] == "worker")
    assert worker["name"] == declared["name"] == "blog-site-worker"
    details = worker["serviceDetails"]
    assert declared["startCommand"] == "python blog/manage.py qcluster"
    assert details["envSpecificDetails"] == {
        "buildCommand": declared["buildCommand"],
        "startCommand": declared["startCommand"],
    }
    assert (details["plan"], details["region"]) == (declared["plan"], declared["region"])
    env, web_env = world.env[worker["id"]], world.env[web["id"]]
    assert env["SECRET_KEY"] == web_env["SECRET_KEY"]
    assert env["DATABASE_URL"] == web_env["DATABASE_URL"]
    assert env["REMAP_SIGTERM"] == "SIGQUIT"
    costs = out.index("Costs: ")
    assert "create or reuse the background worker blog-site-worker (starter" in out[:costs]
    assert f"Created: background worker blog-site-worker ({worker['id']}), starter" in out
    assert web_env["SECRET_KEY"] not in all_text(project) + out

    again = automate(project, standin, world)
    assert again.returncode == 0, again.stdout + again.stderr
    assert [w["id"] for w in world.workers()] == [worker["id"]], "a second worker"
    assert f"Reused: background worker blog-site-worker ({worker['id']})" in again.stdout
    assert world.env[worker["id"]]["SECRET_KEY"] == web_env["SECRET_KEY"]
    assert web_env["SECRET_KEY"] not in again.stdout + again.stderr


def test_a_repository_render_cannot_read_is_the_one_click_left(project, standin, world):
    world.connected.clear()
    first = automate(project, standin, world)
    out = first.stdout + first.stderr
    assert first.returncode != 0
    assert "Git Deployment Credentials" in out and "example/blog-site" in out
    assert "Traceback" not in out
    assert world.web_services() == [] and len(world.postgres) == 1

    world.connected.add(REPO)
    again = automate(project, standin, world)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(world.web_services()) == 1 and len(world.postgres) == 1


def test_without_an_api_key_it_stops_and_changes_nothing(project, standin, world):
    before = snapshot(project, logs=False)
    result = deploy(project, "render", "--automate-all", "--no-input", env={"RENDER_API_KEY": ""})
    assert result.returncode != 0
    assert "RENDER_API_KEY" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(project, logs=False) == before


def test_without_a_git_host_it_stops_and_changes_nothing(project, standin, world):
    git(project, "remote", "remove", "origin")
    before = snapshot(project, logs=False)
    result = automate(project, standin, world)
    assert result.returncode != 0
    assert "GitHub, GitLab or Bitbucket" in result.stderr
    assert snapshot(project, logs=False) == before
    assert world.web_services() == [] and world.postgres == {}


@pytest.mark.parametrize(
    ("method", "path", "answer", "says"),
    [
        ("GET", r"^/owners$", "<html><body>502 Bad Gateway</body></html>", "not JSON"),
        ("GET", r"^/services$", '{"errors": ["another shape"]}', "not in the shape expected"),
    ],
)
def test_a_reply_of_another_shape_is_named_not_a_traceback(
    project, standin, world, method, path, answer, says
):
    world.fail(method, path, status=200, body=answer)
    before = snapshot(project, logs=False)
    result = automate(project, standin, world)
    assert result.returncode != 0
    assert says in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "Render API GET /" in result.stderr or "GET /" in result.stderr
    # Both are asked before anything is written.
    assert snapshot(project, logs=False) == before
    assert world.web_services() == [] and world.postgres == {}
