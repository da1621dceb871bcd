"""Find platform plugins through the `simple_deploy.platforms` entry-point group.

The core knows no platform by name: whatever is installed is what we offer.
A plugin that fails to load is reported by name and does not hide the others.
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
import sys
from functools import cache, reduce
from typing import NamedTuple

from .plugin import PlatformPlugin

__all__ = ["GROUP", "PluginError", "available", "load"]

GROUP = "simple_deploy.platforms"
# importlib.metadata's EntryPoint.pattern: "module:attr.attr [extras]".
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_SEPARATORS = re.compile(r"[-_.]+")


class PluginError(Exception):
    """A platform could not be used; the message names it and says why."""


class _Found(NamedTuple):
    name: str
    value: str  # "module:attribute"
    package: str | None  # the distribution's name, for messages


@cache  # the installed distributions won't change mid-run
def _entry_points() -> tuple[_Found, ...]:
    return tuple(sorted(_group_entry_points(), key=lambda f: f.name))


def _group_entry_points() -> list[_Found]:
    """The group's entry points, read from each installed distribution's metadata folder
    (`*.dist-info`, `*.egg-info`) on sys.path: importlib.metadata builds an object for
    every installed distribution (over a hundred in a usual environment) and parses
    their names, which every run paid for the few that name the group. The first
    distribution of a name on sys.path wins, as there; a sys.path entry that is not a
    folder (a zip file) is read through importlib.metadata."""
    seen: set[str] = set()
    found: list[_Found] = []
    for entry in sys.path:
        folder = entry or "."
        if os.path.isdir(folder) and not folder.lower().endswith(".egg"):
            found += _from_folder(folder, seen)
        elif os.path.exists(folder):
            found += _from_importlib(folder, seen)
    return found


def _from_folder(folder: str, seen: set[str]) -> list[_Found]:
    found = []
    try:
        children = os.listdir(folder)
    except OSError:
        return []
    for child in children:
        low = child.lower()
        if not low.endswith((".dist-info", ".egg-info")):
            continue
        key = _SEPARATORS.sub("_", low.rpartition(".")[0].partition("-")[0])
        if key in seen:
            continue
        seen.add(key)
        meta = os.path.join(folder, child)
        try:
            with open(os.path.join(meta, "entry_points.txt"), encoding="utf-8") as handle:
                text = handle.read()
        except OSError:  # none, or an egg-info file rather than a folder
            continue
        if f"[{GROUP}]" in text:
            package = _package_name(meta)
            found += [_Found(name, value, package) for name, value in _group_lines(text)]
    return found


def _from_importlib(path: str, seen: set[str]) -> list[_Found]:
    from importlib.metadata import distributions

    found = []
    for dist in distributions(path=[path]):
        key = _SEPARATORS.sub("_", (dist.metadata["Name"] or "").lower())
        if key in seen:
            continue
        seen.add(key)
        for ep in dist.entry_points:
            if ep.group == GROUP:
                found.append(_Found(ep.name, ep.value, dist.metadata["Name"]))
    return found


def _group_lines(text: str) -> list[tuple[str, str]]:
    """(name, value) of the group's section of an entry_points.txt (an INI file)."""
    pairs = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip() == GROUP
        elif inside and "=" in line:
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


def _package_name(meta: str) -> str | None:
    """The `Name:` a distribution's METADATA (PKG-INFO for an egg-info) declares."""
    for filename in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(meta, filename), encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("Name:"):
                        return line[5:].strip()
                    if not line.strip():  # the headers end at the first blank line
                        break
        except OSError:
            continue
    return None


def available() -> list[str]:
    """Names of the installed platforms, whether or not they load."""
    return [found.name for found in _entry_points()]


def _describe(found: _Found) -> str:
    package = f" from package {found.package}" if found.package else ""
    return f"'{found.name}' ({found.value}{package})"


def _load(found: _Found) -> object:
    """What the entry point names, as importlib.metadata's EntryPoint.load finds it."""
    match = _VALUE.match(found.value)
    if match is None:
        raise ValueError(f"not a module:attribute reference: {found.value!r}")
    module = importlib.import_module(match.group("module"))
    attrs = filter(None, (match.group("attr") or "").split("."))
    return reduce(getattr, attrs, module)


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
    ep = matches[0]
    try:
        plugin = _load(ep)
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
