"""Requests as the platform's router sends them, and what a good static response looks like."""

from __future__ import annotations

import http.client
import re
from collections.abc import Mapping

from ..runtime import Runtime
from .crawl import Response
from .report import StepFailed

__all__ = [
    "HTTP_TIMEOUT",
    "ONE_YEAR",
    "get",
    "fetch",
    "answers",
    "compressible",
    "pick_static",
    "static_problems",
]

HTTP_TIMEOUT = 30.0
# Pages and stylesheets are parsed for links; more than this is not a page a visitor waits for.
MAX_BODY = 2 * 1024 * 1024
ONE_YEAR = 31536000
PREFERRED_STATIC = "admin/css/base.css"
# WhiteNoise never compresses these (already compressed formats): the value of
# whitenoise.compress.Compressor.SKIP_COMPRESS_EXTENSIONS, the default of its
# WHITENOISE_SKIP_COMPRESS_EXTENSIONS setting. Demanding gzip for a PNG would fail
# a site that is served exactly as it should be.
WHITENOISE_SKIPS = frozenset(
    (
        "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br",
        "swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4",
        "mpeg", "mpg", "webm", "wmv",
    )
)  # fmt: skip


def get(
    address: tuple[str, int],
    runtime: Runtime,
    path: str,
    extra: Mapping[str, str] | None = None,
    timeout: float = HTTP_TIMEOUT,
) -> tuple[int, dict[str, str]]:
    """GET `path` as the platform's router would send it: public Host, proxy headers."""
    headers = {"Host": runtime.host, **runtime.proxy_headers, **(extra or {})}
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, {key.lower(): value for key, value in response.getheaders()}
    finally:
        conn.close()


def fetch(
    address: tuple[str, int], runtime: Runtime, path: str, timeout: float = HTTP_TIMEOUT
) -> Response:
    """GET `path` as a visitor's browser, through the platform's router; keep a bounded body."""
    headers = {"Host": runtime.host, **runtime.proxy_headers, "Accept": "text/html,*/*"}
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read(MAX_BODY)
        return Response(
            response.status,
            response.getheader("Content-Type", "") or "",
            response.getheader("Location", "") or "",
            body,
        )
    finally:
        conn.close()


def answers(address: tuple[str, int], runtime: Runtime) -> bool:
    """True once the web process answers HTTP at all (any status)."""
    try:
        get(address, runtime, "/", timeout=2)
    except (OSError, http.client.HTTPException):
        return False
    return True


def compressible(name: str) -> bool:
    """Whether WhiteNoise compresses this file (its extension is not on the skip list)."""
    suffix = name.rsplit("/", 1)[-1].rpartition(".")[2].lower()
    return suffix not in WHITENOISE_SKIPS


def pick_static(paths: Mapping[str, str]) -> tuple[str, str]:
    """An (original, hashed) pair from the manifest's paths: admin's base.css if present,
    else a stylesheet or script, else any file WhiteNoise compresses, else any file."""
    if not paths:
        raise StepFailed("The static files manifest (staticfiles.json) lists no files.")
    if PREFERRED_STATIC in paths:
        return PREFERRED_STATIC, paths[PREFERRED_STATIC]
    ranked = sorted(
        paths,
        key=lambda name: (not name.endswith((".css", ".js")), not compressible(name), name),
    )
    return ranked[0], paths[ranked[0]]


def static_problems(
    status: int, encoding: str, cache: str, compressed: bool = True, long_cache: bool = True
) -> list[str]:
    """What is wrong with a static file's response; `compressed`: whether WhiteNoise
    would have compressed this file (see `compressible`); `long_cache`: whether a
    hashed name must be cached for a year (not when the project's own
    WHITENOISE_IMMUTABLE_FILE_TEST decides)."""
    problems = []
    if status != 200:
        problems.append(f"expected status 200, got {status}")
    if compressed and encoding not in ("gzip", "br"):
        problems.append("not compressed: expected Content-Encoding gzip or br")
    match = re.search(r"max-age=(\d+)", cache)
    if long_cache and (not match or int(match.group(1)) < ONE_YEAR):
        problems.append(f"not cached for long: expected max-age >= {ONE_YEAR}")
    return problems
