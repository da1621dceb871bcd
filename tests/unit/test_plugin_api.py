"""The public plugin API (`simple_deploy.plugin`) changes only with the version and the
changelog saying so.

The names and signatures that `simple_deploy.plugin` exports are compared with
the snapshot in plugin_api.json. After an intended change, bump the version
(`simple_deploy.__version__`, and `API_VERSION` for an incompatible change),
describe it in CHANGELOG.md, then refresh the snapshot:

    python tests/unit/test_plugin_api.py --update

While a version's CHANGELOG heading says "(unreleased)" its API may still change
without a new version number; once released, it may not.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import sys
from pathlib import Path

import simple_deploy
import simple_deploy.plugin as api

SNAPSHOT = Path(__file__).with_name("plugin_api.json")
CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"


def members(cls) -> str:
    """Public methods and properties a plugin may call, with their signatures."""
    out = []
    for name, value in sorted(vars(cls).items()):
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            out.append(f"{name}: property")
        elif inspect.isfunction(value):
            out.append(f"{name}{inspect.signature(value)}")
    return "; ".join(out)


def describe(obj) -> str:
    if dataclasses.is_dataclass(obj):
        fields = ", ".join(f"{f.name}: {f.type}" for f in dataclasses.fields(obj))
        return f"dataclass({fields}) [{members(obj)}]"
    if inspect.isclass(obj):
        bases = ", ".join(c.__name__ for c in obj.__mro__[1:])
        return f"class({bases}) [{members(obj)}]"
    if inspect.isfunction(obj):
        return f"function{inspect.signature(obj)}"
    return repr(obj)


def surface() -> dict[str, str]:
    return {name: describe(getattr(api, name)) for name in sorted(api.__all__)}


def changelog_heading(version: str) -> str | None:
    match = re.search(rf"^## {re.escape(version)}\b.*$", CHANGELOG.read_text("utf-8"), re.M)
    return match.group(0) if match else None


def test_public_surface_matches_the_snapshot():
    recorded = json.loads(SNAPSHOT.read_text("utf-8"))
    now = surface()
    changed = sorted(
        k
        for k in now.keys() | recorded["surface"].keys()
        if now.get(k) != recorded["surface"].get(k)
    )
    assert not changed, (
        f"The public plugin API changed: {', '.join(changed)}. If that is intended, bump the "
        "version, describe the change in CHANGELOG.md, and run "
        "`python tests/unit/test_plugin_api.py --update`."
    )


def test_snapshot_describes_this_version_and_the_changelog_has_it():
    recorded = json.loads(SNAPSHOT.read_text("utf-8"))
    assert recorded["version"] == simple_deploy.__version__
    assert recorded["api_version"] == api.API_VERSION
    assert changelog_heading(simple_deploy.__version__), "CHANGELOG.md has no entry for it"


def test_everything_exported_exists_and_is_documented():
    for name in api.__all__:
        obj = getattr(api, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def update() -> int:
    old = json.loads(SNAPSHOT.read_text("utf-8")) if SNAPSHOT.exists() else None
    version = simple_deploy.__version__
    heading = changelog_heading(version)
    if heading is None:
        print(f"CHANGELOG.md has no '## {version}' entry: describe the change first.")
        return 1
    if old and old["surface"] != surface() and old["version"] == version:
        if "unreleased" not in heading.lower():
            print(f"{version} is released: bump the version before changing its API.")
            return 1
    SNAPSHOT.write_text(
        json.dumps(
            {"version": version, "api_version": api.API_VERSION, "surface": surface()},
            indent=2,
        )
        + "\n",
        "utf-8",
    )
    print(f"Snapshot of the plugin API written for {version}.")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        sys.exit(update())
    print(__doc__)
