"""The rehearsal's steps for what runs beside the web process: Redis, each declared
process (a worker, a scheduler, a Channels worker), one task done by a worker, and
a websocket handshake. steps.py places them among the common steps.

Each process starts exactly as the configuration declares it: its argv, folder
and variables as the web process gets them, {redis_url} filled with the
rehearsal's Redis. A process that exits, or never gets ready, fails its step
with its own output.
"""

from __future__ import annotations

import posixpath
import re
import time
from typing import TYPE_CHECKING

from ..runtime import Command, Process
from . import redis, websocket, workers
from .environment import fill_all
from .processes import failure
from .report import StepFailed
from .text import display, tail

if TYPE_CHECKING:
    from .steps import _Rehearsal

__all__ = ["step_redis", "step_process", "step_task", "step_websocket"]

# What the websocket step sends; a consumer that answers (an echo) shows its reply.
WEBSOCKET_MESSAGE = "rehearsal"


def step_redis(state: _Rehearsal) -> tuple[str, str]:
    """Reach the user's Redis, or start a throwaway one in the rehearsal's folder."""
    choice = state.redis
    if choice is None:  # rehearse() was called without one for a runtime that needs it
        raise StepFailed(
            "The project's settings read a Redis URL and no Redis was given: pass "
            "--redis-url redis://:PASSWORD@HOST:PORT/0, or install redis-server."
        )
    clock = state.ctx.clock
    if choice.url is not None:
        problem = redis.ping(choice.url, timeout=min(10.0, clock.remaining()))
        if problem:
            raise StepFailed(
                f"The Redis --redis-url names ({redis.describe_url(choice.url)}) did not "
                f"answer PING: {problem}. Start it, or correct the URL (its password "
                "too), and rehearse again."
            )
        state.redis_url = choice.url
        return redis.describe_url(choice.url), choice.describe()
    assert choice.program is not None
    try:
        server = state.resources.enter_context(
            redis.throwaway(state.ctx.root, choice.program, timeout=clock.remaining())
        )
    except redis.NoRedis as error:
        raise StepFailed(str(error)) from None
    state.redis_url = server.url
    return (
        f"Redis {server.version} on 127.0.0.1:{server.port}",
        f"a throwaway Redis {server.version} server on 127.0.0.1:{server.port} "
        f"({choice.program}, password in its configuration file; stopped and removed "
        "afterwards)",
    )


def _exited(state: _Rehearsal, process: Process, shown: str) -> None:
    code = state.engine.process_exit_code(process.name)
    if code is not None:
        raise StepFailed(
            f"The {process.name} process ({shown}) exited with code {code}:\n"
            f"{tail(state.engine.process_log(process.name))}"
        )


def step_process(state: _Rehearsal, process: Process) -> tuple[str, str]:
    """Start one declared process and wait until it is ready (its line, or it stays up)."""
    command = process.command
    argv = fill_all(command.argv, state.values())
    shown = state.engine.start_process(process.name, argv, command.cwd, state.run_env(command))
    state.started.append((process, shown))
    pattern = workers.ready_line(command.argv)
    once = " (a scheduler: started once, as on the platform)" if process.role == "scheduler" else ""
    started = time.monotonic()
    clock = state.ctx.clock
    while not clock.expired():
        _exited(state, process, shown)
        waited = time.monotonic() - started
        log = state.engine.process_log(process.name)
        found = pattern.search(log) if pattern is not None else None
        if found is not None:
            return (
                f"ready after {waited:.1f} s{once}",
                f"{shown}\nready after {waited:.1f} s: {found.group(0)!r} in its output{once}",
            )
        if waited >= workers.SETTLE_SECONDS:
            why = "its output has no line saying it is ready" if pattern else "running"
            return (
                f"up for {waited:.0f} s{once}",
                f"{shown}\nstill running after {waited:.0f} s ({why}){once}\n{tail(log, 10)}",
            )
        time.sleep(0.5)
    _exited(state, process, shown)
    raise StepFailed(
        f"The {process.name} process ({shown}) was not ready within its step's limit of "
        f"{clock.limit:.0f} s:\n{tail(state.engine.process_log(process.name))}\n"
        "If it needs longer to start on your project: --rehearse-limit process=SECONDS."
    )


def _all_running(state: _Rehearsal) -> None:
    """Every process started so far is still up (a worker may die on its first task)."""
    for process, shown in state.started:
        _exited(state, process, shown)


def step_task(state: _Rehearsal, probe: workers.TaskProbe) -> tuple[str, str]:
    """Send one task to the worker and see it done."""
    _all_running(state)
    if probe.kind == "celery":
        outcome = _celery_task(state, probe)
    else:
        outcome = _rq_task(state, probe)
    _all_running(state)
    return outcome


def _run_probe(state: _Rehearsal, command: Command, worker: Command) -> tuple[list[dict], str]:
    # The worker's own variables: the probe reaches the broker the worker listens on.
    argv = fill_all(command.argv, state.values())
    result = state.engine.run(argv, command.cwd, state.run_env(worker))
    events = workers.probe_events(result.output)
    if result.returncode != 0 or not events:
        # The probe's script is shown by name, not as its many lines.
        shown = display(["<the rehearsal's probe>" if "\n" in arg else arg for arg in argv])
        raise StepFailed(failure([shown], result))
    return events, result.output


def _celery_task(state: _Rehearsal, probe: workers.TaskProbe) -> tuple[str, str]:
    worker = probe.process.command
    seconds = max(1.0, state.ctx.clock.remaining() - 10)
    command = Command(
        ("{python}", "-c", workers.CELERY_PROBE, probe.app, f"{seconds:.0f}"),
        cwd=posixpath.normpath(posixpath.join(worker.cwd, probe.workdir)),
    )
    events, _ = _run_probe(state, command, worker)
    sent = events[0]
    name, task_id = sent["task"], sent["id"]
    what = "a task of the project's" if not name.startswith("celery.") else "Celery's own task"
    done = next((e for e in events if e.get("event") == "done"), None)
    line = re.compile(rf"Task {re.escape(name)}\[{re.escape(task_id)}\] (succeeded|raised)[^\n]*")
    if done is None:
        # No result backend: the worker's log says what became of it.
        clock = state.ctx.clock
        while not clock.expired():
            _exited(state, probe.process, probe.process.name)
            found = line.search(state.engine.process_log(probe.process.name))
            if found is not None:
                break
            time.sleep(0.5)
        else:
            found = None
        if found is None or found.group(1) != "succeeded":
            raise StepFailed(
                f"{name} ({what}) was sent (id {task_id}), but the {probe.process.name} "
                f"process's output never said it succeeded:\n"
                f"{tail(state.engine.process_log(probe.process.name))}\n"
                "A project without a result backend is checked through the worker's log: "
                "run it with --loglevel=info to let the rehearsal see its tasks."
            )
        return f"{name} succeeded", f"sent {name} ({what}), id {task_id}: {found.group(0)}"
    if done["state"] != "SUCCESS":
        raise StepFailed(
            f"{name} ({what}), id {task_id}, ended {done['state']}: {done['result']}\n"
            f"The {probe.process.name} process's output (last lines):\n"
            f"{tail(state.engine.process_log(probe.process.name))}"
        )
    return (
        f"{name} succeeded",
        f"sent {name} ({what}) to the {probe.process.name} process, id {task_id}: "
        f"SUCCESS, result {done['result']} (read from the result backend)",
    )


def _rq_task(state: _Rehearsal, probe: workers.TaskProbe) -> tuple[str, str]:
    worker = probe.process.command
    seconds = max(1.0, state.ctx.clock.remaining() - 10)
    script = workers.rq_probe(probe.queue, round(seconds))
    command = state.manage("shell", "-c", script)
    events, _ = _run_probe(state, command, worker)
    sent = events[0]
    done = next((e for e in events if e.get("event") == "done"), {})
    if done.get("state") != "finished":
        raise StepFailed(
            f"The job {sent['task']} enqueued on the {probe.queue!r} queue (id {sent['id']}) "
            f"ended {done.get('state', 'unknown')}:\n{done.get('error', '')}\n"
            f"The {probe.process.name} process's output (last lines):\n"
            f"{tail(state.engine.process_log(probe.process.name))}"
        )
    return (
        "job finished",
        f"enqueued {sent['task']} on the {probe.queue!r} queue the {probe.process.name} "
        f"process listens to, id {sent['id']}: finished, result {done['result']}",
    )


def step_websocket(state: _Rehearsal) -> tuple[str, str]:
    """A websocket handshake on the project's route, through the platform's router headers."""
    runtime = state.ctx.runtime
    path = "/" + (runtime.websocket_path or "").lstrip("/")
    address = state.engine.web_address()
    clock = state.ctx.clock
    try:
        result = websocket.handshake(
            address,
            runtime.host,
            path,
            runtime.proxy_headers,
            message=WEBSOCKET_MESSAGE,
            timeout=min(10.0, clock.remaining()),
            reply_timeout=min(5.0, clock.remaining()),
        )
    except OSError as error:
        raise StepFailed(
            f"The websocket handshake on {path} failed: {error}\n"
            f"The web process's log (last lines):\n{tail(state.engine.web_log())}"
        ) from None
    if not result.accepted:
        raise StepFailed(
            f"GET {path} with Upgrade: websocket (Host: {runtime.host}, Origin: "
            f"https://{runtime.host}) answered {result.status} {result.reason}, not "
            "101 Switching Protocols with the key's Sec-WebSocket-Accept: the web server "
            "does not serve websockets on that path.\n"
            f"The web process's log (last lines):\n{tail(state.engine.web_log())}"
        )
    answer = (
        f"sent {WEBSOCKET_MESSAGE!r}, the app answered {result.reply!r}"
        if result.reply is not None
        else f"sent {WEBSOCKET_MESSAGE!r}; no answer within 5 s (the app need not answer)"
    )
    replied = f", answered {result.reply[:40]!r}" if result.reply is not None else ""
    return (
        f"101 Switching Protocols on {path}{replied}",
        f"GET {path} (Upgrade: websocket, Host: {runtime.host}): 101 Switching Protocols; "
        + answer,
    )
