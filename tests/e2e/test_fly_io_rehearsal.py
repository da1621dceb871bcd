"""Fly.io end to end: configure each sample project, commit, and rehearse it with a real
container engine: `docker build` of the generated Dockerfile (the project's own manager
installing from its lock file, collectstatic without secrets), fly.toml's release command
in a container against a real PostgreSQL server, the image's CMD serving a page and a
compressed, cached static file, and nothing left behind. Without an engine the
rehearsal says so and replays the Dockerfile's steps in a virtual environment."""

from __future__ import annotations

import subprocess

import pytest
from project_files import deploy, git
from rehearsals import (
    HALVES,
    IMAGE_STEPS,
    MAIN_HALF,
    STEPS,
    configure_commit_and_rehearse,
    migrations_applied,
)

# All image tests on one test worker (scripts/test runs `--dist loadgroup`): one
# private dockerd, one base image import, and one build cache, so the package
# managers' layers are built once per run, not once per test.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("docker"), pytest.mark.needs_programs]


def _rehearsal_leftovers() -> str:
    """Containers and images the rehearsal made that are still there (should be none)."""
    found = []
    for kind in ("container", "image"):
        out = subprocess.run(
            ["docker", kind, "ls", "--all", "--quiet", "--filter", "label=simple-deploy-rehearsal"],
            capture_output=True,
            text=True,
            check=True,
        )
        found += out.stdout.split()
    return " ".join(found)


@pytest.mark.parametrize(("manager", "layout", "django"), HALVES[MAIN_HALF["fly_io"]])
def test_fly_io_image_builds_and_runs_on_postgres(
    sample_project, database_url, docker_host, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    out = configure_commit_and_rehearse(root, "fly_io", database_url, IMAGE_STEPS)
    assert "Building and running the image with the container engine" in out
    # The release command's migrations really ran against PostgreSQL, from a container.
    assert migrations_applied(database_url) > 10
    assert not _rehearsal_leftovers()


def _configure_and_commit(root) -> None:
    configured = deploy(root, "fly_io")
    assert configured.returncode == 0, configured.stderr + configured.stdout
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Fly.io")


def _break_dockerfile(root, old: str, new: str) -> None:
    dockerfile = root / "Dockerfile"
    text = dockerfile.read_text("utf-8")
    assert old in text
    dockerfile.write_text(text.replace(old, new), "utf-8")
    git(root, "commit", "-qam", "Break the Dockerfile")


@pytest.mark.parametrize(
    ("old", "new", "failing_step", "shown"),
    [
        # No code in the image: the build's collectstatic finds no manage.py.
        ("COPY . .\n", "", "image", "manage.py"),
        # A CMD naming a module that does not exist: the container exits, and its
        # log (gunicorn's own traceback) is shown.
        ('"blog.wsgi"]', '"blog.wsgi_typo"]', "container", "No module named 'blog.wsgi_typo'"),
    ],
    ids=["no-code-copied", "wrong-cmd"],
)
def test_fly_io_broken_dockerfile_fails_the_rehearsal(
    sample_project, database_url, docker_host, old, new, failing_step, shown
):
    root = sample_project("requirements_txt", "flat")
    _configure_and_commit(root)
    _break_dockerfile(root, old, new)
    rehearsal = deploy(root, "fly_io", "--rehearse", "--database-url", database_url)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 1, out
    assert f"[FAIL] {failing_step} (" in out, out
    assert shown in out, out
    assert "The rehearsal failed after" in rehearsal.stderr
    assert "see the step marked FAIL above." in rehearsal.stderr
    # One clear message from the command: no traceback of its own.
    assert "Traceback" not in rehearsal.stderr
    assert not _rehearsal_leftovers()


def test_fly_io_without_container_engine_says_so_and_replays_in_a_venv(
    sample_project, database_url
):
    root = sample_project("uv", "flat")
    # An engine address where nothing listens: `docker info` cannot answer.
    no_engine = {"DOCKER_HOST": f"unix://{root / 'no-engine.sock'}", "DOCKER_CONTEXT": ""}
    _configure_and_commit(root)
    rehearsal = deploy(root, "fly_io", "--rehearse", "--database-url", database_url, env=no_engine)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    assert "No container engine answered" in out
    for step in STEPS:
        assert f"[pass] {step} (" in out, out
    assert migrations_applied(database_url) > 10


# A project's own Dockerfile, kept by `deploy` (issue 33, part 4).
# The base image the docker tests' engine has (tests/docker_engine.py); gunicorn binds
# to $PORT by itself, as fly.toml's internal_port needs.
_KEPT_DOCKERFILE = """FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /srv/site
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
{collect}EXPOSE 8000
CMD ["gunicorn", "blog.wsgi"]
"""
_COLLECT = "RUN SIMPLE_DEPLOY_FLY_BUILD=1 python manage.py collectstatic --noinput\n"


def _kept_dockerfile_rehearsal(
    sample_project, database_url, collect: str, engine=False, copy="COPY . .\n"
):
    root = sample_project("requirements_txt", "flat")
    dockerfile = _KEPT_DOCKERFILE.format(collect=collect).replace("COPY . .\n", copy)
    (root / "Dockerfile").write_text(dockerfile, "utf-8")
    git(root, "add", "Dockerfile")
    git(root, "commit", "-qm", "Our own Dockerfile")
    _configure_and_commit(root)
    no_engine = {"DOCKER_HOST": f"unix://{root / 'no-engine.sock'}", "DOCKER_CONTEXT": ""}
    env = None if engine else no_engine
    return deploy(root, "fly_io", "--rehearse", "--database-url", database_url, env=env)


def test_fly_io_kept_dockerfile_without_collectstatic_fails_the_venv_rehearsal(
    sample_project, database_url
):
    # The project is copied in parts, so no one line is where collectstatic can go:
    # configuring leaves the file as it is, and the rehearsal names the line to add.
    parts = "COPY blog/ blog/\nCOPY manage.py ./\n"
    rehearsal = _kept_dockerfile_rehearsal(sample_project, database_url, "", copy=parts)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 1, out
    assert "No container engine answered" in out
    assert "[FAIL] build (" in out, out
    flat = " ".join(out.split())
    assert (
        "Your Dockerfile (kept as yours) never runs collectstatic, so the image Fly builds "
        "holds no collected static files" in flat
    ), out
    assert (
        "`RUN SIMPLE_DEPLOY_FLY_BUILD=1 python /srv/site/manage.py collectstatic --noinput`" in flat
    )
    assert "configure again with --overwrite to deploy with our Dockerfile, which does" in flat
    assert "Traceback" not in rehearsal.stderr


def test_fly_io_kept_dockerfile_collecting_without_the_build_flag_gets_it_and_rehearses(
    sample_project, database_url
):
    # A public project's shape (django-cms-quickstart): `RUN python manage.py collectstatic
    # --noinput`. Configuring sets the flag on that line alone; the build then passes.
    # The image's own virtual environment on PATH (wagtail/bakerydemo's shape) names
    # folders of the image: the replay runs its own environment's python instead.
    collect = (
        "ENV VIRTUAL_ENV=/venv PATH=/venv/bin:$PATH PYTHONPATH=/srv/site/\n"
        "RUN python manage.py collectstatic --noinput\n"
    )
    rehearsal = _kept_dockerfile_rehearsal(sample_project, database_url, collect)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    for step in STEPS:
        assert f"[pass] {step} (" in out, out
    assert "Traceback" not in rehearsal.stderr


def test_fly_io_kept_dockerfile_s_own_collectstatic_is_replayed(sample_project, database_url):
    rehearsal = _kept_dockerfile_rehearsal(sample_project, database_url, _COLLECT)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    for step in STEPS:
        assert f"[pass] {step} (" in out, out


def test_fly_io_kept_dockerfile_is_what_the_engine_builds(
    sample_project, database_url, docker_host
):
    # The line without the flag, as public projects write it: configuring sets it.
    collect = "RUN python manage.py collectstatic --noinput\n"
    rehearsal = _kept_dockerfile_rehearsal(sample_project, database_url, collect, engine=True)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    assert "Building and running the image with the container engine" in out
    for step in IMAGE_STEPS:
        assert f"[pass] {step} (" in out, out
    # fly.toml's release command ran in a container of the user's own image.
    assert migrations_applied(database_url) > 10
    assert not _rehearsal_leftovers()
