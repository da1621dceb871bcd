"""Set an app's config vars through Heroku's Platform API, never on a command line.

`heroku config:set` takes values only as arguments (heroku/cli
`src/commands/config/set.ts` reads `KEY=VALUE` from argv) and prints back what
it set; `config:edit` shows values in a diff and asks on the terminal. A new
SECRET_KEY on an argument list is visible to every process on the machine
(`ps`, /proc/PID/cmdline) and to shell-history tools. So the values go in the
body of the request `config:set` itself makes, `PATCH /apps/{app}/config-vars`
(https://devcenter.heroku.com/articles/platform-api-reference#config-vars-update),
with the token the CLI is logged in with (`heroku auth:token`), to the API host
the CLI talks to. The token is kept in memory only and redacted from the log.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from simple_deploy.plugin import AutomateContext, CommandFailed

if TYPE_CHECKING:
    import urllib.error

DEFAULT_HOST = "heroku.com"
# Hosts the CLI accepts in HEROKU_HOST (`@heroku-cli/command` lib/vars.js and
# api-client.js): Heroku's own domains and the local machine; anything else makes
# the CLI fall back to heroku.com, and the token must never go elsewhere either.
_HEROKU_DOMAINS = ("heroku.com", "herokudev.com")
_LOCAL_HOSTS = ("localhost", "127.0.0.1")
TIMEOUT_SECONDS = 60


def api_url(environ: Mapping[str, str] | None = None) -> str:
    """The Platform API base URL the Heroku CLI uses under this environment."""
    environ = os.environ if environ is None else environ
    host = (environ.get("HEROKU_HOST") or "").strip() or DEFAULT_HOST
    bare = urlsplit(host).hostname if "://" in host else host.split(":")[0]
    allowed = bare and (
        bare in _LOCAL_HOSTS or any(bare == d or bare.endswith("." + d) for d in _HEROKU_DOMAINS)
    )
    if not allowed:
        host = DEFAULT_HOST
    return host.rstrip("/") if host.startswith(("http://", "https://")) else f"https://api.{host}"


def _token(ctx: AutomateContext) -> str:
    result = ctx.runner.run(["heroku", "auth:token"], cwd=ctx.project.git_root, secret_output=True)
    token = result.stdout.strip().splitlines()[-1].strip() if result.stdout.strip() else ""
    if not token:
        raise CommandFailed(
            "`heroku auth:token` printed no token. Run `heroku login`, then run this command again."
        )
    ctx.runner.log.add_secret(token)
    return token


def set_config_vars(ctx: AutomateContext, app: str, values: Mapping[str, str]) -> None:
    """Set `values` on `app` in one release; only their names reach the log."""
    # Imported here: only --automate-all sets config vars, and every run imports this module.
    import urllib.error
    import urllib.request

    url = f"{api_url()}/apps/{quote(app, safe='')}/config-vars"
    names = ", ".join(sorted(values))
    ctx.runner.log.add(f"PATCH {url} (config vars {names}; values not logged)")
    request = urllib.request.Request(
        url,
        data=json.dumps(dict(values)).encode("utf-8"),
        method="PATCH",
        headers={
            "Accept": "application/vnd.heroku+json; version=3",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {_token(ctx)}",
            "User-Agent": "django-simple-deploy",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()  # the app's whole config, values included: never kept
    except urllib.error.HTTPError as exc:
        reason = _api_message(exc)
        ctx.runner.log.add(f"(HTTP {exc.code}: {reason})")
        raise CommandFailed(
            f"Heroku refused to set the config vars {names} on {app} (HTTP {exc.code}: "
            f"{reason}). Nothing was set; fix the cause and run this command again.",
            reason,
            exc.code,
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        ctx.runner.log.add(f"(no answer: {reason})")
        raise CommandFailed(
            f"Could not reach Heroku's API at {api_url()} to set the config vars {names} "
            f"({reason}). Check your network and https://status.heroku.com, then run this "
            "command again."
        ) from exc
    ctx.runner.log.add("(config vars set)")


def _api_message(exc: urllib.error.HTTPError) -> str:
    """The API's own `message` (its errors are JSON), else the HTTP reason."""
    try:
        body = json.loads(exc.read().decode("utf-8", errors="replace") or "{}")
    except (ValueError, OSError):
        body = {}
    message = body.get("message") if isinstance(body, dict) else None
    return str(message or exc.reason or "no reason given")[:300]
