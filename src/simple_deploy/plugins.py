"""Find platform plugins through the `simple_deploy.platforms` entry-point group.

The core knows no platform by name: whatever is installed is what we offer.
A plugin that fails to load is reported by name and does not hide the others.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib.metadata import EntryPoint, distributions
from typing import NamedTuple

from .plugin import PlatformPlugin

__all__ = ["GROUP", "PluginError", "available", "load"]

GROUP = "simple_deploy.platforms"


class PluginError(Exception):
    """A platform could not be used; the message names it and says why."""


class _Found(NamedTuple):
    name: str
    entry_point: EntryPoint


@cache  # scanning every installed distribution's metadata is slow; it won't change mid-run
def _entry_points() -> tuple[_Found, ...]:
    found = (_Found(ep.name, ep) for ep in _group_entry_points())
    return tuple(sorted(found, key=lambda f: f.name))


def _group_entry_points() -> list[EntryPoint]:
    """`entry_points(group=GROUP)`, parsing only the files that name the group: that
    function parses every installed distribution's entry points (over a hundred in a
    usual environment), and every run pays for the scan. The first distribution of a
    name on sys.path wins, as there."""
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for dist in distributions():
        name = getattr(dist, "_normalized_name", None) or dist.metadata["Name"]
        if name in seen:
            continue
        seen.add(name)
        text = dist.read_text("entry_points.txt")
        if text and f"[{GROUP}]" in text:
            found.extend(ep for ep in dist.entry_points if ep.group == GROUP)
    return found


def available() -> list[str]:
    """Names of the installed platforms, whether or not they load."""
    return [found.name for found in _entry_points()]


def _describe(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    package = f" from package {dist.name}" if dist is not None else ""
    return f"'{ep.name}' ({ep.value}{package})"


def load(name: str) -> PlatformPlugin:
    """The plugin registered as `name`; PluginError if absent or broken."""
    matches = [f for f in _entry_points() if f.name == name]
    if not matches:
        installed = available()
        names = ", ".join(installed) or "none installed"
        # "fly", "flyio" or "platformsh" are what people type for fly_io and platform_sh.
        typed = name.lower().replace(".", "_").replace("-", "_")
        nearest = difflib.get_close_matches(typed, installed, n=1, cutoff=0.6)
        hint = f"Did you mean --platform {nearest[0]}? " if nearest else ""
        raise PluginError(
            f"Unknown platform '{name}'. {hint}Installed platforms: {names}. "
            "Choose one with --platform NAME, or install the plugin package for yours."
        )
    ep = matches[0].entry_point
    try:
        plugin = ep.load()
    except Exception as exc:  # a broken third-party package must not crash the core
        raise PluginError(
            f"The platform plugin {_describe(ep)} failed to load: {exc!r}. "
            "Reinstall or upgrade that package, or report it to its authors."
        ) from exc
    missing = [
        attr for attr in ("name", "label", "plan", "runtime", "guide") if not hasattr(plugin, attr)
    ]
    if missing:
        raise PluginError(
            f"The platform plugin {_describe(ep)} is incomplete (missing: {', '.join(missing)})."
        )
    return plugin
