"""What every platform's end-to-end test does: configure a sample project as the user
would, commit, rehearse it against PostgreSQL, and read what the rehearsal reported."""

from __future__ import annotations

import subprocess
from pathlib import Path

from project_files import deploy, git

# 4 package managers x 2 layouts, each layout on one of the Django versions this
# machine runs (Django 6 needs Python 3.12).
MATRIX = [
    (manager, layout, django)
    for manager in ("requirements_txt", "poetry", "pipenv", "uv")
    for layout, django in (("flat", "5.2"), ("nested", "4.2"))
]
# Halves of MATRIX, each with every manager once and the layouts alternating. The
# Django 6 session (tests/e2e/test_django6_matrix.py) rehearses one half of each
# platform's cells; this session rehearses the other half, so CI covers every
# manager x layout on every platform, across Django 4.2 to 6.1, at half the cost.
# Fly.io builds the real image for its main half here; the Django 6 session replays
# the other half's Dockerfiles in a virtual environment (this machine's engine has the
# python:3.11 base image only), so every manager and layout is still rehearsed on Fly.io.
HALVES = (
    [row for i, row in enumerate(MATRIX) if i % 4 in (0, 3)],
    [row for i, row in enumerate(MATRIX) if i % 4 in (1, 2)],
)
# The half of MATRIX each platform's own e2e test rehearses (test_<platform>_rehearsal.py);
# the Django 6 session takes the other half. Named, not derived from the platforms'
# order, so a new platform does not shift the others' cells.
MAIN_HALF = {"fly_io": 0, "heroku": 0, "platform_sh": 1, "railway": 0, "render": 0, "upsun": 0}
STEPS = (
    "install",
    "build",
    "release",
    "check --deploy",
    "migrations",
    "web",
    "pages",
    "static file",
)
# The container engine's steps (src/simple_deploy/rehearsal/docker.py).
IMAGE_STEPS = (
    "engine",
    "image",
    "build (in image)",
    "release (container)",
    "check --deploy (container)",
    "migrations",
    "container",
    "pages",
    "static file",
    "remove container and image",
)


def configure_commit_and_rehearse(
    root: Path, platform: str, database_url: str, steps: tuple[str, ...] = STEPS
) -> str:
    """The rehearsal's output; an AssertionError names the first step that did not pass."""
    configured = deploy(root, platform)
    assert configured.returncode == 0, configured.stderr + configured.stdout
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"Configure for {platform}")
    rehearsal = deploy(root, platform, "--rehearse", "--database-url", database_url)
    out = rehearsal.stdout + rehearsal.stderr
    assert rehearsal.returncode == 0, out
    for step in steps:
        assert f"[pass] {step} (" in out, out
    assert "Rehearsal passed." in out
    return out


def migrations_applied(database_url: str) -> int:
    """How many migrations the database records: proof the release step reached it."""
    out = subprocess.run(
        ["psql", database_url, "-Atc", "select count(*) from django_migrations"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())
