"""Fixtures shared by the suite: sample projects and a PostgreSQL server."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import django
import docker_engine
import heroku_api
import postgres
import pytest
import sample_projects

# The reliability suite's tally line (see tests/reliability_tally.py).
from reliability_tally import pytest_runtest_logreport, pytest_terminal_summary  # noqa: F401

# The repository's cache folder (scripts/test makes it; its contents outlive a run).
CACHE = Path(__file__).resolve().parent.parent / ".cache"

# Sample projects are committed to by the deploy command (--automate-all) and by
# tests; a fresh machine may have no git identity configured.
for _name, _value in (
    ("GIT_AUTHOR_NAME", "Sample User"),
    ("GIT_AUTHOR_EMAIL", "sample@example.com"),
    ("GIT_COMMITTER_NAME", "Sample User"),
    ("GIT_COMMITTER_EMAIL", "sample@example.com"),
):
    os.environ.setdefault(_name, _value)


# Fixtures that run programs besides Python: a sample project is made by
# django-admin, a package manager and git; the others start servers and CLIs.
PROGRAM_FIXTURES = frozenset(
    {
        "sample_project",
        "postgres_server",
        "database_url",
        "heroku_standin",
        "heroku_account",
        "docker_daemon",
        "docker_host",
        "upsun_validator",
    }
)


def _unmarked_program_users(items) -> list[str]:
    """Tests that use a program fixture without `needs_programs`, which would make
    scripts/test-windows fail on a missing git instead of deselecting them."""
    return [
        item.nodeid
        for item in items
        if PROGRAM_FIXTURES & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("needs_programs") is None
    ]


def pytest_collection_modifyitems(config, items):
    """Django 6.x tests run only in the Django 6 session (scripts/test, Python 3.12+)."""
    unmarked = _unmarked_program_users(items)
    if unmarked:
        raise pytest.UsageError(
            "These tests run programs (their fixtures make sample projects or start "
            "servers) but are not marked needs_programs:\n  " + "\n  ".join(unmarked)
        )
    if django.VERSION >= (6, 1) and importlib.util.find_spec("django_celery_beat") is None:
        # The `test-services` extra (pyproject.toml) does not install beside Django 6.1
        # (django-celery-beat caps Django): the service samples' tests cannot run here.
        for item in items:
            if "service_shapes" in getattr(item.module, "__dict__", {}):
                item.add_marker(pytest.mark.skip(reason="needs the test-services extra"))
    if django.VERSION >= (6,):
        return
    kept = [item for item in items if item.get_closest_marker("django6") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture
def sample_project(tmp_path):
    """Make a fresh copy of a sample project: `sample_project("poetry", "nested")`."""

    def make(manager: str, layout: str, *, django: str = "5.2", settings: str = "module", shape=""):
        return sample_projects.copy(
            manager, layout, tmp_path, django_version=django, settings=settings, shape=shape
        )

    return make


@pytest.fixture(scope="session")
def postgres_server():
    server = postgres.start()
    if server is None:
        pytest.skip("PostgreSQL is not installed (scripts/test installs it on Debian as root)")
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres_server) -> str:
    """A new, empty database on the session's server."""
    return postgres_server.create_database()


@pytest.fixture(scope="session")
def upsun_validator():
    """Upsun's validator (tests/upsun_validator.py), installed once per machine."""
    import upsun_validator

    return upsun_validator.install()


@pytest.fixture(scope="session")
def heroku_standin(tmp_path_factory):
    """One stand-in Heroku Platform API for the session, and the real CLI's path.

    scripts/test installs the CLI and sets SIMPLE_DEPLOY_REQUIRE_HEROKU_CLI, so
    CI fails instead of skipping when it is missing.
    """
    cli = heroku_api.find()
    if cli is None:
        if os.environ.get("SIMPLE_DEPLOY_REQUIRE_HEROKU_CLI"):
            pytest.fail(heroku_api.MISSING)
        pytest.skip(heroku_api.MISSING)
    server = heroku_api.StandIn(tmp_path_factory.mktemp("heroku-api")).start()
    yield server, cli
    server.stop()


@pytest.fixture
def heroku_account(heroku_standin):
    """A fresh Heroku account (its own token) on the session's stand-in, used by the real CLI."""
    from heroku_api.account import HerokuAccount

    server, cli = heroku_standin
    return HerokuAccount(server, cli)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def render_standin():
    """One stand-in of Render's REST API for the session (tests/render_api)."""
    from render_api import StandIn

    server = StandIn().start()
    yield server
    server.stop()


@pytest.fixture
def render_account(render_standin, tmp_path):
    """A fresh Render account (its own API key) and a Git host for the project to push to."""
    from render_api.account import RenderAccount

    return RenderAccount(render_standin, _mkdir(tmp_path / "render-account"))


def _second_docker_worker() -> str:
    """Why this test worker must not start a second dockerd ('' when it is the first).

    scripts/test runs `--dist loadgroup` so that every test of the xdist_group
    "docker" runs on one worker: one daemon, one base image, one build cache. When
    pytest and pytest-xdist stop agreeing on how a group is named, the group is
    spread over every worker and the run costs minutes more without failing.
    """
    run, worker = os.environ.get("PYTEST_XDIST_TESTRUNUID"), os.environ.get("PYTEST_XDIST_WORKER")
    if not run or not worker:
        return ""
    claims = CACHE / "docker-workers"
    claims.mkdir(parents=True, exist_ok=True)
    for old in claims.iterdir():
        if old.name != run and old.stat().st_mtime < time.time() - 86400:
            old.unlink(missing_ok=True)
    claim = claims / run
    try:
        with open(claim, "x", encoding="utf-8") as first:
            first.write(worker)
        return ""
    except FileExistsError:
        other = claim.read_text(encoding="utf-8")
    return (
        f"The docker tests ran on test worker {other} and now on {worker}: pytest-xdist's "
        "`--dist loadgroup` no longer keeps xdist_group('docker') on one worker with this "
        "pytest (see the pin in pyproject.toml)."
    )


@pytest.fixture(scope="session")
def docker_daemon():
    """A private dockerd with a local python:3.11-slim, started once per test worker.

    Yields the DOCKER_HOST value; the daemon and everything it stored are removed
    at the end of the session.
    """
    reason = docker_engine.available()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    second = _second_docker_worker()
    if second:
        pytest.fail(second)
    if not reason and python != docker_engine.BASE_PYTHON:
        # The sample projects ask for this interpreter's version; Debian bookworm,
        # which the local base image is made from, has Python 3.11 only.
        reason = f"the local base image is python:{docker_engine.BASE_PYTHON}-slim, not {python}"
    if reason:
        pytest.skip(reason)
    daemon = docker_engine.start()
    try:
        seconds = docker_engine.base_image(daemon, CACHE / "docker-base")
        print(f"\n[docker] base image {docker_engine.BASE_TAG} ready in {seconds:.1f} s")
        yield daemon.host
    finally:
        daemon.stop()


@pytest.fixture
def docker_host(docker_daemon, monkeypatch) -> str:
    """DOCKER_HOST of the session's daemon, set for this test (and its subprocesses)."""
    monkeypatch.setenv("DOCKER_HOST", docker_daemon)
    return docker_daemon
