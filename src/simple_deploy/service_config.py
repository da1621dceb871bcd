"""What every platform plugin needs to turn `Project.services` into configuration.

The web command when the project is served as ASGI, the processes beside web,
the Redis URL under each name the settings read, and the few settings lines a
platform's Redis needs. Each plugin keeps only its platform's form of them.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from .package_managers import Requirement
from .project import Project
from .services import ServiceProcess

if TYPE_CHECKING:
    from .runtime import Process

__all__ = [
    "asgi_web_argv",
    "runtime_processes",
    "redis_env",
    "heroku_redis_tls",
    "process_rows",
    "has_services",
    "service_requirements",
    "notes",
    "shell_line",
    "exec_argv",
    "ROLE_NOTES",
]

# What each role means for scaling, said once for every platform's table.
ROLE_NOTES = {
    'worker": "scale as the queue needs',
    'scheduler": "exactly one instance, never scaled',
    'channels": "scale as the channel traffic needs',
}


def asgi_web_argv(project: Project, port: str) -> tuple[str, ...] | None:
    """The web command serving the project's ASGI application with the ASGI server it
    has, listening on `port` ("$PORT" in a shell line, "{port}" rehearsed); None when
    the project is served as WSGI. gunicorn with a uvicorn worker reads $PORT itself."""
    services = project.services
    app = services.asgi_application
    if not app or not services.asgi_server:
        return None
    server = services.asgi_server
    if server == "daphne":
        return ("daphne", "--bind", "0.0.0.0", "--port", port, "--proxy-headers", app)
    app_dir = ("--app-dir", project.manage_dir_rel) if project.nested else ()
    if server == "uvicorn":
        # Behind the platform's proxy: X-Forwarded-Proto and -For are trusted from it.
        return (
            "uvicorn",
            *app_dir,
            "--host",
            "0.0.0.0",
            "--port",
            port,
            "--proxy-headers",
            "--forwarded-allow-ips",
            "*",
            app,
        )
    if server == "hypercorn":
        return ("hypercorn", "--bind", f"0.0.0.0:{port}", app)
    chdir = ("--chdir", project.manage_dir_rel) if project.nested else ()
    return (
        "gunicorn",
        *chdir,
        "--worker-class",
        "uvicorn_worker.UvicornWorker",
        app,
    )


def runtime_processes(project: Project) -> tuple[Process, ...]:
    """The processes beside web, each as the generated configuration runs it (from the
    repository root, the command the user's Procfile line or detection gave)."""
    from .runtime import Command, Process  # the rehearsal's only

    return tuple(
        Process(p.name, p.role, Command(p.argv, env=dict(p.env)))
        for p in project.services.processes
    )


def shell_line(process: ServiceProcess) -> str:
    """The process as a shell command line (Upsun's and Platform.sh's `start:`): its
    Procfile assignments first, as the shell reads them."""
    assignments = [f"{name}={shlex.quote(value)}" for name, value in process.env]
    return " ".join([*assignments, shlex.join(process.argv)])


def exec_argv(process: ServiceProcess) -> tuple[str, ...]:
    """The process as an argument list run without a shell (Fly.io's [processes]):
    `env` sets its Procfile assignments, as the shell would have."""
    if not process.env:
        return process.argv
    return ("env", *(f"{name}={value}" for name, value in process.env), *process.argv)


def redis_env(project: Project, value: str = "{redis_url}") -> dict[str, str]:
    """The Redis URL under each name the settings read it from."""
    return {name: value for name in project.services.redis_env_names}


def has_services(project: Project) -> bool:
    """True when the project runs anything beyond a WSGI web process."""
    services = project.services
    return bool(services.processes or services.needs_redis or services.asgi_application)


def process_rows(
    project: Project,
    web: tuple[str, ...],
    runs: str,
    cost: str,
    scale: dict[str, str],
    redis: tuple[str, str, str, str] | None = None,
    web_runs: str | None = None,
) -> tuple[tuple[str, str, str, str], ...]:
    """The summary's process table: (process, what runs it, cost, how to scale or stop
    it), web first, then each process and the Redis row; empty for a project with no
    services (its summary is unchanged). `scale` maps "web" and each role to the
    platform's command ({name} is the process's name)."""
    if not has_services(project):
        return ()
    web_row = f"`{' '.join(web)}` ({web_runs or runs})"
    rows = [("web", web_row, cost, scale["web"].format(name="web"))]
    for process in project.services.processes:
        rows.append(
            (
                process.name,
                f"`{_display(process)}` ({runs}; {_origin(process.source)})",
                cost,
                scale[process.role].format(name=process.name),
            )
        )
    if redis is not None and project.services.needs_redis:
        rows.append(redis)
    return tuple(rows)


def _origin(source: str) -> str:
    return "your Procfile's line" if source == "Procfile" else source


def _display(process: ServiceProcess) -> str:
    return " ".join([*(f"{name}={value}" for name, value in process.env), *process.argv])


def heroku_redis_tls(project: Project, indent: str = "    ") -> str:
    """Settings lines for Heroku Key-Value Store's rediss:// URLs, whose certificate
    is self-signed: Heroku documents connecting with `ssl_cert_reqs` set to none
    (devcenter.heroku.com/articles/connecting-heroku-redis#connecting-in-python).
    Only for what the project feeds the URL to; empty without Redis."""
    services = project.services
    if not services.needs_redis:
        return ""
    names = services.redis_env_names
    uses = set(services.redis_uses)
    lines = [
        "# Heroku's Redis URLs are rediss:// with a self-signed certificate: connect",
        "# without verifying it, as Heroku documents (connecting-heroku-redis).",
        f'_rediss = _os.environ.get("{names[0]}", "").startswith("rediss://")',
    ]
    if "celery" in uses:
        lines += [
            "if _rediss:",
            "    import ssl as _ssl",
            "",
            '    CELERY_BROKER_USE_SSL = {"ssl_cert_reqs": _ssl.CERT_NONE}',
            "    CELERY_REDIS_BACKEND_USE_SSL = CELERY_BROKER_USE_SSL",
        ]
    if "rq" in uses:
        lines += [
            "for _queue in RQ_QUEUES.values() if _rediss else ():",
            '    _queue["SSL_CERT_REQS"] = None',
        ]
    if "caches" in uses:
        lines += [
            "for _cache in CACHES.values() if _rediss else ():",
            '    _options = _cache.setdefault("OPTIONS", {})',
            '    if "django_redis" in _cache["BACKEND"]:',
            '        _options.setdefault("CONNECTION_POOL_KWARGS", {})["ssl_cert_reqs"] = None',
            "    else:",
            '        _options["ssl_cert_reqs"] = None',
        ]
    if "channels" in uses:
        lines += [
            "for _layer in CHANNEL_LAYERS.values() if _rediss else ():",
            '    _config = _layer.setdefault("CONFIG", {})',
            '    _config["hosts"] = [',
            '        {"address": _h, "ssl_cert_reqs": None} if isinstance(_h, str) else _h',
            '        for _h in _config.get("hosts", ())',
            "    ]",
        ]
    if len(lines) == 3:
        return ""
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines)
    return "\n\n" + body


def service_requirements(project: Project) -> tuple[Requirement, ...]:
    """Packages the processes need beyond the project's own: Celery's Redis transport
    with the redis client it accepts, psycopg2 for a broker on the database through
    SQLAlchemy, gunicorn's uvicorn worker when the ASGI app has no ASGI server of its own."""
    services = project.services
    # kombu (Celery's messaging library) checks the redis client's version when a
    # worker connects, against the bounds of its own `redis` extra. A requirements
    # file pinning redis without kombu gets today's kombu on a fresh install, whose
    # bounds an older pin misses: the worker stops at start. Naming the extra lets
    # the installer pick a kombu that accepts the client (or bring one for a broker
    # moved to Redis). A lock file pins both as the user runs them: left alone.
    transport = Requirement(
        "kombu", "kombu[redis]", "Celery's Redis transport, with a redis client it accepts"
    )
    unlocked = project.deps.manager == "requirements_txt" and "celery" in services.redis_uses
    broker = (transport,) if unlocked or services.broker_moved else ()
    if services.database_broker and not {"psycopg2", "psycopg2-binary"} & project.deps.present:
        # The worker connects with SQLAlchemy's default PostgreSQL driver, psycopg2 (the
        # web app's psycopg 3 is Django's); without it the worker stops at start.
        broker += (
            Requirement(
                "psycopg2-binary",
                "psycopg2-binary~=2.9",
                "Celery's broker is the database through SQLAlchemy (sqla+postgresql://), "
                "whose PostgreSQL dialect loads psycopg2",
            ),
        )
    if services.asgi_server != "gunicorn+uvicorn":
        return broker
    worker = Requirement(
        "uvicorn-worker", "uvicorn-worker~=0.3", "gunicorn's worker for the ASGI app"
    )
    if services.websocket_path is None:
        return (*broker, worker)
    # uvicorn speaks websockets only with a websockets library installed.
    return (
        *broker,
        worker,
        Requirement("websockets", "websockets>=13", "websockets for uvicorn"),
    )


def notes(project: Project) -> tuple[str, ...]:
    """What the summary says about services the platform runs differently from local."""
    moved = project.services.broker_moved
    if not moved:
        return ()
    names = " and ".join(f"`{name}`" for name in moved)
    return (
        f"Celery's broker: your settings read {names} with a RabbitMQ (amqp://) default. "
        "The platform's Redis is set under that name instead (every platform here offers "
        "Redis, none RabbitMQ), and `kombu[redis]` (Celery's Redis transport and its client) "
        "is added to your requirements for it. To keep "
        "RabbitMQ, set the variable to your RabbitMQ's URL on the platform.",
    )
