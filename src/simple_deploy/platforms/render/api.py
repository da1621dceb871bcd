"""A small client for Render's public REST API (https://api-docs.render.com/reference).

The user's API key comes from RENDER_API_KEY and the API's address from RENDER_HOST
(default https://api.render.com/v1/), the two variables Render's own CLI reads
(render-oss/cli `pkg/cfg/cfg.go`). The key travels only in the Authorization
header: never on a command line, and the run log redacts it and every secret a
response or request body holds.

Every call is logged as `METHOD /path` (with the query), never with its body.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from simple_deploy.plugin import CommandFailed, Runner

KEY_VARIABLE = "RENDER_API_KEY"
HOST_VARIABLE = "RENDER_HOST"
DEFAULT_HOST = "https://api.render.com/v1/"
KEYS_URL = "https://dashboard.render.com/u/settings#api-keys"


class ApiError(CommandFailed):
    """Render answered with an error status; `status` and Render's own `message`."""

    def __init__(self, message: str, status: int, render_message: str):
        super().__init__(message, render_message, status)
        self.status = status
        self.render_message = render_message


class RenderAPI:
    def __init__(self, key: str, host: str, runner: Runner, timeout: float = 60):
        self.key = key
        self.base = host.rstrip("/") + "/"
        self.runner = runner
        self.log = runner.log
        self.timeout = timeout
        self.calls: list[str] = []

    @classmethod
    def from_environment(cls, runner: Runner) -> RenderAPI:
        key = os.environ.get(KEY_VARIABLE, "").strip()
        if not key:
            raise CommandFailed(
                f"--automate-all talks to Render's API with your API key, read from the "
                f"{KEY_VARIABLE} environment variable, which is not set. Create a key in the "
                f"Render Dashboard (Account Settings > API Keys, {KEYS_URL}), then "
                f"`export {KEY_VARIABLE}=<your key>` in this terminal (it is never written to "
                "a file or a log) and run this command again. Nothing was changed."
            )
        runner.log.add_secret(key)
        return cls(key, os.environ.get(HOST_VARIABLE) or DEFAULT_HOST, runner)

    def call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str | Sequence[str]] | None = None,
        body: Any = None,
    ) -> Any:
        """The JSON Render answers; an ApiError for any status but 2xx."""
        encoded = urllib.parse.urlencode(query or {}, doseq=True)
        shown = f"{method} /{path}" + (f"?{encoded}" if encoded else "")
        self.calls.append(shown)
        self.log.add(f"Render API: {shown}")
        # A reply of an unexpected shape is then reported as this call's (automate.run_steps).
        self.runner.last_command = f"Render API {shown}"
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.base + path + (f"?{encoded}" if encoded else ""),
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.key}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", errors="replace")
            raise ApiError(
                self.log.redact(f"Render's API refused {shown} ({exc.code}): {_message(text)}"),
                exc.code,
                self.log.redact(_message(text)),
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CommandFailed(
                f"Render's API could not be reached ({shown}: {exc}). Check your connection "
                f"(and {HOST_VARIABLE}, if you set it), then run this command again: what "
                "exists is reused."
            ) from None
        # Responses hold secrets (connection strings, variable values): never logged.
        self.log.secrets_in_json(text)
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            start = self.log.redact(text.strip()[:80])
            raise CommandFailed(
                f"Render's API answered {shown} with something that is not JSON ({start!r}...): "
                "a proxy or an outage in between. Try again in a few minutes."
            ) from None

    def listing(self, path: str, field: str, query: Mapping[str, Any]) -> list[dict]:
        """Every item of a paginated list (`[{field: {...}, "cursor": ...}]`), all pages."""
        items: list[dict] = []
        cursor = None
        while True:
            page = self.call(
                "GET",
                path,
                query={**query, "limit": "100", **({"cursor": cursor} if cursor else {})},
            )
            if page is None:
                return items
            # Anything but the documented [{field: {...}, "cursor": ...}] is refused: read as
            # "nothing there", it would make a second service or database.
            if not isinstance(page, list) or not all(
                isinstance(entry, dict) and isinstance(entry.get(field), dict) for entry in page
            ):
                raise CommandFailed(
                    f"The output of `Render API GET /{path}` was not in the shape expected "
                    f"(a list of {{{field!r}: ...}}). Nothing was created; try again later, or "
                    "update django-simple-deploy if it persists."
                )
            items += [entry[field] for entry in page]
            if len(page) < 100:
                return items
            cursor = page[-1].get("cursor")
            if not cursor:
                return items


def _message(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:300]
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])
    return text.strip()[:300]
