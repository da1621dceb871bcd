"""The site's own public URL variable is one the tool knows (settings_probe.kind_of)."""

from __future__ import annotations

from simple_deploy.settings_probe import kind_of


def test_the_sites_url_names_are_known_and_other_urls_are_not():
    for name in ("SITE_ROOT", "SITE_URL", "DJANGO_SITE_URL", "BASE_URL", "WAGTAILADMIN_BASE_URL"):
        assert kind_of(name) == "site_url", name
    for name in ("STRIPE_API_BASE_URL", "REDIS_URL", "SENTRY_DSN", "MEDIA_URL"):
        assert kind_of(name) == "other", name
