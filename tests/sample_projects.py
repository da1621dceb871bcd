"""Sample Django projects made by the real tools, the way a user's project is made.

`django-admin startproject` (nested or not, plain settings or a settings
package), then the package manager records the dependencies (uv's pip-compile
for requirements.txt, `poetry lock`, `pipenv lock`, `uv add`), then `git init`
and a commit. Each kind is built once and kept in a cache folder shared by all
test workers; tests get a fresh copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import django

try:
    import fcntl
except ImportError:  # Windows: workers may build the same kind twice; one rename wins
    fcntl = None

MANAGERS = ("requirements_txt", "poetry", "pipenv", "uv")
LAYOUTS = ("flat", "nested")
# Bump when the recipe changes, so stale cached projects are not reused.
RECIPE = "7"

GIT_ID = ("-c", "user.name=Sample User", "-c", "user.email=sample@example.com")

# This machine's PyPI mirror serves the simple index but not PyPI's JSON API,
# which Poetry's built-in PyPI client needs; a user's project on the open
# internet does without this source.
POETRY_SOURCE = """
[tool.poetry]
package-mode = false

[[tool.poetry.source]]
name = "pypi-simple"
url = "https://pypi.org/simple/"
priority = "primary"
"""

PIPFILE = """[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
django = "{spec}"

[dev-packages]

[requires]
python_version = "{python}"
"""


def tool_env() -> dict[str, str]:
    """The environment for the package managers: nothing of the test process's Django."""
    drop = ("VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.setdefault("PIP_CACHE_DIR", str(cache_root() / "pip"))
    env.setdefault("UV_CACHE_DIR", str(cache_root() / "uv"))
    env["PIPENV_VENV_IN_PROJECT"] = "1"
    env["PIPENV_VERBOSITY"] = "-1"
    env["PIPENV_NOSPIN"] = "1"
    return env


def cache_root() -> Path:
    """Package caches live in the repository's .cache folder (scripts/test sets them)."""
    return Path(__file__).resolve().parents[1] / ".cache"


def projects_root() -> Path:
    # Outside this repository: uv and Poetry look for a pyproject.toml in parent
    # folders, and ours must not be taken for the sample's workspace.
    default = Path(tempfile.gettempdir()) / "simple-deploy-sample-projects"
    return Path(os.environ.get("SIMPLE_DEPLOY_SAMPLES", default))


def run(cwd: Path, *argv: str) -> str:
    out = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env=tool_env(), timeout=600, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed in {cwd}:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def git(root: Path, *args: str) -> str:
    return run(root, "git", *GIT_ID, *args)


def _startproject(root: Path, layout: str) -> Path:
    """Run startproject; return the folder holding manage.py."""
    django_admin = [sys.executable, "-m", "django", "startproject", "blog"]
    if layout == "flat":
        run(root, *django_admin, ".")
        return root
    run(root, *django_admin)
    return root / "blog"


def _install_simple_deploy(settings: Path, app: str = "simple_deploy") -> None:
    text = settings.read_text(encoding="utf-8")
    marker = "    'django.contrib.staticfiles',\n"
    assert marker in text, "startproject's INSTALLED_APPS changed shape"
    settings.write_text(text.replace(marker, marker + f"    '{app}',\n"), "utf-8")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} changed shape: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Shapes of real projects, each in one sample (several shapes share a project to keep
# the end-to-end rehearsals few). Each is made from startproject's own files.
ENVIRON_BASE_HEAD = """import environ

# Settings read the environment through django-environ, as cookiecutter-django does.
env = environ.Env()
"""
ENVIRON_LOCAL = """\"\"\"Development settings: what manage.py and wsgi.py load.\"\"\"

from .base import *  # noqa: F403
from .base import env

DEBUG = True
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
"""
ENVIRON_PRODUCTION = """\"\"\"The deployed site: secrets come from the environment.\"\"\"

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# The admin lives at a URL only the operators know.
ADMIN_URL = env("DJANGO_ADMIN_URL")
"""
STORAGES_TAIL = """
# Static files: collected here, served by WhiteNoise without a manifest (hashed names
# broke a third-party CSS file's references, so this project chose the plain storage).
STATIC_ROOT = BASE_DIR / "collected_static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
SITE_NAME = os.getenv("SITE_NAME", "Blog")
"""


def _environ_package(manage_dir: Path) -> None:
    """blog/settings/{base,local,production}.py read with django-environ; manage.py and
    wsgi.py name the development module (local), production needs variables to import;
    INSTALLED_APPS names this tool by its AppConfig."""
    package = manage_dir / "blog"
    folder = package / "settings"
    folder.mkdir()
    base = (package / "settings.py").read_text(encoding="utf-8")
    base = base.replace(
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        "BASE_DIR = Path(__file__).resolve().parent.parent.parent",
    )
    base = base.replace(
        "from pathlib import Path\n", "from pathlib import Path\n\n" + ENVIRON_BASE_HEAD
    )
    base = base.replace("DEBUG = True", 'DEBUG = env.bool("DJANGO_DEBUG", False)')
    (package / "settings.py").unlink()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "base.py").write_text(base, encoding="utf-8")
    (folder / "local.py").write_text(ENVIRON_LOCAL, encoding="utf-8")
    (folder / "production.py").write_text(ENVIRON_PRODUCTION, encoding="utf-8")
    for name in ("manage.py", "blog/wsgi.py", "blog/asgi.py"):
        _edit(manage_dir / name, "'blog.settings'", "'blog.settings.local'")
    _install_simple_deploy(folder / "base.py", "simple_deploy.apps.SimpleDeployConfig")


def _exported(manage_dir: Path) -> None:
    """manage.py sets no module (the developer exports DJANGO_SETTINGS_MODULE); a
    commented-out setdefault names another module that exists; the settings keep their
    own non-manifest WhiteNoise storage, middleware and STATIC_ROOT."""
    _edit(
        manage_dir / "manage.py",
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'blog.settings')\n",
        "    # Export DJANGO_SETTINGS_MODULE=blog.settings (or blog.settings_local) first.\n"
        "    # os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'blog.settings_local')\n",
    )
    (manage_dir / "blog" / "settings_local.py").write_text(
        "from .settings import *  # noqa: F403\n\nDEBUG = True\n", encoding="utf-8"
    )
    settings = manage_dir / "blog" / "settings.py"
    _edit(
        settings,
        "    'django.middleware.security.SecurityMiddleware',\n",
        "    'django.middleware.security.SecurityMiddleware',\n"
        "    'whitenoise.middleware.WhiteNoiseMiddleware',\n",
    )
    _edit(settings, "from pathlib import Path\n", "import os\nfrom pathlib import Path\n")
    with open(settings, "a", encoding="utf-8") as out:
        out.write(STORAGES_TAIL)


def _stale_wsgi(manage_dir: Path) -> None:
    """wsgi.py still names a settings module that was renamed long ago."""
    _edit(manage_dir / "blog" / "wsgi.py", "'blog.settings'", "'blog.settings_old'")


SPLIT_SETTINGS_INIT = """\"\"\"Settings assembled from components by django-split-settings.\"\"\"

from split_settings.tools import include

include("components/base.py")
"""


def _toplevel_wsgi(manage_dir: Path) -> None:
    """wsgi.py at the top level beside manage.py (`WSGI_APPLICATION = 'wsgi.application'`),
    set in a component that django-split-settings includes (not star-imported); the
    middleware list has no SecurityMiddleware, as some older projects' lists have not."""
    package = manage_dir / "blog"
    (package / "wsgi.py").rename(manage_dir / "wsgi.py")
    folder = package / "settings" / "components"
    folder.mkdir(parents=True)
    base = (package / "settings.py").read_text(encoding="utf-8")
    (package / "settings.py").unlink()
    for old, new in (
        ("Path(__file__).resolve().parent.parent", "Path(__file__).resolve().parents[3]"),
        ("WSGI_APPLICATION = 'blog.wsgi.application'", "WSGI_APPLICATION = 'wsgi.application'"),
        ("    'django.middleware.security.SecurityMiddleware',\n", ""),
    ):
        assert old in base, f"startproject's settings changed shape: {old!r}"
        base = base.replace(old, new)
    (folder / "base.py").write_text(base, encoding="utf-8")
    (package / "settings" / "__init__.py").write_text(SPLIT_SETTINGS_INIT, encoding="utf-8")


LIBRARY_ENV_TAIL = """
# Values come from one copy of the environment, taken once.
ENV = os.environ.copy()
SECRET_KEY = ENV["DJANGO_SECRET_KEY"]
SENTRY_DSN = ENV.get("SENTRY_DSN", "")
if ENV.get("DATABASE_URL", "").startswith("postgres"):
    DATABASES["default"]["OPTIONS"] = {"isolation_level": IsolationLevel.READ_COMMITTED}
FILE_UPLOAD_TEMP_DIR = tempfile.gettempdir()
"""


def _library_env(manage_dir: Path) -> None:
    """Settings that read the environment through a copy of it (`os.environ.copy()`)
    and import a library (psycopg) that reads its own variables, and Python's, when
    imported; a stdlib call (tempfile) reads TMPDIR."""
    settings = manage_dir / "blog" / "settings.py"
    _edit(
        settings,
        "from pathlib import Path\n",
        "import os\nimport tempfile\nfrom pathlib import Path\n\n"
        "from psycopg import IsolationLevel\n",
    )
    with open(settings, "a", encoding="utf-8") as out:
        out.write(LIBRARY_ENV_TAIL)


def _legacy_static_storage(manage_dir: Path) -> None:
    """STATICFILES_STORAGE chosen the pre-4.2 way (a compressed storage without a
    manifest), which Django 5.1+ ignores."""
    with open(manage_dir / "blog" / "settings.py", "a", encoding="utf-8") as out:
        out.write(
            "\n# Compressed, without a manifest: hashed names broke a vendored CSS file.\n"
            'STATICFILES_STORAGE = "whitenoise.storage.CompressedStaticFilesStorage"\n'
        )


MANIFEST_STORAGES = """
# Hashed names, so browsers may cache the files for ever (Django's own storage).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
"""


def _manifest_storage(manage_dir: Path) -> None:
    """STORAGES["staticfiles"] set to Django's ManifestStaticFilesStorage (hashed names,
    uncompressed), as Wagtail's news template does, with WhiteNoise's middleware."""
    settings = manage_dir / "blog" / "settings.py"
    _edit(
        settings,
        "    'django.middleware.security.SecurityMiddleware',\n",
        "    'django.middleware.security.SecurityMiddleware',\n"
        "    'whitenoise.middleware.WhiteNoiseMiddleware',\n",
    )
    with open(settings, "a", encoding="utf-8") as out:
        out.write(MANIFEST_STORAGES)


COMPRESS_TEMPLATE = """{% load static compress %}<!doctype html>
<title>Blog</title>
{% compress css %}<link rel="stylesheet" href="{% static 'css/site.css' %}">{% endcompress %}
<h1>Blog</h1>
"""


def _serve_home_page(manage_dir: Path) -> None:
    """`/` renders templates/home.html, from the project's templates folder."""
    urls = manage_dir / "blog" / "urls.py"
    _edit(
        urls,
        "from django.urls import path\n",
        "from django.urls import path\nfrom django.views.generic import TemplateView\n",
    )
    _edit(
        urls,
        "urlpatterns = [\n",
        "urlpatterns = [\n    path('', TemplateView.as_view(template_name='home.html')),\n",
    )
    _edit(manage_dir / "blog" / "settings.py", "'DIRS': [],", "'DIRS': [BASE_DIR / 'templates'],")


def _compress_offline(manage_dir: Path) -> None:
    """django-compressor with COMPRESS_OFFLINE = True: the home page's {% compress %}
    block is looked up in the manifest `compress` writes, or the page fails."""
    (manage_dir / "templates").mkdir()
    (manage_dir / "templates" / "home.html").write_text(COMPRESS_TEMPLATE, encoding="utf-8")
    (manage_dir / "static" / "css").mkdir(parents=True)
    (manage_dir / "static" / "css" / "site.css").write_text(
        "h1 { color: #123456; }\n", encoding="utf-8"
    )
    _serve_home_page(manage_dir)
    settings = manage_dir / "blog" / "settings.py"
    with open(settings, "a", encoding="utf-8") as out:
        out.write(
            "\nINSTALLED_APPS += ['compressor']\n"
            'STATICFILES_DIRS = [BASE_DIR / "static"]\n'
            "STATICFILES_FINDERS = [\n"
            '    "django.contrib.staticfiles.finders.FileSystemFinder",\n'
            '    "django.contrib.staticfiles.finders.AppDirectoriesFinder",\n'
            '    "compressor.finders.CompressorFinder",\n'
            "]\n"
            "COMPRESS_OFFLINE = True\n"
            # django-compressor refuses to load without it (COMPRESS_ROOT defaults to it).
            'STATIC_ROOT = BASE_DIR / "staticfiles"\n'
        )


def _tailwind_cli(manage_dir: Path) -> None:
    """django-tailwind-cli, no package.json: its CSS (STATICFILES_DIRS[0]/css/tailwind.css)
    is built by `manage.py tailwind build` from the standalone CLI and git-ignored, as
    djangopackages does; the home page links it."""
    (manage_dir / "templates").mkdir()
    (manage_dir / "templates" / "home.html").write_text(
        "{% load tailwind_cli %}<!doctype html>\n<title>Blog</title>\n{% tailwind_css %}\n"
        '<h1 class="text-3xl">Blog</h1>\n',
        encoding="utf-8",
    )
    (manage_dir / "assets" / "css").mkdir(parents=True)
    (manage_dir / "assets" / "css" / "source.css").write_text(
        '@import "tailwindcss";\n', encoding="utf-8"
    )
    (manage_dir / ".gitignore").write_text("assets/css/tailwind.css\n", encoding="utf-8")
    _serve_home_page(manage_dir)
    settings = manage_dir / "blog" / "settings.py"
    with open(settings, "a", encoding="utf-8") as out:
        out.write(
            "\nINSTALLED_APPS += ['django_tailwind_cli']\n"
            'STATICFILES_DIRS = [BASE_DIR / "assets"]\n'
            'TAILWIND_CLI_SRC_CSS = "assets/css/source.css"\n'
            'TAILWIND_CLI_VERSION = "4.1.3"\n'
            # As djangopackages and the package's docs do: no download in production.
            "TAILWIND_CLI_AUTOMATIC_DOWNLOAD = DEBUG\n"
        )


def _missing_source_map(manage_dir: Path) -> None:
    """A vendored, minified CSS file copied without the source map it names (as
    tom-select's and Bootstrap's are), beside a JS file whose map is shipped; and the
    project's own WhiteNoise immutable-file test (healthchecks has both)."""
    vendor = manage_dir / "static" / "vendor"
    vendor.mkdir(parents=True)
    (vendor / "select.min.css").write_text(
        # Long enough for WhiteNoise to compress it (it skips files that barely shrink).
        ".ts-control{display:flex}" * 80 + "\n/*# sourceMappingURL=select.min.css.map */\n",
        encoding="utf-8",
    )
    (vendor / "app.js").write_text(
        "console.log('blog');\n//# sourceMappingURL=app.js.map\n", encoding="utf-8"
    )
    (vendor / "app.js.map").write_text(
        '{"version": 3, "sources": [], "mappings": ""}\n', encoding="utf-8"
    )
    with open(manage_dir / "blog" / "settings.py", "a", encoding="utf-8") as out:
        out.write(
            '\nSTATICFILES_DIRS = [BASE_DIR / "static"]\n'
            "\n\n# As healthchecks does: only its own folder is cached forever.\n"
            "def immutable_file_test(path, url):\n"
            '    return "/static/vendor/" in url\n'
            "\n\n"
            "WHITENOISE_IMMUTABLE_FILE_TEST = immutable_file_test\n"
        )


def _static_at_import(manage_dir: Path) -> None:
    """An app whose models.py asks for a static URL when it is imported (djangogirls'
    DEFAULT_COACH_PHOTO = static(...)), and a views.py that does too but is imported only
    by the URLconf, after the files are collected."""
    app = manage_dir / "coach"
    (app / "static" / "img").mkdir(parents=True)
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "static" / "img" / "empty.svg").write_text(
        # Long enough for WhiteNoise to compress it (it skips files that barely shrink).
        '<svg xmlns="http://www.w3.org/2000/svg">' + "<g/>" * 200 + "</svg>\n",
        encoding="utf-8",
    )
    (app / "models.py").write_text(
        "from django.templatetags.static import static as static_url\n\n"
        'DEFAULT_PHOTO = static_url("img/empty.svg")\n\n\n'
        "def photo_url(photo=None):\n"
        '    return photo or static_url("img/empty.svg")\n',
        encoding="utf-8",
    )
    (app / "views.py").write_text(
        'from django.templatetags.static import static\n\nLOGO = static("img/empty.svg")\n',
        encoding="utf-8",
    )
    with open(manage_dir / "blog" / "settings.py", "a", encoding="utf-8") as out:
        out.write("\nINSTALLED_APPS += ['coach']\n")


def _site_root(manage_dir: Path) -> None:
    """The site's public URL read from a variable that defaults to the development
    server (healthchecks' SITE_ROOT, whose own system check wants its host allowed)."""
    settings = manage_dir / "blog" / "settings.py"
    _edit(settings, "from pathlib import Path\n", "import os\nfrom pathlib import Path\n")
    with open(settings, "a", encoding="utf-8") as out:
        out.write('\nSITE_ROOT = os.getenv("SITE_ROOT", "http://localhost:8000")\n')


# Settings shape -> (what it does to the startproject files, extra requirements).
WAGTAIL_APPS = (
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
)


def _wagtail(manage_dir: Path) -> None:
    """A Wagtail site: wagtail's apps (the list `wagtail start` writes) added to
    startproject's, no WAGTAILADMIN_BASE_URL and no django.contrib.postgres."""
    settings = manage_dir / "blog" / "settings.py"
    marker = "    'django.contrib.admin',\n"
    _edit(settings, marker, "".join(f"    '{app}',\n" for app in WAGTAIL_APPS) + marker)
    with open(settings, "a", encoding="utf-8") as out:
        out.write('\nWAGTAIL_SITE_NAME = "Blog"\n')


NAMED_BASE_PRODUCTION = """\"\"\"The deployed site: builds on base.py, which manage.py names.\"\"\"

import os

from .base import *  # noqa: F403

DEBUG = False
SESSION_COOKIE_NAME = "blog_production_session"
SECRET_KEY = os.environ.get("SECRET_KEY", SECRET_KEY)  # noqa: F405
"""


def _named_base(manage_dir: Path) -> None:
    """blog/settings.py -> blog/django/base.py, named by manage.py and wsgi.py; a
    production.py beside it star-imports it (a folder not named for settings, as
    HackSoftware's styleguide keeps config/django/)."""
    package = manage_dir / "blog"
    folder = package / "django"
    folder.mkdir()
    base = (package / "settings.py").read_text(encoding="utf-8")
    base = base.replace(
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        "BASE_DIR = Path(__file__).resolve().parent.parent.parent",
    )
    (package / "settings.py").unlink()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "base.py").write_text(base, encoding="utf-8")
    (folder / "production.py").write_text(NAMED_BASE_PRODUCTION, encoding="utf-8")
    for name in ("manage.py", "blog/wsgi.py", "blog/asgi.py"):
        _edit(manage_dir / name, "'blog.settings'", "'blog.django.base'")


DEBUG_BRANCH_TAIL = """
# Production choices are made where DEBUG is off: a compressed storage without a
# manifest (hashed names broke a vendored CSS file's references).
if not DEBUG:
    STATIC_ROOT = BASE_DIR / "collected_static"
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
"""


def _debug_from_variable(manage_dir: Path) -> None:
    """DEBUG read with django-environ, on unless DJANGO_DEBUG says otherwise, and the
    production storage chosen under `if not DEBUG:`."""
    settings = manage_dir / "blog" / "settings.py"
    _edit(
        settings,
        "from pathlib import Path\n",
        "from pathlib import Path\n\nimport environ\n\nenv = environ.Env()\n",
    )
    _edit(settings, "DEBUG = True", 'DEBUG = env.bool("DJANGO_DEBUG", default=True)')
    with open(settings, "a", encoding="utf-8") as out:
        out.write(DEBUG_BRANCH_TAIL)


def _debug_spelled(manage_dir: Path) -> None:
    """DEBUG on unless DJANGO_DEBUG is exactly "FALSE" (a string comparison, no parser),
    and the production storage chosen under `if not DEBUG:`."""
    settings = manage_dir / "blog" / "settings.py"
    _edit(settings, "from pathlib import Path\n", "import os\nfrom pathlib import Path\n")
    _edit(settings, "DEBUG = True", 'DEBUG = os.getenv("DJANGO_DEBUG") != "FALSE"')
    with open(settings, "a", encoding="utf-8") as out:
        out.write(DEBUG_BRANCH_TAIL)


OWN_NAMES_TAIL = """
# Hosts, origins and the database come from the environment, under this project's names.
ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")
CSRF_TRUSTED_ORIGINS = os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "http://localhost").split(",")
DATABASES = {"default": dj_database_url.parse(os.environ["DJANGO_DATABASE_URL"])}
"""


def _own_names(manage_dir: Path, tail: str = OWN_NAMES_TAIL) -> None:
    """Settings that read the host, the HTTPS origins and the database URL under their own
    names (DJANGO_ALLOWED_HOSTS, DJANGO_CSRF_TRUSTED_ORIGINS, DJANGO_DATABASE_URL), two of
    them required."""
    settings = manage_dir / "blog" / "settings.py"
    _edit(
        settings,
        "from pathlib import Path\n",
        "import os\nfrom pathlib import Path\n\nimport dj_database_url\n",
    )
    with open(settings, "a", encoding="utf-8") as out:
        out.write(tail)


UNCHECKED_TAIL = """
# Space-separated lists, as docker compose's env file gives them; no defaults.
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS").split(" ")
CSRF_TRUSTED_ORIGINS = os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS").split(" ")
DATABASES = {"default": dj_database_url.parse(os.environ.get("DJANGO_DATABASE_URL"))}
PAYMENTS_TOKEN = os.environ.get("PAYMENTS_TOKEN").strip()
"""


def _own_names_unchecked(manage_dir: Path) -> None:
    """Settings that need variables to import at all but never say so: each read with
    `os.environ.get()` and used at once (`.split(" ")` on None fails with an
    AttributeError that names no variable). Three hold what the tool knows (host,
    origin, database URL); PAYMENTS_TOKEN only the developer can give."""
    _own_names(manage_dir, UNCHECKED_TAIL)


DEVELOPMENT_ONLY = """\"\"\"Development settings: the only module manage.py and wsgi.py know.\"\"\"

from .base import *  # noqa: F403

DEBUG = True
SESSION_COOKIE_NAME = "blog_development_session"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
"""


def _development_only(manage_dir: Path) -> None:
    """blog/settings/{base,development}.py, manage.py and wsgi.py naming development: no
    production module anywhere (the developer never needed one)."""
    package = manage_dir / "blog"
    folder = package / "settings"
    folder.mkdir()
    base = (package / "settings.py").read_text(encoding="utf-8")
    base = base.replace(
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        "BASE_DIR = Path(__file__).resolve().parent.parent.parent",
    )
    (package / "settings.py").unlink()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "base.py").write_text(base, encoding="utf-8")
    (folder / "development.py").write_text(DEVELOPMENT_ONLY, encoding="utf-8")
    for name in ("manage.py", "blog/wsgi.py", "blog/asgi.py"):
        _edit(manage_dir / name, "'blog.settings'", "'blog.settings.development'")


PLATFORM_FLAG_INIT = """\"\"\"Settings chosen by where the site runs.\"\"\"

import os

if "ON_HEROKU" in os.environ:
    from .settings_heroku import *  # noqa: F403
elif os.environ.get("RENDER"):
    from .settings_render import *  # noqa: F403
else:
    from .settings_dev import *  # noqa: F403
"""
PLATFORM_FLAG_MODULE = """\"\"\"The site on {label}.\"\"\"

from .common import *  # noqa: F403

DEBUG = False
SESSION_COOKIE_NAME = "blog_{name}_session"
"""


def _platform_flag(manage_dir: Path) -> None:
    """blog/settings/__init__.py loads settings_heroku.py when ON_HEROKU is set (a flag the
    developer sets on Heroku), settings_render.py when Render's own RENDER is, else
    settings_dev.py; all build on common.py (startproject's settings)."""
    package = manage_dir / "blog"
    folder = package / "settings"
    folder.mkdir()
    common = (package / "settings.py").read_text(encoding="utf-8")
    common = common.replace(
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        "BASE_DIR = Path(__file__).resolve().parent.parent.parent",
    )
    (package / "settings.py").unlink()
    (folder / "__init__.py").write_text(PLATFORM_FLAG_INIT, encoding="utf-8")
    (folder / "common.py").write_text(common, encoding="utf-8")
    (folder / "settings_dev.py").write_text(
        "from .common import *  # noqa: F403\n\nDEBUG = True\n", encoding="utf-8"
    )
    for name, label in (("heroku", "Heroku"), ("render", "Render")):
        text = PLATFORM_FLAG_MODULE.format(name=name, label=label)
        (folder / f"settings_{name}.py").write_text(text, encoding="utf-8")


NOTES_MODELS = """from django.db import models


class Note(models.Model):
    text = models.TextField()
"""

# What makemigrations wrote under Django 3.1: AutoField, the default then.
NOTES_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                (
                    "id",
                    models.AutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField()),
            ],
        ),
    ]
"""


def _before_auto_field(manage_dir: Path) -> None:
    """A project started before Django 3.2: its settings set no DEFAULT_AUTO_FIELD, and
    its app (no default_auto_field in apps.py) has a model whose migration made an
    AutoField primary key."""
    settings = manage_dir / "blog" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    if "DEFAULT_AUTO_FIELD" in text:  # startproject before Django 6.0 writes it
        start = text.index("# Default primary key field type")
        end = text.index("\n", text.index("DEFAULT_AUTO_FIELD")) + 1
        settings.write_text(text[:start] + text[end:], encoding="utf-8")
    _edit(
        settings,
        "    'django.contrib.staticfiles',\n",
        "    'django.contrib.staticfiles',\n    'notes',\n",
    )
    app = manage_dir / "notes"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "migrations" / "__init__.py").write_text("", encoding="utf-8")
    (app / "models.py").write_text(NOTES_MODELS, encoding="utf-8")
    (app / "migrations" / "0001_initial.py").write_text(NOTES_MIGRATION, encoding="utf-8")


def _empty_static_root(manage_dir: Path) -> None:
    """STATIC_ROOT = "" and MEDIA_ROOT = "", as Django's startproject wrote them before 1.6
    and projects (django-allauth's example among them) still carry."""
    with open(manage_dir / "blog" / "settings.py", "a", encoding="utf-8") as out:
        out.write('\nMEDIA_ROOT = ""\nMEDIA_URL = ""\nSTATIC_ROOT = ""\n')


def _old_middleware(manage_dir: Path) -> None:
    """MIDDLEWARE as a tuple without SecurityMiddleware or XFrameOptionsMiddleware, as
    lists older than Django 1.8 (and django-allauth's example) have it."""
    settings = manage_dir / "blog" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    start = text.index("MIDDLEWARE = [")
    end = text.index("]\n", start) + 2
    names = (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    )
    lines = "".join(f'    "{name}",\n' for name in names)
    settings.write_text(text[:start] + f"MIDDLEWARE = (\n{lines})\n" + text[end:], "utf-8")


SETTINGS_SHAPES = {
    "old-middleware": (_old_middleware, ()),
    "empty-static-root": (_empty_static_root, ()),
    "before-auto-field": (_before_auto_field, ()),
    "platform-flag": (_platform_flag, ()),
    "development-only": (_development_only, ()),
    "own-names": (_own_names, ("dj-database-url~=3.0",)),
    "own-names-unchecked": (_own_names_unchecked, ("dj-database-url~=3.0",)),
    "debug-variable": (_debug_from_variable, ("django-environ~=0.12", "whitenoise~=6.12")),
    "debug-spelled": (_debug_spelled, ("whitenoise~=6.12",)),
    "named-base": (_named_base, ()),
    "wagtail": (_wagtail, ("wagtail>=7.0",)),
    "compress-offline": (_compress_offline, ("django-compressor~=4.5", "whitenoise~=6.12")),
    "tailwind-cli": (_tailwind_cli, ("django-tailwind-cli~=4.6", "whitenoise~=6.12")),
    "legacy-static-storage": (_legacy_static_storage, ("whitenoise~=6.12",)),
    "manifest-storage": (_manifest_storage, ("whitenoise~=6.12",)),
    "missing-source-map": (_missing_source_map, ("whitenoise~=6.12",)),
    "site-root": (_site_root, ()),
    "static-at-import": (_static_at_import, ("whitenoise~=6.12",)),
    "environ": (_environ_package, ("django-environ~=0.12",)),
    "exported": (_exported, ("whitenoise~=6.12",)),
    "stale-wsgi": (_stale_wsgi, ()),
    "toplevel-wsgi": (_toplevel_wsgi, ("django-split-settings~=1.3",)),
    "library-env": (_library_env, ("psycopg[binary]~=3.2",)),
}


def _split_settings(manage_dir: Path) -> None:
    """blog/settings.py -> blog/settings/{base,production}.py, production selected."""
    package = manage_dir / "blog"
    folder = package / "settings"
    folder.mkdir()
    base = (package / "settings.py").read_text(encoding="utf-8")
    base = base.replace(
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        "BASE_DIR = Path(__file__).resolve().parent.parent.parent",
    )
    (package / "settings.py").unlink()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "base.py").write_text(base, encoding="utf-8")
    (folder / "production.py").write_text(
        '"""Settings for the deployed site."""\n\nfrom .base import *  # noqa: F403\n',
        encoding="utf-8",
    )
    for name in ("manage.py", "blog/wsgi.py", "blog/asgi.py"):
        path = manage_dir / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("'blog.settings'", "'blog.settings.production'"), "utf-8")


def _record_dependencies(
    root: Path, manager: str, django_version: str, extra: tuple[str, ...] = ()
) -> None:
    spec = f"django~={django_version}.0"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    if manager == "requirements_txt":
        scratch = Path(tempfile.mkdtemp(prefix="sample-req-"))
        (scratch / "requirements.in").write_text("\n".join((spec, *extra)) + "\n", encoding="utf-8")
        run(
            root,
            "uv",
            "pip",
            "compile",
            str(scratch / "requirements.in"),
            "-o",
            "requirements.txt",
            "--python-version",
            python,
            "--quiet",
            "--no-header",
        )
        shutil.rmtree(scratch)
    elif extra:
        raise ValueError("extra requirements: only requirements_txt samples carry shapes")
    elif manager == "poetry":
        run(
            root,
            "poetry",
            "init",
            "--no-interaction",
            "--name",
            "blog-site",
            "--python",
            f">={python}",
            "--dependency",
            spec,
        )
        with open(root / "pyproject.toml", "a", encoding="utf-8") as pyproject:
            pyproject.write(POETRY_SOURCE)
        run(root, "poetry", "lock")
    elif manager == "pipenv":
        version = spec.removeprefix("django")
        (root / "Pipfile").write_text(PIPFILE.format(spec=version, python=python), "utf-8")
        run(root, "pipenv", "lock")
        shutil.rmtree(root / ".venv", ignore_errors=True)
    elif manager == "uv":
        run(
            root,
            "uv",
            "init",
            "--app",
            "--no-package",
            "--vcs",
            "none",
            "--no-readme",
            "--name",
            "blog-site",
            "--python",
            python,
        )
        (root / "main.py").unlink(missing_ok=True)
        run(root, "uv", "add", "--no-sync", spec)
    else:
        raise ValueError(manager)


def _python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _shape_includes_freeze_runtime(root: Path) -> None:
    """requirements.txt -> requirements/production.txt -> base.txt, where base.txt is what
    `pip freeze` wrote after `pip install ./django-simple-deploy` (a file: URL to this
    repository); plus runtime.txt and a commented .python-version, as Heroku users have."""
    scratch = Path(tempfile.mkdtemp(prefix="sample-freeze-"))
    python = scratch / "venv" / "bin" / "python"
    run(root, "uv", "venv", "--quiet", "--python", sys.executable, str(scratch / "venv"))
    this_repo = Path(__file__).resolve().parents[1]
    run(root, "uv", "pip", "install", "--quiet", "--python", str(python), "-r", "requirements.txt")
    run(
        root,
        "uv",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--python",
        str(python),
        str(this_repo),
    )
    frozen = run(root, "uv", "pip", "freeze", "--python", str(python))
    shutil.rmtree(scratch)
    assert "django-simple-deploy @ file://" in frozen, frozen
    (root / "requirements.txt").unlink()
    folder = root / "requirements"
    folder.mkdir()
    (folder / "base.txt").write_text(frozen, encoding="utf-8")
    (folder / "production.txt").write_text("-r base.txt\n", encoding="utf-8")
    (folder / "dev.txt").write_text("-r base.txt\npytest\n", encoding="utf-8")
    (root / "requirements.txt").write_text(
        "# What the platform installs.\n-r requirements/production.txt\n", encoding="utf-8"
    )
    version = _python_version()
    (root / "runtime.txt").write_text(f"python-{version}.{sys.version_info.micro}\n", "utf-8")
    (root / ".python-version").write_text(
        f"# The Python this project is developed with (pyenv, uv, Heroku).\n{version}\n", "utf-8"
    )


def _shape_pip_tools_hashes(root: Path) -> None:
    """requirements.in compiled with hashes by `uv pip compile`, header kept."""
    (root / "requirements.in").write_text("django~=5.2.0\n", encoding="utf-8")
    (root / "requirements.txt").unlink()
    run(
        root,
        "uv",
        "pip",
        "compile",
        "--quiet",
        "--generate-hashes",
        "--python-version",
        _python_version(),
        "requirements.in",
        "-o",
        "requirements.txt",
    )


def _shape_poetry_production_group(root: Path) -> None:
    """gunicorn pinned in Poetry's `production` group, as real projects keep it."""
    run(root, "poetry", "add", "--lock", "--group", "production", "gunicorn==23.0.0")


def _shape_uv_workspace(root: Path) -> None:
    """A uv workspace: the site depends on a member library in packages/."""
    run(root, "uv", "init", "--lib", "--vcs", "none", "--name", "sitelib", "packages/sitelib")
    run(root, "uv", "add", "--no-sync", "sitelib")


def _shape_uv_production_extra(root: Path) -> None:
    """gunicorn and WhiteNoise pinned in a `prod` extra (`[project.optional-dependencies]`,
    installed with `pip install .[prod]`), as real projects keep their server."""
    run(
        root,
        "uv",
        "add",
        "--no-sync",
        "--optional",
        "prod",
        "gunicorn==23.0.0",
        "whitenoise==6.11.0",
    )


def _shape_poetry_production_extra(root: Path) -> None:
    """The same `prod` extra in a Poetry project (`poetry add --optional prod`)."""
    run(root, "poetry", "add", "--lock", "--optional", "prod", "gunicorn==23.0.0")
    run(root, "poetry", "add", "--lock", "--optional", "prod", "whitenoise==6.11.0")


def _shape_uv_old_database_url(root: Path) -> None:
    """dj-database-url pinned at 0.5.0 (2018) in the main dependencies, as python.org's
    pyproject.toml still pins it: it predates the `conn_health_checks` keyword."""
    run(root, "uv", "add", "--no-sync", "dj-database-url==0.5.0")


def _shape_poetry_old_database_url(root: Path) -> None:
    """The same old pin in a Poetry project (`poetry add` writes `[project] dependencies`)."""
    run(root, "poetry", "add", "--lock", "dj-database-url==0.5.0")


HATCH_DYNAMIC_VERSION = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[tool.hatch.version]
path = "{version_file}"
"""


def _shape_uv_hatchling_dynamic_version(root: Path) -> None:
    """The site is a hatchling package whose version is read from blog/__about__.py
    (`dynamic = ["version"]`): `uv lock` builds the project's metadata to lock it."""
    pyproject = root / "pyproject.toml"
    _edit(pyproject, 'version = "0.1.0"\n', 'dynamic = ["version"]\n')
    with open(pyproject, "a", encoding="utf-8") as out:
        out.write(HATCH_DYNAMIC_VERSION.format(version_file="blog/__about__.py"))
        out.write('\n[tool.hatch.build.targets.wheel]\npackages = ["blog"]\n')
    (root / "blog" / "__about__.py").write_text('__version__ = "1.4.0"\n', "utf-8")
    run(root, "uv", "lock")


def _shape_poetry_path_dependency_dynamic_version(root: Path) -> None:
    """Poetry's path dependency on a library in packages/sitelib, a hatchling package
    whose version is read from a file in it: `poetry lock` builds its metadata."""
    lib = root / "packages" / "sitelib"
    (lib / "src" / "sitelib").mkdir(parents=True)
    (lib / "src" / "sitelib" / "__init__.py").write_text("", "utf-8")
    (lib / "src" / "sitelib" / "__about__.py").write_text('__version__ = "2.1.0"\n', "utf-8")
    (lib / "pyproject.toml").write_text(
        '[project]\nname = "sitelib"\ndynamic = ["version"]\nrequires-python = ">=3.10"\n'
        + HATCH_DYNAMIC_VERSION.format(version_file="src/sitelib/__about__.py"),
        "utf-8",
    )
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text("utf-8")
    head, _, tail = text.partition("dependencies = [\n")
    pyproject.write_text(f'{head}dependencies = [\n    "sitelib",\n{tail}', "utf-8")
    with open(pyproject, "a", encoding="utf-8") as out:
        out.write('\n[tool.poetry.dependencies]\nsitelib = {path = "packages/sitelib"}\n')
    run(root, "poetry", "lock")


# Dependency shape -> (the manager it needs, what it does to the recorded project).
DEPENDENCY_SHAPES = {
    "includes-freeze-runtime": ("requirements_txt", _shape_includes_freeze_runtime),
    "pip-tools-hashes": ("requirements_txt", _shape_pip_tools_hashes),
    "poetry-production-group": ("poetry", _shape_poetry_production_group),
    "uv-workspace": ("uv", _shape_uv_workspace),
    "uv-production-extra": ("uv", _shape_uv_production_extra),
    "poetry-production-extra": ("poetry", _shape_poetry_production_extra),
    "uv-old-database-url": ("uv", _shape_uv_old_database_url),
    "poetry-old-database-url": ("poetry", _shape_poetry_old_database_url),
    "uv-hatchling-dynamic-version": ("uv", _shape_uv_hatchling_dynamic_version),
    "poetry-path-dependency-dynamic-version": (
        "poetry",
        _shape_poetry_path_dependency_dynamic_version,
    ),
}


def build(
    dest: Path, manager: str, layout: str, django_version: str, settings: str, shape: str = ""
) -> None:
    dest.mkdir(parents=True)
    git(dest, "init", "-q", "-b", "main")
    manage_dir = _startproject(dest, layout)
    extra: tuple[str, ...] = ()
    if settings == "package":
        _split_settings(manage_dir)
        _install_simple_deploy(manage_dir / "blog" / "settings" / "base.py")
    elif settings in SETTINGS_SHAPES:
        reshape, extra = SETTINGS_SHAPES[settings]
        if settings != "environ":
            _install_simple_deploy(manage_dir / "blog" / "settings.py")
        reshape(manage_dir)
    else:
        _install_simple_deploy(manage_dir / "blog" / "settings.py")
    (dest / ".gitignore").write_text("__pycache__/\n*.sqlite3\n.venv/\n", encoding="utf-8")
    _record_dependencies(dest, manager, django_version, extra)
    if shape:
        DEPENDENCY_SHAPES[shape][1](dest)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "A Django project that works locally")


def pristine(
    manager: str, layout: str, django_version: str, settings: str, shape: str = ""
) -> Path:
    """The cached pristine project of this kind, built once across all test workers."""
    key = (
        f"{manager}-{layout}-django{django_version}-{settings}{'-' + shape if shape else ''}"
        f"-py{sys.version_info[0]}"
        f"{sys.version_info[1]}-dj{django.__version__}-r{RECIPE}"
    )
    final = projects_root() / key
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    # Both test workers ask for the common kinds in their first seconds: one builds
    # (a lock run is 5-20 s of CPU), the other waits for it instead of building too.
    with open(final.parent / f".{key}.lock", "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if final.is_dir():
            return final
        building = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final.parent))
        build(building / "blog-site", manager, layout, django_version, settings, shape)
        try:
            os.rename(building, final)  # atomic: a worker without locks may have won
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
    return final


def copy(
    manager: str,
    layout: str,
    dest: Path,
    *,
    django_version: str = "5.2",
    settings: str = "module",
    shape: str = "",
) -> Path:
    source = pristine(manager, layout, django_version, settings, shape) / "blog-site"
    return Path(shutil.copytree(source, dest / "blog-site", symlinks=True))
