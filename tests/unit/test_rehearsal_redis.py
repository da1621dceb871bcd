"""The rehearsal's own Redis: chosen before any work, started private, always removed."""

from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from simple_deploy.rehearsal.redis import NoRedis, RedisChoice, choose, ping, throwaway

PROGRAM = shutil.which("redis-server")
_no_server = pytest.mark.skipif(PROGRAM is None, reason="redis-server is not installed")


def needs_server(test):
    """A test that starts a real redis-server (Debian's package)."""
    return pytest.mark.needs_programs(_no_server(test))


@pytest.fixture
def area():
    folder = Path(tempfile.mkdtemp(prefix="simple-deploy-rehearsal-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _cmdlines() -> list[str]:
    lines = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(path.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return lines


def test_a_project_without_redis_gets_none_whatever_is_given():
    assert choose("Heroku", False, None) is None
    assert choose("Heroku", False, "redis://h:6379/0") is None


def test_a_given_url_is_used_and_described_without_its_password():
    chosen = choose("Heroku", True, "redis://:s3cret@127.0.0.1:6390/2")
    assert chosen == RedisChoice(url="redis://:s3cret@127.0.0.1:6390/2")
    assert "s3cret" not in chosen.describe()
    assert "redis://127.0.0.1:6390/2" in chosen.describe()


def test_a_url_that_is_not_redis_is_refused_without_showing_it():
    with pytest.raises(NoRedis) as refused:
        choose("Fly.io", True, "postgres://me:s3cret@db/app")
    message = str(refused.value)
    assert "--redis-url must be a redis://" in message and "s3cret" not in message


def test_no_redis_server_is_refused_naming_the_option_and_the_package(tmp_path):
    # An empty PATH: nothing to start a server with.
    with pytest.raises(NoRedis) as refused:
        choose("Render", True, None, path=str(tmp_path))
    message = str(refused.value)
    assert "The Render rehearsal needs Redis" in message
    assert "--redis-url redis://" in message and "apt install redis-server" in message
    assert "Nothing was changed" in message


def test_ping_says_why_a_closed_port_does_not_answer():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert "ConnectionRefusedError" in ping(f"redis://127.0.0.1:{port}/0", timeout=2)


@needs_server
def test_the_throwaway_server_needs_its_password_keeps_it_off_command_lines_and_is_removed(
    area,
):
    with throwaway(area, PROGRAM) as server:
        password = server.url.split(":")[2].split("@")[0]
        assert server.url.startswith("redis://:") and server.url.endswith(f":{server.port}/0")
        assert _listening(server.port)
        assert ping(server.url) == ""
        # Without the password, Redis refuses every command.
        assert "NOAUTH" in ping(f"redis://127.0.0.1:{server.port}/0")
        assert "WRONGPASS" in ping(f"redis://:wrong@127.0.0.1:{server.port}/0")
        assert not any(password in line for line in _cmdlines())
        config = area / "redis" / "redis.conf"
        assert config.stat().st_mode & 0o777 == 0o600
        assert f"requirepass {password}" in config.read_text()
    assert not _listening(server.port)
    assert not (area / "redis").exists()
    assert not any(str(area) in line for line in _cmdlines())


@needs_server
def test_the_throwaway_server_is_stopped_and_removed_when_interrupted(area):
    with pytest.raises(KeyboardInterrupt):
        with throwaway(area, PROGRAM) as server:
            assert _listening(server.port)
            raise KeyboardInterrupt
    assert not _listening(server.port)
    assert not (area / "redis").exists()


@needs_server
def test_a_server_that_cannot_start_says_why(area, tmp_path):
    # A program that exits at once, as a broken redis-server would.
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\necho 'FATAL: cannot start' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(NoRedis) as refused:
        with throwaway(area, str(fake)):
            pass
    assert "did not start" in str(refused.value) and "--redis-url" in str(refused.value)
    assert not (area / "redis").exists()
