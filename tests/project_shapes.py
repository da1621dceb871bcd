"""Shapes real projects have, added to a sample project with the real tools.

Each helper changes a copied sample project the way its developer would have,
then commits, so the project is clean and git-tracked like theirs.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from project_files import git
from sample_projects import cache_root

TAILWIND_CSS = "static/css/site.css"
PACKAGE_JSON = """{
  "name": "blog-assets",
  "private": true,
  "scripts": {
    "build": "tailwindcss -i static/src/input.css -o static/css/site.css --minify"
  },
  "devDependencies": {
    "tailwindcss": "3.4.17"
  }
}
"""
HOME_TEMPLATE = """{% load static %}<!doctype html>
<html><head><link rel="stylesheet" href="{% static 'css/site.css' %}"></head>
<body class="p-4 font-bold">Blog</body></html>
"""


def npm_env() -> dict[str, str]:
    """npm's cache in the repository's .cache folder (scripts/test keeps it)."""
    return {**os.environ, "npm_config_cache": str(cache_root() / "npm")}


def _npm(root: Path, *args: str) -> None:
    out = subprocess.run(
        ["npm", *args], cwd=root, capture_output=True, text=True, env=npm_env(), timeout=600
    )
    assert out.returncode == 0, out.stdout + out.stderr


def add_tailwind_build(root: Path, manage_dir: Path, settings: Path) -> None:
    """A Tailwind CSS v3 build writing static/css/site.css (git-ignored, as projects do),
    and a home page linking it through {% static %}: with the manifest storage, the page
    answers 500 unless the platform built the CSS before collectstatic."""
    (root / "static" / "src").mkdir(parents=True)
    (root / "static" / "src" / "input.css").write_text(
        "@tailwind base;\n@tailwind components;\n@tailwind utilities;\n", "utf-8"
    )
    (root / "tailwind.config.js").write_text(
        'module.exports = { content: ["./**/templates/**/*.html"], theme: { extend: {} }, '
        "plugins: [] };\n",
        "utf-8",
    )
    (root / "package.json").write_text(PACKAGE_JSON, "utf-8")
    _npm(root, "install", "--no-audit", "--no-fund", "--prefer-offline")
    _npm(root, "run", "build")
    assert (root / TAILWIND_CSS).is_file()
    templates = manage_dir / "blog" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "home.html").write_text(HOME_TEMPLATE, "utf-8")
    text = settings.read_text("utf-8")
    text = text.replace("'DIRS': [],", "'DIRS': [BASE_DIR / 'blog' / 'templates'],")
    base = "BASE_DIR.parent" if manage_dir != root else "BASE_DIR"
    text += f'\nSTATICFILES_DIRS = [{base} / "static"]\n'
    settings.write_text(text, "utf-8")
    route_home(manage_dir)
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("node_modules/\nstatic/css/\n")


NODE_MODULES_PACKAGE_JSON = """{
  "name": "blog-assets",
  "private": true,
  "dependencies": {
    "htmx.org": "2.0.4"
  }
}
"""
HTMX_TEMPLATE = """{% load static %}<!doctype html>
<html><head><script src="{% static 'htmx.min.js' %}"></script></head>
<body>Blog</body></html>
"""


def add_node_modules_packages(root: Path, manage_dir: Path, settings: Path) -> None:
    """htmx from npm, served straight from node_modules (STATICFILES_DIRS names its dist
    folder; no build script; node_modules git-ignored), and a home page linking it
    through {% static %}: with the manifest storage, the page answers 500 unless the
    platform installed the package before collectstatic."""
    (root / "package.json").write_text(NODE_MODULES_PACKAGE_JSON, "utf-8")
    _npm(root, "install", "--no-audit", "--no-fund", "--prefer-offline")
    assert (root / "node_modules" / "htmx.org" / "dist" / "htmx.min.js").is_file()
    templates = manage_dir / "blog" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "home.html").write_text(HTMX_TEMPLATE, "utf-8")
    text = settings.read_text("utf-8")
    text = text.replace("'DIRS': [],", "'DIRS': [BASE_DIR / 'blog' / 'templates'],")
    base = "BASE_DIR.parent" if manage_dir != root else "BASE_DIR"
    text += f'\nSTATICFILES_DIRS = [{base} / "node_modules" / "htmx.org" / "dist"]\n'
    settings.write_text(text, "utf-8")
    route_home(manage_dir)
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("node_modules/\n")


TOOLS_ONLY_PACKAGE_JSON = """{
  "scripts": {
    "tailwind:build": "npx @tailwindcss/cli -i blog/styles.css -o static/css/styles.css --minify"
  },
  "dependencies": {
    "@tailwindcss/cli": "^4.1.7",
    "tailwindcss": "^4.1.7"
  }
}
"""


def add_committed_tailwind_output(root: Path, manage_dir: Path, settings: Path) -> None:
    """A package.json whose `dependencies` are only the Tailwind CLI, run by hand
    (`npm run tailwind:build`, no `build` script), and its output committed under the
    static/ folder STATICFILES_DIRS names: nothing is served from node_modules, so the
    platform needs no Node.js. npm itself is not run (node_modules is git-ignored)."""
    (root / "package.json").write_text(TOOLS_ONLY_PACKAGE_JSON, "utf-8")
    (root / "static" / "css").mkdir(parents=True, exist_ok=True)
    (root / "static" / "css" / "styles.css").write_text(".p-4{padding:1rem}\n", "utf-8")
    text = settings.read_text("utf-8")
    base = "BASE_DIR.parent" if manage_dir != root else "BASE_DIR"
    text += f'\nSTATICFILES_DIRS = [{base} / "static"]\n'
    settings.write_text(text, "utf-8")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("node_modules/\n")


PNPM_VERSION = "10.18.0"
PNPM_PACKAGE_JSON = json.dumps(
    {
        "name": "blog-frontend",
        "private": True,
        "packageManager": f"pnpm@{PNPM_VERSION}",
        "scripts": {"build": "node build.js"},
    },
    indent=2,
)
# The bundle the build writes, in the folder STATICFILES_DIRS names (webpack's output
# folder in a django-webpack-loader project): it exists only once the build has run.
BUNDLE_BUILD_JS = """const fs = require("fs");
fs.mkdirSync("frontend/bundles", { recursive: true });
fs.writeFileSync("frontend/bundles/app.css", "body { font-weight: bold; }\\n");
"""
BUNDLE_TEMPLATE = """{% load static %}<!doctype html>
<html><head><link rel="stylesheet" href="{% static 'app.css' %}"></head>
<body>Blog</body></html>
"""


def _npx_pnpm(root: Path, *args: str) -> None:
    out = subprocess.run(
        ["npx", "--yes", f"pnpm@{PNPM_VERSION}", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=npm_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def add_pnpm_bundle_build(root: Path, manage_dir: Path, settings: Path) -> None:
    """A pnpm project (`packageManager` pins pnpm, pnpm-lock.yaml made by pnpm, an .npmrc
    beside it) whose build script writes frontend/bundles/app.css; STATICFILES_DIRS names
    that git-ignored folder, and the home page links the file: without the build on the
    platform, `check --deploy` warns staticfiles.W004 and the page answers 500."""
    (root / "package.json").write_text(PNPM_PACKAGE_JSON, "utf-8")
    (root / "build.js").write_text(BUNDLE_BUILD_JS, "utf-8")
    (root / ".npmrc").write_text("shamefully-hoist=true\n", "utf-8")
    _npx_pnpm(root, "install", "--lockfile-only")
    assert (root / "pnpm-lock.yaml").is_file()
    _npx_pnpm(root, "run", "build")
    assert (root / "frontend" / "bundles" / "app.css").is_file()
    templates = manage_dir / "blog" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "home.html").write_text(BUNDLE_TEMPLATE, "utf-8")
    text = settings.read_text("utf-8")
    text = text.replace("'DIRS': [],", "'DIRS': [BASE_DIR / 'blog' / 'templates'],")
    base = "BASE_DIR.parent" if manage_dir != root else "BASE_DIR"
    text += f'\nSTATICFILES_DIRS = [{base} / "frontend" / "bundles"]\n'
    settings.write_text(text, "utf-8")
    route_home(manage_dir)
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("node_modules/\nfrontend/bundles/\n")


def route_home(manage_dir: Path, template: str = "home.html") -> None:
    """`/` renders `template` (a TemplateView) in the sample's URLconf, after the admin."""
    urls = manage_dir / "blog" / "urls.py"
    text = urls.read_text("utf-8")
    text = text.replace(
        "from django.urls import path",
        "from django.urls import path\nfrom django.views.generic import TemplateView",
    ).replace(
        "    path('admin/', admin.site.urls),",
        "    path('admin/', admin.site.urls),\n"
        f"    path('', TemplateView.as_view(template_name='{template}')),",
    )
    urls.write_text(text, "utf-8")


def ignore_python_version(root: Path, version: str) -> None:
    """pyenv's .python-version, git-ignored (older gitignore templates did so)."""
    (root / ".python-version").write_text(f"{version}\n", "utf-8")
    git(root, "rm", "-q", "--cached", "--ignore-unmatch", ".python-version")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write(".python-version\n")


def add_procfile_with_worker(root: Path) -> str:
    text = (
        "web: gunicorn blog.wsgi --log-file -\n"
        "worker: celery -A blog worker --loglevel info\n"
        "beat: celery -A blog beat\n"
    )
    (root / "Procfile").write_text(text, "utf-8")
    return text


def add_plain_psycopg(root: Path) -> None:
    """`uv add psycopg`: the pure-Python driver, which loads the system's libpq."""
    from sample_projects import run

    run(root, "uv", "add", "--no-sync", "psycopg~=3.2")


# django-split-settings assembles blog/settings/ from its parts; local.py is the
# developer's own and git-ignored, as such projects keep it.
_SPLIT_INIT = '''"""Settings assembled by django-split-settings."""

import os

from split_settings.tools import include, optional

include("base.py")
{local}
'''
_LOCAL_INCLUDES = {
    "required": 'include("local.py")',
    "switch": 'if not os.environ.get("ON_HEROKU"):\n    include("local.py")',
    "optional": 'include(optional("local.py"))',
}


def split_settings_with_ignored_local(root: Path, local: str) -> None:
    """blog/settings.py -> blog/settings/{__init__,base}.py, plus an ignored local.py."""
    package = root / "blog"
    folder = package / "settings"
    folder.mkdir()
    base = (package / "settings.py").read_text(encoding="utf-8")
    base = base.replace(
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        "BASE_DIR = Path(__file__).resolve().parent.parent.parent",
    )
    (package / "settings.py").unlink()
    (folder / "base.py").write_text(base, encoding="utf-8")
    init = _SPLIT_INIT.format(local=_LOCAL_INCLUDES[local])
    (folder / "__init__.py").write_text(init, encoding="utf-8")
    (folder / "local.py").write_text("DEBUG = True\n", encoding="utf-8")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("blog/settings/local.py\n")
    with open(root / "requirements.txt", "a", encoding="utf-8") as requirements:
        requirements.write("django-split-settings==1.3.2\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Settings assembled by django-split-settings")


_LISTED_INIT = '''"""Settings included from a list each platform's flag adds to."""

import os

from split_settings.tools import include

base_settings = ["base.py"]
if os.environ.get("ON_HEROKU", ""):
    base_settings.append("heroku.py")
elif os.environ.get("ON_RENDER", ""):
    base_settings += ["render.py"]
else:
    base_settings.append("local.py")
include(*base_settings)
'''


def split_settings_listed_by_flag(root: Path) -> None:
    """blog/settings/ assembled by django-split-settings from a list: base.py, then
    heroku.py when ON_HEROKU is set, render.py when ON_RENDER is, else a git-ignored
    local.py (`base_settings.append("heroku.py")`, then `include(*base_settings)`)."""
    split_settings_with_ignored_local(root, "required")
    folder = root / "blog" / "settings"
    (folder / "__init__.py").write_text(_LISTED_INIT, encoding="utf-8")
    for name in ("heroku", "render"):
        (folder / f"{name}.py").write_text(
            f'SESSION_COOKIE_NAME = "blog_{name}_session"\n', encoding="utf-8"
        )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "A settings module for each platform, chosen by its flag")


def ignored_data_folder(root: Path) -> None:
    """A SQLite task store in a git-ignored data/ folder, opened when the settings import."""
    with open(root / "blog/settings.py", "a", encoding="utf-8") as settings:
        settings.write(
            "\nimport sqlite3\n\n"
            'TASK_STORE = sqlite3.connect(BASE_DIR / "data" / "tasks.sqlite3")\n'
        )
    (root / "data").mkdir()
    (root / "data/tasks.sqlite3").write_bytes(b"")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("data/\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "A task store")


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


TIMER_MODELS = """from django.db import models


class Timer(models.Model):
    start = models.DateTimeField()
"""
TIMER_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Timer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateTimeField()),
                ("end", models.DateTimeField(null=True)),
            ],
        ),
    ]
"""
# A column dropped, then a data migration in the same migration (one transaction on
# PostgreSQL) that reads the model through its default manager, as most data
# migrations in the wild do (not `.using(schema_editor.connection.alias)`): it
# queries the `default` database, so it deadlocks when the migration itself runs on
# another alias of the same database.
TIMER_DROP_AND_DATA = """from django.db import migrations


def touch_timers(apps, schema_editor):
    Timer = apps.get_model("core", "Timer")
    for timer in Timer.objects.all():
        timer.save()
    Timer.objects.count()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RemoveField(model_name="timer", name="end"),
        migrations.RunPython(touch_timers, migrations.RunPython.noop),
    ]
"""
SLOW_MIGRATION = """import time

from django.db import migrations


def wait(apps, schema_editor):
    time.sleep({seconds})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_remove_timer_end")]

    operations = [migrations.RunPython(wait, migrations.RunPython.noop)]
"""


def add_data_migration_app(manage_dir: Path, settings: Path, *, sleep: int = 0) -> None:
    """An app `core` whose second migration drops a column and then runs a data migration
    querying the model through its default manager; with `sleep`, a third migration that
    sleeps that many seconds (a release that takes too long). Committed."""
    app = manage_dir / "core"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("", "utf-8")
    (app / "migrations" / "__init__.py").write_text("", "utf-8")
    (app / "models.py").write_text(TIMER_MODELS, "utf-8")
    (app / "migrations" / "0001_initial.py").write_text(TIMER_INITIAL, "utf-8")
    (app / "migrations" / "0002_remove_timer_end.py").write_text(TIMER_DROP_AND_DATA, "utf-8")
    if sleep:
        slow = SLOW_MIGRATION.format(seconds=sleep)
        (app / "migrations" / "0003_slow.py").write_text(slow, "utf-8")
    text = settings.read_text("utf-8")
    marker = "    'django.contrib.staticfiles',\n"
    assert marker in text, "startproject's INSTALLED_APPS changed shape"
    settings.write_text(text.replace(marker, marker + "    'core',\n", 1), "utf-8")
    root = manage_dir if (manage_dir / ".git").exists() else manage_dir.parent
    commit(root, "Timers: the end column goes, existing timers are saved again")


def link_root_manage_py(root: Path, nested: str = "blog") -> Path:
    """A root manage.py that is a link to the nested project's (`ln -s blog/manage.py
    manage.py`), so every command runs from the repository root; returns the link."""
    link = root / "manage.py"
    link.symlink_to(f"{nested}/manage.py")
    commit(root, "Run manage.py from the repository root")
    return link


MAILERS_UNLESS_SET = """
# Mail goes out only where a relay is configured; without one, no mailer at all.
if os.environ.get("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": os.environ["SMTP_HOST"]},
        }
    }
else:
    MAILERS = {}
"""


def mailers_only_with_variable(root: Path, settings: Path) -> None:
    """Django 6.1 settings that replace startproject's console MAILERS with an SMTP one
    when SMTP_HOST is set, and with none (`MAILERS = {}`) otherwise; committed."""
    text = settings.read_text("utf-8")
    start = text.index("MAILERS = {")
    end = text.index("\n}\n", start) + 3
    text = text[:start] + text[end:]
    if "import os\n" not in text:
        text = "import os\n" + text
    settings.write_text(text + MAILERS_UNLESS_SET, "utf-8")
    commit(root, "Mail only where SMTP_HOST is set")


DATABASE_URL_TEST = """
# PostgreSQL where DATABASE_URL names one (full-text search needs it), SQLite here.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
POSTGRES_SEARCH = DATABASE_URL.startswith("postgres")
"""


def database_url_tested(root: Path, settings: Path) -> None:
    """Settings that read DATABASE_URL (with a default) and test its scheme before any
    settings block runs; committed."""
    text = settings.read_text("utf-8")
    if "import os\n" not in text:
        text = "import os\n" + text
    settings.write_text(text + DATABASE_URL_TEST, "utf-8")
    commit(root, "Full-text search on PostgreSQL")


# A gulp project shaped like many older Django sites: gulp in devDependencies, no
# package.json scripts, and a gulpfile whose exported `build` task writes the static
# files the production settings collect (the README says "npx gulp build").
GULP_PACKAGE_JSON = json.dumps(
    {"name": "blog-assets", "private": True, "devDependencies": {"gulp": "^5.0.0"}}, indent=2
)
GULP_LOCK = json.dumps(
    {
        "name": "blog-assets",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "blog-assets", "devDependencies": {"gulp": "^5.0.0"}}},
    },
    indent=2,
)
GULPFILE_JS = """const fs = require("fs");

function build(done) {
  fs.mkdirSync("static/build", { recursive: true });
  fs.writeFileSync("static/build/app.css", "body { font-weight: bold; }\\n");
  done();
}

function watch(done) {
  done();
}

module.exports = {
  build,
  watch,
  default: build,
};
"""


def add_gulp_build(root: Path, settings: Path) -> None:
    """package.json (gulp in devDependencies, no scripts) and its lock, and a gulpfile.js
    exporting a `build` task that writes static/build/app.css; STATICFILES_DIRS names that
    git-ignored folder."""
    (root / "package.json").write_text(GULP_PACKAGE_JSON + "\n", "utf-8")
    (root / "package-lock.json").write_text(GULP_LOCK + "\n", "utf-8")
    (root / "gulpfile.js").write_text(GULPFILE_JS, "utf-8")
    text = settings.read_text("utf-8")
    text += '\nSTATICFILES_DIRS = [BASE_DIR / "static" / "build"]\n'
    settings.write_text(text, "utf-8")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("node_modules/\nstatic/build/\n")


# A frontend in its own folder that only the project's Dockerfile builds: a Node.js stage
# runs `yarn build` there and a later stage copies its dist/ into the folder the settings
# serve (STATICFILES_DIRS under it, the index page a template there), as doccano does
# with its Nuxt app. The build writes under PUBLIC_PATH, which the stage sets.
FRONTEND_PACKAGE_JSON = json.dumps(
    {"name": "blog-frontend", "private": True, "scripts": {"build": "node build.js"}}, indent=2
)
FRONTEND_YARN_LOCK = (
    "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n"
)
FRONTEND_BUILD_JS = """const fs = require("fs");
const path = require("path");
// The bundler writes its files under the public path the Dockerfile's stage sets.
const assets = path.join("dist", (process.env.PUBLIC_PATH || "/").replace(/^\\/+|\\/+$/g, ""));
fs.mkdirSync(assets, { recursive: true });
fs.writeFileSync(path.join(assets, "app.css"), "body { font-weight: bold; }\\n");
fs.writeFileSync(
  path.join("dist", "index.html"),
  "{% load static %}<!doctype html><link rel=stylesheet href=\\"{% static 'app.css' %}\\">Blog\\n"
);
"""
FRONTEND_DOCKERFILE = """ARG NODE_VERSION="18-bullseye-slim"
FROM node:${NODE_VERSION} AS frontend-builder
COPY frontend/ /frontend/
WORKDIR /frontend
ENV PUBLIC_PATH="/static/"
RUN yarn install && \\
    yarn build

FROM python:3.12-slim
COPY . /srv
WORKDIR /srv/{backend}
RUN pip install -r requirements.txt
COPY --from=frontend-builder /frontend/dist /srv/{backend}/client/dist
RUN python manage.py collectstatic --noinput
CMD ["gunicorn", "blog.wsgi"]
"""


CLIENT_PACKAGE_LOCK = json.dumps(
    {
        "name": "blog-client",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "blog-client"}},
    },
    indent=2,
)
CLIENT_DOCKERFILE = """FROM node:20-alpine AS build-node
WORKDIR /home/node/app/client
COPY client/package-lock.json client/package.json ./
RUN npm ci
COPY client/ ./
RUN npm run build

FROM python:3.12-slim
WORKDIR /app
COPY . ./
RUN pip install -r requirements.txt
COPY --from=build-node /home/node/app/client/dist ./client/dist
RUN python manage.py collectstatic --noinput
CMD ["gunicorn", "blog.wsgi"]
"""


def scm_pyproject(django: str, packages: str) -> str:
    """pyproject.toml of a package whose version setuptools-scm reads from git (as
    cal-itp/benefits'), listing `packages` (a TOML list) and Django `django`."""
    return f"""[build-system]
requires = ["setuptools>=68", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "blog-site"
dynamic = ["version"]
requires-python = ">=3.10"
dependencies = ["Django=={django}"]

[tool.setuptools]
packages = {packages}

[tool.setuptools_scm]
"""


def _serve_built(settings: Path, static_dir: str) -> None:
    """The settings render the built index.html (template DIRS: client/dist) and serve
    `static_dir` (a path expression under BASE_DIR) as static files."""
    text = settings.read_text("utf-8")
    text = text.replace("'DIRS': [],", "'DIRS': [BASE_DIR / 'client' / 'dist'],")
    text += f"\nSTATICFILES_DIRS = [{static_dir}]\n"
    settings.write_text(text, "utf-8")


def add_npm_client_frontend(root: Path, manage_dir: Path, settings: Path) -> None:
    """client/ beside manage.py (package.json, package-lock.json, the build script
    writing dist/static/app.css and dist/index.html), built by the root Dockerfile's
    Node.js stage into client/dist, where the settings read it (STATICFILES_DIRS and
    template DIRS), as django-layout's template is. Nothing in the commit holds dist/."""
    client = manage_dir / "client"
    client.mkdir()
    package = {"name": "blog-client", "private": True, "scripts": {"build": "node build.js"}}
    (client / "package.json").write_text(json.dumps(package, indent=2) + "\n", "utf-8")
    (client / "package-lock.json").write_text(CLIENT_PACKAGE_LOCK + "\n", "utf-8")
    (client / "build.js").write_text(FRONTEND_BUILD_JS, "utf-8")
    (root / "Dockerfile").write_text(CLIENT_DOCKERFILE, "utf-8")
    _serve_built(settings, 'BASE_DIR / "client" / "dist"')
    route_home(manage_dir, "index.html")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("node_modules/\ndist/\n")


def add_dockerfile_frontend(root: Path, manage_dir: Path, settings: Path) -> None:
    """frontend/ (package.json, yarn.lock, a build script writing dist/static/app.css and
    dist/index.html) built only by docker/Dockerfile, which copies dist/ to client/dist
    beside manage.py; the settings serve client/dist/static and render client/dist's
    index.html at `/`. Nothing in the commit holds client/dist."""
    frontend = root / "frontend"
    frontend.mkdir()
    (frontend / "package.json").write_text(FRONTEND_PACKAGE_JSON + "\n", "utf-8")
    (frontend / "yarn.lock").write_text(FRONTEND_YARN_LOCK, "utf-8")
    (frontend / "build.js").write_text(FRONTEND_BUILD_JS, "utf-8")
    (root / "docker").mkdir()
    backend = manage_dir.relative_to(root).as_posix()
    dockerfile = FRONTEND_DOCKERFILE.replace("/{backend}", "" if backend == "." else f"/{backend}")
    (root / "docker" / "Dockerfile").write_text(dockerfile, "utf-8")
    _serve_built(settings, 'BASE_DIR / "client" / "dist" / "static"')
    route_home(manage_dir, "index.html")
    with open(root / ".gitignore", "a", encoding="utf-8") as ignore:
        ignore.write("node_modules/\ndist/\n")
