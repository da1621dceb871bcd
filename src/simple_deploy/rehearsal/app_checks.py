"""`check --deploy` warnings that an installed app's own checks raise about the project's
code, the same without `--deploy`.

drf-spectacular checks the project's API schema (`drf_spectacular.W001: Encountered 2
components with identical names`), in development as in production: a warning of the
project's code, which `manage.py check` shows the developer already, and nothing the
deployment changes. The rehearsal shows those instead of failing on them. A warning of
Django's own checks (security, staticfiles, models ...), or one plain `check` does not
report in the same environment (a deployment check), still fails the step.
"""

from __future__ import annotations

import re

__all__ = ["DJANGO_TAGS", "development_warnings"]

# The labels of Django's own checks (django/core/checks/, django/contrib/): never
# an installed app's view of the project's code.
DJANGO_TAGS = frozenset(
    {
        "admin", "async", "auth", "caches", "compatibility", "contenttypes", "database",
        "fields", "files", "flatpages", "gis", "mail", "messages", "models", "postgres",
        "redirects", "security", "sessions", "signals", "sites", "sitemaps", "staticfiles",
        "templates", "translation", "urls",
    }
)  # fmt: skip
_LINE = re.compile(r"^\S[^\n]*?: \(((\w+)\.W\d+)\) [^\n]*$", re.MULTILINE)


def development_warnings(deploy_output: str, plain_output: str) -> set[str]:
    """The warning ids of `check --deploy`'s output that come from an installed app's
    own checks (not Django's) and whose every line plain `check`, run in the same
    environment, reports word for word."""
    plain = {match.group(0) for match in _LINE.finditer(plain_output)}
    lines: dict[str, list[str]] = {}
    for match in _LINE.finditer(deploy_output):
        lines.setdefault(match.group(1), []).append(match.group(0))
    return {
        warning
        for warning, found in lines.items()
        if warning.split(".")[0] not in DJANGO_TAGS and all(line in plain for line in found)
    }
