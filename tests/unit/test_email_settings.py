"""The production email lines every settings block ends with (plugin.email_settings).

They run at the end of the user's settings module, so they are executed here the
same way: as module code in a namespace holding the user's own settings.
"""

from __future__ import annotations

import textwrap
import types

import pytest

from simple_deploy.plugin import email_settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
STARTPROJECT_61 = {"MAILERS": {"default": {"BACKEND": CONSOLE}}}


def settings_after(user_settings: dict, environ: dict, **kwargs) -> dict:
    namespace = {**user_settings, "_os": types.SimpleNamespace(environ=environ)}
    exec(textwrap.dedent(email_settings(**kwargs)), namespace)  # noqa: S102 - our own template
    return {k: v for k, v in namespace.items() if k.isupper()}


def test_django61_console_mailer_becomes_smtp_that_fails_loudly_without_email_url():
    got = settings_after(STARTPROJECT_61, {})
    assert got["MAILERS"]["default"]["BACKEND"] == SMTP
    assert got["MAILERS"]["default"]["OPTIONS"]["host"] == "localhost"
    assert not any(name.startswith("EMAIL_") for name in got), "MAILERS forbids EMAIL_*"


def test_email_url_configures_the_default_mailer_with_decoded_credentials():
    url = "smtp+tls://apikey%40team:p%2Fss%3Aw0rd@smtp.example.com"
    options = settings_after(STARTPROJECT_61, {"EMAIL_URL": url})["MAILERS"]["default"]["OPTIONS"]
    assert options == {
        "host": "smtp.example.com",
        "port": 587,
        "username": "apikey@team",
        "password": "p/ss:w0rd",
        "use_tls": True,
        "use_ssl": False,
    }


def test_smtps_url_uses_implicit_tls_on_465():
    options = settings_after(STARTPROJECT_61, {"EMAIL_URL": "smtps://u:p@mail.example.org"})[
        "MAILERS"
    ]["default"]["OPTIONS"]
    assert (options["port"], options["use_ssl"], options["use_tls"]) == (465, True, False)


def test_a_production_mailer_of_the_users_own_is_kept():
    anymail = {"MAILERS": {"default": {"BACKEND": "anymail.backends.postmark.EmailBackend"}}}
    assert settings_after(anymail, {})["MAILERS"] == anymail["MAILERS"]


def test_other_mailers_are_kept_beside_the_new_default():
    user = {"MAILERS": {"default": {"BACKEND": CONSOLE}, "bulk": {"BACKEND": "x.Backend"}}}
    assert settings_after(user, {})["MAILERS"]["bulk"] == {"BACKEND": "x.Backend"}


@pytest.mark.parametrize("backend", ["console", "filebased", "locmem", "dummy"])
def test_before_django61_a_development_backend_becomes_smtp(backend):
    user = {"EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}
    got = settings_after(user, {"EMAIL_URL": "smtp://relay.example.net:2525"})
    assert got["EMAIL_BACKEND"] == SMTP
    assert (got["EMAIL_HOST"], got["EMAIL_PORT"]) == ("relay.example.net", 2525)
    assert "MAILERS" not in got


def test_before_django61_django_default_smtp_is_left_alone_without_email_url():
    assert settings_after({}, {}) == {}


def test_platform_relay_is_used_when_email_url_is_missing():
    got = settings_after(
        STARTPROJECT_61,
        {"PLATFORM_SMTP_HOST": "10.0.0.9"},
        relay_host_variable="PLATFORM_SMTP_HOST",
    )
    options = got["MAILERS"]["default"]["OPTIONS"]
    assert (options["host"], options["port"], options["username"]) == ("10.0.0.9", 25, "")


def test_email_url_wins_over_the_platform_relay():
    got = settings_after(
        STARTPROJECT_61,
        {"PLATFORM_SMTP_HOST": "10.0.0.9", "EMAIL_URL": "smtp+tls://u:p@smtp.example.com"},
        relay_host_variable="PLATFORM_SMTP_HOST",
    )
    assert got["MAILERS"]["default"]["OPTIONS"]["host"] == "smtp.example.com"


def test_default_from_email_sets_sender_and_server_email():
    got = settings_after({}, {"DEFAULT_FROM_EMAIL": "site@example.com"})
    assert got["DEFAULT_FROM_EMAIL"] == got["SERVER_EMAIL"] == "site@example.com"


def test_django61_mailers_without_a_default_entry_gets_one():
    # `MAILERS = {}` unless a variable is set: no mailer at all (check: mail.W001).
    got = settings_after({"MAILERS": {}}, {})
    assert got["MAILERS"]["default"]["BACKEND"] == SMTP
    bulk = {"MAILERS": {"bulk": {"BACKEND": "x.Backend"}}}
    assert set(settings_after(bulk, {})["MAILERS"]) == {"bulk", "default"}
