"""The services a project runs beside its web process, found once at inspection.

Workers (Celery, RQ, Dramatiq, Huey, django.tasks), a scheduler that must run
exactly once (Celery beat), a Channels worker, the ASGI server the project is
served with, and the names the settings read a Redis URL from. Each platform
plugin turns these facts into its own configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ServiceProcess", "Services"]


@dataclass(frozen=True)
class ServiceProcess:
    name: str  # the process type's name: "worker", "beat", "rqworker", "channels" ...
    role: str  # "worker" | "scheduler" (runs exactly once) | "channels"
    argv: tuple[str, ...]  # the command, from the user's Procfile line when there is one
    source: str  # where it came from: "Procfile" or "detected: celery app proj.celery"
    # The Procfile line's leading NAME=value words: Heroku's shell sets them for the
    # command; every other platform is given them as the process's environment.
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Services:
    processes: tuple[ServiceProcess, ...] = ()
    # Names the settings read a Redis URL from, e.g. ("REDIS_URL", "CELERY_BROKER_URL").
    redis_env_names: tuple[str, ...] = ()
    asgi_application: str | None = None  # "proj.asgi:application" when served as ASGI
    asgi_server: str | None = None  # "daphne" | "uvicorn" | "hypercorn" | "gunicorn+uvicorn"
    websocket_path: str | None = None  # a path the project routes websockets on (Channels)
    # What the settings feed the Redis URL to: "celery", "caches", "rq", "channels" ...
    # (Heroku's TLS settings are written only for these).
    redis_uses: tuple[str, ...] = ()
    # Names of a Celery broker URL the settings read with another default (amqp://):
    # the platform's Redis is given under them, and the redis client is added.
    broker_moved: tuple[str, ...] = ()
    # Celery's broker is the database through SQLAlchemy (`sqla+postgresql://`, built
    # from DATABASE_URL): SQLAlchemy's postgresql dialect loads psycopg2, not psycopg 3.
    database_broker: bool = False

    @property
    def needs_redis(self) -> bool:
        return bool(self.redis_env_names)
