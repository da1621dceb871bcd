"""The production email lines every settings block ends with (plugin.email_settings).

They run at the end of the user's settings module, so they are executed here the
same way: as module code in a namespace holding the user's own settings. They are
written for those settings (what the probe records of them: `facts_of`), so each
test writes them for the settings it then runs them in.
"""

from __future__ import annotations

import textwrap
import types

import pytest

from simple_deploy.plugin import email_settings
from simple_deploy.settings_facts import STARTPROJECT, SettingsFacts

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
STARTPROJECT_61 = {"MAILERS": {"default": {"BACKEND": CONSOLE}}}
_SMTP_SETTINGS = ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD")


def facts_of(user_settings: dict) -> SettingsFacts:
    """What the settings probe records of these settings (settings_probe.final_values)."""
    mailers = user_settings.get("MAILERS")
    return SettingsFacts(
        middleware=STARTPROJECT.middleware,
        installed_apps=STARTPROJECT.installed_apps,
        email_backend=user_settings.get("EMAIL_BACKEND"),
        smtp_settings=any(name in user_settings for name in _SMTP_SETTINGS),
        sender_set=any(name in user_settings for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL")),
        mailers=(
            tuple(sorted((k, v.get("BACKEND")) for k, v in mailers.items()))
            if mailers is not None
            else None
        ),
    )


def lines_for(user_settings: dict, **kwargs) -> str:
    project = types.SimpleNamespace(facts=facts_of(user_settings))
    return email_settings(project=project, **kwargs)  # type: ignore[arg-type]


def settings_after(user_settings: dict, environ: dict, **kwargs) -> dict:
    namespace = {**user_settings, "_os": types.SimpleNamespace(environ=environ)}
    exec(textwrap.dedent(lines_for(user_settings, **kwargs)), namespace)  # noqa: S102 - ours
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


def test_before_django61_django_default_smtp_gets_the_same_values_without_email_url():
    # Django's defaults (SMTP on localhost:25, no login, no TLS): nothing to keep, so the
    # lines are written without a test, and give the same values until EMAIL_URL is set.
    got = settings_after({}, {})
    assert (got["EMAIL_HOST"], got["EMAIL_PORT"], got["EMAIL_HOST_USER"]) == ("localhost", 25, "")
    assert not got["EMAIL_USE_TLS"] and not got["EMAIL_USE_SSL"]
    assert "EMAIL_BACKEND" not in got and 'EMAIL_URL"):' not in lines_for({})


def test_an_smtp_server_of_the_users_own_is_kept_without_email_url():
    own = {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": 2525}
    assert settings_after(own, {}).items() >= own.items()
    assert "EMAIL_USE_TLS" not in settings_after(own, {})
    got = settings_after(own, {"EMAIL_URL": "smtps://u:p@mail.example.net"})
    assert (got["EMAIL_HOST"], got["EMAIL_PORT"]) == ("mail.example.net", 465)


def test_a_backend_of_the_users_own_is_kept_until_email_url_is_set():
    anymail = {"EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend"}
    assert settings_after(anymail, {}).items() >= anymail.items()
    assert "EMAIL_HOST" not in settings_after(anymail, {})
    assert settings_after(anymail, {"EMAIL_URL": "smtp://h:25"})["EMAIL_BACKEND"] == SMTP


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


def test_the_projects_own_sender_is_kept_until_default_from_email_is_set():
    own = {"DEFAULT_FROM_EMAIL": "hello@example.org", "SERVER_EMAIL": "errors@example.org"}
    got = settings_after(own, {})
    assert (got["DEFAULT_FROM_EMAIL"], got["SERVER_EMAIL"]) == tuple(own.values())
    # Without one, Django's placeholder stays the sender until the variable is set.
    assert settings_after({}, {})["DEFAULT_FROM_EMAIL"] == "webmaster@localhost"


def test_django61_mailers_without_a_default_entry_gets_one():
    # `MAILERS = {}` unless a variable is set: no mailer at all (check: mail.W001).
    got = settings_after({"MAILERS": {}}, {})
    assert got["MAILERS"]["default"]["BACKEND"] == SMTP
    bulk = {"MAILERS": {"bulk": {"BACKEND": "x.Backend"}}}
    assert set(settings_after(bulk, {})["MAILERS"]) == {"bulk", "default"}
