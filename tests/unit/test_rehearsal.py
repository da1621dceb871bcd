"""The rehearsal replays a platform's steps on a real, tiny Django project.

The project is made by the real tools (django-admin, git) once per module and
copied per test; each rehearsal installs into a fresh virtual environment with
pip (a shared cache keeps that fast), runs collectstatic and migrate, starts
gunicorn and fetches a page and a static file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import pytest

from simple_deploy.package_managers import InstallStep, PackageManager
from simple_deploy.rehearsal import REDACTED, STEP_NAMES, RehearsalReport, StepResult, rehearse
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


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module", autouse=True)
def pip_cache():
    with pytest.MonkeyPatch.context() as patch:
        if "PIP_CACHE_DIR" not in os.environ:
            patch.setenv("PIP_CACHE_DIR", str(REPO_ROOT / ".cache" / "pip"))
        yield


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine") / "blog_project"
    root.mkdir()
    subprocess.run([str(BIN / "django-admin"), "startproject", "blog", "."], cwd=root, check=True)
    with open(root / "blog" / "settings.py", "a", encoding="utf-8") as settings:
        settings.write(SETTINGS_BLOCK)
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
    assert "answered 404" in _step(report, "GET /").detail
    static = _step(report, "static file").detail
    assert "/static/admin/css/base." in static
    assert "Content-Encoding: gzip" in static or "Content-Encoding: br" in static
    assert "max-age=315360000" in static
    assert list(scratch.iterdir()) == []
    _assert_no_process_left(scratch)


@needs_gunicorn
def test_broken_web_command_fails_at_web_and_cleans_up(project, scratch):
    runtime = _runtime(web=Command(("gunicorn", "nosuchmodule.wsgi", "--bind", "127.0.0.1:{port}")))
    report = rehearse(project, ".", _manager(), runtime)

    assert not report.ok
    assert [step.name for step in report.steps] == list(STEP_NAMES[:7])
    web = report.failed
    assert web is not None and web.name == "web"
    assert "No module named 'nosuchmodule'" in web.detail
    assert list(scratch.iterdir()) == []
    _assert_no_process_left(scratch)


def test_check_deploy_warnings_fail_the_step(project, scratch):
    # Without ON_TESTPLATFORM the production block is off: DEBUG stays True.
    runtime = _runtime(env={"SECRET_KEY": "{secret_key}"}, build=(), release=())
    report = rehearse(project, ".", _manager(), runtime)

    failed = report.failed
    assert failed is not None and failed.name == "check --deploy"
    assert report.steps[-1] is failed
    assert "WARNINGS:" in failed.detail
    assert "security.W018" in failed.detail  # DEBUG = True
    assert list(scratch.iterdir()) == []


@needs_gunicorn
def test_uncommitted_changes_are_reported_and_left_out(project, tmp_path):
    settings = project / "blog" / "settings.py"
    settings.write_text(
        settings.read_text(encoding="utf-8") + '\nraise RuntimeError("uncommitted edit")\n',
        encoding="utf-8",
    )
    (project / "notes.txt").write_text("not committed\n", encoding="utf-8")
    workdir = tmp_path / "work"

    report = rehearse(project, ".", _manager(), _runtime(), workdir=workdir)

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


def test_secret_key_never_appears_in_details(project, scratch, tmp_path):
    leaked = tmp_path / "leaked-key.txt"
    echo = (
        "import os, sys; key = os.environ['SECRET_KEY']; "
        "open(sys.argv[1], 'w').write(key); print('SECRET_KEY is', key); sys.exit(1)"
    )
    runtime = _runtime(build=(Command(("python", "-c", echo, str(leaked))),))
    report = rehearse(project, ".", _manager(), runtime)

    failed = report.failed
    assert failed is not None and failed.name == "build"
    key = leaked.read_text(encoding="utf-8")
    assert len(key) >= 50
    assert f"SECRET_KEY is {REDACTED}" in failed.detail
    assert all(key not in step.detail for step in report.steps)


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
