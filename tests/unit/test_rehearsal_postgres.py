"""The rehearsal's own PostgreSQL: chosen before any work, started private, always removed."""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from simple_deploy.rehearsal.postgres import (
    DatabaseChoice,
    NoDatabase,
    choose,
    find_programs,
    opened,
    throwaway,
)

PROGRAMS = find_programs()
_no_server = pytest.mark.skipif(PROGRAMS is None, reason="PostgreSQL's server is not installed")


def needs_server(test):
    """A test that starts PostgreSQL's own server programs (never on the Windows run)."""
    return pytest.mark.needs_programs(_no_server(test))


@pytest.fixture
def area():
    """A temp area as the rehearsal makes one: pytest's own folder is private to root,
    and as root the server runs as `postgres`, which must reach its folder."""
    folder = Path(tempfile.mkdtemp(prefix="simple-deploy-rehearsal-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_platform_without_postgres_needs_keeps_sqlite_or_the_given_url():
    assert choose("Heroku", False, None, None) == DatabaseChoice()
    given = choose("Heroku", False, "sqlite:///x.db", "postgres://h/d")
    assert given.url == "sqlite:///x.db" and given.given_as == "--database-url"


def test_a_non_postgres_url_is_refused_naming_the_option_and_hiding_the_password():
    with pytest.raises(NoDatabase) as refused:
        choose("Upsun", True, "mysql://me:s3cret@db/app", None)
    message = str(refused.value)
    assert "--database-url postgresql://" in message and "names a mysql one" in message
    assert "s3cret" not in message and "Nothing was changed" in message


def test_no_server_programs_is_refused_naming_the_option(tmp_path):
    # An empty PATH and no package folders: nothing to start a server with.
    with pytest.raises(NoDatabase) as refused:
        choose("Platform.sh", True, None, "sqlite:///x.db", path=str(tmp_path), search=())
    message = str(refused.value)
    assert "The Platform.sh rehearsal needs a PostgreSQL database" in message
    assert "initdb, postgres" in message and "--database-url postgresql://" in message


def test_a_postgres_url_given_or_in_the_environment_is_used():
    url = "postgresql://u:p@127.0.0.1:5432/app"
    assert choose("Upsun", True, url, None).url == url
    chosen = choose("Upsun", True, None, url)
    assert chosen.url == url and chosen.given_as == "$DATABASE_URL"
    assert "p@" not in chosen.describe()


@needs_server
def test_without_a_url_the_installed_server_is_chosen():
    chosen = choose("Upsun", True, None, None)
    assert chosen.programs == PROGRAMS and chosen.url is None


@needs_server
def test_throwaway_server_serves_on_loopback_with_a_password_and_is_removed(area):
    import psycopg

    with throwaway(area, PROGRAMS) as server:
        assert server.url.startswith("postgresql://rehearsal:")
        assert f"@127.0.0.1:{server.port}/" in server.url
        with psycopg.connect(server.url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        # A password is required: the same user without it is refused.
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(f"postgresql://rehearsal@127.0.0.1:{server.port}/postgres").close()
        assert (area / "postgres" / "data" / "PG_VERSION").is_file()
        assert not (area / "postgres" / "password").exists()
    assert not _listening(server.port)
    assert not (area / "postgres").exists()


@needs_server
@pytest.mark.parametrize("interruption", [RuntimeError("step failed"), KeyboardInterrupt()])
def test_failure_or_ctrl_c_stops_and_removes_the_server(area, interruption):
    with pytest.raises(type(interruption)):
        with throwaway(area, PROGRAMS) as server:
            assert _listening(server.port)
            raise interruption
    assert not _listening(server.port)
    assert list(area.iterdir()) == []


@needs_server
def test_opened_gives_a_work_folder_beside_the_server_and_removes_both():
    with opened(DatabaseChoice(programs=PROGRAMS)) as (url, described, workdir):
        area = workdir.parent
        assert url.startswith("postgresql://") and workdir.is_dir()
        assert (area / "postgres").is_dir()
        assert described.startswith("a throwaway PostgreSQL ")
        assert "stopped and removed afterwards" in described
    assert not area.exists()
