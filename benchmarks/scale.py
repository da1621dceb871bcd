"""Grow a sample project: many small apps and a long requirements.txt.

The apps are written directly (what `startapp` writes, plus one model each) so
growing the project takes milliseconds; each is added to INSTALLED_APPS so
Django imports every one of them at start-up, as it would in a real project.
The padding requirements are well-formed PEP 508 lines that configuration-only
mode parses but never installs.
"""

from __future__ import annotations

from pathlib import Path

MODEL = """from django.db import models


class Entry{n}(models.Model):
    title = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)
"""

APPS_PY = """from django.apps import AppConfig


class Section{n}Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "section{n}"
"""


def _write_app(manage_dir: Path, n: int) -> None:
    app = manage_dir / f"section{n}"
    app.mkdir()
    (app / "__init__.py").write_text("", "utf-8")
    (app / "apps.py").write_text(APPS_PY.format(n=n), "utf-8")
    (app / "models.py").write_text(MODEL.format(n=n), "utf-8")
    (app / "admin.py").write_text("", "utf-8")


def _settings(manage_dir: Path) -> Path:
    return manage_dir / "blog" / "settings.py"


def grow(root: Path, apps: int, requirements: int) -> None:
    manage_dir = root if (root / "manage.py").exists() else root / "blog"
    for n in range(apps):
        _write_app(manage_dir, n)
    settings = _settings(manage_dir)
    marker = "    'django.contrib.staticfiles',\n"
    text = settings.read_text("utf-8")
    added = "".join(f"    'section{n}',\n" for n in range(apps))
    settings.write_text(text.replace(marker, marker + added), "utf-8")
    req = root / "requirements.txt"
    lines = req.read_text("utf-8").splitlines()
    missing = max(0, requirements - len([x for x in lines if x and not x.startswith("#")]))
    padding = [f"example-dependency-{n:03d}>=1.{n % 7},<3" for n in range(missing)]
    req.write_text("\n".join(lines + padding) + "\n", "utf-8")
