"""A local stand-in of the Heroku Platform API, for the real Heroku CLI to talk to.

Only the endpoints the CLI calls for the commands django-simple-deploy runs are
served, with the Platform API's documented JSON
(https://devcenter.heroku.com/articles/platform-api-reference). Which endpoint
each command calls was read in the CLI's source (heroku/cli `src/commands/...`,
listed in tests/cli_tables/heroku.py).

Each API token is its own world (an account with its apps, add-ons, config
vars and releases), so one server serves a whole test session and tests never
see each other's apps. Git pushes go to a local bare repository per app (the
test's git config redirects `https://git.heroku.com/` there with
`url.<dir>.pushInsteadOf`); its pre-receive hook calls back the stand-in, which
"builds" the pushed commit as the buildpack would decide (a package manager
file at the root, a Procfile) and makes a release, running the release phase
when the Procfile declares one.

The same server answers for Heroku's buildpack registry, which `buildpacks:add`
and `buildpacks:set` ask to turn a name into the tarball URL they install
(`@heroku/buildpack-registry`, `GET /buildpacks/NAMESPACE%2FNAME`; the CLI reads
HEROKU_BUILDPACK_REGISTRY_URL, which tests/heroku_api/cli.py points at
`/__registry__/TOKEN` here). It knows heroku/python and heroku/nodejs.

Failures on demand: `World.fail(method, path_pattern, status, body)` answers
the next matching request with that status and JSON body; `build` and
`release` are failed with `World.fail_build()` / `World.fail_release()`.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

# The Platform API's app-name rule (apps:create answers 422 otherwise).
NAME = re.compile(r"[a-z][a-z0-9-]{1,28}[a-z0-9]")
REGIONS = ("us", "eu")
PLANS = {
    "heroku-postgresql:essential-0": 500,
    "heroku-postgresql:essential-1": 900,
    "heroku-postgresql:essential-2": 2000,
    "heroku-postgresql:standard-0": 5000,
    # Heroku Key-Value Store (the add-on service is still `heroku-redis`):
    # https://elements.heroku.com/addons/heroku-redis
    "heroku-redis:mini": 300,
    "heroku-redis:premium-0": 1500,
}
# Each service's default attachment name (its config var is NAME_URL).
SERVICES = {"heroku-postgresql": "DATABASE", "heroku-redis": "REDIS"}
# The Platform API's attachment-name rule (POST /addon-attachments answers 422 otherwise).
ATTACHMENT = re.compile(r"[A-Z][A-Z0-9_]*")
# Heroku's buildpack registry (buildpack-registry.heroku.com), as `GET /buildpacks/NAME`
# answers: the shape of @heroku/buildpack-registry's test fixture (Fixture.buildpack).
# `blob_url` is what buildpacks:add puts in its PUT; the Platform API stores a registry
# buildpack as `urn:buildpack:NAME` (heroku/cli test/unit/commands/buildpacks/add).
REGISTRY_BLOB = "https://buildpack-registry.s3.amazonaws.com/buildpacks/{}.tgz"
REGISTRY_BLOB_RE = re.compile(
    r"^https://buildpack-registry\.s3\.amazonaws\.com/buildpacks/([\w-]+/[\w-]+)\.tgz$"
)
REGISTRY = {
    "heroku/python": ("Official Heroku Buildpack for Python", "heroku-buildpack-python"),
    "heroku/nodejs": ("Official Heroku Buildpack for Node.js", "heroku-buildpack-nodejs"),
}
# What the Python buildpack needs at the repository root to build (one of them).
MANAGER_FILES = ("requirements.txt", "Pipfile.lock", "poetry.lock", "uv.lock")
# How long the release phase "runs": long enough that the first look sees it pending.
RELEASE_PHASE_SECONDS = 0.6

HOOK = """#!{python}
# Heroku's build, stood in for: send the pushed commit's root files and Procfile
# to the stand-in API, print its build log, and refuse the push if the build fails.
import json, subprocess, sys, urllib.request
for line in sys.stdin:
    old, new, ref = line.split()
    if ref != "refs/heads/main":
        print("remote: !       Push to the main branch: git push heroku HEAD:main")
        sys.exit(1)
    files = subprocess.run(["git", "ls-tree", "--name-only", new], capture_output=True,
                           text=True).stdout.split()
    procfile = subprocess.run(["git", "show", new + ":Procfile"], capture_output=True,
                              text=True).stdout
    body = json.dumps({{"commit": new, "files": files, "procfile": procfile}}).encode()
    request = urllib.request.Request({url!r}, data=body, method="POST",
                                     headers={{"Content-Type": "application/json"}})
    answer = json.load(urllib.request.urlopen(request))
    for out in answer["log"]:
        print("remote: " + out)
    sys.exit(0 if answer["ok"] else 1)
"""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid() -> str:
    h = secrets.token_hex(16)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Failure(Exception):
    """An API error answer: status and the Platform API's error body."""

    def __init__(self, status: int, error_id: str, message: str):
        super().__init__(message)
        self.status = status
        self.body = {"id": error_id, "message": message}


def registry_buildpack(name: str) -> dict:
    """The registry's answer for a buildpack it holds."""
    namespace, short = name.split("/")
    description, repo = REGISTRY[name]
    return {
        "id": _uuid(),
        "name": short,
        "namespace": namespace,
        "description": description,
        "category": "languages",
        "two_factor_authentication": False,
        "blob_url": REGISTRY_BLOB.format(name),
        "source": {"type": "github", "owner": namespace, "repo": repo},
        "support": {"method": "github", "address": None},
        "logo": None,
        "created_at": "2018-06-01T00:00:00Z",
        "updated_at": _now(),
    }


def installation(value: Any) -> dict:
    """A buildpack of a PUT buildpack-installations update (a registry name, its URN or
    tarball URL, or any other URL), as the Platform API stores it."""
    if not isinstance(value, str) or not value:
        raise Failure(422, "invalid_params", "Buildpack can't be blank.")
    match = REGISTRY_BLOB_RE.match(value)
    name = match[1] if match else value.removeprefix("urn:buildpack:")
    if re.fullmatch(r"[\w-]+/[\w-]+", name):
        if name not in REGISTRY:
            raise Failure(422, "invalid_params", f"{name} is not in the buildpack registry.")
        return {"url": f"urn:buildpack:{name}", "name": name}
    if re.match(r"^https?://", value):
        return {"url": value, "name": value}
    raise Failure(422, "invalid_params", f"Buildpack {value} is not a URL or a registry name.")


@dataclass
class App:
    name: str
    region: str
    owner: str
    id: str = field(default_factory=_uuid)
    web_url: str = ""
    created_at: str = field(default_factory=_now)
    addons: list[dict] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)
    releases: list[dict] = field(default_factory=list)
    # Buildpack installations in order: {"url": ..., "name": ...} (the Platform API's shape).
    buildpacks: list[dict] = field(default_factory=list)
    opened: int = 0

    def buildpacks_json(self) -> list[dict]:
        return [{"buildpack": dict(b), "ordinal": i} for i, b in enumerate(self.buildpacks)]

    def json(self) -> dict:
        return {
            "acm": False,
            "archived_at": None,
            "build_stack": {"id": _uuid(), "name": "heroku-24"},
            "buildpack_provided_description": (
                "heroku/python" if any(r["slug"] for r in self.releases) else None
            ),
            "created_at": self.created_at,
            "generation": {"id": _uuid(), "name": "cedar"},
            "git_url": f"https://git.heroku.com/{self.name}.git",
            "id": self.id,
            "internal_routing": None,
            "maintenance": False,
            "name": self.name,
            "owner": {"email": self.owner, "id": _uuid()},
            "organization": None,
            "team": None,
            "region": {"id": _uuid(), "name": self.region},
            "released_at": self.releases[-1]["created_at"] if self.releases else None,
            "repo_size": None,
            "slug_size": None,
            "space": None,
            "stack": {"id": _uuid(), "name": "heroku-24"},
            "updated_at": _now(),
            "web_url": self.web_url,
        }


@dataclass
class World:
    """One account (one API token) and the apps it can see or collide with."""

    token: str
    root: Path
    email: str = "dev@example.com"
    apps: dict[str, App] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    failures: list[tuple[str, re.Pattern, int, dict, bool]] = field(default_factory=list)
    # Add-on name -> its attachment names (the first is the one it was created with),
    # its URL once provisioned, and the looks left before it is.
    attachments: dict[str, list[str]] = field(default_factory=dict)
    addon_urls: dict[str, str] = field(default_factory=dict)
    polls_left: dict[str, int] = field(default_factory=dict)
    # Heroku Redis takes minutes to provision: with N > 0 it answers "provisioning" to
    # the create and to N-1 looks, so `--wait` polls GET /apps/APP/addons/NAME
    # (heroku/cli src/lib/addons/addons-wait.ts, every 5 s). 0: ready at once.
    provisioning_polls: int = 0
    build_fails: bool = False
    release_fails: bool = False
    # The push is taken and reports success, but no release ever appears (a build
    # Heroku lost): the run must not wait out the whole release timeout.
    release_lost: bool = False
    # Heroku releases config changes (an add-on finishing, a teammate's config:set) at
    # any time: this makes one right after each deploy release.
    config_release_after_deploy: bool = False
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ---------------------------------------------------------------- for tests

    def fail(
        self,
        method: str,
        path: str,
        status: int = 503,
        body: dict | None = None,
        *,
        until_cleared: bool = False,
    ) -> None:
        """Answer the next `method` request whose path matches `path` (a regex) with an error.

        `until_cleared`: every such request fails until `clear_failures()`, as an outage
        would. The CLI's HTTP client sends a request again after a reset connection
        (http-call `_maybeRetry`); on a loaded machine a one-shot failure can then be
        spent on a request whose answer never arrived.
        """
        body = body or {"id": "unavailable", "message": "The API is temporarily unavailable."}
        self.failures.append((method, re.compile(path), status, body, until_cleared))

    def fail_build(self) -> None:
        self.build_fails = True

    def fail_release(self) -> None:
        self.release_fails = True

    def clear_failures(self) -> None:
        self.failures.clear()
        self.build_fails = self.release_fails = False

    def add_foreign_app(self, name: str) -> None:
        """An app of another account: its name is taken, its data out of reach."""
        self.apps[name] = App(name, "us", "someone-else@example.com")

    def mine(self) -> list[App]:
        return [app for app in self.apps.values() if app.owner == self.email]

    def git_dir(self, name: str) -> Path:
        return self.root / "git" / f"{name}.git"

    def cli_calls(self) -> int:
        """Requests made, not counting the ones apps:info makes in parallel."""
        return len(self.calls)

    # ---------------------------------------------------------------- API

    def _take_failure(self, method: str, path: str) -> None:
        for rule in self.failures:
            if rule[0] == method and rule[1].search(path):
                if not rule[4]:
                    self.failures.remove(rule)
                raise Failure(rule[2], rule[3]["id"], rule[3]["message"])

    def _app(self, name: str) -> App:
        app = self.apps.get(name)
        if app is None:
            raise Failure(404, "not_found", "Couldn't find that app.")
        if app.owner != self.email:
            raise Failure(403, "forbidden", f"You do not have access to the app {name}.")
        return app

    def _release(self, app: App, description: str, status: str = "succeeded", **extra) -> dict:
        for old in app.releases:
            if status == "succeeded":
                old["current"] = False
        release = {
            "addon_plan_names": [a["plan"]["name"] for a in app.addons],
            "app": {"id": app.id, "name": app.name},
            "created_at": _now(),
            "current": status == "succeeded",
            "description": description,
            "id": _uuid(),
            "output_stream_url": None,
            "slug": extra.get("slug"),
            "status": status,
            "updated_at": _now(),
            "user": {"email": self.email, "id": _uuid()},
            "version": len(app.releases) + 1,
        }
        app.releases.append(release)
        return release

    def handle(self, method: str, path: str, headers: dict, body: Any) -> tuple[int, Any]:
        self.calls.append((method, path))
        self._take_failure(method, path)
        parts = [p for p in path.split("?")[0].split("/") if p]
        if parts == ["account"]:
            return 200, {"email": self.email, "id": _uuid(), "name": "Dev", "verified": True}
        if parts == ["oauth", "authorizations"] and method == "GET":
            # `heroku auth:token` looks its token up here, to warn when it expires.
            return 200, [self._authorization()]
        if parts == ["apps"] and method == "POST":
            return 201, self._create_app(body or {})
        if parts == ["addon-attachments"] and method == "POST":
            # `heroku addons:attach ADDON --app=APP --as=NAME` (src/commands/addons/attach.ts).
            return 201, self._attach(body or {})
        if len(parts) == 2 and parts[0] == "addons" and method == "GET":
            # The add-on by its globally unique name or id (attach looks it up first).
            found = [
                a for app in self.mine() for a in app.addons if parts[1] in (a["name"], a["id"])
            ]
            if not found:
                raise Failure(404, "not_found", "Couldn't find that add-on.")
            return 200, found[0]
        if len(parts) >= 2 and parts[0] == "apps":
            app = self._app(parts[1])
            rest = parts[2:]
            if not rest and method == "GET":
                return 200, app.json()
            if rest == ["addons"] and method == "GET":
                return 200, app.addons
            if rest == ["addons"] and method == "POST":
                return 201, self._create_addon(app, body or {})
            if len(rest) == 2 and rest[0] == "addons" and method == "GET":
                found = [a for a in app.addons if rest[1] in (a["name"], a["id"])]
                if not found:
                    raise Failure(404, "not_found", "Couldn't find that add-on.")
                self._provisioning_step(app, found[0])
                return 200, found[0]
            if rest in (["dynos"], ["collaborators"]):
                return 200, []
            if rest == ["pipeline-couplings"]:
                raise Failure(404, "not_found", "Couldn't find that pipeline coupling.")
            if rest == ["config-vars"] and method == "GET":
                return 200, dict(app.config)
            if rest == ["config-vars"] and method == "PATCH":
                return 200, self._set_config(app, body or {})
            if rest == ["releases"] and method == "GET":
                return self._releases(app, headers.get("range", ""))
            if rest == ["buildpack-installations"] and method == "GET":
                return 200, app.buildpacks_json()
            if rest == ["buildpack-installations"] and method == "PUT":
                return 200, self._set_buildpacks(app, body)
        self.unknown.append((method, path))
        raise Failure(404, "not_found", "The requested API endpoint was not found.")

    def registry(self, method: str, path: str, headers: dict) -> tuple[int, Any]:
        """Heroku's buildpack registry: `GET /buildpacks/NAMESPACE%2FNAME`."""
        self.calls.append((method, f"registry:{path}"))
        self._take_failure(method, path)  # World.fail("GET", r"^/buildpacks/") fails a lookup
        parts = [unquote(p) for p in path.split("?")[0].split("/") if p]
        if method == "GET" and len(parts) == 2 and parts[0] == "buildpacks":
            if "version=3.buildpack-registry" not in headers.get("accept", ""):
                raise Failure(
                    406, "not_acceptable", "Set the Accept header (version=3.buildpack-registry)."
                )
            if parts[1] not in REGISTRY:
                raise Failure(404, "not_found", "Buildpack not found.")
            return 200, registry_buildpack(parts[1])
        self.unknown.append((method, f"registry:{path}"))
        raise Failure(404, "not_found", "The requested API endpoint was not found.")

    def _authorization(self) -> dict:
        """The OAuth authorization of this world's token: long-lived (`expires_in` null),
        like one `heroku authorizations:create` makes."""
        return {
            "access_token": {"expires_in": None, "id": _uuid(), "token": self.token},
            "client": None,
            "created_at": "2026-01-01T00:00:00Z",
            "description": "Long-lived user authorization",
            "grant": None,
            "id": _uuid(),
            "refresh_token": None,
            "scope": ["global"],
            "session": None,
            "updated_at": "2026-01-01T00:00:00Z",
            "user": {"email": self.email, "full_name": "Dev", "id": _uuid()},
        }

    def _set_buildpacks(self, app: App, body: Any) -> list[dict]:
        updates = body.get("updates") if isinstance(body, dict) else None
        if not isinstance(updates, list):
            raise Failure(422, "invalid_params", "Missing required params: updates.")
        app.buildpacks = [
            installation(u.get("buildpack") if isinstance(u, dict) else None) for u in updates
        ]
        return app.buildpacks_json()

    def _create_app(self, body: dict) -> dict:
        name = (
            body.get("name")
            or f"{secrets.choice(['calm', 'brave'])}-lake-{secrets.randbelow(99999)}"
        )
        if not NAME.fullmatch(name):
            raise Failure(
                422,
                "invalid_params",
                "Name must start with a letter, end with a letter or digit and can only "
                "contain lowercase letters, digits, and dashes.",
            )
        if name in self.apps:
            raise Failure(422, "invalid_params", "Name is already taken")
        region = body.get("region") or "us"
        if region not in REGIONS:
            raise Failure(422, "invalid_params", f"Couldn't find that region: {region}.")
        app = App(name, region, self.email)
        app.web_url = f"https://{name}-{secrets.token_hex(6)}.herokuapp.com/"
        self.apps[name] = app
        self._release(app, "Initial release")
        self._make_git(app)
        return app.json()

    def _make_git(self, app: App) -> None:
        git_dir = self.git_dir(app.name)
        subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
        subprocess.run(
            ["git", "--git-dir", str(git_dir), "symbolic-ref", "HEAD", "refs/heads/main"],
            check=True,
        )
        hook = git_dir / "hooks" / "pre-receive"
        url = f"{self.base_url}/__build__/{self.token}/{app.name}"
        hook.write_text(HOOK.format(python=sys.executable, url=url))
        hook.chmod(0o755)

    def _create_addon(self, app: App, body: dict) -> dict:
        plan = (body.get("plan") or {}).get("name", "")
        if plan not in PLANS:
            raise Failure(
                422,
                "invalid_params",
                f'Couldn\'t find either the add-on service or the add-on plan of "{plan}".',
            )
        service = plan.split(":")[0]
        default_as = SERVICES[service]
        polls = self.provisioning_polls if service == "heroku-redis" else 0
        attachment = (body.get("attachment") or {}).get("name") or default_as
        self._check_attachment(app, attachment, body.get("confirm"))
        short = service.removeprefix("heroku-")
        name = body.get("name") or f"{short}-{secrets.token_hex(4)}-{secrets.randbelow(99999)}"
        addon = {
            "actions": [],
            "addon_service": {"id": _uuid(), "name": service},
            "app": {"id": app.id, "name": app.name},
            "billed_price": {"cents": PLANS[plan], "contract": False, "unit": "month"},
            "config_vars": [f"{attachment}_URL"],
            "created_at": _now(),
            "id": _uuid(),
            "name": name,
            "plan": {
                "id": _uuid(),
                "name": plan,
                "price": {"cents": PLANS[plan], "contract": False, "unit": "month"},
            },
            "provider_id": secrets.token_hex(8),
            "state": "provisioning" if polls else "provisioned",
            "updated_at": _now(),
            "web_url": f"https://addons-sso.heroku.com/apps/{app.id}/addons/{name}",
        }
        app.addons.append(addon)
        # Config vars each attachment of an add-on gets (its URL under NAME_URL).
        self.attachments.setdefault(name, [attachment])
        self.polls_left[name] = polls
        if not polls:
            self._provisioned(app, addon)
        return addon

    def _provisioning_step(self, app: App, addon: dict) -> None:
        """One more look at a provisioning add-on: the last one finds it provisioned."""
        if addon["state"] != "provisioning":
            return
        self.polls_left[addon["name"]] -= 1
        if self.polls_left[addon["name"]] <= 0:
            addon["state"] = "provisioned"
            self._provisioned(app, addon)

    def _provisioned(self, app: App, addon: dict) -> None:
        url = self._service_url(addon["addon_service"]["name"])
        self.addon_urls[addon["name"]] = url
        for attachment in self.attachments[addon["name"]]:
            app.config[f"{attachment}_URL"] = url
        first = self.attachments[addon["name"]][0]
        self._release(app, f"Attach {first} ({addon['name']})")

    @staticmethod
    def _service_url(service: str) -> str:
        password = secrets.token_hex(24)
        if service == "heroku-redis":
            # Heroku Key-Value Store 6+ answers TLS only (rediss://, a self-signed
            # certificate): https://devcenter.heroku.com/articles/connecting-heroku-redis
            port = 10000 + secrets.randbelow(50000)
            return f"rediss://:p{password}@ec2-3-{port % 250}-1-2.compute-1.amazonaws.com:{port}"
        return (
            f"postgres://u{secrets.token_hex(6)}:{password}@c1.compute-1.amazonaws.com:5432/"
            f"d{secrets.token_hex(6)}"
        )

    def _check_attachment(self, app: App, name: str, confirm: Any) -> None:
        if not isinstance(name, str) or not ATTACHMENT.fullmatch(name):
            raise Failure(
                422,
                "invalid_params",
                "Name must start with a letter and can only contain uppercase letters, "
                "numbers, and underscores.",
            )
        if f"{name}_URL" in app.config and confirm != app.name:
            # The CLI asks the user to confirm with the app's name (src/lib/addons/util.ts,
            # trapConfirmationRequired); --confirm=APP answers it.
            raise Failure(
                423,
                "confirmation_required",
                f"{name}_URL is already set on {app.name}: this would overwrite it.",
            )

    def _attach(self, body: dict) -> dict:
        addon_name = (body.get("addon") or {}).get("name")
        app = self._app((body.get("app") or {}).get("name") or "")
        found = [a for owner in self.mine() for a in owner.addons if a["name"] == addon_name]
        if not found:
            raise Failure(404, "not_found", "Couldn't find that add-on.")
        addon = found[0]
        name = body.get("name") or SERVICES[addon["addon_service"]["name"]]
        self._check_attachment(app, name, body.get("confirm"))
        self.attachments[addon["name"]].append(name)
        if addon["name"] in self.addon_urls:
            app.config[f"{name}_URL"] = self.addon_urls[addon["name"]]
        self._release(app, f"Attach {name} ({addon['name']})")
        return {
            "addon": {"id": addon["id"], "name": addon["name"], "app": addon["app"]},
            "app": {"id": app.id, "name": app.name},
            "created_at": _now(),
            "id": _uuid(),
            "name": name,
            "namespace": body.get("namespace"),
            "updated_at": _now(),
            "web_url": addon["web_url"],
        }

    def rotate(self, addon_name: str) -> str:
        """Heroku rotating an add-on's credentials: every attachment's var follows."""
        app = next(a for a in self.mine() for x in a.addons if x["name"] == addon_name)
        addon = next(x for x in app.addons if x["name"] == addon_name)
        url = self._service_url(addon["addon_service"]["name"])
        self.addon_urls[addon_name] = url
        for attachment in self.attachments[addon_name]:
            app.config[f"{attachment}_URL"] = url
        return url

    def _set_config(self, app: App, body: dict) -> dict:
        for key, value in body.items():
            if value is None:
                app.config.pop(key, None)
            else:
                app.config[key] = str(value)
        if body:
            self._release(app, f"Set {', '.join(body)} config vars")
        return dict(app.config)

    def _releases(self, app: App, range_header: str) -> tuple[int, list]:
        limit = re.search(r"max=(\d+)", range_header)
        desc = "order=desc" in range_header.replace(" ", "")
        shown = sorted(app.releases, key=lambda r: r["version"], reverse=desc)
        return 200, shown[: int(limit.group(1)) if limit else 200]

    def build(self, name: str, push: dict) -> dict:
        """What Heroku does with a pushed commit: build, then release (release phase)."""
        app = self.apps[name]
        log = ["Building on the Heroku-24 stack"]
        names = [b["name"] for b in app.buildpacks] or ["heroku/python"]
        if len(names) == 1:
            log.append(f"-----> Using buildpack: {names[0]}")
        else:
            log.append("-----> Using buildpacks:")
            log += [f"       {i}. {name}" for i, name in enumerate(names, 1)]
        files = push["files"]
        managers = [f for f in MANAGER_FILES if f in files]
        if not managers:
            log.append(" !     No Python package manager files were found.")
            return {
                "ok": False,
                "log": [*log, " !     Push rejected, failed to compile Python app."],
            }
        if self.build_fails:
            self.build_fails = False  # one build fails, as a flaky dependency would
            log.append(" !     Push rejected, failed to compile Python app.")
            return {"ok": False, "log": log}
        log += [
            f"-----> Installing dependencies ({managers[0]})",
            "-----> Compressing...",
            "-----> Launching...",
        ]
        procfile = dict(line.split(":", 1) for line in push["procfile"].splitlines() if ":" in line)
        slug = {"id": _uuid(), "commit": push["commit"]}
        description = f"Deploy {push['commit'][:8]}"
        if self.release_lost:
            self.release_lost = False
            return {"ok": True, "log": log}
        if "release" in procfile:
            release = self._release(app, description, status="pending", slug=slug)
            log.append("Verifying deploy... done.")
            log.append("Running release command...")
            fails, self.release_fails = self.release_fails, False
            threading.Timer(
                RELEASE_PHASE_SECONDS, self._finish_release, (app, release, fails)
            ).start()
        else:
            release = self._release(app, description, slug=slug)
            self._after_deploy(app)
        log.append(f"Released v{release['version']}")
        log.append(f"{app.web_url} deployed to Heroku")
        return {"ok": True, "log": log}

    def _finish_release(self, app: App, release: dict, fails: bool) -> None:
        with self.lock:
            release["status"] = "failed" if fails else "succeeded"
            if not fails:
                for old in app.releases:
                    old["current"] = old is release
            self._after_deploy(app)

    def _after_deploy(self, app: App) -> None:
        if self.config_release_after_deploy:
            self._release(app, "Update DATABASE by heroku-postgresql")


class _Handler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, *args) -> None:  # quiet: the tests read World.calls instead
        pass

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", _uuid())
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        path = self.path
        if path.startswith("/__build__/"):
            _, _, token, name = path.split("/", 3)
            world = self.server.worlds[token]
            with world.lock:
                self._answer(200, world.build(name, body))
            return
        if path.startswith("/__registry__/"):
            # The buildpack registry: no token is sent; the path names the world.
            _, _, token, rest = path.split("/", 3)
            world = self.server.worlds[token]
            try:
                with world.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    status, answer = world.registry(method, "/" + rest, headers)
            except Failure as exc:
                status, answer = exc.status, exc.body
            self._answer(status, answer)
            return
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        world = self.server.worlds.get(token)
        if world is None:
            self._answer(401, {"id": "unauthorized", "message": "Invalid credentials provided."})
            return
        try:
            with world.lock:
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = world.handle(method, path, headers, body)
        except Failure as exc:
            status, answer = exc.status, exc.body
        self._answer(status, answer)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")


class StandIn(ThreadingHTTPServer):
    """The stand-in API on 127.0.0.1 (a free port), serving every world of a session."""

    daemon_threads = True

    def __init__(self, root: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.worlds: dict[str, World] = {}
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def world(self) -> World:
        """A new account with its own token, apps and git repositories."""
        token = "HRKU-" + secrets.token_hex(16)
        world = World(token, self.root / token)
        world.base_url = self.url
        world.root.mkdir(parents=True)
        self.worlds[token] = world
        return world


def wait_for(predicate, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
