"""The summary's line on a project's asset build, worded the same on every platform."""

from __future__ import annotations

from simple_deploy.assets import AssetBuild

__all__ = ["asset_note"]


def asset_note(build: AssetBuild, step: str, node_from: str, other_manager_fix: str) -> str:
    """What `step` (the platform's build: "The build hook") does with `build`: runs its
    npm steps before collectstatic, Node.js coming from `node_from`; or, when another
    manager no build runs (Bun) locks it, what the user adds (`other_manager_fix`)."""
    if build.other_manager:
        return (
            f"Asset build found: {build.label}, locked by {build.other_manager}. {step} runs "
            f"npm, pnpm or Yarn only: {other_manager_fix}"
        )
    return (
        f"Asset build found: {build.label}. {step} runs {build.steps} before collectstatic "
        f"({node_from})."
    )
