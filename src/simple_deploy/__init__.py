"""django-simple-deploy: configure a working Django project for a hosting platform."""

__version__ = "0.1.0"
