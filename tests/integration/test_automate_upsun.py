"""`deploy --platform upsun --automate-all` against the fake `upsun` CLI (tests/fakes/upsun),
which refuses `create` without --org, pages `projects` unless --count 0, and answers
"Authentication is required." with exit 3, as the real CLI does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import project_files
import pytest
import sample_projects
from project_files import git, snapshot

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="the fake platform CLIs are POSIX scripts"),
    pytest.mark.needs_programs,
]

FAKES = Path(__file__).resolve().parents[1] / "fakes"


def automate(root: Path, env: dict, *args: str, **extra):
    return project_files.deploy(
        root, "upsun", "--automate-all", "--no-input", *args, env={**env, **extra}
    )


@pytest.fixture
def fake_upsun(tmp_path):
    """A folder holding only the fake `upsun`, first on PATH, and its state file."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    (bin_dir / "upsun").symlink_to(FAKES / "upsun")
    state = tmp_path / "upsun-state.json"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["FAKE_CLI_STATE"] = str(state)
    return env, state


def load(state: Path) -> dict:
    return json.loads(state.read_text()) if state.exists() else {}


def seed(state: Path, **values) -> None:
    state.write_text(json.dumps({**load(state), **values}))


def projects(state: Path) -> dict:
    return load(state).get("projects", {})


def calls(state: Path, name: str) -> list[list[str]]:
    return [c["argv"] for c in load(state).get("calls", []) if c["argv"][:1] == [name]]


def unchanged_but_logs(before: dict, after: dict) -> bool:
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return all(k.startswith("simple_deploy_logs/") for k in changed)


def test_first_run_with_one_organization_creates_in_it_pushes_and_prints_the_url(
    sample_project, fake_upsun
):
    env, state = fake_upsun
    root = sample_project("uv", "nested")
    result = automate(root, env)
    assert result.returncode == 0, result.stderr + result.stdout
    (project,) = projects(state).values()
    assert project["organization"] == "dev-org" and project["region"] == "eu-5.platform.sh"
    (create,) = calls(state, "create")
    assert create[create.index("--org") + 1] == "dev-org"
    assert calls(state, "organization:list")
    assert project["environments"]["main"]["commit"] == git(root, "rev-parse", "HEAD").strip()
    assert f"Your site: https://main-bvxea6i-{project['id']}.eu-5.platformsh.site/" in result.stdout
    assert "deployed this project for Upsun" in result.stdout
    assert "https://upsun.com/pricing" in result.stdout
    # The configuration was committed; the CLI's link (.upsun/local) stays out of git.
    assert git(root, "status", "--porcelain").strip() == ""
    assert ".upsun/config.yaml" in git(root, "show", "--name-only", "HEAD")
    assert (root / ".upsun/local/project.yaml").read_text().startswith(f"id: {project['id']}")
    assert git(root, "remote", "get-url", "upsun").startswith(project["id"])
    assert not (root / ".platform").exists() and not (root / ".platform.app.yaml").exists()


def test_rerun_reuses_the_linked_project_and_creates_nothing(sample_project, fake_upsun):
    env, state = fake_upsun
    root = sample_project("requirements_txt", "flat")
    assert automate(root, env).returncode == 0
    head = git(root, "rev-parse", "HEAD")
    again = automate(root, env)
    assert again.returncode == 0, again.stderr + again.stdout
    assert len(projects(state)) == 1 and len(calls(state, "create")) == 1
    assert "Reused: project" in again.stdout and "Created:" not in again.stdout
    assert git(root, "rev-parse", "HEAD") == head
    # A re-run that reuses a project never needs the organizations.
    assert len(calls(state, "organization:list")) == 1


def test_two_repositories_on_one_account_get_two_projects(sample_project, tmp_path, fake_upsun):
    env, state = fake_upsun
    first = sample_project("requirements_txt", "flat")
    (tmp_path / "other").mkdir()
    second = sample_projects.copy("poetry", "flat", tmp_path / "other", django_version="5.2")
    assert automate(first, env).returncode == 0
    assert automate(second, env).returncode == 0
    assert len(projects(state)) == 2
    assert len({p["title"] for p in projects(state).values()}) == 2
    assert automate(first, env).returncode == 0 and automate(second, env).returncode == 0
    assert len(projects(state)) == 2


def test_several_organizations_stop_before_writing_and_name_them(sample_project, fake_upsun):
    env, state = fake_upsun
    seed(state, organizations=[{"name": "acme", "label": "Acme"}, {"name": "home", "label": "Me"}])
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root)
    result = automate(root, env)
    assert result.returncode != 0
    assert "several Upsun organizations" in result.stderr
    assert "acme (Acme)" in result.stderr and "home (Me)" in result.stderr
    assert "--upsun-org NAME" in result.stderr
    assert unchanged_but_logs(before, snapshot(root))
    assert projects(state) == {} and calls(state, "create") == []
    chosen = automate(root, env, "--upsun-org", "home")
    assert chosen.returncode == 0, chosen.stderr + chosen.stdout
    (project,) = projects(state).values()
    assert project["organization"] == "home"


def test_no_organization_says_how_to_make_one(sample_project, fake_upsun):
    env, state = fake_upsun
    seed(state, organizations=[])
    root = sample_project("requirements_txt", "flat")
    result = automate(root, env)
    assert result.returncode != 0
    assert "belongs to no organization" in result.stderr
    assert "upsun organization:create" in result.stderr
    assert projects(state) == {}


def test_manual_resources_strategy_sizes_the_containers_after_the_push(sample_project, fake_upsun):
    env, state = fake_upsun
    seed(state, resources_init="manual")
    root = sample_project("requirements_txt", "flat")
    result = automate(root, env)
    assert result.returncode == 0, result.stderr + result.stdout
    (resources,) = calls(state, "resources:set")
    assert resources[resources.index("--size") + 1] == "*:default"
    assert resources[resources.index("--disk") + 1] == "db:default"
    (project,) = projects(state).values()
    assert project["environments"]["main"]["status"] == "active"
    assert "Your site: https://" in result.stdout


def test_not_logged_in_names_upsun_login_and_its_token(sample_project, fake_upsun):
    env, state = fake_upsun
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root)
    result = automate(root, env, FAKE_CLI_LOGGED_OUT="1")
    assert result.returncode != 0
    assert "not logged in to Upsun" in result.stderr and "upsun login" in result.stderr
    assert "UPSUN_CLI_TOKEN" in result.stderr
    assert "Authentication is required." in result.stderr
    assert unchanged_but_logs(before, snapshot(root))


def test_project_past_the_first_page_is_found_not_duplicated(sample_project, fake_upsun):
    env, state = fake_upsun
    root = sample_project("requirements_txt", "flat")
    assert automate(root, env).returncode == 0
    (project,) = projects(state).values()
    # 25 projects whose titles contain ours and sort before it (--title is a substring
    # match), and the link lost: only an unpaged list reaches ours.
    others = {
        f"a{i:02d}": {**project, "id": f"a{i:02d}", "title": f"0{i:02d}-{project['title']}"}
        for i in range(25)
    }
    seed(state, projects={**projects(state), **others})
    (root / ".upsun/local/project.yaml").unlink()
    git(root, "remote", "remove", "upsun")
    again = automate(root, env)
    assert again.returncode == 0, again.stderr + again.stdout
    assert len(projects(state)) == 26 and len(calls(state, "create")) == 1
    assert all(
        "--count" in argv and argv[argv.index("--count") + 1] == "0"
        for argv in calls(state, "projects")
    )
