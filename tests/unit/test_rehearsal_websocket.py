"""The rehearsal's websocket client against a real ASGI server (daphne)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simple_deploy.rehearsal.websocket import accept_key, handshake

# An ASGI app with one websocket route that answers each message in capitals, and
# an HTTP page; any other websocket path is refused before the handshake.
APP = """
async def app(scope, receive, send):
    if scope["type"] == "http":
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        if scope["path"] != "/ws/echo/" or dict(scope["headers"]).get(b"origin") != (
            b"https://demo.example.com"
        ):
            await send({"type": "websocket.close"})
            return
        await send({"type": "websocket.accept"})
        while True:
            event = await receive()
            if event["type"] != "websocket.receive":
                return
            await send({"type": "websocket.send", "text": (event.get("text") or "").upper()})
"""
HOST = "demo.example.com"
PROXY = {"X-Forwarded-Proto": "https"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def daphne(tmp_path):
    program = shutil.which("daphne", path=str(Path(sys.executable).parent))
    if program is None:
        pytest.skip("daphne is not installed")
    (tmp_path / "echo_app.py").write_text(APP, encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen(
        [program, "-b", "127.0.0.1", "-p", str(port), "echo_app:app"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield ("127.0.0.1", port)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_accept_key_is_rfc_6455s_own_example():
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.needs_programs
def test_a_routed_path_switches_protocols_and_answers_a_message(daphne):
    result = handshake(daphne, HOST, "/ws/echo/", PROXY, message="rehearsal")
    assert (result.status, result.accepted) == (101, True)
    assert result.reply == "REHEARSAL"


@pytest.mark.needs_programs
def test_a_path_the_app_does_not_route_is_not_accepted(daphne):
    result = handshake(daphne, HOST, "/ws/elsewhere/", PROXY, message="rehearsal")
    assert result.accepted is False and result.status == 403
    assert result.reply is None


@pytest.mark.needs_programs
def test_an_origin_the_app_refuses_is_not_accepted(daphne):
    # The handshake sends the public host's https origin: another host's is refused.
    result = handshake(daphne, "other.example.com", "/ws/echo/", PROXY)
    assert result.accepted is False and result.status == 403


def test_a_plain_http_server_does_not_pass_for_a_websocket_one(tmp_path):
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = handshake(server.server_address, HOST, "/", PROXY, message="x")
    finally:
        server.shutdown()
        server.server_close()
    assert result.accepted is False and result.status in (200, 404)
