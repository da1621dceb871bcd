"""The final values of the production settings that shape the settings block.

The settings probe imports the production settings once (settings_probe); what they
end up holding (MIDDLEWARE, INSTALLED_APPS, STORAGES, STATIC_ROOT, the mail setup)
travels here, in `Project.settings_facts`, so the block is written as plain lines
decided at configuration time instead of testing `globals()` at every import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SettingsFacts", "STARTPROJECT", "from_probe"]


@dataclass(frozen=True)
class SettingsFacts:
    """What the production settings hold once imported.

    `middleware` and `installed_apps` are the names in order; `*_is_list` say whether
    the setting is a list (a tuple cannot be changed in place). `storages` lists the
    STORAGES keys (None: the settings do not set STORAGES). `mailers` maps each
    MAILERS entry to its backend (None: no MAILERS, so Django before 6.1's EMAIL_*).
    """

    middleware: tuple[str, ...]
    installed_apps: tuple[str, ...]
    middleware_is_list: bool = True
    storages: tuple[str, ...] | None = None
    # STORAGES["staticfiles"]["BACKEND"], when the settings name one.
    staticfiles_backend: str | None = None
    staticfiles_storage: str | None = None
    static_root: bool = False
    # STATIC_ROOT relative to the git root, POSIX (None: unset, or outside the repository).
    static_root_rel: str | None = None
    static_url: bool = True
    base_dir_is_manage_dir: bool = True
    email_backend: str | None = None
    # The settings name an SMTP server of their own (EMAIL_HOST and the like).
    smtp_settings: bool = False
    # The settings set DEFAULT_FROM_EMAIL or SERVER_EMAIL themselves.
    sender_set: bool = False
    mailers: tuple[tuple[str, str | None], ...] | None = None
    # WAGTAILADMIN_BASE_URL is set once imported (a line under an `if` on a variable
    # the platform does not have leaves it unset there).
    wagtail_base_url: bool = True
    # The settings set DEFAULT_AUTO_FIELD (startproject has since Django 3.2).
    default_auto_field: bool = True
    # STATICFILES_DIRS folders and template DIRS inside the repository, relative to the
    # git root (POSIX): where a frontend built in another folder must land.
    served_dirs: tuple[str, ...] = ()
    # SECURE_CROSS_ORIGIN_OPENER_POLICY is False or "": no header, as None says, but
    # `check --deploy` reports it invalid (security.E024).
    coop_falsy: bool = False
    # The settings set SILENCED_SYSTEM_CHECKS themselves.
    silenced_set: bool = False
    # MIDDLEWARE leaves XFrameOptionsMiddleware out with its line commented out: pages
    # are meant to be framed (set by inspection from the settings' text).
    frames_allowed: bool = False
    # The DATABASES aliases the settings define ("default", and a read-only
    # "dashboard" or a "legacy" one the project's code opens by name).
    database_aliases: tuple[str, ...] = ("default",)
    # django-haystack is installed and HAYSTACK_CONNECTIONS is not set (pythondotorg's
    # base settings: only its development and its own platform's modules set it).
    haystack_unset: bool = False


# What `django-admin startproject` (Django 5.2) writes: the facts a Project built
# without the probe (tests, the plugin guide's examples) is written for.
STARTPROJECT = SettingsFacts(
    middleware=(
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ),
    installed_apps=(
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "simple_deploy",
    ),
)


def _names(value: Any) -> tuple[tuple[str, ...], bool] | None:
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], list):
        return None
    return tuple(str(name) for name in value[0]), bool(value[1])


def from_probe(final: Mapping[str, Any] | None) -> SettingsFacts | None:
    """The facts from the probe's JSON (None when the settings did not import)."""
    if not final:
        return None
    middleware = _names(final.get("middleware"))
    apps = _names(final.get("installed_apps"))
    if middleware is None or apps is None:
        return None
    storages = final.get("storages")
    mailers = final.get("mailers")
    return SettingsFacts(
        middleware=middleware[0],
        middleware_is_list=middleware[1],
        installed_apps=apps[0],
        storages=tuple(storages) if isinstance(storages, list) else None,
        staticfiles_backend=(
            final["staticfiles_backend"]
            if isinstance(final.get("staticfiles_backend"), str)
            else None
        ),
        staticfiles_storage=final.get("staticfiles_storage"),
        static_root=bool(final.get("static_root")),
        static_root_rel=(
            final["static_root_rel"] if isinstance(final.get("static_root_rel"), str) else None
        ),
        static_url=bool(final.get("static_url", True)),
        base_dir_is_manage_dir=bool(final.get("base_dir_is_manage_dir")),
        email_backend=final.get("email_backend"),
        smtp_settings=bool(final.get("smtp_settings")),
        sender_set=bool(final.get("sender_set")),
        mailers=tuple(sorted(mailers.items())) if isinstance(mailers, dict) else None,
        wagtail_base_url=bool(final.get("wagtail_base_url", True)),
        default_auto_field=bool(final.get("default_auto_field", True)),
        served_dirs=tuple(
            str(rel) for rel in final.get("served_dirs") or () if isinstance(rel, str)
        ),
        coop_falsy=bool(final.get("coop_falsy")),
        silenced_set=bool(final.get("silenced_set")),
        database_aliases=tuple(final.get("database_aliases") or ("default",)),
        haystack_unset=bool(final.get("haystack_unset")),
    )
