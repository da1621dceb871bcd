"""What each phase of the platform sees: its variables, and nothing of this machine's Django.

Two layers, kept apart because engines use them differently:
- the platform's variables (`build_vars`, `run_vars`): what the generated
  configuration declares for the build, release and run phases, with the
  placeholders filled in, plus the user's own variables (`extra_env`);
- the host environment (`host_env`) a local command needs to run at all (PATH,
  HOME, package caches, proxies), without the caller's settings module or
  virtual environment. A container engine passes only the first layer in.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..runtime import Runtime
from .processes import IS_WINDOWS

__all__ = [
    "host_env",
    "platform_path",
    "fill",
    "fill_all",
    "fill_map",
    "build_vars",
    "run_vars",
    "platform_database_url",
]

# The caller's environment is a running Django process: its settings module,
# virtual environment and import path must not leak into the rehearsal. Keep
# only what a fresh login shell has, the package caches (fast repeat installs)
# and what is needed to reach the package index (proxies, TLS roots, mirrors).
_KEEP_ENV = (
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "PIP_CACHE_DIR",
    "UV_CACHE_DIR",
    "POETRY_CACHE_DIR",
    "PIPENV_CACHE_DIR",
    "XDG_CACHE_HOME",
    "npm_config_cache",  # npm's package cache (the asset build's `npm ci`)
)
_KEEP_ENV_WINDOWS = (
    "SYSTEMROOT",
    "PATHEXT",
    "TEMP",
    "TMP",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
)
_KEEP_ENV_NETWORK = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "PIP_CERT",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_TRUSTED_HOST",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
    "UV_FIND_LINKS",
    "PIPENV_PYPI_MIRROR",
)


def host_env(bin_dir: Path | None = None) -> dict[str, str]:
    """A clean environment: nothing from the caller's Django process leaks in.

    `bin_dir` (a virtual environment's scripts folder) goes first on PATH.
    """
    names = _KEEP_ENV + _KEEP_ENV_NETWORK + (_KEEP_ENV_WINDOWS if IS_WINDOWS else ())
    env = {name: os.environ[name] for name in names if name in os.environ}
    path = os.environ.get("PATH", os.defpath)
    env["PATH"] = path if bin_dir is None else os.pathsep.join([str(bin_dir), path])
    return env


def platform_path(path: str) -> str:
    """PATH without the caller's own virtual environment.

    The platform has only what the lock file installs: a web server or driver
    that happens to be installed where `manage.py deploy` runs must not make a
    broken install pass. The package managers are still found for installing.
    """
    own = {os.path.normcase(str(Path(sys.prefix) / ("Scripts" if IS_WINDOWS else "bin")))}
    if os.environ.get("VIRTUAL_ENV"):
        venv = Path(os.environ["VIRTUAL_ENV"]) / ("Scripts" if IS_WINDOWS else "bin")
        own.add(os.path.normcase(str(venv)))
    if sys.prefix == sys.base_prefix and not os.environ.get("VIRTUAL_ENV"):
        return path
    kept = [part for part in path.split(os.pathsep) if os.path.normcase(part) not in own]
    return os.pathsep.join(kept)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace known {placeholders} only: other braces (JSON, format strings) stay."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def fill_all(items: Iterable[str], values: Mapping[str, str]) -> list[str]:
    return [fill(item, values) for item in items]


def fill_map(mapping: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    return {key: fill(value, values) for key, value in mapping.items()}


def build_vars(runtime: Runtime, values: Mapping[str, str]) -> dict[str, str]:
    """The platform's variables at build time."""
    return fill_map(runtime.env, values)


def run_vars(runtime: Runtime, values: Mapping[str, str]) -> dict[str, str]:
    """The platform's variables at release and run time (build's, and more)."""
    env = build_vars(runtime, values) | fill_map(runtime.run_env, values)
    if runtime.derived_env is not None:
        env |= dict(runtime.derived_env(values))
    return env


# One database, several spellings: Heroku hands out postgres://, Django's docs and
# most local servers say postgresql://. Settings that branch on the scheme must see
# the platform's spelling in the rehearsal.
_POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def platform_database_url(url: str, scheme: str | None) -> str:
    """`url` with the scheme the platform uses for the same kind of database."""
    if not scheme:
        return url
    current, sep, rest = url.partition("://")
    if not sep or current.lower() not in _POSTGRES_SCHEMES or scheme not in _POSTGRES_SCHEMES:
        return url
    return f"{scheme}://{rest}"
