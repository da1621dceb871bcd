"""What the platform must provide for the project's settings to import, by name.

Inspection found the variables the production settings read (`Project.env_vars`).
The project's own code reads them before our settings block runs, so the values
must be in the platform's environment itself, under the project's names. This
module turns that list into what each part of a run needs; plugins call it and
keep only the platform's knowledge (which names the platform sets by itself).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable

from .project import EnvVar, Project
from .settings_probe import placeholder_for

__all__ = [
    "platform_provided",
    "user_provided",
    "build_placeholders",
    "new_secret_keys",
    "notes",
    "secret_key_names",
    "finish_steps",
    "known_values",
]


def _required(project: Project) -> tuple[EnvVar, ...]:
    return project.required_env


def platform_provided(
    project: Project, *, database_names: Iterable[str] = (), secret_key: bool = True
) -> dict[str, str]:
    """Required variables the platform's configuration can fill, as rehearsal placeholders:
    a secret key under any name the settings read (made by --automate-all or the
    summary's command) and the database URL under `database_names` (the names the
    platform sets by itself, such as Heroku's DATABASE_URL)."""
    names = set(database_names)
    out = {}
    for var in _required(project):
        if var.kind == "secret_key" and secret_key:
            out[var.name] = "{secret_key}"
        elif var.kind == "database_url" and var.name in names:
            out[var.name] = "{database_url}"
    return out


def known_values(
    project: Project, *, host: str | None = None, database: str | None = None
) -> dict[str, str]:
    """Values the tool itself knows, under every name the settings read them by: the
    app's host (`DJANGO_ALLOWED_HOSTS`), its HTTPS origin (`CSRF_TRUSTED_ORIGINS`, the
    site's URL `SITE_ROOT`) and
    the database URL (`DJANGO_DATABASE_URL`). The settings read them before our block,
    so the platform's environment must hold them; None: the platform cannot say it."""
    out = {}
    for var in project.env_vars:
        if var.kind == "allowed_hosts" and host:
            out[var.name] = host
        elif var.kind in ("csrf_origins", "site_url") and host:
            out[var.name] = f"https://{host}"
        elif var.kind == "database_url" and database:
            out[var.name] = database
    return {name: in_form_read(project, name, value) for name, value in out.items()}


def in_form_read(project: Project, name: str, value: str) -> str:
    """`value` as the settings read `name`: a JSON list for a list field of a
    pydantic-settings model (`["example.com"]`), else as it is."""
    return json.dumps([value]) if name in project.json_variables else value


def user_provided(project: Project, provided: Iterable[str]) -> tuple[EnvVar, ...]:
    """Required variables nobody sets unless the user does (the summary gives commands)."""
    known = set(provided) | set(project.settings_env)
    return tuple(var for var in _required(project) if var.name not in known)


def build_placeholders(project: Project) -> dict[str, str]:
    """Values for a build step that has no runtime secrets (an image build, a build
    hook): each required variable gets a harmless placeholder, so the settings import
    and collectstatic runs. Never used at run time."""
    return {var.name: placeholder_for(var.name) for var in _required(project)}


def new_secret_keys(project: Project, present: Iterable[str]) -> dict[str, str]:
    """A new random key for each secret-key variable the settings require and the
    platform does not have yet (changing an existing key would log everyone out)."""
    have = set(present)
    return {
        var.name: secrets.token_urlsafe(50)
        for var in _required(project)
        if var.kind == "secret_key" and var.name not in have
    }


def notes(project: Project) -> tuple[str, ...]:
    """Lines for the dry run and the summary: what the settings read, and which they need."""
    if not project.env_vars:
        return ()
    out = []
    if project.platform_switch:
        # Where the settings read the variable (the `if` around the include).
        read = next((v.where for v in project.env_vars if v.name == project.platform_switch), "")
        path, _, line = read.rpartition(":")
        at = f" ({path}, line {line})" if path else ""
        out.append(
            f"Git ignores {', '.join(project.ignored_needed)}, so the platform (given your "
            f"commit) will not have it; your settings{at} do without it when "
            f"`{project.platform_switch}` is set: set `{project.platform_switch}` (for "
            "example to 1) in the platform's environment."
        )
    if project.debug_off:
        name, value = project.debug_off
        out.append(
            f"Your settings read DEBUG from `{name}`: the platform sets `{name}={value}`, so "
            "what they do when DEBUG is off (storage, caching, logging) runs there too."
        )
    required = [f"`{v.name}`" for v in project.env_vars if v.required]
    optional = [f"`{v.name}`" for v in project.env_vars if not v.required]
    if required:
        out.append(
            f"`{project.settings_module}` cannot import without "
            f"{', '.join(required)}: the platform's environment must hold them under "
            "these names (the settings read them before the django-simple-deploy block)."
        )
    if optional:
        out.append(
            f"`{project.settings_module}` also reads {', '.join(optional)} (optional: "
            "the settings have defaults)."
        )
    return tuple(out)


def secret_key_names(project: Project) -> tuple[str, ...]:
    """Names under which the settings require a secret key (besides our block's own)."""
    return tuple(var.name for var in _required(project) if var.kind == "secret_key")


def finish_steps(
    project: Project, provided: Iterable[str], command_for: Callable[[str], str]
) -> tuple[str, ...]:
    """One summary step for each required variable only the user can give, with the
    platform's exact command (`command_for(name)`)."""
    return tuple(
        f"Your settings read `{var.name}` at import ({var.where}) and the platform does not "
        f"set it: `{command_for(var.name)}`."
        for var in user_provided(project, provided)
    )
