"""The crawl requests what a visitor's browser would, within bounds.

A small site is served by the standard library's HTTP server on 127.0.0.1, and
the crawl reaches it through the same `fetch` the rehearsal uses.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from simple_deploy.rehearsal import http_checks
from simple_deploy.rehearsal.crawl import Limits, crawl, links_in_html, urls_in_css
from simple_deploy.runtime import Command, Runtime

HOST = "demo.example.com"

SITE = {
    "/": (
        200,
        "text/html; charset=utf-8",
        '<link rel="stylesheet" href="/static/site.css"><link rel="canonical" href="/">'
        '<script src="static/app.js"></script>'
        '<img src="/static/logo.png" srcset="/static/logo.png 1x, /static/logo@2x.png 2x">'
        '<a href="/about/">about</a><a href="/gone/">gone</a><a href="/static/file.pdf">pdf</a>'
        f'<a href="https://{HOST}/contact/">contact</a><a href="https://other.example/">x</a>'
        '<a href="mailto:a@example.com">mail</a><a href="#top">top</a>',
    ),
    "/static/site.css": (
        200,
        "text/css",
        '/* url("/static/commented.png") */ @import "extra.css"; '
        "body { background: url(bg.png) } .x { background: url('data:image/png;base64,AA') }",
    ),
    "/static/extra.css": (200, "text/css", ""),
    "/static/bg.png": (200, "image/png", ""),
    "/static/app.js": (200, "text/javascript", ""),
    "/static/logo.png": (200, "image/png", ""),
    "/static/logo@2x.png": (200, "image/png", ""),
    "/about/": (200, "text/html", '<a href="/">home</a><a href="/about/team/">team</a>'),
    "/about/team/": (500, "text/html", "Server Error"),
    "/contact/": (302, "text/html", ""),  # to the login page (Location below)
    "/login/?next=/contact/": (200, "text/html", '<img src="/static/missing.png">'),
}


class _Handler(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, str]] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.requests.append((self.command, self.path, self.headers["Host"]))
        status, content_type, body = SITE.get(self.path, (404, "text/html", "Not Found"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status == 302:
            self.send_header("Location", f"https://{HOST}/login/?next=/contact/")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    _Handler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address
    server.shutdown()
    server.server_close()


def _runtime() -> Runtime:
    return Runtime(env={}, build=(), release=(), web=Command(("true",)), host=HOST)


def _crawl(address, **kwargs):
    runtime = _runtime()
    return crawl(
        lambda path: http_checks.fetch(address, runtime, path, timeout=5),
        HOST,
        ["/"],
        skip_pages=["/static/"],
        **kwargs,
    )


def test_pages_and_every_referenced_asset_are_requested_with_get(site):
    result = _crawl(site)

    pages = [(r.path, r.status) for r in result.pages]
    assets = {r.path: r.status for r in result.assets}
    assert pages[0] == ("/", 200)
    assert ("/about/", 200) in pages and ("/gone/", 404) in pages
    assert ("/contact/", 302) in pages and ("/login/?next=/contact/", 200) in pages
    assert ("/about/team/", 500) in pages
    assert set(assets) == {
        "/static/site.css",
        "/static/extra.css",
        "/static/bg.png",
        "/static/app.js",
        "/static/logo.png",
        "/static/logo@2x.png",
        "/static/missing.png",
    }
    # Nothing off the site, nothing static crawled as a page, each URL once, GET only.
    seen = [path for _, path, _ in _Handler.requests]
    assert len(seen) == len(set(seen))
    assert "/static/file.pdf" not in seen and "/static/commented.png" not in seen
    assert {(method, host) for method, _, host in _Handler.requests} == {("GET", HOST)}
    assert result.stopped == ""


def test_a_server_error_and_an_asset_that_does_not_load_are_the_failures(site):
    failures = [f.describe() for f in _crawl(site).failures]

    assert failures == [
        "GET /about/team/ answered 500 (referenced by /about/)",
        "asset /static/missing.png answered 404 (referenced by /login/?next=/contact/)",
    ]


def test_the_crawl_stops_at_its_limits(site):
    result = _crawl(site, limits=Limits(pages=2, depth=3, assets=3))

    assert len(result.pages) == 2
    assert len(result.assets) == 3
    assert "limit" in result.stopped


def test_links_are_followed_only_to_the_given_depth(site):
    result = _crawl(site, limits=Limits(depth=0))

    assert [r.path for r in result.pages] == ["/"]


def test_links_and_assets_are_read_from_html_and_css():
    links, assets = links_in_html(
        '<a href="/a/">a</a><link rel="icon" href="/i.ico"><link rel="alternate" href="/feed/">'
        '<source srcset="/s.webp 1x"><video poster="/p.jpg"></video><img src="/x.png"/>'
    )
    assert links == ["/a/"]
    assert assets == ["/i.ico", "/s.webp", "/p.jpg", "/x.png"]
    assert urls_in_css("@import url('a.css'); b { background: url( \"b.png\" ) }") == [
        "a.css",
        "b.png",
    ]
