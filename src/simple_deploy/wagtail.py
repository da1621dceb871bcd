"""Wagtail: what a Wagtail project needs from every platform's settings block.

Inspection reads once whether the project uses Wagtail (`find_wagtail`); each platform's
block then writes plain lines (`wagtail_settings`) where the app's host is known:
- `WAGTAILADMIN_BASE_URL`: Wagtail's admin links outside the admin (notification
  emails, the user bar) need the site's origin; without it `check --deploy` warns
  `wagtailadmin.W003`. Set only where the project does not set it itself.
- `django.contrib.postgres`: on PostgreSQL, wagtailsearch's index model uses
  `SearchVectorField` and `GinIndex`, which on Django 6.0+ fail the system checks
  (`postgres.E005`) unless that app is installed, so `migrate` stops. Every platform
  block runs PostgreSQL, so it is added wherever wagtailsearch is installed without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import markers

_WAGTAIL_APP = re.compile(r"""["']wagtail(?:\.[\w.]+)?["']""")
_SEARCH_APP = re.compile(r"""["']wagtail\.search(?:\.apps\.\w+)?["']""")
_POSTGRES_APP = re.compile(r"""["']django\.contrib\.postgres(?:\.apps\.\w+)?["']""")
_BASE_URL = re.compile(r"^\s*WAGTAILADMIN_BASE_URL\s*(?::[^=]+)?=", re.MULTILINE)


@dataclass(frozen=True)
class Wagtail:
    """What a Wagtail project's settings already do: whether they set the admin's base
    URL, and whether wagtailsearch needs `django.contrib.postgres` added."""

    base_url_set: bool
    needs_postgres_app: bool


def _outside_blocks(text: str) -> str:
    """`text` without the blocks this tool wrote (a re-run reads the user's own lines)."""
    for name in markers.platforms_in(text):
        body = markers.block_of(text, name)
        if body:
            text = text.replace(body, "")
    return text


def find_wagtail(settings_texts: list[str], present: frozenset[str]) -> Wagtail | None:
    """The Wagtail facts of a project whose settings (the module and what it
    star-imports) name a Wagtail app, or which depends on `wagtail`; else None."""
    joined = "\n".join(_outside_blocks(text) for text in settings_texts)
    if "wagtail" not in present and not _WAGTAIL_APP.search(joined):
        return None
    return Wagtail(
        base_url_set=bool(_BASE_URL.search(joined)),
        needs_postgres_app=bool(_SEARCH_APP.search(joined)) and not _POSTGRES_APP.search(joined),
    )


def wagtail_settings(wagtail: Wagtail | None, origin: str, indent: str = "    ") -> str:
    """The block's Wagtail lines (empty for a project without Wagtail). `origin` is the
    platform's Python expression for `https://<the app's host>`."""
    if wagtail is None:
        return ""
    lines = []
    if not wagtail.base_url_set:
        lines += [
            "# Wagtail's links outside its admin (emails, the user bar) use this origin.",
            f"WAGTAILADMIN_BASE_URL = {origin}",
        ]
    if wagtail.needs_postgres_app:
        lines += [
            "# wagtailsearch's PostgreSQL index uses django.contrib.postgres's fields.",
            'INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.postgres"]',
        ]
    if not lines:
        return ""
    return "\n\n" + "\n".join(indent + line for line in lines)
