"""What the rehearsal knows about the processes beside web: their names, when they are
ready, and how one task is sent to a worker and seen done.

A process is ready when its log shows the line its program writes once it
listens for work (Celery's "celery@host ready.", RQ's "Listening on", ...). A
program whose line is unknown, or whose log level hides it, is taken as ready
once it has stayed up for `SETTLE_SECONDS`: the task step then proves a worker
does its work. The probes run inside the platform's environment (the engine),
with the worker's own variables, and write nothing into the project.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..runtime import Process

__all__ = [
    "SETTLE_SECONDS",
    "TaskProbe",
    "find_probe",
    "program_of",
    "ready_line",
    "step_name",
    "CELERY_PROBE",
    "RQ_PROBE",
    "PROBE_MARKER",
]

# A process without a readiness line it is known to write is ready once it has
# stayed up this long (it imported the app and connected, or it would have exited).
SETTLE_SECONDS = 20.0

# The line each program writes once it waits for work (at its default log level).
_READY_LINES = {
    "celery worker": re.compile(r"celery@\S+ ready\."),
    "celery beat": re.compile(r"beat: Starting\.\.\.|LocalTime -> "),
    "rqworker": re.compile(r"Listening on "),
    "rq worker": re.compile(r"Listening on "),
    "dramatiq": re.compile(r"Worker process is ready for action"),
    "run_huey": re.compile(r"Huey consumer started"),
    "runworker": re.compile(r"Running worker for channels"),
    "db_worker": re.compile(r"Starting worker"),
}


def _words(argv: Sequence[str]) -> list[str]:
    """The command's words after the interpreter: `python -m celery` reads as `celery`."""
    words = list(argv)
    if words and PurePosixPath(words[0]).name.startswith(("python", "{python}")):
        words = words[1:]
        if words[:1] == ["-m"]:
            words = words[1:]
    return [PurePosixPath(words[0]).name, *words[1:]] if words else []


def program_of(argv: Sequence[str]) -> str:
    """A short name of what runs: "celery", "manage.py rqworker", "dramatiq"."""
    words = _words(argv)
    if not words:
        return "?"
    if words[0] == "manage.py" and len(words) > 1:
        return f"manage.py {words[1]}"
    return words[0]


def step_name(process: Process) -> str:
    """The report's name for a process's step: "worker: celery"."""
    return f"{process.name}: {program_of(process.command.argv)}"


def _kind(argv: Sequence[str]) -> str:
    words = _words(argv)
    if not words:
        return ""
    if words[0] == "celery":
        return "celery beat" if "beat" in words[1:] else "celery worker"
    if words[0] == "manage.py" and len(words) > 1:
        return words[1]
    if words[0] == "rq" and "worker" in words[1:]:
        return "rq worker"
    return words[0]


def ready_line(argv: Sequence[str]) -> re.Pattern[str] | None:
    """The pattern of the line this program writes once ready, when it is known."""
    return _READY_LINES.get(_kind(argv))


def _option(words: Sequence[str], short: str, long: str) -> str | None:
    for i, word in enumerate(words):
        if word in (short, long) and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(long + "="):
            return word[len(long) + 1 :]
        if short and word.startswith(short) and len(word) > len(short) and word[1] != "-":
            return word[len(short) :]
    return None


# django-rq's rqworker options that take a value (the rest of its words are queues).
_RQ_VALUE_OPTIONS = {
    "--worker-class",
    "--queue-class",
    "--job-class",
    "--name",
    "--pid",
    "--sentry-dsn",
    "--sentry-ca-certs",
    "--sentry-debug",
    "--serializer",
    "--worker-ttl",
    "--max-jobs",
    "--max-idle-time",
    "-v",
    "--verbosity",
    "--settings",
    "--pythonpath",
}


def _rq_queue(words: Sequence[str]) -> str:
    queues = []
    skip = False
    for word in words[2:]:
        if skip:
            skip = False
        elif word in _RQ_VALUE_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            queues.append(word)
    return queues[0] if queues else "default"


@dataclass(frozen=True)
class TaskProbe:
    """One task to send to `process`'s worker, and how: "celery" (`app`) or "rq" (`queue`).

    `workdir` is the folder Celery changes into before importing `app` (its global
    `--workdir`, which the worker of a project whose manage.py is in a subfolder
    runs with): the probe must import the app from there too."""

    process: Process
    kind: str
    app: str = ""
    queue: str = ""
    # Celery's --workdir: the worker changes there before loading -A (a project whose
    # manage.py sits in backend/), so the probe loads the app from there too.
    workdir: str = ""


def find_probe(processes: Sequence[Process]) -> TaskProbe | None:
    """The first Celery or django-rq worker a task can be sent to (None: no such worker)."""
    for process in processes:
        argv = process.command.argv
        kind = _kind(argv)
        words = _words(argv)
        if kind == "celery worker":
            app = _option(words, "-A", "--app")
            if app:
                workdir = _option(words, "", "--workdir") or ""
                return TaskProbe(process, "celery", app=app, workdir=workdir)
        if kind == "rqworker":
            return TaskProbe(process, "rq", queue=_rq_queue(words))
    return None


PROBE_MARKER = "SIMPLE_DEPLOY_REHEARSAL_TASK="

# Run with the worker's variables and folder: load the project's Celery app as the
# worker does (-A), pick a task defined in the project's files that takes no arguments (else
# Celery's own celery.accumulate), send it, and wait for its result when a result
# backend is configured (otherwise the step reads the worker's log).
CELERY_PROBE = f"""
import inspect, json, os, sys
from celery.app.utils import find_app
app = find_app(sys.argv[1])
if os.environ.get("DJANGO_SETTINGS_MODULE"):
    import django
    django.setup()
app.loader.import_default_modules()

def _no_arguments(task):
    try:
        parameters = inspect.signature(task.run).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in parameters
    )

def _projects(task):
    # Defined in the project's own files, not in an installed package's.
    try:
        path = os.path.realpath(inspect.getsourcefile(task.run) or "")
    except TypeError:
        return False
    here = os.path.realpath(os.getcwd()) + os.sep
    return path.startswith(here) and "site-packages" not in path[len(here):]

own = sorted(
    n for n, t in app.tasks.items()
    if not n.startswith("celery.") and _projects(t) and _no_arguments(t)
)
name, args = (own[0], []) if own else ("celery.accumulate", [7])
result = app.send_task(name, args=args)
print({PROBE_MARKER!r} + json.dumps({{"event": "sent", "task": name, "id": result.id}}), flush=True)
from celery.backends.base import DisabledBackend
if isinstance(app.backend, DisabledBackend):
    sys.exit(0)
try:
    value = result.get(timeout=float(sys.argv[2]), propagate=False)
except Exception as error:
    state, value = "TIMEOUT", f"{{type(error).__name__}}: {{error}}"
else:
    state = result.state
done = {{"event": "done", "state": state, "result": repr(value)[:200]}}
print({PROBE_MARKER!r} + json.dumps(done))
"""

# Run as `manage.py shell -c` with the worker's variables: enqueue a job on the queue
# the worker listens to (a function of Python's own, so nothing is written into the
# project) and wait until the worker has finished it.
RQ_PROBE = """
import json, time
import django_rq
queue = django_rq.get_queue({queue!r})
job = queue.enqueue("operator.add", 2, 3)
print({marker!r} + json.dumps({{"event": "sent", "task": "operator.add(2, 3)", "id": job.id}}),
      flush=True)
deadline = time.monotonic() + {seconds!r}
status = job.get_status(refresh=True)
while str(getattr(status, "value", status)) not in ("finished", "failed", "stopped", "canceled"):
    if time.monotonic() > deadline:
        break
    time.sleep(0.2)
    status = job.get_status(refresh=True)
value = job.return_value() if hasattr(job, "return_value") else job.result
print({marker!r} + json.dumps({{"event": "done", "state": str(getattr(status, "value", status)),
      "result": repr(value)[:200], "error": (job.exc_info or "")[-2000:]}}))
"""


def rq_probe(queue: str, seconds: float) -> str:
    return RQ_PROBE.format(queue=queue, marker=PROBE_MARKER, seconds=seconds)


def probe_events(output: str) -> list[dict]:
    """The probe's own lines, in order."""
    events = []
    for line in output.splitlines():
        if line.startswith(PROBE_MARKER):
            try:
                events.append(json.loads(line[len(PROBE_MARKER) :]))
            except ValueError:
                continue
    return events
