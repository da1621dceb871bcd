from django.apps import AppConfig


class SimpleDeployConfig(AppConfig):
    """Registers the `deploy` management command; the app has no models."""

    name = "simple_deploy"
    verbose_name = "django-simple-deploy"
