"""Find the services a project runs beside web, from its own files, once.

Read-only: the Procfile the user wrote (its process lines are the source of
truth for commands), the settings (the module production uses and what it
star-imports), the dependencies production installs, and the ASGI module.
The result is one `Services` value carried in `Project`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from pathlib import Path

from .services import ServiceProcess, Services
from .settings_probe import EnvVar
from .textfiles import UnreadableFile, read_text

__all__ = ["find_services"]

# Procfile process types the platform itself owns (Heroku's web and release).
_OWN_TYPES = ("web", "release")
_PROCESS_LINE = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.+?)\s*$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_CELERY_APP = re.compile(r"^\s*\w+\s*=\s*Celery\(", re.MULTILINE)
_ASGI_APPLICATION = re.compile(r"""^ASGI_APPLICATION\s*=\s*["']([\w.]+)["']""", re.MULTILINE)
_CHANNEL_ROUTER = re.compile(r"ChannelNameRouter\(\s*\{(.*?)\}", re.DOTALL)
_DICT_KEY = re.compile(r"""["']([\w.-]+)["']\s*:""")
_WS_ROUTE = re.compile(r"""(?:re_)?path\(\s*r?["']\^?/?([\w/.-]*?)\$?["']""")
# Settings whose value, when it reads a variable, makes that variable a Redis URL.
_REDIS_SETTINGS = re.compile(
    r"^(CELERY_BROKER_URL|BROKER_URL|CELERY_RESULT_BACKEND|CACHES|RQ_QUEUES|CHANNEL_LAYERS|"
    r"HUEY|DRAMATIQ_BROKER|SESSION_REDIS|RQ)\b"
)
_USES = {
    "CELERY_BROKER_URL": "celery",
    "BROKER_URL": "celery",
    "CELERY_RESULT_BACKEND": "celery",
    "CACHES": "caches",
    "RQ_QUEUES": "rq",
    "RQ": "rq",
    "CHANNEL_LAYERS": "channels",
    "DRAMATIQ_BROKER": "dramatiq",
    "SESSION_REDIS": "sessions",
}
_READ_CALL = re.compile(
    r"""(?:getenv\(|environ\.get\(|environ\[|\benv(?:\.\w+)?\(|\bconfig\()\s*["']([A-Z][A-Z0-9_]*)["']"""
)
_ASGI_SERVERS = ("daphne", "uvicorn", "hypercorn")


def _procfile(git_root: Path) -> list[tuple[str, str]]:
    path = git_root / "Procfile"
    if not path.is_file():
        return []
    try:
        text = read_text(path).text
    except UnreadableFile:
        return []
    found = []
    for line in text.splitlines():
        match = _PROCESS_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            found.append((match.group(1), match.group(2)))
    return found


def _assignments(words: Sequence[str]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """A Procfile command's leading `NAME=value` words (the shell's assignments for
    the command, e.g. `REMAP_SIGTERM=SIGQUIT celery ...`) apart from its argv."""
    count = 0
    while count < len(words) - 1 and _ASSIGNMENT.match(words[count]):
        count += 1
    pairs = [word.partition("=") for word in words[:count]]
    return tuple((name, value) for name, _, value in pairs), tuple(words[count:])


def _role(name: str, argv: Sequence[str]) -> str:
    words = {name, *argv}
    # Heroku's name for a process that schedules jobs is `clock:` (its Dev Center).
    if words & {"beat", "clock", "rqscheduler", "scheduler"}:
        return "scheduler"
    if "runworker" in words:
        return "channels"
    return "worker"


def _celery_module(manage_dir: Path) -> str | None:
    """The dotted module that defines the project's Celery app (`proj.celery`)."""
    for path in sorted(manage_dir.glob("*/celery.py")) + sorted(manage_dir.glob("*/*/celery.py")):
        try:
            text = read_text(path).text
        except UnreadableFile:
            continue
        if "Celery" in text and _CELERY_APP.search(text):
            return ".".join(path.relative_to(manage_dir).with_suffix("").parts)
    return None


def _statement_heads(text: str) -> list[str]:
    """For each line, the first line of the top-level statement it belongs to."""
    heads, current = [], ""
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith((")", "]", "}", "#")):
            current = line
        heads.append(current)
    return heads


def _redis_names(
    settings: Sequence[str], env_vars: Iterable[EnvVar], redis_broker: bool, celery: bool
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Names the settings read a Redis URL from: a read that feeds a Redis setting
    (Celery's broker, CACHES with a Redis backend, RQ_QUEUES, CHANNEL_LAYERS ...),
    or a name that says so (REDIS_URL, *_REDIS_URL); then the uses, and the names of
    a Celery broker read with another default (amqp://), which get Redis too."""
    names: list[str] = []
    uses: list[str] = []
    moved: list[str] = []
    for text in settings:
        heads = _statement_heads(text)
        lines = text.splitlines()
        for number, line in enumerate(lines):
            for name in _READ_CALL.findall(line):
                head = _REDIS_SETTINGS.match(heads[number])
                if head is None and "REDIS" not in name:
                    continue
                statement = head.group(1) if head else ""
                if statement == "CACHES":
                    block = "\n".join(lines[max(0, number - 6) : number + 6]).lower()
                    if "redis" not in block:
                        continue
                if "BROKER" in statement or statement == "CELERY_RESULT_BACKEND":
                    if not redis_broker and "redis" not in line:
                        if not (celery and "BROKER" in statement):
                            continue
                        # RabbitMQ is the default here, but no platform has one to give
                        # while each has Redis, a broker Celery supports as well.
                        moved.append(name)
                names.append(name)
                if statement:
                    uses.append(_USES.get(statement, statement.lower()))
    for var in env_vars:
        upper = var.name.upper()
        if upper == "REDIS_URL" or upper.endswith("_REDIS_URL") or upper == "REDIS_TLS_URL":
            names.append(var.name)
    return tuple(dict.fromkeys(names)), tuple(dict.fromkeys(uses)), tuple(dict.fromkeys(moved))


def _websocket_path(manage_dir: Path) -> str | None:
    """A path the project routes websockets on: the first route of a module that
    defines `websocket_urlpatterns` (Channels' convention)."""
    for path in sorted(manage_dir.glob("*/routing.py")) + sorted(manage_dir.glob("*/*/routing.py")):
        try:
            text = read_text(path).text
        except UnreadableFile:
            continue
        if "websocket_urlpatterns" not in text:
            continue
        match = _WS_ROUTE.search(text.split("websocket_urlpatterns", 1)[1])
        if match and "(" not in match.group(1) and "<" not in match.group(1):
            return "/" + match.group(1)
    return None


def _module_text(manage_dir: Path, module: str) -> str:
    path = manage_dir.joinpath(*module.split(".")).with_suffix(".py")
    try:
        return read_text(path).text if path.is_file() else ""
    except UnreadableFile:
        return ""


def find_services(
    git_root: Path,
    manage_dir: Path,
    settings: Sequence[str],
    present: frozenset[str],
    env_vars: Iterable[EnvVar],
    wsgi_module: str,
    manage: tuple[str, ...],
) -> Services:
    """The project's services. `settings` are the texts of the production settings
    and what they star-import; `present` the packages production installs; `manage`
    the argv that runs manage.py from the repository root."""
    joined = "\n".join(settings)
    procfile = _procfile(git_root)
    processes: list[ServiceProcess] = []
    for name, command in procfile:
        if name in _OWN_TYPES:
            continue
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        env, argv = _assignments(words)
        processes.append(ServiceProcess(name, _role(name, argv), argv, "Procfile", env))
    declared = {p.role for p in processes} | {p.name for p in processes}
    nested = manage_dir != git_root
    workdir = ("--workdir", manage_dir.relative_to(git_root).as_posix()) if nested else ()

    def add(name: str, role: str, argv: tuple[str, ...], source: str) -> None:
        if name not in declared and not (role == "scheduler" and "scheduler" in declared):
            processes.append(ServiceProcess(name, role, argv, source))
            declared.add(name)

    celery = _celery_module(manage_dir) if "celery" in present else None
    if celery and not any("celery" in p.argv for p in processes if p.role == "worker"):
        add(
            "worker",
            "worker",
            ("celery", *workdir, "-A", celery, "worker", "--loglevel=info"),
            f"detected: celery app {celery}",
        )
    if celery and "scheduler" not in declared:
        if "django-celery-beat" in present or "django_celery_beat" in joined:
            scheduler = ("--scheduler", "django_celery_beat.schedulers:DatabaseScheduler")
            add(
                "beat",
                "scheduler",
                ("celery", *workdir, "-A", celery, "beat", "--loglevel=info", *scheduler),
                f"detected: celery beat (django-celery-beat) for {celery}",
            )
        elif re.search(r"beat_schedule|BEAT_SCHEDULE", joined + _module_text(manage_dir, celery)):
            add(
                "beat",
                "scheduler",
                ("celery", *workdir, "-A", celery, "beat", "--loglevel=info"),
                f"detected: celery beat schedule in {celery}",
            )
    if "django-rq" in present or "'django_rq'" in joined or '"django_rq"' in joined:
        queues = _rq_queues(joined)
        if not any("rqworker" in p.argv for p in processes):
            add("rqworker", "worker", (*manage, "rqworker", *queues), "detected: django-rq")
    if "django-dramatiq" in present and not any("rundramatiq" in p.argv for p in processes):
        add("dramatiq", "worker", (*manage, "rundramatiq"), "detected: django-dramatiq")
    if "huey" in present and "huey.contrib.djhuey" in joined:
        if not any("run_huey" in p.argv for p in processes):
            add("huey", "worker", (*manage, "run_huey"), "detected: huey (djhuey)")
    if re.search(r"django_tasks\.backends\.database|DatabaseBackend", joined) and "TASKS" in joined:
        if not any("db_worker" in p.argv for p in processes):
            add(
                "tasks", "worker", (*manage, "db_worker"), "detected: django.tasks database backend"
            )

    match = _ASGI_APPLICATION.search(joined)
    channels = "channels" in present or re.search(r"""["']channels["']""", joined)
    asgi_application = None
    asgi_server = None
    websocket_path = None
    if match or any(s in present for s in _ASGI_SERVERS):
        dotted = match.group(1) if match else f"{wsgi_module.rsplit('.', 1)[0]}.asgi.application"
        module, _, attr = dotted.rpartition(".")
        if _module_text(manage_dir, module):
            asgi_application = f"{module}:{attr}"
            asgi_server = next((s for s in _ASGI_SERVERS if s in present), "gunicorn+uvicorn")
            if nested and asgi_server in ("daphne", "hypercorn"):
                # Neither can change into the folder holding manage.py, where the
                # platform's command must import the app from: gunicorn can (--chdir).
                asgi_server = "gunicorn+uvicorn"
            if channels:
                asgi_text = _module_text(manage_dir, module)
                router = _CHANNEL_ROUTER.search(asgi_text)
                names = tuple(_DICT_KEY.findall(router.group(1))) if router else ()
                if names and not any("runworker" in p.argv for p in processes):
                    add(
                        "channels",
                        "channels",
                        (*manage, "runworker", *names),
                        f"detected: Channels worker for {', '.join(names)}",
                    )
                websocket_path = _websocket_path(manage_dir)
    redis_broker = "redis" in present or "celery" in present and "redis" in joined
    redis_names, redis_uses, broker_moved = _redis_names(
        settings, env_vars, redis_broker, celery="celery" in present
    )
    return Services(
        processes=tuple(processes),
        redis_env_names=redis_names,
        redis_uses=redis_uses,
        broker_moved=broker_moved,
        database_broker=bool(celery) and "sqlalchemy" in present and "sqla+" in joined,
        asgi_application=asgi_application,
        asgi_server=asgi_server,
        websocket_path=websocket_path,
    )


def _rq_queues(settings: str) -> tuple[str, ...]:
    """The queue names of RQ_QUEUES (its top-level keys), else ("default",)."""
    start = settings.find("RQ_QUEUES")
    brace = settings.find("{", start) if start >= 0 else -1
    if brace < 0:
        return ("default",)
    depth, keys, index = 0, [], brace
    while index < len(settings):
        char = settings[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and char in "'\"":
            match = re.match(r"""(["'])([\w.-]+)\1\s*:""", settings[index:])
            if match:
                keys.append(match.group(2))
                index += match.end()
                continue
        index += 1
    return tuple(keys) or ("default",)
