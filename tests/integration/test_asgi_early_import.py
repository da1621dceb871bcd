"""An ASGI module that imports its websocket routing (and through it the consumers'
models) above `get_asgi_application()`: runserver serves it, every ASGI server stops
importing it ("settings are not configured"). Configuration stops first with the fix,
and changes nothing (field: testdrivenio/django-channels-example). The order Channels'
docs show (tests/service_shapes.py's CHANNELS_ASGI) configures, as
test_services_config.py shows."""

from __future__ import annotations

import pytest
import service_shapes
from project_files import deploy, git

from simple_deploy.asgi_imports import EarlyImport
from simple_deploy.project import inspect

pytestmark = pytest.mark.needs_programs

# The tutorial's order: the routing (consumers, models) first, Django's setup last.
EARLY_ASGI = """import os

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
# chat/consumers.py of the sample imports no models: the tutorial's consumers do.
CONSUMERS_MODELS = "from .models import *  # noqa: F403\n"


@pytest.fixture
def project(tmp_path):
    root = service_shapes.copy("channels", tmp_path)
    (root / "blog" / "asgi.py").write_text(EARLY_ASGI, "utf-8")
    consumers = root / "chat" / "consumers.py"
    consumers.write_text(CONSUMERS_MODELS + consumers.read_text("utf-8"), "utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Routing imported before Django is set up")
    return root


def test_inspection_finds_the_import_that_reaches_models(project):
    found = inspect(project).services.asgi_early_import

    assert found == EarlyImport("blog/asgi.py", 7, "chat.routing", "chat.models")


@pytest.mark.parametrize("platform", ["heroku", "fly_io"])
def test_configuration_stops_with_the_fix_and_changes_nothing(project, platform):
    head = git(project, "rev-parse", "HEAD")

    result = deploy(project, platform)

    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, out
    assert "Traceback" not in out, out
    assert (
        "`blog/asgi.py` imports `chat.routing` (line 7) before it calls "
        "get_asgi_application(), and that import loads models (`chat.models`)"
    ) in out, out
    assert "django_asgi_app = get_asgi_application()" in out and "Nothing was changed." in out
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "rev-parse", "HEAD") == head
