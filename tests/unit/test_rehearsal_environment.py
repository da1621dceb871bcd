"""What each phase of the rehearsal gets: the platform's database URL, the user's variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from simple_deploy.rehearsal.engine import Context
from simple_deploy.rehearsal.environment import platform_database_url, run_vars
from simple_deploy.runtime import Command, Runtime


@pytest.mark.parametrize(
    ("url", "scheme", "expected"),
    [
        ("postgresql://u:p@127.0.0.1:5432/db", "postgres", "postgres://u:p@127.0.0.1:5432/db"),
        ("postgres://u:p@127.0.0.1/db", "postgresql", "postgresql://u:p@127.0.0.1/db"),
        ("postgresql://u:p@127.0.0.1/db", None, "postgresql://u:p@127.0.0.1/db"),
        # Another kind of database keeps its own scheme.
        ("sqlite:////tmp/db.sqlite3", "postgres", "sqlite:////tmp/db.sqlite3"),
        ("mysql://u@127.0.0.1/db", "postgres", "mysql://u@127.0.0.1/db"),
    ],
)
def test_the_database_url_has_the_platforms_scheme(url, scheme, expected):
    assert platform_database_url(url, scheme) == expected


def test_run_time_has_build_run_and_derived_variables_filled():
    runtime = Runtime(
        env={"DATABASE_URL": "{database_url}"},
        build=(),
        release=(),
        web=Command(("gunicorn",)),
        host="h.example.com",
        run_env={"PORT": "{port}"},
        derived_env=lambda values: {"HOST_TWICE": values["host"] * 2},
    )
    values = {"database_url": "postgres://x", "port": "8000", "host": "h"}
    assert run_vars(runtime, values) == {
        "DATABASE_URL": "postgres://x",
        "PORT": "8000",
        "HOST_TWICE": "hh",
    }


def test_the_users_values_are_secrets_except_the_very_short_ones():
    ctx = Context(
        git_root=Path("."),
        manage_dir=".",
        manager=None,  # type: ignore[arg-type]  (not used here)
        runtime=None,  # type: ignore[arg-type]
        python="python",
        timeout=1,
        root=Path("."),
        database_url="postgres://user:db-password@127.0.0.1/db",
        extra_env={"API_TOKEN": "tok-123456", "DEBUG_TOOLBAR": "0", "EMPTY": ""},
    )
    secrets = ctx.secret_values()
    assert "tok-123456" in secrets and "db-password" in secrets and ctx.secret_key in secrets
    assert "0" not in secrets and "" not in secrets
