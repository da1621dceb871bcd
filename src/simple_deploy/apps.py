import sys

from django.apps import AppConfig

from . import startup_errors

# Imported before any app's models load: a project Django cannot load under
# `manage.py deploy` (an old database driver) gets one message, not a traceback.
startup_errors.install(sys.argv)


class SimpleDeployConfig(AppConfig):
    """Registers the `deploy` management command; the app has no models."""

    name = "simple_deploy"
    verbose_name = "django-simple-deploy"
