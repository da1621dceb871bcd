"""Sample projects that run services beside their web process (issue 28).

Each is made like the other samples (tests/sample_projects.py): `startproject`
(flat layout), the shape's files written as its developer would, real packages
from PyPI pinned by `uv pip compile` into requirements.txt, `git init` and a
commit; built once, cached, copied per test.

- "celery-beat": Celery app module blog/celery.py, a task in the `notes` app,
  CELERY_BROKER_URL read from the environment, django-celery-beat's database
  scheduler, and a Procfile with `worker:` and `beat:` lines (the worker's line sets
  REMAP_SIGTERM before its command, as Heroku's Celery guide does).
- "rq": django-rq, RQ_QUEUES on REDIS_URL, a task in `notes`; no Procfile.
- "channels": Channels served by daphne (ASGI_APPLICATION), a consumer routed
  at ws/echo/, CHANNEL_LAYERS on channels-redis reading REDIS_URL, and a
  channel worker (`runworker tasks`, routed by ChannelNameRouter).
- "uvicorn": a plain ASGI app (no Channels) with uvicorn in the dependencies.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sample_projects
from sample_projects import _edit, run

# Bump when a recipe below changes: the cache key carries it.
SERVICE_RECIPE = "2"

CELERY_APP = """import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")

app = Celery("blog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
"""
CELERY_INIT = """# Load the Celery app when Django starts, so @shared_task uses it.
from .celery import app as celery_app

__all__ = ("celery_app",)
"""
CELERY_TASKS = """from celery import shared_task


@shared_task
def add(x, y):
    return x + y
"""
CELERY_SETTINGS = """
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
"""
CELERY_PROCFILE = """web: gunicorn blog.wsgi
worker: REMAP_SIGTERM=SIGQUIT celery -A blog worker --loglevel=info
beat: celery -A blog beat --loglevel=info --scheduler django
"""

RQ_TASKS = """def add(x, y):
    return x + y
"""
RQ_SETTINGS = """
RQ_QUEUES = {
    "default": {"URL": os.environ.get("REDIS_URL", "redis://localhost:6379/0")},
}
"""

CHANNELS_ASGI = """import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")
# Django is set up before the consumers (and their models) are imported.
django_asgi_app = get_asgi_application()

from chat.consumers import EchoConsumer, TaskConsumer  # noqa: E402
from chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
        "channel": ChannelNameRouter({"tasks": TaskConsumer.as_asgi()}),
    }
)
"""
CHANNELS_CONSUMERS = """from asgiref.sync import async_to_sync
from channels.consumer import SyncConsumer
from channels.generic.websocket import WebsocketConsumer


class EchoConsumer(WebsocketConsumer):
    def connect(self):
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        # Hand the work to the channel worker, which answers on our channel.
        async_to_sync(self.channel_layer.send)(
            "tasks", {"type": "echo", "text": text_data or "", "reply": self.channel_name}
        )

    def echo_reply(self, event):
        self.send(text_data=event["text"])


class TaskConsumer(SyncConsumer):
    def echo(self, message):
        async_to_sync(self.channel_layer.send)(
            message["reply"], {"type": "echo.reply", "text": message["text"].upper()}
        )
"""
CHANNELS_ROUTING = """from django.urls import re_path

from . import consumers

websocket_urlpatterns = [
    re_path(r"ws/echo/$", consumers.EchoConsumer.as_asgi()),
]
"""
CHANNELS_SETTINGS = """
ASGI_APPLICATION = "blog.asgi.application"
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [os.environ.get("REDIS_URL", "redis://localhost:6379/0")]},
    },
}
"""

UVICORN_VIEW = """from django.http import HttpResponse


async def home(request):
    return HttpResponse("Served over ASGI")
"""


def _settings(manage_dir: Path) -> Path:
    return manage_dir / "blog" / "settings.py"


def _import_os(settings: Path) -> None:
    _edit(settings, "from pathlib import Path\n", "import os\nfrom pathlib import Path\n")


def _add_apps(settings: Path, *apps: str, first: bool = False) -> None:
    lines = "".join(f"    '{app}',\n" for app in apps)
    if first:
        _edit(settings, "INSTALLED_APPS = [\n", "INSTALLED_APPS = [\n" + lines)
    else:
        marker = "    'django.contrib.staticfiles',\n"
        _edit(settings, marker, marker + lines)


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(text)


def _startapp(manage_dir: Path, name: str) -> Path:
    run(manage_dir, sys.executable, "-m", "django", "startapp", name)
    return manage_dir / name


def _celery_beat(manage_dir: Path) -> None:
    settings = _settings(manage_dir)
    (manage_dir / "blog" / "celery.py").write_text(CELERY_APP, "utf-8")
    (manage_dir / "blog" / "__init__.py").write_text(CELERY_INIT, "utf-8")
    (_startapp(manage_dir, "notes") / "tasks.py").write_text(CELERY_TASKS, "utf-8")
    _import_os(settings)
    _add_apps(settings, "django_celery_beat", "notes")
    _append(settings, CELERY_SETTINGS)
    # The Procfile sits at the repository's root, beside .git.
    root = manage_dir if (manage_dir / ".git").exists() else manage_dir.parent
    (root / "Procfile").write_text(CELERY_PROCFILE, "utf-8")


def _rq(manage_dir: Path) -> None:
    settings = _settings(manage_dir)
    (_startapp(manage_dir, "notes") / "tasks.py").write_text(RQ_TASKS, "utf-8")
    _import_os(settings)
    _add_apps(settings, "django_rq", "notes")
    _append(settings, RQ_SETTINGS)


def _channels(manage_dir: Path) -> None:
    settings = _settings(manage_dir)
    chat = _startapp(manage_dir, "chat")
    (chat / "consumers.py").write_text(CHANNELS_CONSUMERS, "utf-8")
    (chat / "routing.py").write_text(CHANNELS_ROUTING, "utf-8")
    (manage_dir / "blog" / "asgi.py").write_text(CHANNELS_ASGI, "utf-8")
    _import_os(settings)
    # daphne first: its runserver serves ASGI in development.
    _add_apps(settings, "daphne", first=True)
    _add_apps(settings, "channels", "chat")
    _append(settings, CHANNELS_SETTINGS)


# The order of Channels' tutorial projects: the routing (consumers, channels' auth, and
# the models they use) imported before the settings are named, which runserver forgives
# (manage.py named them) and a server importing asgi.py alone does not.
CHANNELS_LATE_ASGI = """import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

import chat.routing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": AuthMiddlewareStack(URLRouter(chat.routing.websocket_urlpatterns)),
    }
)
"""


def _channels_late(manage_dir: Path) -> None:
    _channels(manage_dir)
    (manage_dir / "blog" / "asgi.py").write_text(CHANNELS_LATE_ASGI, "utf-8")
    # The consumers use a model, as a chat's rooms and messages are.
    consumers = manage_dir / "chat" / "consumers.py"
    text = consumers.read_text("utf-8")
    consumers.write_text("from django.contrib.auth.models import User  # noqa: F401\n" + text)


def _uvicorn(manage_dir: Path) -> None:
    (manage_dir / "blog" / "views.py").write_text(UVICORN_VIEW, "utf-8")
    urls = manage_dir / "blog" / "urls.py"
    _edit(
        urls,
        "from django.urls import path\n",
        "from django.urls import path\n\nfrom . import views\n",
    )
    _edit(urls, "urlpatterns = [\n", "urlpatterns = [\n    path('', views.home),\n")


# Shape -> (what it does to startproject's files, requirements from PyPI).
SERVICE_SHAPES = {
    "celery-beat": (_celery_beat, ("celery[redis]~=5.5", "django-celery-beat~=2.8")),
    "rq": (_rq, ("django-rq~=3.0",)),
    "channels": (_channels, ("channels[daphne]~=4.2", "channels-redis~=4.2")),
    "channels-late-settings": (
        _channels_late,
        ("channels[daphne]~=4.2", "channels-redis~=4.2"),
    ),
    "uvicorn": (_uvicorn, ("uvicorn~=0.34",)),
}


def _key(shape: str) -> str:
    return f"service-{shape}-s{SERVICE_RECIPE}"


# Registered as settings shapes, so sample_projects builds and caches them like its own.
sample_projects.SETTINGS_SHAPES.update({_key(s): v for s, v in SERVICE_SHAPES.items()})


def copy(shape: str, dest: Path, *, layout: str = "flat", django_version: str = "5.2") -> Path:
    """A fresh copy of the cached sample project of this service shape under dest."""
    if shape not in SERVICE_SHAPES:
        raise ValueError(f"unknown service shape {shape!r}: one of {', '.join(SERVICE_SHAPES)}")
    return sample_projects.copy(
        "requirements_txt", layout, dest, django_version=django_version, settings=_key(shape)
    )
