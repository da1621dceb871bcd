"""Which CLI stands in for each platform, and how to read its account.

One entry per platform with `--automate-all`; the fault-injection and security
tests run every step of every entry. A platform installed without an entry
fails those tests with a message saying to add one here. The fake CLIs live in
tests/fakes/ and share tests/fakes/fakecli.py (FAKE_CLI_FAIL names the failing
command). Heroku has no fake: its entry runs the real Heroku CLI against the
stand-in API of tests/heroku_api (`real_cli`), and its steps fail there. Render has
no CLI in the run: its entry is the plugin's own API client against tests/render_api.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from heroku_api.account import STEPS as HEROKU_STEPS
from project_files import git
from render_api.account import STEPS as RENDER_STEPS
from render_api.account import secrets_of as render_secrets


@dataclass(frozen=True)
class FakePlatform:
    """- `cli`: the CLI's name: the fake's file name in tests/fakes, unless `real_cli`.
    - `steps`: every command name FAKE_CLI_FAIL can fail, in the order runs meet them.
    - `apps`, `databases`: how many the fake account holds.
    - `secrets`: the secret values the account holds (never in files, logs or output):
      secret keys, database passwords.
    - `before_resume(step, root)`: what the user does before re-running after `step`
      failed, when the failure message asks for something (default: nothing).
    - `real_cli`: the name of a fixture giving an account of the real CLI (an object
      with `env`, `state()`, `fail(step)` -> extra env, and `recover()`); None for a
      fake CLI.
    """

    cli: str
    steps: tuple[str, ...]
    apps: Callable[[dict], int]
    databases: Callable[[dict], int]
    secrets: Callable[[dict], list[str]]
    before_resume: Callable[[str, Path], None] = lambda step, root: None
    real_cli: str | None = None


def _heroku_apps(state: dict) -> list[dict]:
    return list(state.get("apps", {}).values())


def _heroku_before_resume(step: str, root: Path) -> None:
    # Heroku builds only new commits; the failure message says to make one.
    if step == "release":
        git(root, "commit", "-q", "--allow-empty", "-m", "Redeploy")


# Platform.sh and Upsun: one CLI code base, one fake (tests/fakes/platform).
_PLATFORM_STEPS = (
    "auth:info",
    "projects",
    "organization:list",
    "create",
    "create-link",
    "push",
    "url",
)


def _projects(state: dict) -> int:
    return len(state.get("projects", {}))


def _deployed_projects(state: dict) -> int:
    # The database is a service of the project, made by its first deployment.
    return sum(1 for project in state.get("projects", {}).values() if project.get("environments"))


def _entropies(state: dict) -> list[str]:
    return [p["entropy"] for p in state.get("projects", {}).values()]


def _railway_services(state: dict, kind: str) -> list[dict]:
    return [
        service
        for project in state.get("projects", {}).values()
        for service in project["services"].values()
        if service["kind"] == kind
    ]


FAKES: dict[str, FakePlatform] = {
    "heroku": FakePlatform(
        cli="heroku",
        steps=tuple(HEROKU_STEPS),
        apps=lambda state: len(_heroku_apps(state)),
        databases=lambda state: sum(len(app["addons"]) for app in _heroku_apps(state)),
        secrets=lambda state: [
            secret
            for app in _heroku_apps(state)
            for secret in (
                app["config"].get("SECRET_KEY"),
                urlsplit(app["config"].get("DATABASE_URL", "")).password,
            )
        ],
        before_resume=_heroku_before_resume,
        real_cli="heroku_account",
    ),
    "fly_io": FakePlatform(
        cli="fly",
        steps=(
            "apps list",
            "apps create",
            "secrets list",
            "mpg list",
            "mpg create",
            "mpg attach",
            "secrets import",
            "deploy",
        ),
        apps=lambda state: len(state.get("apps", {})),
        databases=lambda state: len(state.get("clusters", [])),
        secrets=lambda state: [
            secret
            for values in state.get("secrets", {}).values()
            for secret in (
                values.get("SECRET_KEY"),
                urlsplit(values.get("DATABASE_URL", "")).password,
            )
        ],
    ),
    "platform_sh": FakePlatform(
        cli="platform",
        steps=_PLATFORM_STEPS,
        apps=_projects,
        databases=_deployed_projects,
        secrets=_entropies,
    ),
    "railway": FakePlatform(
        cli="railway",
        steps=(
            "whoami",
            "status",
            "list",
            "init",
            "config apply",
            "variable list",
            "variable set",
            "domain",
            "up",
        ),
        apps=_projects,
        databases=lambda state: len(_railway_services(state, "postgres")),
        secrets=lambda state: [
            *(s["variables"].get("SECRET_KEY") for s in _railway_services(state, "service")),
            *(
                urlsplit(s["variables"]["DATABASE_URL"]).password
                for s in _railway_services(state, "postgres")
            ),
        ],
    ),
    # The same fake under the name `upsun` (tests/fakes/upsun).
    "upsun": FakePlatform(
        cli="upsun",
        steps=_PLATFORM_STEPS,
        apps=_projects,
        databases=_deployed_projects,
        secrets=_entropies,
    ),
    # No CLI: the plugin's own client of Render's REST API, against tests/render_api.
    "render": FakePlatform(
        cli="render",
        steps=tuple(RENDER_STEPS),
        apps=lambda state: len(state["services"]) if state else 0,
        databases=lambda state: len(state["postgres"]) if state else 0,
        secrets=render_secrets,
        real_cli="render_account",
    ),
}
