"""A websocket handshake as a browser sends it through the platform's router.

Just enough of RFC 6455 to prove the ASGI server routes websockets on a path:
the HTTP/1.1 Upgrade request (the public Host, an https Origin, the router's
proxy headers), the 101 answer with the right Sec-WebSocket-Accept, then one
text message sent and one awaited (a consumer that echoes, directly or through
a channel worker, answers it; one that does not is not wrong), and a close.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Handshake", "accept_key", "handshake"]

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_TEXT, _CLOSE, _PING = 0x1, 0x8, 0x9
MAX_HEAD = 64 * 1024


@dataclass(frozen=True)
class Handshake:
    """What the server answered: its status line, headers, and the reply to our message."""

    status: int
    reason: str
    headers: Mapping[str, str]
    accepted: bool  # 101 with the Sec-WebSocket-Accept our key calls for
    reply: str | None = None  # the first text message the server sent back, if any


def accept_key(key: str) -> str:
    """The Sec-WebSocket-Accept a server must answer `key` with (RFC 6455, 4.2.2)."""
    digest = hashlib.sha1((key + _GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def handshake(
    address: tuple[str, int],
    host: str,
    path: str,
    proxy_headers: Mapping[str, str],
    *,
    message: str | None = None,
    timeout: float = 10.0,
    reply_timeout: float = 5.0,
) -> Handshake:
    """Open a websocket on `path`; with `message`, send it and wait for one text reply.

    Raises OSError when the server cannot be reached or closes the connection early.
    """
    key = base64.b64encode(os.urandom(16)).decode("ascii")
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        # Channels' AllowedHostsOriginValidator accepts only the site's own origin.
        f"Origin: https://{host}",
        *(f"{name}: {value}" for name, value in proxy_headers.items()),
    ]
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        head, rest = _read_head(sock)
        status, reason, headers = _parse_head(head)
        accepted = (
            status == 101
            and headers.get("upgrade", "").lower() == "websocket"
            and headers.get("sec-websocket-accept", "") == accept_key(key)
        )
        reply = None
        if accepted and message is not None:
            sock.sendall(_frame(_TEXT, message.encode("utf-8")))
            sock.settimeout(reply_timeout)
            try:
                reply = _read_text(sock, rest)
            except TimeoutError:
                reply = None
        if accepted:
            try:
                sock.sendall(_frame(_CLOSE, struct.pack("!H", 1000)))
            except OSError:
                pass
    return Handshake(status, reason, headers, accepted, reply)


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("the server closed the connection before answering")
        data += chunk
        if len(data) > MAX_HEAD:
            raise ConnectionError("the server's answer has no end of headers")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _parse_head(head: bytes) -> tuple[int, str, dict[str, str]]:
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ConnectionError(f"not an HTTP answer: {status_line[:100]!r}")
    headers = {}
    for line in header_lines:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


def _frame(opcode: int, payload: bytes) -> bytes:
    """One final frame, masked as every client frame must be."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    return head + mask + masked


def _read_text(sock: socket.socket, buffered: bytes) -> str | None:
    """The first text message the server sends (pings skipped); None if it closes."""
    reader = _Reader(sock, buffered)
    while True:
        first, second = reader.take(2)
        opcode, length = first & 0x0F, second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", reader.take(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", reader.take(8))
        mask = reader.take(4) if second & 0x80 else b""
        payload = reader.take(length)
        if mask:
            payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        if opcode == _TEXT:
            return payload.decode("utf-8", errors="replace")
        if opcode == _CLOSE:
            return None
        if opcode == _PING:
            sock.sendall(_frame(0xA, payload))


class _Reader:
    def __init__(self, sock: socket.socket, buffered: bytes) -> None:
        self.sock, self.data = sock, buffered

    def take(self, count: int) -> bytes:
        while len(self.data) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.data += chunk
        out, self.data = self.data[:count], self.data[count:]
        return out
