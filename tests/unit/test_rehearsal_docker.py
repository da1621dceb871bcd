"""The container engine's choices that need no engine: when it is used, what the user is
told without one, and how secrets reach a container (an env-file, never argv)."""

from __future__ import annotations

import os
import stat

import pytest

from simple_deploy.package_managers import get
from simple_deploy.rehearsal.docker import DockerEngine, engine_for
from simple_deploy.rehearsal.engine import Context
from simple_deploy.rehearsal.venv import VenvEngine
from simple_deploy.runtime import Command, Runtime


def _runtime(dockerfile: str | None) -> Runtime:
    return Runtime(
        env={},
        build=(),
        release=(),
        web=Command(("gunicorn", "blog.wsgi")),
        host="example.fly.dev",
        dockerfile=dockerfile,
    )


def test_platform_without_an_image_rehearses_in_a_venv_silently():
    assert engine_for(_runtime(None)) == (VenvEngine, "")


def test_no_docker_command_says_so_and_falls_back_to_the_venv(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    engine, note = engine_for(_runtime("Dockerfile"))
    assert engine is VenvEngine
    assert "No container engine answered (no `docker` command on PATH)" in note
    assert "virtual environment" in note and "Start Docker (or Podman)" in note


@pytest.mark.needs_programs  # runs `docker info`
def test_engine_that_does_not_answer_falls_back_to_the_venv(monkeypatch, tmp_path):
    if not any(
        os.access(os.path.join(d, "docker"), os.X_OK) for d in os.environ["PATH"].split(":")
    ):
        pytest.skip("no docker command installed")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'nothing-listens.sock'}")
    engine, note = engine_for(_runtime("Dockerfile"))
    assert engine is VenvEngine
    assert note.startswith("No container engine answered (`docker info` did not answer")


def test_secrets_reach_containers_in_a_private_env_file_not_argv(tmp_path):
    ctx = Context(
        git_root=tmp_path,
        manage_dir=".",
        manager=get("requirements_txt"),
        runtime=_runtime("Dockerfile"),
        python="python",
        timeout=60,
        root=tmp_path,
        database_url="postgres://u:db-Pa55word@127.0.0.1:5432/x",
    )
    engine = DockerEngine(ctx, "docker")
    env = {"SECRET_KEY": ctx.secret_key, "DATABASE_URL": ctx.database_url, "PORT": "8123"}
    args = engine._container_args("rehearsal-test", env)
    assert ctx.secret_key not in " ".join(args) and "db-Pa55word" not in " ".join(args)
    assert args[:4] == ["--name", "rehearsal-test", "--network", "host"]
    env_file = tmp_path / args[args.index("--env-file") + 1]
    if os.name == "posix":
        # Windows' st_mode holds no owner/other bits: there the file is private because
        # the rehearsal's folder is in the user's own temp folder (mkdtemp, per-user ACL).
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert env_file.read_text().splitlines() == [f"{k}={v}" for k, v in env.items()]


def test_sqlite_rehearsal_database_is_mounted_into_containers(tmp_path):
    ctx = Context(
        git_root=tmp_path,
        manage_dir=".",
        manager=get("requirements_txt"),
        runtime=_runtime("Dockerfile"),
        python="python",
        timeout=60,
        root=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    engine = DockerEngine(ctx, "docker")
    # Commands in the container see the mounted folder, not this machine's path.
    assert engine.placeholders()["database_url"] == "sqlite:////rehearsal-sqlite/db.sqlite3"
    args = engine._container_args("rehearsal-test", {})
    assert args[-2:] == ["--volume", f"{tmp_path / 'sqlite'}:/rehearsal-sqlite"]
