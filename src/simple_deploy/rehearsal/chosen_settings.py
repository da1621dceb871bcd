"""`check --deploy` warnings about a value the project chose on purpose.

Some deployment warnings are about a setting a project sets deliberately: a CMS
whose toolbar frames the site sets `X_FRAME_OPTIONS = "SAMEORIGIN"`, and Django
then warns (security.W019). The settings block leaves such a choice alone, so
the rehearsal must not fail on it either; it names the setting and the line that
set it instead. A warning about a setting the project's files never assign, or
any other warning, still fails the step.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import markers

__all__ = [
    "SETTING_OF_WARNING",
    "ABOUT_SOMETHING_ELSE",
    "Choice",
    "warning_ids",
    "chosen",
    "not_about_deployment",
]

# Django's deployment checks (django/core/checks/security/base.py, csrf.py,
# sessions.py) whose warning is about one setting's value. Not here, on purpose:
# security.W009 (a weak SECRET_KEY), W018 (DEBUG) and W020 (ALLOWED_HOSTS): no
# project chooses those for production, and the settings block sets them.
SETTING_OF_WARNING = {
    "security.W004": "SECURE_HSTS_SECONDS",
    "security.W005": "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "security.W006": "SECURE_CONTENT_TYPE_NOSNIFF",
    "security.W008": "SECURE_SSL_REDIRECT",
    "security.W012": "SESSION_COOKIE_SECURE",
    "security.W016": "CSRF_COOKIE_SECURE",
    "security.W019": "X_FRAME_OPTIONS",
    "security.W021": "SECURE_HSTS_PRELOAD",
    "security.W022": "SECURE_REFERRER_POLICY",
}

# Warnings a library files among the deployment checks that judge something else.
# drf-spectacular generates the project's OpenAPI schema under `check --deploy` (its
# ENABLE_DJANGO_DEPLOY_CHECK, on by default) and reports each view it cannot describe:
# W001 for what its generator calls errors, W002 for its warnings. The site serves the
# same with or without them, locally as on the platform: listed, not failed on.
ABOUT_SOMETHING_ELSE = {
    "drf_spectacular.W001": "drf-spectacular could not describe part of your API schema",
    "drf_spectacular.W002": "drf-spectacular could not describe part of your API schema",
}

# A check's line: "?: (security.W019) You have ..." or "app.Model: (models.W042) ...".
_WARNING = re.compile(r"^\S[^\n]*?: \((\w+\.W\d+)\)", re.MULTILINE)
# Folders that hold no file of the project's own.
_SKIP_DIRS = {"node_modules", "venv", ".venv", "env", "site-packages", "__pycache__", ".git"}


@dataclass(frozen=True)
class Choice:
    """A warning explained by an assignment in the project's own file."""

    warning: str
    setting: str
    file: str  # relative to the project's root, POSIX
    line: int
    text: str

    def note(self) -> str:
        return (
            f"{self.warning}: {self.setting} is set by your project at "
            f"{self.file}:{self.line} (`{self.text}`), kept as your choice"
        )


def warning_ids(output: str) -> list[str]:
    """The ids of the warnings `check` printed, in order."""
    section = output.split("WARNINGS:", 1)[1] if "WARNINGS:" in output else ""
    return _WARNING.findall(section)


def _is_settings(rel: Path) -> bool:
    """A settings file (`settings.py`, `settings/production.py`, `config/django/base.py`),
    not a test module or an app's code that happens to assign the same name."""
    parts = [part.lower() for part in rel.parts]
    if any(part in ("tests", "test") or part.startswith("test_") for part in parts):
        return False
    return any("settings" in part or part in ("config", "conf") for part in parts)


def _assignments(root: Path, setting: str) -> list[tuple[str, int, str]]:
    """Where the project's own Python files assign `setting`, outside our blocks."""
    pattern = re.compile(rf"^\s*{setting}\s*(?::[^=]*)?=(?!=)")
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if not name.endswith(".py") or not _is_settings(path.relative_to(root)):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if setting not in text:
                continue
            inside = False
            for number, line in enumerate(text.splitlines(), 1):
                if markers.platforms_in(line):
                    inside = True
                elif line.startswith("# <<< django-simple-deploy:"):
                    inside = False
                elif not inside and pattern.match(line):
                    found.append((path.relative_to(root).as_posix(), number, line.strip()))
    return found


def chosen(output: str, root: Path) -> tuple[list[Choice], list[str]]:
    """Split `check --deploy`'s warnings into the project's choices and the rest (ids)."""
    choices: list[Choice] = []
    others: list[str] = []
    for warning in warning_ids(output):
        setting = SETTING_OF_WARNING.get(warning)
        places = _assignments(root, setting) if setting else []
        if places:
            file, line, text = places[-1]
            choices.append(Choice(warning, setting, file, line, text))
        else:
            others.append(warning)
    return choices, others


def not_about_deployment(ids: list[str]) -> tuple[list[str], list[str]]:
    """(notes for the warnings that judge something other than the deployment, the other
    ids): `check --deploy` runs them, but the platform changes nothing about them."""
    notes = [
        f"{warning}: {ABOUT_SOMETHING_ELSE[warning]} (run `manage.py spectacular "
        "--validate` to see where); not about the deployment, so listed, not failed on"
        for warning in dict.fromkeys(ids)
        if warning in ABOUT_SOMETHING_ELSE
    ]
    return notes, [warning for warning in ids if warning not in ABOUT_SOMETHING_ELSE]
