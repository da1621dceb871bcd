"""The rehearsal replays a platform's steps on a real, tiny Django project.

The project is made by the real tools (django-admin, makemigrations, git) once
per module and copied per test: a site with a home page linking to an about
page, each referencing stylesheets and an image through {% static %}, and a
model with its migration. Each rehearsal installs into a fresh virtual
environment (with pip for the full rehearsal, with uv where a test looks at how a
later step fails; shared caches keep both fast), runs collectstatic and migrate,
starts gunicorn and requests the pages and their assets.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import pytest

from simple_deploy.package_managers import InstallStep, PackageManager
from simple_deploy.rehearsal import REDACTED, STEP_NAMES, RehearsalReport, StepResult, rehearse
from simple_deploy.rehearsal.engine import Context
from simple_deploy.rehearsal.report import StepFailed
from simple_deploy.rehearsal.steps import _Rehearsal, _Site, _step_pages, _step_web
from simple_deploy.rehearsal.venv import VenvEngine
from simple_deploy.runtime import Command, Runtime

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "demo.example.com"

SETTINGS_BLOCK = """

# Production settings for the test platform (only when its environment says so).
import os  # noqa: E402

if os.environ.get("ON_TESTPLATFORM"):
    import dj_database_url

    DEBUG = False
    SECRET_KEY = os.environ["SECRET_KEY"]
    ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    DATABASES = {
        "default": dj_database_url.config(conn_max_age=600, conn_health_checks=True),
    }
    STATIC_ROOT = BASE_DIR / "staticfiles"
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        },
    }
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
"""

# The site's own app: what visitors request, and a model with its migration.
PAGES_FILES = {
    "pages/__init__.py": "",
    "pages/models.py": (
        "from django.db import models\n\n\n"
        "class Note(models.Model):\n"
        "    title = models.CharField(max_length=100)\n"
    ),
    "pages/templates/pages/home.html": (
        "{% load static %}<!doctype html><html><head>"
        '<link rel="stylesheet" href="{% static \'pages/site.css\' %}">'
        "<script src=\"{% static 'pages/site.js' %}\"></script></head><body>"
        '<img src="{% static \'pages/logo.svg\' %}" alt="logo">'
        '<a href="/about/">About</a> <a href="/nowhere/">A page the site lacks</a> '
        '<a href="https://example.org/">elsewhere</a> <a href="#top">top</a>'
        "</body></html>\n"
    ),
    "pages/templates/pages/about.html": (
        "{% load static %}<!doctype html><html><head>"
        '<link rel="stylesheet" href="{% static \'pages/about.css\' %}"></head>'
        '<body><a href="/">Home</a></body></html>\n'
    ),
    "pages/static/pages/site.css": 'body { background: url("logo.svg") no-repeat; }\n',
    "pages/static/pages/about.css": "h1 { color: teal; }\n",
    "pages/static/pages/site.js": "document.documentElement.className = 'js';\n",
    "pages/static/pages/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
}
URLS = """
from django.views.generic import TemplateView  # noqa: E402

urlpatterns += [
    path("", TemplateView.as_view(template_name="pages/home.html")),
    path("about/", TemplateView.as_view(template_name="pages/about.html")),
]
"""

PLATFORM_ENV = {
    "ON_TESTPLATFORM": "1",
    "SECRET_KEY": "{secret_key}",
    "ALLOWED_HOSTS": "{host}",
    "DATABASE_URL": "{database_url}",
}


def _runtime(**changes) -> Runtime:
    fields = {
        "env": PLATFORM_ENV,
        "build": (Command(("python", "manage.py", "collectstatic", "--noinput")),),
        "release": (Command(("python", "manage.py", "migrate", "--noinput")),),
        "web": Command(("gunicorn", "blog.wsgi", "--bind", "127.0.0.1:{port}")),
        "host": HOST,
    }
    return Runtime(**(fields | changes))


def _manager() -> PackageManager:
    try:
        from simple_deploy.package_managers import requirements_txt
    except ImportError:
        return PackageManager(
            name="requirements_txt",
            label="pip",
            files=("requirements.txt",),
            detect=lambda root: (root / "requirements.txt").is_file(),
            requirement_names=lambda root: set(),
            add_requirements=lambda text, reqs: text,
            check=lambda root: [],
            lock_argv=None,
            install_steps=(
                InstallStep(("{python}", "-m", "pip", "install", "-r", "requirements.txt")),
            ),
        )
    return requirements_txt.MANAGER


def _quick_manager() -> PackageManager:
    """The same requirements.txt, installed by `uv pip install` when uv is here.

    The tests of what a failing step reports need a real installed site, not pip's
    own way of installing it (test_full_rehearsal_passes_with_sqlite keeps pip): uv
    links the same pinned wheels from its cache in a fraction of pip's time.
    """
    manager = _manager()
    if shutil.which("uv") is None:
        return manager
    uv_pip = ("uv", "pip", "install", "--python", "{python}", "--requirement", "requirements.txt")
    return dataclasses.replace(manager, install_steps=(InstallStep(uv_pip),))


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module", autouse=True)
def pip_cache():
    with pytest.MonkeyPatch.context() as patch:
        for name, folder in (("PIP_CACHE_DIR", "pip"), ("UV_CACHE_DIR", "uv")):
            if name not in os.environ:
                patch.setenv(name, str(REPO_ROOT / ".cache" / folder))
        yield


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine") / "blog_project"
    root.mkdir()
    subprocess.run([str(BIN / "django-admin"), "startproject", "blog", "."], cwd=root, check=True)
    with open(root / "blog" / "settings.py", "a", encoding="utf-8") as settings:
        settings.write('\nINSTALLED_APPS.append("pages")\n' + SETTINGS_BLOCK)
    with open(root / "blog" / "urls.py", "a", encoding="utf-8") as urls:
        urls.write(URLS)
    for name, text in PAGES_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "pages", "-v", "0"],
        cwd=root,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    pins = [
        f"Django=={version('Django')}",
        f"gunicorn=={version('gunicorn')}",
        f"whitenoise=={version('whitenoise')}",
        f"dj-database-url=={version('dj-database-url')}",
        f"psycopg[binary]=={version('psycopg')}",
    ]
    (root / "requirements.txt").write_text("\n".join(pins) + "\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", "init")
    return root


@pytest.fixture
def project(pristine, tmp_path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "project"))


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """The rehearsal's temp folders land here, so cleanup can be checked."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


def _assert_no_process_left(folder: Path) -> None:
    if Path("/proc/self/cmdline").exists():
        assert _processes_mentioning(str(folder)) == []


# gunicorn, the web server every platform runs, does not run on Windows (no fork).
needs_gunicorn = pytest.mark.skipif(os.name == "nt", reason="gunicorn does not run on Windows")


def _step(report: RehearsalReport, name: str) -> StepResult:
    return next(step for step in report.steps if step.name == name)


@pytest.mark.needs_programs
@needs_gunicorn
def test_full_rehearsal_passes_with_sqlite(project, scratch):
    seen: list[StepResult] = []
    report = rehearse(project, ".", _manager(), _runtime(), on_step=seen.append)

    for step in report.steps:
        print(f"{step.name:15} {'ok' if step.ok else 'FAILED':6} {step.seconds:6.2f}s")
    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)
    assert [step.name for step in report.steps] == list(STEP_NAMES)
    assert list(report.steps) == seen
    assert "uncommitted" not in _step(report, "copy").detail
    pages = _step(report, "pages")
    # /, /about/, /nowhere/ (404: a page the site lacks is not a failure), LOGIN_URL
    # (the project has none: 404), the admin's login page; every asset they name.
    expected = (
        "200 /",
        "200 /about/",
        "404 /nowhere/",
        "404 /accounts/login/",
        "200 /admin/login/",
    )
    for line in expected:
        assert f"  {line}\n" in pages.detail + "\n", pages.detail
    assert "example.org" not in pages.detail
    counted = re.fullmatch(r"(\d+) pages, (\d+) assets", pages.summary)
    assert counted, pages.summary
    # site.css, site.js, logo.svg (named by the page and by site.css), about.css, admin CSS.
    assert int(counted.group(1)) >= 5 and int(counted.group(2)) >= 5
    static = _step(report, "static file").detail
    assert "/static/admin/css/base." in static
    assert "Content-Encoding: gzip" in static or "Content-Encoding: br" in static
    assert "max-age=315360000" in static
    assert list(scratch.iterdir()) == []
    _assert_no_process_left(scratch)


@pytest.mark.needs_programs
@needs_gunicorn
def test_a_missing_static_file_fails_pages_naming_the_page_and_the_file(project, scratch):
    (project / "pages" / "static" / "pages" / "about.css").unlink()
    _git(project, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", "rm")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    failed = report.failed
    assert failed is not None and failed.name == "pages", failed
    assert "GET /about/ answered 500 (referenced by /)" in failed.detail
    assert "'pages/about.css' is named in a template ({% static %})" in failed.detail
    # The web process's own log: the traceback.
    assert "Missing staticfiles manifest entry for 'pages/about.css'" in failed.detail
    _assert_no_process_left(scratch)


@pytest.mark.needs_programs
@needs_gunicorn
def test_an_asset_no_file_of_the_project_holds_is_reported_not_failed(project, scratch):
    # djangogirls' stylesheets name images long deleted: 404 on the developer's computer
    # and on the live site alike. A file the commit has but the site does not serve
    # still fails (the test above).
    about = project / "pages" / "templates" / "pages" / "about.html"
    about.write_text(
        about.read_text("utf-8").replace(
            "<body>", '<body><img src="/static/pages/img/deleted-long-ago.png">'
        ),
        "utf-8",
    )
    _git(project, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", "img")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)
    pages = _step(report, "pages")
    assert pages.summary.endswith(
        "; 1 referenced but in no folder of your project (404 on your computer too): "
        "/static/pages/img/deleted-long-ago.png"
    ), pages.summary
    assert "asset /static/pages/img/deleted-long-ago.png answered 404 (referenced by /about/)" in (
        pages.detail
    )


SHORTEST_VIEW = """import os

from django.http import HttpResponse

from .models import Note


def shortest(request):
    if os.environ.get("ON_TESTPLATFORM") and os.environ.get("ONLY_THERE"):
        raise ValueError("fails on the platform only")
    return HttpResponse(min(len(note.title) for note in Note.objects.all()))
"""


def _add_shortest_page(project: Path) -> None:
    """/shortest/, linked from /about/, whose own code takes min() of the notes."""
    (project / "pages" / "views.py").write_text(SHORTEST_VIEW, "utf-8")
    urls = next(project.glob("*/urls.py"))
    urls.write_text(
        urls.read_text("utf-8")
        + '\nfrom pages import views  # noqa: E402\n\nurlpatterns += [path("shortest/", '
        "views.shortest)]\n",
        "utf-8",
    )
    about = project / "pages" / "templates" / "pages" / "about.html"
    about.write_text(
        about.read_text("utf-8").replace("<body>", '<body><a href="/shortest/">Shortest</a>'),
        "utf-8",
    )
    _git(project, "add", "-A")
    _git(project, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "page")


@pytest.mark.needs_programs
@needs_gunicorn
def test_a_page_that_fails_on_an_empty_database_under_the_own_settings_too_is_reported(
    project, scratch
):
    # simonwillisonblog's tag cloud takes min() of the tags: 500 on any empty database,
    # the developer's too. Not the deployment's doing: reported, not failed.
    _add_shortest_page(project)

    report = rehearse(project, ".", _quick_manager(), _runtime())

    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)
    summary = _step(report, "pages").summary
    assert "; GET /shortest/ answers 500 on an empty database with your own settings too (" in (
        summary
    ), summary
    assert "(raised at pages/views.py line 11)): your code's, not the deployment's" in summary


@pytest.mark.needs_programs
@needs_gunicorn
def test_a_page_that_fails_only_in_the_platforms_environment_fails_the_step(project, scratch):
    _add_shortest_page(project)
    runtime = _runtime()
    runtime = dataclasses.replace(runtime, env={**runtime.env, "ONLY_THERE": "1"})

    report = rehearse(project, ".", _quick_manager(), runtime)

    failed = report.failed
    assert failed is not None and failed.name == "pages", failed
    assert "GET /shortest/ answered 500 because the project's own code raised ValueError: " in (
        failed.detail
    ), failed.detail


DEPRECATION_CHECK = """

import os  # noqa: E402

from django.core import checks  # noqa: E402


@checks.register()
def _pages_setting(app_configs, **kwargs):
    # As django-allauth warns about a deprecated setting, with no check id.
    if os.environ.get("PAGES_WARN_ON_PLATFORM_ONLY") and not os.environ.get("ON_TESTPLATFORM"):
        return []
    return [checks.Warning("settings.PAGES_LEGACY is deprecated, use: settings.PAGES_NEW")]
"""


def _add_deprecation_warning(project: Path) -> None:
    models = project / "pages" / "models.py"
    models.write_text(models.read_text("utf-8") + DEPRECATION_CHECK, "utf-8")
    _git(project, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", "w")


@pytest.mark.needs_programs
@needs_gunicorn
def test_a_warning_the_own_settings_raise_too_is_listed_not_failed(project, scratch):
    # pythondotorg's base settings use django-allauth's deprecated names: the same
    # warning on the developer's computer, nothing the deployment changed.
    _add_deprecation_warning(project)

    report = rehearse(project, ".", _quick_manager(), _runtime())

    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)
    summary = _step(report, "check --deploy").summary
    assert (
        "?: settings.PAGES_LEGACY is deprecated, use: settings.PAGES_NEW (your own settings "
        "warn the same: not about the deployment, so listed, not failed on)" in summary
    ), summary


@pytest.mark.needs_programs
def test_a_warning_only_the_platforms_settings_raise_fails_the_check(project, scratch, monkeypatch):
    _add_deprecation_warning(project)
    # In the developer's environment only: their own settings do not warn.
    monkeypatch.setenv("PAGES_WARN_ON_PLATFORM_ONLY", "1")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    failed = report.failed
    assert failed is not None and failed.name == "check --deploy", failed
    assert "PAGES_LEGACY is deprecated" in failed.detail


@pytest.mark.needs_programs
@needs_gunicorn
def test_a_kept_storage_that_writes_no_compressed_copies_is_reported_not_failed(project, scratch):
    # pythondotorg's django-pipeline storage, kept as the project's choice: WhiteNoise
    # serves its files, uncompressed (only WhiteNoise's own storages compress).
    settings = next(project.glob("*/settings.py"))
    settings.write_text(
        settings.read_text("utf-8").replace(
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "django.contrib.staticfiles.storage.StaticFilesStorage",
        ),
        "utf-8",
    )
    _git(project, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", "s")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)
    summary = _step(report, "static file").summary
    assert summary.endswith(
        "served uncompressed: your staticfiles storage "
        "django.contrib.staticfiles.storage.StaticFilesStorage writes no compressed copies "
        "(WhiteNoise's storages do)"
    ), summary


@pytest.mark.needs_programs
def test_a_model_change_without_migration_is_reported(project, scratch):
    models = project / "pages" / "models.py"
    models.write_text(
        models.read_text(encoding="utf-8") + "    body = models.TextField(default='')\n",
        encoding="utf-8",
    )
    _git(project, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", "m")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    failed = report.failed
    assert failed is not None and failed.name == "migrations", failed
    assert "Your models have changes with no migration" in failed.detail
    assert "Add field body to note" in failed.detail
    assert "Run `python manage.py makemigrations`, commit the new migration files" in failed.detail


TOKEN = "user-token-0123456789"
# Present at build, release and run time, or the command fails.
NEEDS_TOKEN = f"import os, sys; sys.exit(os.environ.get('API_TOKEN') != {TOKEN!r})"


@pytest.mark.needs_programs
def test_a_web_process_that_exits_shows_its_own_error_and_the_users_variables(project, scratch):
    crash = "import os; print('token is', os.environ['API_TOKEN'], flush=True); import nosuchmodule"
    runtime = _runtime(
        build=(*_runtime().build, Command(("python", "-c", NEEDS_TOKEN))),
        release=(*_runtime().release, Command(("python", "-c", NEEDS_TOKEN))),
        web=Command(("python", "-c", crash)),
    )
    report = rehearse(project, ".", _quick_manager(), runtime, extra_env={"API_TOKEN": TOKEN})

    assert [step.name for step in report.steps] == list(STEP_NAMES[: STEP_NAMES.index("web") + 1])
    web = report.failed
    assert web is not None and web.name == "web"
    assert "exited with code 1" in web.detail
    assert "did not answer" not in web.detail
    assert "No module named 'nosuchmodule'" in web.detail
    assert f"token is {REDACTED}" in web.detail
    assert all(TOKEN not in step.detail for step in report.steps)
    assert list(scratch.iterdir()) == []
    _assert_no_process_left(scratch)


@pytest.mark.needs_programs
def test_check_deploy_warnings_fail_the_step(project, scratch):
    # Without ON_TESTPLATFORM the production block is off: DEBUG stays True.
    runtime = _runtime(env={"SECRET_KEY": "{secret_key}"}, build=(), release=())
    report = rehearse(project, ".", _quick_manager(), runtime)

    failed = report.failed
    assert failed is not None and failed.name == "check --deploy"
    assert report.steps[-1] is failed
    assert "WARNINGS:" in failed.detail
    assert "security.W018" in failed.detail  # DEBUG = True
    assert list(scratch.iterdir()) == []


@pytest.mark.needs_programs
@needs_gunicorn
def test_uncommitted_changes_are_reported_and_left_out(project, tmp_path):
    settings = project / "blog" / "settings.py"
    settings.write_text(
        settings.read_text(encoding="utf-8") + '\nraise RuntimeError("uncommitted edit")\n',
        encoding="utf-8",
    )
    (project / "notes.txt").write_text("not committed\n", encoding="utf-8")
    workdir = tmp_path / "work"

    report = rehearse(project, ".", _quick_manager(), _runtime(), workdir=workdir)

    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)
    copy = _step(report, "copy").detail
    assert "rehearsing the last commit; commit your changes to include them" in copy
    assert "blog/settings.py" in copy and "notes.txt" in copy
    # The kept work folder holds the committed content only.
    copied = (workdir / "app" / "blog" / "settings.py").read_text(encoding="utf-8")
    assert "uncommitted edit" not in copied
    assert not (workdir / "app" / "notes.txt").exists()
    if os.name != "nt":  # git archive keeps the executable bit
        assert (workdir / "app" / "manage.py").stat().st_mode & 0o100
    _assert_no_process_left(workdir)


@pytest.mark.needs_programs
def test_secret_key_never_appears_in_details(project, scratch, tmp_path):
    leaked = tmp_path / "leaked-key.txt"
    echo = (
        "import os, sys; key = os.environ['SECRET_KEY']; "
        "open(sys.argv[1], 'w').write(key); print('SECRET_KEY is', key); sys.exit(1)"
    )
    runtime = _runtime(build=(Command(("python", "-c", echo, str(leaked))),))
    report = rehearse(project, ".", _quick_manager(), runtime)

    failed = report.failed
    assert failed is not None and failed.name == "build"
    key = leaked.read_text(encoding="utf-8")
    assert len(key) >= 50
    assert f"SECRET_KEY is {REDACTED}" in failed.detail
    assert all(key not in step.detail for step in report.steps)


@pytest.mark.needs_programs
def test_copy_holds_the_committed_lf_bytes_when_core_autocrlf_is_true(project, tmp_path):
    # Git for Windows defaults to core.autocrlf=true; the platform still receives LF.
    _git(project, "config", "core.autocrlf", "true")
    script = b"#!/usr/bin/env bash\nset -euo pipefail\necho built\n"
    (project / "bin").mkdir()
    (project / "bin" / "post_compile").write_bytes(script)
    _git(project, "add", "-A")
    _git(project, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "s")
    workdir = tmp_path / "work"

    # A missing Python stops the rehearsal right after the copy step.
    rehearse(
        project, ".", _manager(), _runtime(), python=str(tmp_path / "no-python"), workdir=workdir
    )

    assert (workdir / "app" / "bin" / "post_compile").read_bytes() == script
    assert b"\r\n" not in (workdir / "app" / "blog" / "settings.py").read_bytes()


# Answers the first request (the web step's "is it up?"), then dies as a worker
# killed for memory would: the next request finds no process.
DIES_ON_SECOND_REQUEST = """
import http.server, os, sys

class Handler(http.server.BaseHTTPRequestHandler):
    seen = 0

    def do_GET(self):
        Handler.seen += 1
        if Handler.seen > 1:
            print("out of memory: worker killed", flush=True)
            os._exit(9)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def test_a_web_process_that_exits_while_pages_are_requested_shows_its_exit_code(tmp_path):
    # The web and pages steps on their own: no install is needed for this server.
    runtime = _runtime(web=Command((sys.executable, "-c", DIES_ON_SECOND_REQUEST, "{port}")))
    ctx = Context(tmp_path, ".", _manager(), runtime, sys.executable, 30, tmp_path, "sqlite://")
    ctx.app.mkdir()
    engine = VenvEngine(ctx)
    site = _Site("staticfiles", "/static/", "/media/", {}, "", "")
    state = _Rehearsal(ctx, engine, site_facts=site)
    try:
        assert "answering on 127.0.0.1" in _step_web(state)
        with pytest.raises(StepFailed) as failed:
            _step_pages(state)
    finally:
        engine.close()

    detail = str(failed.value)
    assert "The web process (while answering GET /) exited with code 9" in detail
    assert "out of memory: worker killed" in detail


@pytest.mark.needs_programs
def test_pip_installs_without_compiling_modules_the_rehearsal_never_imports(tmp_path):
    # Bytecode for every installed module was half of pip's time in a rehearsal whose
    # environment is thrown away; what the rehearsal imports is compiled as it runs.
    ctx = Context(
        git_root=tmp_path,
        manage_dir=".",
        manager=_manager(),
        runtime=_runtime(),
        python=sys.executable,
        timeout=300,
        root=tmp_path / "work",
        database_url="sqlite:///unused",
    )
    ctx.app.mkdir(parents=True)
    (ctx.app / "requirements.txt").write_text(f"sqlparse=={version('sqlparse')}\n")
    engine = VenvEngine(ctx)
    engine.prepare()
    shown = engine.install()

    assert shown.endswith("pip install --no-input --requirement requirements.txt"), shown
    installed = list((ctx.root / "venv").rglob("sqlparse/*.py"))
    assert installed, "sqlparse was not installed"
    assert list((ctx.root / "venv").rglob("sqlparse/**/*.pyc")) == []
    # The first command compiles what it imports, once, even where the platform's
    # image (compiled at build) tells the app not to write bytecode.
    ran = engine.run(["python", "-c", "import sqlparse"], ".", {"PYTHONDONTWRITEBYTECODE": "1"})
    assert ran.returncode == 0, ran.output
    assert list((ctx.root / "venv").rglob("sqlparse/__pycache__/__init__.*.pyc"))


def _commit_all(project: Path, message: str) -> None:
    _git(project, "add", "-A")
    _git(project, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", message)


@pytest.mark.needs_programs
@needs_gunicorn
def test_model_changes_with_no_sql_are_mentioned_not_failed(project, scratch):
    # Meta ordering, a verbose name and choices (as a list following the installed
    # time zones would be): migration state only, `migrate` would run no SQL.
    models = project / "pages" / "models.py"
    models.write_text(
        "from django.db import models\n\n\n"
        "class Note(models.Model):\n"
        "    title = models.CharField(max_length=100, verbose_name='heading',\n"
        "                             choices=[('a', 'A'), ('b', 'B')])\n\n"
        "    class Meta:\n"
        "        ordering = ['title']\n",
        encoding="utf-8",
    )
    _commit_all(project, "state-only changes")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    migrations = _step(report, "migrations")
    assert migrations.ok, migrations.detail
    assert "changes with no SQL, not needed to deploy" in migrations.summary
    assert "pages: Change Meta options on note" in migrations.summary
    assert "pages: Alter field title on note" in migrations.summary
    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)


@pytest.mark.needs_programs
def test_a_no_sql_change_beside_a_new_column_still_fails(project, scratch):
    models = project / "pages" / "models.py"
    models.write_text(
        "from django.db import models\n\n\n"
        "class Note(models.Model):\n"
        "    title = models.CharField(max_length=100)\n"
        "    body = models.TextField(default='')\n\n"
        "    class Meta:\n"
        "        ordering = ['title']\n",
        encoding="utf-8",
    )
    _commit_all(project, "a column and an ordering")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    failed = report.failed
    assert failed is not None and failed.name == "migrations", failed
    assert "Your models have changes with no migration" in failed.detail
    assert "Add field body to note" in failed.detail


@pytest.mark.needs_programs
@needs_gunicorn
def test_a_deploy_warning_about_a_value_the_project_set_is_a_note(project, scratch):
    # A CMS toolbar frames the site: the project sets SAMEORIGIN on purpose (W019).
    settings = project / "blog" / "settings.py"
    text = settings.read_text(encoding="utf-8") + '\nX_FRAME_OPTIONS = "SAMEORIGIN"\n'
    settings.write_text(text, encoding="utf-8")
    line = len(text.splitlines())
    _commit_all(project, "frames from the same origin")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    check = _step(report, "check --deploy")
    assert check.ok, check.detail
    assert (
        f"security.W019: X_FRAME_OPTIONS is set by your project at blog/settings.py:{line} "
        '(`X_FRAME_OPTIONS = "SAMEORIGIN"`), kept as your choice'
    ) in check.summary
    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)


@pytest.mark.needs_programs
def test_a_chosen_value_does_not_excuse_another_warning(project, scratch):
    settings = project / "blog" / "settings.py"
    text = settings.read_text(encoding="utf-8") + '\nX_FRAME_OPTIONS = "SAMEORIGIN"\n'
    settings.write_text(text, encoding="utf-8")
    _commit_all(project, "frames from the same origin")
    # Without ON_TESTPLATFORM the production block is off: DEBUG stays True (W018).
    runtime = _runtime(env={"SECRET_KEY": "{secret_key}"}, build=(), release=())

    report = rehearse(project, ".", _quick_manager(), runtime)

    failed = report.failed
    assert failed is not None and failed.name == "check --deploy"
    assert "security.W018" in failed.detail and "security.W019" in failed.detail


# drf-spectacular's deploy check, as a DRF project shows it (field: devops-recipe-app-api):
# the test environment has no drf-spectacular, so the project registers the same check.
SCHEMA_CHECK = """
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def schema(app_configs, **kwargs):
    return [
        checks.Warning(
            "pages/views.py: Error [health_check]: unable to guess serializer. "
            "Ignoring view for now.",
            id="drf_spectacular.W002",
        )
    ]
"""


@pytest.mark.needs_programs
@needs_gunicorn
def test_an_api_schema_warning_of_the_deploy_checks_is_a_note(project, scratch):
    (project / "pages" / "checks.py").write_text(SCHEMA_CHECK, encoding="utf-8")
    (project / "pages" / "__init__.py").write_text("from . import checks  # noqa: F401\n")
    _commit_all(project, "the schema check")

    report = rehearse(project, ".", _quick_manager(), _runtime())

    check = _step(report, "check --deploy")
    assert check.ok, check.detail
    assert "drf_spectacular.W002: drf-spectacular could not describe part of your API" in (
        check.summary
    )
    assert report.ok, "\n\n".join(f"{s.name}: {s.detail}" for s in report.steps if not s.ok)


@pytest.mark.needs_programs
def test_an_api_schema_warning_does_not_excuse_another_warning(project, scratch):
    (project / "pages" / "checks.py").write_text(SCHEMA_CHECK, encoding="utf-8")
    (project / "pages" / "__init__.py").write_text("from . import checks  # noqa: F401\n")
    _commit_all(project, "the schema check")
    # Without ON_TESTPLATFORM the production block is off: DEBUG stays True (W018).
    runtime = _runtime(env={"SECRET_KEY": "{secret_key}"}, build=(), release=())

    report = rehearse(project, ".", _quick_manager(), runtime)

    failed = report.failed
    assert failed is not None and failed.name == "check --deploy"
    assert "security.W018" in failed.detail and "drf_spectacular.W002" in failed.detail
