"""`deploy --platform platform_sh --automate-all` against the fake `platform` CLI."""

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


def automate(root: Path, env: dict, *args: str, **extra) -> subprocess.CompletedProcess:
    return project_files.deploy(
        root, "platform_sh", "--automate-all", "--no-input", *args, env={**env, **extra}
    )


@pytest.fixture
def fake_platform(tmp_path):
    """A folder holding only the fake `platform`, put first on PATH, and its state file."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    (bin_dir / "platform").symlink_to(FAKES / "platform")
    state = tmp_path / "platform-state.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["FAKE_CLI_STATE"] = str(state)
    return env, state


def load(state: Path) -> dict:
    return json.loads(state.read_text()) if state.exists() else {}


def projects(state: Path) -> dict:
    return load(state).get("projects", {})


def calls(state: Path, name: str) -> list[list[str]]:
    return [c["argv"] for c in load(state).get("calls", []) if c["argv"][:1] == [name]]


@pytest.mark.parametrize(("manager", "layout"), [("poetry", "nested"), ("uv", "flat")])
def test_fresh_deploy_creates_one_project_pushes_and_prints_the_url(
    sample_project, fake_platform, manager, layout
):
    env, state = fake_platform
    root = sample_project(manager, layout)
    result = automate(root, env)
    assert result.returncode == 0, result.stderr + result.stdout
    (project,) = projects(state).values()
    assert project["environments"]["main"]["commit"] == git(root, "rev-parse", "HEAD").strip()
    assert f"Your site: https://main-bvxea6i-{project['id']}.eu-3.platformsh.site/" in result.stdout
    assert "deployed this project for Platform.sh" in result.stdout
    assert f"Created: project {project['title']} ({project['id']})" in result.stdout
    assert "billed monthly" in result.stdout
    # The configuration was committed; the CLI's link stays out of git.
    assert git(root, "status", "--porcelain").strip() == ""
    assert ".platform.app.yaml" in git(root, "show", "--name-only", "HEAD")
    assert (root / ".platform/local/project.yaml").read_text().startswith(f"id: {project['id']}")
    create = calls(state, "create")[0]
    assert create[create.index("--region") + 1] == "eu-3.platform.sh"
    assert "--set-remote" in create and "--yes" in create


def test_one_organization_and_no_option_creates_in_it(sample_project, fake_platform):
    # The real CLI refuses `create` without --org when not interactive, even for a user
    # with one organization (so does the fake): the plugin lists them and passes the one.
    env, state = fake_platform
    root = sample_project("requirements_txt", "flat")
    result = automate(root, env)
    assert result.returncode == 0, result.stderr + result.stdout
    (listing,) = calls(state, "organization:list")
    assert listing[listing.index("--format") + 1] == "csv" and "--no-header" in listing
    (create,) = calls(state, "create")
    assert create[create.index("--org") + 1] == "dev-org"
    (project,) = projects(state).values()
    assert project["organization"] == "dev-org"
    # Projects are read unpaged: a project past the first page is still found.
    assert all(argv[argv.index("--count") + 1] == "0" for argv in calls(state, "projects"))


def test_several_organizations_stop_before_writing_and_name_them(sample_project, fake_platform):
    env, state = fake_platform
    state.write_text(
        json.dumps(
            {"organizations": [{"name": "acme", "label": "Acme"}, {"name": "home", "label": "Me"}]}
        )
    )
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root)
    result = automate(root, env)
    assert result.returncode != 0
    assert "several Platform.sh organizations" in result.stderr
    assert "acme (Acme)" in result.stderr and "--platform-sh-org NAME" in result.stderr
    after = snapshot(root)
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} <= {
        k for k in after if k.startswith("simple_deploy_logs/")
    }
    assert projects(state) == {}


def test_rerun_reuses_the_linked_project_and_creates_nothing(sample_project, fake_platform):
    env, state = fake_platform
    root = sample_project("requirements_txt", "flat")
    assert automate(root, env).returncode == 0
    head = git(root, "rev-parse", "HEAD")
    again = automate(root, env)
    assert again.returncode == 0, again.stderr + again.stdout
    assert len(projects(state)) == 1
    assert len(calls(state, "create")) == 1
    assert "Reused: project" in again.stdout and "Created:" not in again.stdout
    assert git(root, "rev-parse", "HEAD") == head  # nothing new to commit


def test_two_repositories_on_one_account_get_two_projects(sample_project, tmp_path, fake_platform):
    env, state = fake_platform
    first = sample_project("requirements_txt", "flat")
    # Same folder name (blog-site), another repository.
    (tmp_path / "other").mkdir()
    second = sample_projects.copy("uv", "flat", tmp_path / "other", django_version="5.2")
    assert automate(first, env).returncode == 0
    assert automate(second, env).returncode == 0
    found = projects(state)
    assert len(found) == 2
    assert len({p["title"] for p in found.values()}) == 2
    links = {(r / ".platform/local/project.yaml").read_text() for r in (first, second)}
    assert len(links) == 2
    # Each re-run still reuses its own project.
    assert automate(first, env).returncode == 0 and automate(second, env).returncode == 0
    assert len(projects(state)) == 2


def test_chosen_title_region_and_org_are_passed_on(sample_project, fake_platform):
    env, state = fake_platform
    state.write_text(json.dumps({"organizations": [{"name": "acme"}, {"name": "home"}]}))
    root = sample_project("requirements_txt", "flat")
    result = automate(
        root,
        env,
        "--deployed-project-name",
        "my-blog",
        "--region",
        "us-2.platform.sh",
        "--platform-sh-org",
        "acme",
    )
    assert result.returncode == 0, result.stderr
    (project,) = projects(state).values()
    assert (project["title"], project["region"], project["organization"]) == (
        "my-blog",
        "us-2.platform.sh",
        "acme",
    )


def test_not_logged_in_is_a_clear_message_and_changes_nothing(sample_project, fake_platform):
    env, state = fake_platform
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root)
    result = automate(root, env, FAKE_CLI_LOGGED_OUT="1")
    assert result.returncode != 0
    assert "not logged in to Platform.sh" in result.stderr and "platform login" in result.stderr
    assert "PLATFORMSH_CLI_TOKEN" in result.stderr and "PLATFORM_CLI_TOKEN " not in result.stderr
    assert "No local file was changed" in result.stderr
    after = snapshot(root)
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} <= {
        k for k in after if k.startswith("simple_deploy_logs/")
    }
    assert projects(state) == {}


def test_cli_missing_is_a_clear_message_and_changes_nothing(sample_project, tmp_path):
    root = sample_project("requirements_txt", "flat")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    python_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PATH"] = os.pathsep.join([python_dir, str(empty), "/usr/bin", "/bin"])
    before = snapshot(root)
    result = automate(root, env)
    assert result.returncode != 0
    assert "Platform.sh CLI (`platform`) is not installed" in result.stderr
    after = snapshot(root)
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} <= {
        k for k in after if k.startswith("simple_deploy_logs/")
    }


def test_secrets_never_reach_files_logs_or_output(sample_project, fake_platform):
    env, state = fake_platform
    root = sample_project("poetry", "flat")
    result = automate(root, env)
    assert result.returncode == 0, result.stderr
    (project,) = projects(state).values()
    entropy = project["entropy"]
    assert entropy not in result.stdout + result.stderr
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert entropy.encode() not in path.read_bytes(), path
    settings = (root / "blog" / "settings.py").read_text()
    assert 'SECRET_KEY = _os.environ["PLATFORM_PROJECT_ENTROPY"]' in settings
    assert "ALLOWED_HOSTS = ['*']" not in settings and '"*"' not in settings


def test_a_remote_of_another_name_links_the_project_without_the_link_file(
    sample_project, fake_platform
):
    # The git-excluded link file is gone (a fresh clone), the remote was renamed, and
    # the project was renamed in the console: only the remote still links them.
    env, state = fake_platform
    root = sample_project("requirements_txt", "flat")
    assert automate(root, env).returncode == 0
    (root / ".platform/local/project.yaml").unlink()
    git(root, "remote", "rename", "platform", "production")
    account = load(state)
    for project in account["projects"].values():
        project["title"] = "Renamed in the console"
    state.write_text(json.dumps(account))
    again = automate(root, env)
    assert again.returncode == 0, again.stderr + again.stdout
    assert len(projects(state)) == 1, "a second project was created"
    assert "Reused: project" in again.stdout and "Created:" not in again.stdout
