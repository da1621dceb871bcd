"""Template tag libraries that fail to import under the Django the project runs.

A project on Django below 4.2 is asked to upgrade before this tool configures it.
Its other packages stay as pinned, and an old app may import what the newer Django
removed (django-markdown-deux 1.0.5: `force_unicode`, gone from
django.utils.encoding). `manage.py deploy` never imports template libraries, so the
run configured djangogirls cleanly; Django 4.1+ imports every library in its system
checks, and the platform's release step (migrate) stopped. Importing them here, as
those checks do, shows it before anything is written.
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from importlib import import_module

__all__ = ["Broken", "broken_libraries", "message"]


@dataclass(frozen=True)
class Broken:
    """`module` failed to import with `error`; `distribution` installed it (None: the project's)."""

    module: str
    error: str
    distribution: str | None
    version: str | None


def _failures() -> list[tuple[str, str]]:
    """(module, error) of each app's template library that raises ImportError on import,
    walking the `templatetags` packages as Django's template engine does."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        try:
            package = import_module(f"{config.name}.templatetags")
        except Exception:  # noqa: BLE001 - Django skips a package it cannot import too
            continue
        if not hasattr(package, "__path__"):
            continue
        for entry in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            try:
                import_module(entry.name)
            except ImportError as error:
                found.append((entry.name, str(error)))
            except Exception:  # noqa: BLE001 - not an import Django's checks wrap; not ours to judge
                continue
    return found


def broken_libraries() -> list[Broken]:
    """The template libraries Django's checks would fail to import, with who installed them."""
    failures = _failures()
    if not failures:
        return []
    from importlib import metadata

    # Built only on a failure: it reads every installed distribution's file list.
    owners = metadata.packages_distributions()
    broken = []
    for module, error in failures:
        names = owners.get(module.partition(".")[0], [])
        name = names[0] if names else None
        version = metadata.version(name) if name else None
        broken.append(Broken(module, error, name, version))
    return broken


def message(broken: list[Broken], django_version: str, target: str) -> str:
    """One stop naming each library, and the upgrade that fixes the installed ones."""
    lines = "\n".join(
        f"    {b.module}"
        + (f" (from {b.distribution} {b.version})" if b.distribution else " (your own)")
        + f": {b.error}"
        for b in broken
    )
    installed = sorted({b.distribution for b in broken if b.distribution})
    names = " ".join(f'"{name}"' for name in installed)
    fix = (
        "Upgrade them to releases made for your Django "
        f"(`pip install --upgrade {names} "
        f'"Django=={django_version}"`), update their pins in {target}, run the project '
        "locally, commit, and run again."
        if installed
        else "Fix those imports for your Django, run the project locally, commit, and run again."
    )
    return (
        f"These template libraries do not import on Django {django_version}, which your "
        f"project runs:\n{lines}\nDjango's system checks import every template library, so "
        "the platform would stop at its first `migrate`. Nothing was changed. " + fix
    )
