"""asgi_imports: which imports in an ASGI module load models before Django is set up."""

from __future__ import annotations

from pathlib import Path

from simple_deploy.asgi_imports import EarlyImport, early_import

SETUP_FIRST = """import os
from django.core.asgi import get_asgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
django_asgi_app = get_asgi_application()
from chat.routing import websocket_urlpatterns
"""
ROUTING_FIRST = """import os
from django.core.asgi import get_asgi_application
from chat import routing
application = get_asgi_application()
"""
AUTH_MODELS_FIRST = """from django.contrib.auth.models import AnonymousUser
from django.core.asgi import get_asgi_application
application = get_asgi_application()
"""


def _project(tmp_path: Path, asgi: str, consumers: str) -> Path:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    (tmp_path / "proj" / "asgi.py").write_text(asgi)
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "__init__.py").write_text("")
    (tmp_path / "chat" / "models.py").write_text("from django.db import models\n")
    (tmp_path / "chat" / "routing.py").write_text("from . import consumers\n")
    (tmp_path / "chat" / "consumers.py").write_text(consumers)
    return tmp_path


def test_routing_that_reaches_models_through_consumers(tmp_path):
    root = _project(tmp_path, ROUTING_FIRST, "from .models import Room\n")

    assert early_import(root, "proj.asgi") == EarlyImport(
        "proj/asgi.py", 3, "chat.routing", "chat.models"
    )


def test_an_installed_app_models_module_counts(tmp_path):
    root = _project(tmp_path, AUTH_MODELS_FIRST, "")

    found = early_import(root, "proj.asgi")

    assert found is not None and found.models == "django.contrib.auth.models"


def test_imports_after_setup_are_safe(tmp_path):
    root = _project(tmp_path, SETUP_FIRST, "from .models import Room\n")

    assert early_import(root, "proj.asgi") is None


def test_django_db_models_and_function_bodies_load_no_model(tmp_path):
    consumers = "from django.db import models\n\ndef room():\n    from .models import Room\n"
    root = _project(tmp_path, ROUTING_FIRST, consumers)

    assert early_import(root, "proj.asgi") is None
