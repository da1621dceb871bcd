"""Installing the locked dependencies with the project's own manager, as shell text.

Fly.io's Dockerfile and Render's build command both run the package manager's
`install_steps` (package_managers, the same steps the rehearsal runs) as a shell
line, with the manager itself installed apart from the app's environment.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING

from simple_deploy.plugin import Project

if TYPE_CHECKING:
    from simple_deploy.plugin import Command

# The package manager itself, kept out of the app's environment (`poetry sync` and
# `uv sync` would remove it from there). Ranges rather than pins: any release in the
# range reads the lock file format the user's own tool writes today.
TOOLS = {
    # `poetry sync` exists since Poetry 2.0.
    "poetry": "poetry>=2.0,<3",
    "pipenv": "pipenv>=2024.0",
    "uv": "uv>=0.8,<1",
}


def shell_line(
    argv: tuple[str, ...],
    env: Mapping[str, str],
    *,
    venv: str,
    python: str,
    tool_dir: str = "",
) -> str:
    """`VAR=value cmd args` for /bin/sh, with {venv} and {python} filled in; a tool
    (`argv[0]` named in TOOLS) runs from `tool_dir` when one is given."""

    def fill(text: str) -> str:
        return text.replace("{venv}", venv).replace("{python}", python)

    args = [fill(arg) for arg in argv]
    if tool_dir and args and args[0] in TOOLS:
        args[0] = f"{tool_dir}/bin/{args[0]}"
    assigns = [f"{key}={shlex.quote(fill(value))}" for key, value in env.items()]
    return " ".join([*assigns, shlex.join(args)])


def node_commands(project: Project) -> tuple[Command, ...]:
    """The asset build a platform's build runs with npm, in the package.json's folder,
    before collectstatic (none when there is no build, or another manager locks it)."""
    from simple_deploy.plugin import Command

    build = project.asset_build
    if build is None or build.other_manager:
        return ()
    return tuple(Command(argv, cwd=build.folder, env=build.build_env) for argv in build.commands)
