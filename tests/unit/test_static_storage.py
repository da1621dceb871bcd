"""What a project's STATICFILES_STORAGE becomes in the settings blocks (static_storage)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from simple_deploy import static_storage
from simple_deploy.project import Project

_BASE = Project(
    git_root=Path("/p"),
    manage_dir=Path("/p"),
    settings_module="blog.settings",
    settings_file=Path("/p/blog/settings.py"),
    settings_source="the module blog/wsgi.py names",
    manage_settings_module="blog.settings",
    wsgi_module="blog.wsgi",
    package_manager="requirements_txt",
    python_version="3.12",
    django_version="5.2",
    configured_for=(),
)


@pytest.mark.parametrize(
    ("django", "chosen", "backend"),
    [
        # The user's own choice, a WhiteNoise one included, is kept as STORAGES.
        ("5.1", "myapp.storage.S3Static", "myapp.storage.S3Static"),
        (
            "5.2",
            "whitenoise.storage.CompressedStaticFilesStorage",
            "whitenoise.storage.CompressedStaticFilesStorage",
        ),
        # Django's default is no choice: WhiteNoise's compressed, hashed storage.
        ("6.0", "django.contrib.staticfiles.storage.StaticFilesStorage", static_storage.WHITENOISE),
        # WhiteNoise 3's name, gone since WhiteNoise 4.
        ("5.2", "whitenoise.django.GzipManifestStaticFilesStorage", static_storage.WHITENOISE),
        # Django < 5.1 still reads STATICFILES_STORAGE: nothing moves.
        ("5.0", "myapp.storage.S3Static", None),
        ("4.2", "django.contrib.staticfiles.storage.StaticFilesStorage", None),
        ("5.2", None, None),
    ],
)
def test_backend(django, chosen, backend):
    project = replace(_BASE, django_version=django, legacy_static_storage=chosen)
    assert static_storage.backend(project) == backend
    assert bool(static_storage.note(project)) == (backend is not None)
