"""A root package.json that has Heroku build an asset build kept in another folder.

Heroku's Node.js buildpack (heroku/heroku-buildpack-nodejs, bin/compile) reads only
the package.json at the repository root: it runs that file's `heroku-prebuild`
script, installs its dependencies, then runs its `heroku-postbuild` (else `build`)
script. A root package.json with no dependencies of its own whose two scripts install
and build the project's folder (`npm ci --prefix client`, `npm run build --prefix
client`) makes the same build the project's own Dockerfile or README makes; the
Python buildpack's collectstatic then finds the output where the settings read it.

Each script is one npm command (no `cd x &&`), so it means the same to every shell.
The buildpack exports NODE_ENV=production, under which npm leaves out
devDependencies, where the build tools usually are: the install includes them, as
the buildpack's own install does before it prunes.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from simple_deploy import __version__

if TYPE_CHECKING:
    from simple_deploy.assets import AssetBuild

__all__ = ["PREBUILD", "POSTBUILD", "root_package_text", "root_scripts"]

PREBUILD = "heroku-prebuild"
POSTBUILD = "heroku-postbuild"

# A folder npm's --prefix takes as one word in any shell the buildpack runs it with.
_PLAIN_FOLDER = re.compile(r"[\w.][\w./-]*")


def root_scripts(build: AssetBuild) -> dict[str, str] | None:
    """The root scripts that install and build `build` in its folder; None when the
    build is at the root already, or the root scripts cannot make it alone (another
    manager than npm, build variables a Dockerfile sets, output copied elsewhere)."""
    if build.folder == "." or build.manager != "npm" or build.other_manager:
        return None
    if not build.script or build.task_argv or build.env:
        return None
    if build.target and build.output != build.target:
        return None
    if not _PLAIN_FOLDER.fullmatch(build.folder):
        return None
    install = " ".join(build.manager_commands[0][1:])
    return {
        PREBUILD: f"npm {install} --prefix {build.folder} --include=dev",
        POSTBUILD: f"npm run {build.script_name} --prefix {build.folder}",
    }


def root_package_text(build: AssetBuild, scripts: dict[str, str]) -> str:
    """The root package.json: the Node.js version the folder's build names, and the
    scripts; its description says who wrote it (a re-run recognises its own file)."""
    package = {
        "private": True,
        "description": f"Written by django-simple-deploy {__version__}: Heroku's Node.js "
        f"buildpack reads only this file; its scripts build {build.folder}/.",
        "engines": {"node": f"{build.node_major}.x"},
        "scripts": scripts,
    }
    return json.dumps(package, indent=2) + "\n"
