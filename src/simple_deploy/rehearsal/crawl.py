"""What visitors will request: the site's own pages and every asset they reference.

Starting from `/`, the login page and the admin login page, follow links on the
same site a few levels deep and fetch each stylesheet, script and image the
pages (and stylesheets) reference. Bounded in pages, assets and time, GET only:
a rehearsal must finish quickly on any site, and must not change anything a
visitor could not. A page the project does not have (404) is fine; a page that
answers 5xx, or an asset that does not load, is what a visitor would hit.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

__all__ = ["Limits", "Response", "Fetched", "Crawl", "crawl", "links_in_html", "urls_in_css"]


@dataclass(frozen=True)
class Limits:
    """How much a rehearsal requests at most. A few dozen pages show a site's templates."""

    pages: int = 30
    depth: int = 3
    assets: int = 150
    seconds: float = 60.0


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    location: str
    body: bytes


@dataclass(frozen=True)
class Fetched:
    """One request: `referrer` is the page (or stylesheet) that led to it; '' for a start URL."""

    path: str
    status: int
    kind: str  # "page" or "asset"
    referrer: str

    @property
    def failed(self) -> bool:
        # A page the project lacks (404), or one that needs a login (302, 403), is
        # what visitors get too; a server error is not. An asset a page references
        # must load, or the page shows broken.
        # (A redirect is followed as a request of its own.)
        return self.status >= (500 if self.kind == "page" else 400)

    def describe(self) -> str:
        what = "GET" if self.kind == "page" else "asset"
        source = f" (referenced by {self.referrer})" if self.referrer else ""
        return f"{what} {self.path} answered {self.status}{source}"


@dataclass(frozen=True)
class Crawl:
    requests: tuple[Fetched, ...]
    stopped: str  # why the crawl stopped early ('' when it saw everything in reach)
    seconds: float

    @property
    def pages(self) -> tuple[Fetched, ...]:
        return tuple(r for r in self.requests if r.kind == "page")

    @property
    def assets(self) -> tuple[Fetched, ...]:
        return tuple(r for r in self.requests if r.kind == "asset")

    @property
    def failures(self) -> tuple[Fetched, ...]:
        return tuple(r for r in self.requests if r.failed)


# Which <link rel=...> values name something the browser loads with the page.
_ASSET_RELS = {"stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload", "manifest"}
# Attributes that hold one URL the browser fetches, per tag.
_ASSET_ATTRS = {
    "script": ("src",),
    "img": ("src",),
    "source": ("src",),
    "video": ("poster", "src"),
    "audio": ("src",),
    "input": ("src",),
    "embed": ("src",),
}


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pages: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value}
        if tag == "a" and "href" in values:
            self.pages.append(values["href"])
        elif tag == "link" and "href" in values:
            rels = set(values.get("rel", "").lower().split())
            if rels & _ASSET_RELS:
                self.assets.append(values["href"])
        for name in _ASSET_ATTRS.get(tag, ()):
            if name in values:
                self.assets.append(values[name])
        if tag in ("img", "source") and "srcset" in values:
            # "a.png 1x, b.png 2x": the URL is each candidate's first word.
            for candidate in values["srcset"].split(","):
                words = candidate.split()
                if words:
                    self.assets.append(words[0])

    handle_startendtag = handle_starttag


def links_in_html(html: str) -> tuple[list[str], list[str]]:
    """(links to pages, asset URLs) as written in the page, unresolved."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return parser.pages, parser.assets


_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def urls_in_css(css: str) -> list[str]:
    """url(...) and @import targets of a stylesheet (fonts, images, other stylesheets)."""
    css = _CSS_COMMENT.sub("", css)
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(css)]


def _same_site(url: str, base: str, host: str) -> str | None:
    """The path?query of `url` (relative to `base`) when it is on `host`, else None."""
    url = url.strip()
    if not url or url.startswith(("#", "data:", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, url))
    if parts.scheme not in ("http", "https") or (parts.hostname or "") != host.lower():
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def crawl(
    fetch: Callable[[str], Response],
    host: str,
    start: Iterable[str],
    *,
    limits: Limits = Limits(),
    skip_pages: Sequence[str] = (),
    clock: Callable[[], float] = time.monotonic,
) -> Crawl:
    """Request `start` and what it leads to, breadth first, within `limits`.

    `fetch(path)` makes one GET. Links whose path starts with one of `skip_pages`
    (the static and media URLs) are not followed as pages.
    """
    began = clock()
    origin = f"https://{host}"
    queue: deque[tuple[str, str, str, int]] = deque()  # (path, kind, referrer, depth)
    seen: set[str] = set()
    requests: list[Fetched] = []
    stopped = ""

    def add(url: str, kind: str, referrer: str, depth: int) -> None:
        path = _same_site(url, origin + (referrer or "/"), host)
        if path is None or path in seen:
            return
        if kind == "page" and any(path.startswith(prefix) for prefix in skip_pages if prefix):
            return
        seen.add(path)
        # Assets first: a page's stylesheets are part of seeing that page.
        if kind == "asset":
            queue.appendleft((path, kind, referrer, depth))
        else:
            queue.append((path, kind, referrer, depth))

    for url in start:
        add(url, "page", "", 0)

    pages = assets = 0
    while queue:
        if clock() - began > limits.seconds:
            stopped = f"time budget of {limits.seconds:.0f} s used"
            break
        path, kind, referrer, depth = queue.popleft()
        if kind == "page" and pages >= limits.pages:
            stopped = f"page limit of {limits.pages} reached"
            continue
        if kind == "asset" and assets >= limits.assets:
            stopped = f"asset limit of {limits.assets} reached"
            continue
        response = fetch(path)
        pages += kind == "page"
        assets += kind == "asset"
        requests.append(Fetched(path, response.status, kind, referrer))
        if 300 <= response.status < 400 and response.location:
            add(response.location, kind, path, depth)
            continue
        if response.status != 200:
            continue
        text = response.body.decode("utf-8", errors="replace")
        if kind == "page" and "html" in response.content_type:
            links, refs = links_in_html(text)
            for ref in refs:
                add(ref, "asset", path, depth)
            if depth < limits.depth:
                for link in links:
                    add(link, "page", path, depth + 1)
        elif "css" in response.content_type:
            for ref in urls_in_css(text):
                add(ref, "asset", path, depth)
    return Crawl(tuple(requests), stopped, clock() - began)
