"""A Render account for one test: a world of a stand-in API, and a Git host to push to.

The shape tests/fake_platforms.py and the reliability suite use for a platform whose
real client runs against a stand-in (`env`, `state()`, `fail(step)`, `recover()`,
`calls()`, `use_here()`). `env` carries the API key and address, and, as git's
environment configuration (GIT_CONFIG_COUNT), an `origin` remote on github.com whose
pushes land in a local bare repository: any sample project then has the Git host
Render deploys from, without a change to its files.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .server import StandIn, World

REPO = "https://github.com/example/blog-site"

# Each step of --automate-all, in the order a first run and then re-runs meet them, and
# the request that fails it ("push": the Git host refuses the push).
STEPS: dict[str, tuple[str, str] | str] = {
    "owners": ("GET", r"^/owners$"),
    "services list": ("GET", r"^/services$"),
    "postgres list": ("GET", r"^/postgres$"),
    "push": "push",
    "postgres create": ("POST", r"^/postgres$"),
    "connection-info": ("GET", r"^/postgres/[^/]+/connection-info$"),
    "service create": ("POST", r"^/services$"),
    "deploy status": ("GET", r"^/services/[^/]+/deploys/[^/]+$"),
    "service update": ("PATCH", r"^/services/[^/]+$"),
    "env-vars": ("GET", r"^/services/[^/]+/env-vars$"),
    "deploy create": ("POST", r"^/services/[^/]+/deploys$"),
}

_REFUSE = "#!/bin/sh\necho 'remote: the Git host is unavailable' >&2\nexit 1\n"


class RenderAccount:
    def __init__(self, server: StandIn, folder: Path):
        self.world: World = server.world()
        self.world.connected.add(REPO)
        self.bare = folder / "github.git"
        subprocess.run(["git", "init", "-q", "--bare", str(self.bare)], check=True)
        self.hook = self.bare / "hooks" / "pre-receive"
        self.env = {
            "RENDER_API_KEY": self.world.key,
            "RENDER_HOST": server.url,
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "remote.origin.url",
            "GIT_CONFIG_VALUE_0": f"{REPO}.git",
            "GIT_CONFIG_KEY_1": f"url.{self.bare}.pushInsteadOf",
            "GIT_CONFIG_VALUE_1": f"{REPO}.git",
        }

    def state(self) -> dict:
        return {
            "services": self.world.web_services(),
            "postgres": list(self.world.postgres.values()),
            "env": {sid: dict(values) for sid, values in self.world.env.items()},
            "passwords": dict(self.world.passwords),
        }

    def fail(self, step: str) -> dict[str, str]:
        how = STEPS[step]
        if how == "push":
            self.hook.write_text(_REFUSE)
            self.hook.chmod(0o755)
        else:
            self.world.fail(*how)
        return {}

    def recover(self) -> None:
        self.world.clear_failures()
        self.hook.unlink(missing_ok=True)

    def calls(self) -> list[list[str]]:
        """The API calls made so far, each as [method, path?query]."""
        return [call.split(" ", 1) for call in self.world.calls]

    def use_here(self, monkeypatch) -> None:
        """This test process's environment gets the account's variables (in-process runs)."""
        for name in ("RENDER_API_KEY", "RENDER_HOST"):
            monkeypatch.delenv(name, raising=False)
        for name, value in self.env.items():
            monkeypatch.setenv(name, value)


def secrets_of(state: dict) -> list[str]:
    """What the account holds that must never be seen: keys Render generated, the
    databases' passwords."""
    keys = [values.get("SECRET_KEY", "") for values in state["env"].values()]
    return [*keys, *state["passwords"].values()]


__all__ = ["RenderAccount", "STEPS", "REPO", "secrets_of"]
