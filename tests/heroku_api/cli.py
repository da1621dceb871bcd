"""The real Heroku CLI (npm package `heroku`, 11.x), pointed at the stand-in API.

`scripts/test` installs it into `.cache/heroku-cli` (`npm install heroku@11`)
when npm is there; `HEROKU_CLI` may name another `heroku` executable. The
environment keeps the CLI offline and away from the user's files (checked in
the CLI's source: `@heroku-cli/command` lib/vars.js accepts any HEROKU_HOST on
127.0.0.1; the init hooks write a git credential helper into the global git
config and a terms-of-service marker into the cache folder, so HOME is private).
The buildpack registry the buildpacks commands ask is the same stand-in
(HEROKU_BUILDPACK_REGISTRY_URL).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

from .server import World

REPO = Path(__file__).resolve().parents[2]
INSTALLED = REPO / ".cache" / "heroku-cli" / "node_modules" / ".bin" / "heroku"
# Node 22 from npm, beside the CLI, where the system's Node is older (scripts/test):
# with NODE_COMPILE_CACHE each call reuses the compiled modules of the last one.
NODE_22 = tuple(
    REPO / ".cache" / "heroku-cli" / "node_modules" / f"node-linux-{arch}" / "bin" / "node"
    for arch in ("x64", "arm64")
)
COMPILE_CACHE = REPO / ".cache" / "node-compile-cache"
MISSING = (
    "the real Heroku CLI is not installed: `bash scripts/test` installs it with npm into "
    ".cache/heroku-cli (or run `npm install --prefix .cache/heroku-cli heroku@11`)"
)

BROWSER = """#!{python}
import sys
with open({path!r}, "a") as f:
    f.write(sys.argv[1] + "\\n")
"""


def find() -> Path | None:
    """The `heroku` executable the tests run, or None when it is not installed."""
    named = os.environ.get("HEROKU_CLI")
    if named:
        return Path(named) if Path(named).is_file() else None
    if INSTALLED.is_file() and shutil.which("node"):
        return INSTALLED
    return None


def environment(world: World, cli: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Variables for a deploy run whose `heroku` is the real CLI talking to `world`."""
    home = world.root / "home"
    (home / ".cache" / "heroku").mkdir(parents=True, exist_ok=True)
    # Without this marker, the first call of each HOME prints a notice on stderr.
    (home / ".cache" / "heroku" / "terms-of-service").touch()
    bin_dir = world.root / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "heroku").unlink(missing_ok=True)
    (bin_dir / "heroku").symlink_to(cli)
    (bin_dir / "node").unlink(missing_ok=True)
    newer_node = next((node for node in NODE_22 if node.is_file()), None)
    if newer_node is not None:
        # The CLI's `#!/usr/bin/env node` finds this one first.
        (bin_dir / "node").symlink_to(newer_node)
    browser = bin_dir / "browser"
    browser.write_text(BROWSER.format(python=sys.executable, path=str(world.root / "opened")))
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    # Pushes to Heroku's git host land in the world's bare repositories; fetches
    # are left alone, so nothing can reach the real host unnoticed.
    (home / ".gitconfig").write_text(
        f'[url "{world.root / "git"}/"]\n\tpushInsteadOf = https://git.heroku.com/\n'
    )
    env = {
        k: v
        for k, v in (base if base is not None else os.environ).items()
        if not k.startswith(("HEROKU_", "XDG_")) and k not in ("GIT_CONFIG_GLOBAL",)
    }
    env.update(
        HOME=str(home),
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        HEROKU_HOST=world.base_url,
        HEROKU_PARTICLEBOARD_URL=world.base_url,
        # buildpacks:add/set look names up in Heroku's buildpack registry
        # (@heroku/buildpack-registry dist/buildpack-registry-api.js reads this).
        HEROKU_BUILDPACK_REGISTRY_URL=f"{world.base_url}/__registry__/{world.token}",
        HEROKU_GIT_HOST="git.heroku.com",
        HEROKU_API_KEY=world.token,
        HEROKU_SKIP_NEW_VERSION_CHECK="true",
        HEROKU_DISABLE_AUTOUPDATE="true",
        HEROKU_NOTIFICATIONS="0",
        DISABLE_TELEMETRY="true",
        OCLIF_COLUMNS="1000",
        BROWSER=str(browser),
        # Node 22.1+ keeps compiled modules here between calls (older Nodes ignore it).
        NODE_COMPILE_CACHE=str(COMPILE_CACHE),
    )
    return env


def opened(world: World) -> list[str]:
    """The URLs the CLI opened in the (recorded) browser."""
    path = world.root / "opened"
    return path.read_text().split() if path.exists() else []
