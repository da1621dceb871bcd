"""Grow a sample project along one dimension at a time, for the `growth` section.

Each grower takes the flat requirements.txt sample (`blog/settings.py`, the
project package `blog`) and makes it `size` big along its dimension; the caller
commits the result. The apps are those of benchmarks/scale.py (what `startapp`
writes plus a model each, all in INSTALLED_APPS); the settings are a working
production-shaped module padded with assignments and comments (a long settings
file is long with both); the requirements are well-formed lines that
configuration-only mode parses but never installs; the tracked files are small
text files in folders of 100, as a project's templates, docs and assets are.
"""

from __future__ import annotations

from pathlib import Path

import scale

# A complete settings module for the sample (what startproject writes, without its
# comments and password validators): 40 lines, padded to the size asked for.
SETTINGS = """from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "django-insecure-growth-benchmark-only-not-a-secret-0123456789"
DEBUG = True
ALLOWED_HOSTS = []
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_deploy",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "blog.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "blog.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""

DIMENSIONS = ("apps", "settings_lines", "requirements", "tracked_files")


def _settings_file(root: Path) -> Path:
    return root / "blog" / "settings.py"


def apps(root: Path, size: int) -> None:
    scale.grow(root, size, 0)


def settings_lines(root: Path, size: int) -> None:
    lines = SETTINGS.splitlines()
    for n in range(max(0, size - len(lines))):
        # Half comments, half settings the project reads: both make a settings file long.
        lines.append(f"# Option {n} of the project's own." if n % 2 else f"OPTION_{n:05d} = {n}")
    _settings_file(root).write_text("\n".join(lines) + "\n", "utf-8")


def requirements(root: Path, size: int) -> None:
    req = root / "requirements.txt"
    lines = req.read_text("utf-8").splitlines()
    present = [x for x in lines if x.strip() and not x.strip().startswith("#")]
    padding = [f"example-dependency-{n:03d}>=1.{n % 7},<3" for n in range(size - len(present))]
    req.write_text("\n".join(lines + padding) + "\n", "utf-8")


def tracked_files(root: Path, size: int) -> None:
    present = sum(1 for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    for n in range(max(0, size - present)):
        folder = root / "content" / f"part{n // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"page{n:05d}.txt").write_text(f"Page {n}\n", "utf-8")


GROWERS = {
    "apps": apps,
    "settings_lines": settings_lines,
    "requirements": requirements,
    "tracked_files": tracked_files,
}
