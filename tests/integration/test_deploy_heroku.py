"""`manage.py deploy --platform heroku` in configuration-only mode, on real sample projects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import project_files
import pytest
from project_files import git, manage_dir, snapshot

pytestmark = pytest.mark.needs_programs

MANAGERS = ["requirements_txt", "poetry", "pipenv", "uv"]
LAYOUTS = ["flat", "nested"]


def deploy(root: Path, *args: str) -> subprocess.CompletedProcess:
    return project_files.deploy(root, "heroku", *args)


def settings_path(root: Path) -> Path:
    blog = manage_dir(root) / "blog"
    return (
        blog / "settings.py"
        if (blog / "settings.py").exists()
        else blog / "settings" / "production.py"
    )


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("manager", MANAGERS)
def test_configures_heroku_and_second_run_changes_nothing(sample_project, manager, layout):
    root = sample_project(manager, layout)
    result = deploy(root)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "configured this project for Heroku" in result.stdout
    assert "heroku addons:create heroku-postgresql:essential-0" in result.stdout

    procfile = (root / "Procfile").read_text()
    assert "release: python" in procfile and "migrate --noinput" in procfile
    assert "web: gunicorn" in procfile
    assert (root / ".python-version").read_text().strip().startswith("3.")
    settings = settings_path(root).read_text()
    assert settings.count("# >>> django-simple-deploy: heroku >>>") == 1
    assert "ALLOWED_HOSTS = ['*']" not in settings and '"*"' not in settings
    # Heroku's buildpack runs collectstatic itself, nested projects included: once.
    assert not (root / "bin").exists()
    if layout == "nested":
        assert "gunicorn --chdir blog blog.wsgi" in procfile
        # Both build generations find a root manage.py (Fir looks nowhere else).
        assert "runs blog/manage.py, so both of Heroku's build generations" in result.stdout
        assert "runpy.run_path" in (root / "manage.py").read_text()

    manifest = {
        "requirements_txt": "requirements.txt",
        "poetry": "pyproject.toml",
        "pipenv": "Pipfile",
        "uv": "pyproject.toml",
    }[manager]
    text = (root / manifest).read_text()
    for name in ("gunicorn", "psycopg", "dj-database-url", "whitenoise"):
        assert name in text
    assert "django-simple-deploy" not in text
    lock = {"poetry": "poetry.lock", "pipenv": "Pipfile.lock", "uv": "uv.lock"}.get(manager)
    if lock:
        assert "gunicorn" in (root / lock).read_text()
    logs = root / "simple_deploy_logs"
    assert any(logs.glob("deploy-*.log")) and any(logs.glob("summary-heroku-*.md"))
    assert "simple_deploy_logs" not in git(root, "status", "--porcelain")

    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Heroku")
    before = snapshot(root)
    again = deploy(root)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "Nothing to change" in again.stdout
    after = snapshot(root)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert {k for k in changed if not k.startswith(("simple_deploy_logs/", ".git/"))} == set()


def test_dry_run_prints_the_diff_and_writes_nothing(sample_project):
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root)
    result = deploy(root, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "+++ b/Procfile" in result.stdout
    assert "+# >>> django-simple-deploy: heroku >>>" in result.stdout
    assert "+gunicorn~=27.0" in result.stdout
    assert "nothing written" in result.stdout
    assert snapshot(root) == before


def test_dry_run_names_the_lock_refresh(sample_project):
    root = sample_project("uv", "flat")
    result = deploy(root, "--dry-run")
    assert "refreshed with `uv lock`" in result.stdout


def test_settings_package_extends_the_module_wsgi_points_at(sample_project):
    root = sample_project("requirements_txt", "flat", settings="package")
    result = deploy(root)
    assert result.returncode == 0, result.stderr
    production = (root / "blog" / "settings" / "production.py").read_text()
    assert "django-simple-deploy: heroku" in production
    assert "django-simple-deploy" not in (root / "blog" / "settings" / "base.py").read_text()
    assert "blog/settings/production.py" in result.stdout
    # STATIC_ROOT must be in the folder holding manage.py: the probe found BASE_DIR there.
    assert 'STATIC_ROOT = BASE_DIR / "staticfiles"' in production


def test_a_base_dir_elsewhere_gives_static_root_from_the_settings_file(sample_project):
    # BASE_DIR left as startproject wrote it for a module: blog/, not the manage.py folder.
    root = sample_project("requirements_txt", "flat", settings="package")
    base = root / "blog" / "settings" / "base.py"
    base.write_text(base.read_text().replace(".parent.parent.parent", ".parent.parent"))
    git(root, "commit", "-qam", "BASE_DIR one level too deep")
    assert deploy(root).returncode == 0
    production = (root / "blog" / "settings" / "production.py").read_text()
    # Three levels up from production.py.
    assert 'STATIC_ROOT = _Path(__file__).resolve().parents[2] / "staticfiles"' in production


def test_crlf_settings_stay_crlf(sample_project):
    root = sample_project("requirements_txt", "flat")
    settings = root / "blog" / "settings.py"
    settings.write_bytes(settings.read_bytes().replace(b"\n", b"\r\n"))
    git(root, "commit", "-qam", "CRLF settings")
    assert deploy(root).returncode == 0
    data = settings.read_bytes()
    assert b"django-simple-deploy: heroku >>>\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"\r\n" not in (root / "Procfile").read_bytes()


def test_existing_python_version_is_kept(sample_project):
    root = sample_project("uv", "flat")
    before = (root / ".python-version").read_bytes()
    assert deploy(root).returncode == 0
    assert (root / ".python-version").read_bytes() == before


# --- Bad input: a clear message, a non-zero exit, and every file byte-for-byte unchanged.


def assert_refused(root: Path, result, *needles: str) -> None:
    assert result.returncode != 0
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.fixture
def flat(sample_project):
    return sample_project("requirements_txt", "flat")


def test_dirty_tree_is_refused(flat):
    (flat / "notes.txt").write_text("wip\n")
    before = snapshot(flat)
    result = deploy(flat)
    assert_refused(flat, result, "uncommitted changes", "notes.txt", "--ignore-unclean-git")
    assert snapshot(flat) == before


def test_dirty_tree_allowed_with_flag(flat):
    (flat / "notes.txt").write_text("wip\n")
    assert deploy(flat, "--ignore-unclean-git").returncode == 0


def test_not_a_git_repository_is_refused(flat):
    import shutil

    shutil.rmtree(flat / ".git")
    before = snapshot(flat)
    result = deploy(flat)
    assert_refused(flat, result, "not inside a git repository", "git init")
    assert snapshot(flat) == before


def test_unknown_platform_is_refused_with_the_installed_list(flat):
    before = snapshot(flat)
    result = subprocess.run(
        [sys.executable, "manage.py", "deploy", "--platform", "herokku"],
        cwd=flat,
        capture_output=True,
        text=True,
    )
    assert_refused(flat, result, "Unknown platform 'herokku'", "heroku")
    assert snapshot(flat) == before


def test_settings_that_do_not_import_are_refused(sample_project):
    root = sample_project("requirements_txt", "flat", settings="package")
    # manage.py keeps working (base settings), but the module to extend is broken.
    manage = root / "manage.py"
    manage.write_text(manage.read_text().replace("blog.settings.production", "blog.settings.base"))
    production = root / "blog" / "settings" / "production.py"
    production.write_text(production.read_text() + "\nimport not_a_module_anywhere\n")
    git(root, "commit", "-qam", "broken production settings")
    before = snapshot(root)
    result = deploy(root)
    assert_refused(root, result, "cannot be imported", "not_a_module_anywhere")
    assert snapshot(root) == before


def test_user_written_procfile_gets_only_web_and_release_replaced(flat):
    (flat / "Procfile").write_text("web: python manage.py runserver 0.0.0.0:$PORT\n")
    git(flat, "add", "-A")
    git(flat, "commit", "-qm", "my Procfile")
    result = deploy(flat)
    assert result.returncode == 0, result.stderr
    assert (flat / "Procfile").read_text() == (
        "release: python manage.py migrate --noinput\nweb: gunicorn blog.wsgi\n"
    )
    assert "replaced web: (was `python manage.py runserver 0.0.0.0:$PORT`)" in result.stdout


def test_missing_lock_file_is_refused(sample_project):
    root = sample_project("poetry", "flat")
    git(root, "rm", "-q", "poetry.lock")
    git(root, "commit", "-qm", "no lock")
    before = snapshot(root)
    result = deploy(root)
    assert_refused(root, result, "poetry lock")
    assert snapshot(root) == before
