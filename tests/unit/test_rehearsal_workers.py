"""The processes beside web and the task probes, against a real redis-server.

The steps run in the virtual-environment engine whose environment is this test
run's own (linked, so Celery, django-rq and Django are the installed ones): a
real Celery worker and a real django-rq worker start exactly as declared, a
task is sent and seen done, and a worker that cannot start fails its step with
its own output.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from simple_deploy.rehearsal import redis as rehearsal_redis
from simple_deploy.rehearsal import service_steps, workers
from simple_deploy.rehearsal.engine import Context
from simple_deploy.rehearsal.report import StepFailed
from simple_deploy.rehearsal.steps import _plan, _Rehearsal
from simple_deploy.rehearsal.venv import VenvEngine
from simple_deploy.runtime import Command, Process, Runtime

REDIS = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed")

CELERY_APP = """import os

from celery import Celery

app = Celery("probe_app", broker=os.environ["BROKER_URL"], backend=os.environ.get("RESULTS"))


@app.task
def add(x, y):
    return x + y
"""
CELERY_NO_ARGUMENT_TASK = """

@app.task
def heartbeat():
    return "beating"
"""
RQ_MANAGE = """import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rq_settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""
RQ_SETTINGS = """import os

SECRET_KEY = "x" * 50
INSTALLED_APPS = ["django_rq"]
DATABASES = {}
RQ_QUEUES = {"low": {"URL": os.environ["REDIS_URL"]}}
"""


def _worker(*argv: str, name: str = "worker", role: str = "worker") -> Process:
    return Process(name, role, Command(argv))


def test_processes_are_named_by_what_runs_them():
    celery = _worker("celery", "-A", "blog", "worker", "--loglevel=info")
    beat = _worker("celery", "-A", "blog", "beat", name="beat", role="scheduler")
    rq = _worker("python", "manage.py", "rqworker", "high", "default")
    channels = _worker("python", "manage.py", "runworker", "tasks", name="channels")
    dramatiq = _worker("python", "-m", "dramatiq", "blog.tasks")
    assert [workers.step_name(p) for p in (celery, beat, rq, channels, dramatiq)] == [
        "worker: celery",
        "beat: celery",
        "worker: manage.py rqworker",
        "channels: manage.py runworker",
        "worker: dramatiq",
    ]
    assert workers.ready_line(beat.command.argv).search("beat: Starting...")
    assert workers.ready_line(("{python}", "manage.py", "run_huey")) is not None
    assert workers.ready_line(("someprogram",)) is None


def test_the_task_goes_to_the_first_worker_a_task_can_be_sent_to():
    beat = _worker("celery", "--app=blog", "beat", name="beat", role="scheduler")
    celery = _worker("celery", "-A", "blog.celery", "worker")
    probe = workers.find_probe((beat, celery))
    assert (probe.kind, probe.app, probe.process) == ("celery", "blog.celery", celery)
    rq = _worker("python", "manage.py", "rqworker", "--worker-class", "x.W", "high", "low")
    assert (workers.find_probe((rq,)).kind, workers.find_probe((rq,)).queue) == ("rq", "high")
    bare = _worker("python", "manage.py", "rqworker", "--with-scheduler")
    assert workers.find_probe((bare,)).queue == "default"
    assert workers.find_probe((_worker("python", "-m", "dramatiq", "blog"),)) is None


def _runtime(processes=(), **changes) -> Runtime:
    fields = {
        "env": {},
        "build": (),
        "release": (),
        "web": Command(("gunicorn", "blog.wsgi")),
        "host": "demo.example.com",
        "processes": processes,
    }
    return Runtime(**(fields | changes))


def test_the_steps_come_in_order_redis_before_build_processes_after_the_pages():
    processes = (
        _worker("celery", "-A", "blog", "worker"),
        _worker("celery", "-A", "blog", "beat", name="beat", role="scheduler"),
    )
    runtime = _runtime(processes, needs_redis=True, websocket_path="/ws/")
    ctx = Context(Path("."), ".", None, runtime, sys.executable, 60, Path("."), "sqlite://")
    names = [name for name, _generic, _step in _plan(_Rehearsal(ctx, VenvEngine(ctx)))]
    assert names == [
        "copy",
        "environment",
        "install",
        "redis",
        "build",
        "release",
        "check --deploy",
        "migrations",
        "web",
        "pages",
        "static file",
        "worker: celery",
        "beat: celery",
        "task",
        "websocket",
    ]
    plain = Context(Path("."), ".", None, _runtime(), sys.executable, 60, Path("."), "sqlite://")
    assert "redis" not in [n for n, _g, _s in _plan(_Rehearsal(plain, VenvEngine(plain)))]


@pytest.fixture
def state(tmp_path):
    """A rehearsal state whose virtual environment is this test run's own (linked),
    with a throwaway Redis; everything it started is stopped afterwards."""
    root = Path(tempfile.mkdtemp(prefix="simple-deploy-rehearsal-test-"))
    (root / "app").mkdir()
    os.symlink(sys.prefix, root / "venv")
    made: list[_Rehearsal] = []

    def make(processes: tuple[Process, ...], env: dict[str, str]) -> _Rehearsal:
        runtime = _runtime(processes, env=env, needs_redis=True)
        ctx = Context(tmp_path, ".", None, runtime, sys.executable, 120, root, "sqlite://")
        made.append(_Rehearsal(ctx, VenvEngine(ctx), redis=rehearsal_redis.choose("T", True, None)))
        made[-1].ctx.clock.start("redis", 30)
        service_steps.step_redis(made[-1])
        return made[-1]

    yield make
    for one in made:
        one.engine.close()
        one.resources.close()
    shutil.rmtree(root, ignore_errors=True)


def _start(state: _Rehearsal, process: Process) -> tuple[str, str]:
    state.ctx.clock.start("process", 60)
    return service_steps.step_process(state, process)


def _task(state: _Rehearsal) -> tuple[str, str]:
    state.ctx.clock.start("task", 90)
    return service_steps.step_task(state, workers.find_probe(state.ctx.runtime.processes))


@pytest.mark.needs_programs
@needs_redis
def test_a_worker_that_cannot_start_fails_with_its_own_output(state):
    broken = _worker("celery", "-A", "no_such_app", "worker", "--pool", "solo")
    rehearsal = state((broken,), {"BROKER_URL": "{redis_url}"})
    with pytest.raises(StepFailed) as failed:
        _start(rehearsal, broken)
    message = str(failed.value)
    assert "The worker process (" in message and "exited with code" in message
    assert "no_such_app" in message  # Celery's own words: the module was not found


@pytest.mark.needs_programs
@needs_redis
def test_a_celery_worker_gets_the_projects_task_without_arguments_and_its_result(state):
    worker = _worker("celery", "-A", "probe_app", "worker", "--pool", "solo", "-l", "info")
    rehearsal = state((worker,), {"BROKER_URL": "{redis_url}", "RESULTS": "{redis_url}"})
    app = rehearsal.ctx.app / "probe_app.py"
    app.write_text(CELERY_APP + CELERY_NO_ARGUMENT_TASK, encoding="utf-8")
    summary, detail = _start(rehearsal, worker)
    assert summary.startswith("ready after") and "celery@" in detail
    summary, detail = _task(rehearsal)
    assert summary == "probe_app.heartbeat succeeded"
    assert "a task of the project's" in detail and "'beating'" in detail
    # The Redis password never shows in what the report would hold.
    password = rehearsal_redis.urlsplit(rehearsal.redis_url).password
    assert password in rehearsal.secret_values() and password not in detail


@pytest.mark.needs_programs
@needs_redis
def test_without_a_result_backend_celerys_own_task_is_seen_in_the_workers_log(state):
    worker = _worker("celery", "-A", "probe_app", "worker", "--pool", "solo", "-l", "info")
    rehearsal = state((worker,), {"BROKER_URL": "{redis_url}"})
    (rehearsal.ctx.app / "probe_app.py").write_text(CELERY_APP, encoding="utf-8")
    _start(rehearsal, worker)
    summary, detail = _task(rehearsal)
    assert summary == "celery.accumulate succeeded"
    assert "Celery's own task" in detail and "succeeded in" in detail


@pytest.mark.needs_programs
@needs_redis
def test_a_celery_worker_that_dies_before_the_task_fails_the_task_step(state):
    worker = _worker("celery", "-A", "probe_app", "worker", "--pool", "solo", "-l", "info")
    rehearsal = state((worker,), {"BROKER_URL": "{redis_url}"})
    (rehearsal.ctx.app / "probe_app.py").write_text(CELERY_APP, encoding="utf-8")
    _start(rehearsal, worker)
    rehearsal.engine._processes["worker"].kill()
    rehearsal.engine._processes["worker"].wait()
    with pytest.raises(StepFailed, match="The worker process .* exited with code"):
        _task(rehearsal)


@pytest.mark.needs_programs
@needs_redis
def test_an_rq_job_is_enqueued_on_the_workers_queue_and_seen_finished(state):
    worker = _worker("{python}", "manage.py", "rqworker", "low")
    rehearsal = state((worker,), {"REDIS_URL": "{redis_url}"})
    (rehearsal.ctx.app / "manage.py").write_text(RQ_MANAGE, encoding="utf-8")
    (rehearsal.ctx.app / "rq_settings.py").write_text(RQ_SETTINGS, encoding="utf-8")
    summary, detail = _start(rehearsal, worker)
    assert "Listening on" in detail
    summary, detail = _task(rehearsal)
    assert summary == "job finished"
    assert "on the 'low' queue" in detail and "result 5" in detail


@pytest.mark.needs_programs
@needs_redis
def test_a_probe_that_cannot_load_the_app_fails_with_its_output_and_not_its_script(state):
    worker = _worker("celery", "-A", "missing_app", "worker")
    rehearsal = state((worker,), {"BROKER_URL": "{redis_url}"})
    with pytest.raises(StepFailed) as failed:
        _task(rehearsal)
    message = str(failed.value)
    assert "<the rehearsal's probe> missing_app" in message and "exited with code" in message
    assert "missing_app" in message.split("exited with code", 1)[1]  # Celery's own words
    assert "send_task" not in message


@pytest.mark.needs_programs
@needs_redis
def test_a_celery_worker_with_workdir_gets_its_task_loaded_from_that_folder(state):
    # manage.py and the Celery app in backend/ (`celery --workdir backend -A app worker`,
    # as generated for a nested project): the probe loads the app from there too.
    worker = _worker(
        "celery",
        "--workdir",
        "backend",
        "-A",
        "probe_app",
        "worker",
        "--pool",
        "solo",
        "-l",
        "info",
    )
    rehearsal = state((worker,), {"BROKER_URL": "{redis_url}", "RESULTS": "{redis_url}"})
    (rehearsal.ctx.app / "backend").mkdir()
    app = rehearsal.ctx.app / "backend" / "probe_app.py"
    app.write_text(CELERY_APP + CELERY_NO_ARGUMENT_TASK, encoding="utf-8")
    summary, _ = _start(rehearsal, worker)
    assert summary.startswith("ready after")
    summary, detail = _task(rehearsal)
    assert summary == "probe_app.heartbeat succeeded", detail
