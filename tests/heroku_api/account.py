"""A Heroku account for one test: a world of the session's stand-in API, and the real CLI.

`env` is what a deploy run needs (the CLI first on PATH, talking to the
stand-in); `state()` gives the account in the shape tests/fake_platforms.py
reads; `fail(step)` arms a failure of one step of `--automate-all` (until `recover()`); `calls()`
lists the CLI invocations made so far (a wrapper records each argv).
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from .cli import environment, opened
from .server import StandIn, World

# Each step of a first --automate-all run, and the request (or build) that fails it.
STEPS: dict[str, tuple[str, str] | str] = {
    "auth:whoami": ("GET", r"^/account$"),
    "apps:create": ("POST", r"^/apps$"),
    "addons:create": ("POST", r"^/apps/[^/]+/addons$"),
    "config:set": ("PATCH", r"^/apps/[^/]+/config-vars$"),
    "push": "build",
    "release": "release",
    "releases": ("GET", r"^/apps/[^/]+/releases"),
    "open": ("GET", r"^/apps/[^/?]+$"),
}

WRAPPER = """#!/bin/sh
# Records each call (its arguments, each ended by a record separator), then runs the real CLI.
{{ printf '%s\\036' "$@"; printf '\\n'; }} >> {calls}
exec {cli} "$@"
"""


class HerokuAccount:
    def __init__(self, server: StandIn, cli: Path, base_env: dict[str, str] | None = None):
        self.world: World = server.world()
        self.cli = cli
        self.env = environment(self.world, cli, base_env)
        self._calls = self.world.root / "calls"
        wrapper = self.world.root / "bin" / "heroku"
        wrapper.unlink()
        wrapper.write_text(
            WRAPPER.format(calls=shlex.quote(str(self._calls)), cli=shlex.quote(str(cli)))
        )
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)

    def calls(self) -> list[list[str]]:
        """Every `heroku` argv run so far, in order."""
        if not self._calls.exists():
            return []
        lines = self._calls.read_text().split("\n")[:-1]  # not splitlines: \x1e ends a line there
        return [line.split("\x1e")[:-1] for line in lines]

    def fail(self, step: str) -> dict[str, str]:
        how = STEPS[step]
        if how == "build":
            self.world.fail_build()
        elif how == "release":
            self.world.fail_release()
        else:
            self.world.fail(*how, until_cleared=True)
        return {}

    def use_here(self, monkeypatch) -> None:
        """This test process's environment becomes the account's, for in-process runs
        (the CLI's own variables from elsewhere would point it at another account)."""
        for name in [n for n in os.environ if n not in self.env]:
            monkeypatch.delenv(name)
        for name, value in self.env.items():
            monkeypatch.setenv(name, value)

    def recover(self) -> None:
        """The outage `fail` began is over."""
        self.world.clear_failures()

    def logged_out(self) -> dict[str, str]:
        """The environment of a machine where nobody ran `heroku login`."""
        return {k: v for k, v in self.env.items() if k != "HEROKU_API_KEY"}

    def apps(self) -> dict:
        return self.state()["apps"]

    def state(self) -> dict:
        with self.world.lock:
            return {
                "apps": {
                    app.name: {
                        "name": app.name,
                        "region": app.region,
                        "web_url": app.web_url,
                        "addons": [dict(a) for a in app.addons],
                        "config": dict(app.config),
                        "releases": [dict(r) for r in app.releases],
                        # Names in order, as `heroku buildpacks` lists them.
                        "buildpacks": [b["name"] for b in app.buildpacks],
                    }
                    for app in self.world.mine()
                },
                "opened": opened(self.world),
            }


def path_without_heroku() -> str:
    return os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "heroku").exists()
    )
