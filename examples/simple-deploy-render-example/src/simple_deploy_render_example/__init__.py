"""Render for django-simple-deploy (an example third-party platform plugin)."""
