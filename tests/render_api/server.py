"""A local stand-in of Render's public REST API, for `--platform render --automate-all`.

It serves the endpoints the Render plugin calls, at their real paths under /v1/ and
with the JSON shapes of Render's API reference (https://api-docs.render.com/reference),
as generated into render-oss/cli `pkg/client/client_gen.go` (paths, methods, query
parameters) and `pkg/client/types_gen.go` (bodies):

    GET   /v1/owners                               [{"owner": Owner, "cursor"}]
    GET   /v1/services?name=&type=&ownerId=        [{"service": Service, "cursor"}]
    POST  /v1/services                             ServicePOST -> {"service", "deployId"}
                                                   (web_service or background_worker)
    PATCH /v1/services/{id}                        ServicePATCH -> Service
    GET   /v1/services/{id}/env-vars               [{"envVar": {"key","value"}, "cursor"}]
    PUT   /v1/services/{id}/env-vars/{key}         {"value"} | {"generateValue"} -> EnvVar
    POST  /v1/services/{id}/deploys                CreateDeploy -> Deploy
    GET   /v1/services/{id}/deploys/{deployId}     Deploy
    GET   /v1/postgres?name=&ownerId=              [{"postgres": Postgres, "cursor"}]
    POST  /v1/postgres                             PostgresPOSTInput -> PostgresDetail
    GET   /v1/postgres/{id}/connection-info        PostgresConnectionInfo
    GET   /v1/key-value?name=&ownerId=             [{"keyValue": KeyValue, "cursor"}]
    POST  /v1/key-value                            KeyValuePOSTInput -> KeyValueDetail
    GET   /v1/key-value/{id}/connection-info       KeyValueConnectionInfo

Requests are checked as Render would: the Bearer key, required fields and enum
values; anything else is a 404 or 400 with Render's error shape {"id", "message"}.
Each API key is its own world (workspaces, services, databases), so one server
serves a whole test session. A service can be created only from a repository the
world has "connected" (Render's Git app installed), else 400: the stand-in for the
one click left to the user.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PLANS = {"free", "starter", "standard", "pro", "pro_plus", "pro_max", "pro_ultra"}
POSTGRES_PLANS = {"free", "basic_256mb", "basic_1gb", "basic_4gb", "pro_4gb"}
REGIONS = {"oregon", "ohio", "virginia", "frankfurt", "singapore"}
POSTGRES_VERSIONS = {"11", "12", "13", "14", "15", "16", "17", "18"}
# types_gen.go: KeyValuePlan and MaxmemoryPolicy.
KEYVALUE_PLANS = {"free", "starter", "standard", "pro", "pro_plus", "custom"}
MAXMEMORY_POLICIES = {
    "allkeys_lfu", "allkeys_lru", "allkeys_random", "noeviction",
    "volatile_lfu", "volatile_lru", "volatile_random", "volatile_ttl",
}  # fmt: skip


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(10)}"


class Failure(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class World:
    """One API key's account. `calls` lists "METHOD /path?query" in order; `bodies`
    the JSON bodies sent, by call index."""

    key: str
    owners: list[dict] = field(default_factory=list)
    connected: set[str] = field(default_factory=set)
    services: dict[str, dict] = field(default_factory=dict)
    env: dict[str, dict[str, str]] = field(default_factory=dict)
    deploys: dict[str, dict[str, dict]] = field(default_factory=dict)
    postgres: dict[str, dict] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    keyvalues: dict[str, dict] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    bodies: dict[int, Any] = field(default_factory=dict)
    failures: list[tuple[str, str, int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token(self) -> str:
        return self.key

    def fail(self, method: str, pattern: str, status: int = 500, body: str = "") -> None:
        """Answer every `method` request whose path (after /v1) matches `pattern` with
        `status` (and `body` as is, else Render's error JSON) until `clear_failures`."""
        self.failures.append((method, pattern, status, body))

    def clear_failures(self) -> None:
        self.failures.clear()

    def add_owner(self, name: str = "My Workspace", kind: str = "team") -> str:
        owner = {"id": _id("tea"), "name": name, "email": "dev@example.com", "type": kind}
        self.owners.append(owner)
        return owner["id"]

    # ------------------------------------------------------------ dispatch

    def handle(self, method: str, target: str, body: Any) -> tuple[int, Any]:
        url = urlsplit(target)
        query = parse_qs(url.query)
        path = url.path
        with self.lock:
            self.calls.append(f"{method} {target.removeprefix('/v1')}")
            if body is not None:
                self.bodies[len(self.calls) - 1] = body
            for verb, pattern, status, text in self.failures:
                if verb == method and re.search(pattern, path.removeprefix("/v1")):
                    return status, text or {"id": "server_error", "message": "internal error"}
            for pattern, verb, handler in self._routes():
                match = re.fullmatch(pattern, path)
                if match and verb == method:
                    return handler(query, body, *match.groups())
        return 404, {"id": "not_found", "message": "not found"}

    def _routes(self):
        return (
            (r"/v1/owners", "GET", self._owners),
            (r"/v1/services", "GET", self._list_services),
            (r"/v1/services", "POST", self._create_service),
            (r"/v1/services/([\w-]+)", "PATCH", self._update_service),
            (r"/v1/services/([\w-]+)/env-vars", "GET", self._env_vars),
            (r"/v1/services/([\w-]+)/env-vars/([A-Za-z_][A-Za-z0-9_]*)", "PUT", self._put_env),
            (r"/v1/services/([\w-]+)/deploys", "POST", self._deploy),
            (r"/v1/services/([\w-]+)/deploys/([\w-]+)", "GET", self._get_deploy),
            (r"/v1/postgres", "GET", self._list_postgres),
            (r"/v1/postgres", "POST", self._create_postgres),
            (r"/v1/postgres/([\w-]+)/connection-info", "GET", self._connection_info),
            (r"/v1/key-value", "GET", self._list_keyvalues),
            (r"/v1/key-value", "POST", self._create_keyvalue),
            (r"/v1/key-value/([\w-]+)/connection-info", "GET", self._keyvalue_info),
        )

    # ------------------------------------------------------------ owners

    def _owners(self, query, body):
        return 200, [{"owner": o, "cursor": o["id"]} for o in self.owners]

    # ------------------------------------------------------------ services

    def _filtered(self, items, query, *, kind_of=None):
        names = query.get("name")
        owners = query.get("ownerId")
        types = query.get("type")
        out = []
        for item in items:
            owner = item.get("ownerId") or item.get("owner", {}).get("id")
            if names and item["name"] not in names:
                continue
            if owners and owner not in owners:
                continue
            if types and kind_of and kind_of(item) not in types:
                continue
            out.append(item)
        return out[: int(query.get("limit", ["20"])[0])]

    def _list_services(self, query, body):
        found = self._filtered(self.services.values(), query, kind_of=lambda s: s["type"])
        return 200, [{"service": s, "cursor": s["id"]} for s in found]

    def _require(self, body: Any, *names: str) -> None:
        if not isinstance(body, dict):
            raise Failure(400, "invalid JSON body")
        for name in names:
            if body.get(name) in (None, ""):
                raise Failure(400, f"{name} is required")

    def _owner(self, owner_id: str) -> dict:
        for owner in self.owners:
            if owner["id"] == owner_id:
                return owner
        raise Failure(404, "owner not found")

    def _create_service(self, query, body):
        try:
            self._require(body, "type", "name", "ownerId", "repo", "serviceDetails")
            self._owner(body["ownerId"])
            kind = body["type"]
            if kind not in ("web_service", "background_worker"):
                raise Failure(400, "this stand-in makes web services and background workers")
            details = body["serviceDetails"]
            self._require(details, "runtime", "envSpecificDetails")
            self._require(details["envSpecificDetails"], "buildCommand", "startCommand")
            if details["runtime"] != "python":
                raise Failure(400, "runtime must be python here")
            if details.get("plan", "starter") not in PLANS:
                raise Failure(400, f"invalid plan {details.get('plan')}")
            # types_gen.go: a background worker's plan is a PaidPlan (no free instance).
            if kind == "background_worker" and details.get("plan") == "free":
                raise Failure(400, "invalid plan free for a background worker")
            if details.get("region", "oregon") not in REGIONS:
                raise Failure(400, f"invalid region {details.get('region')}")
            if details.get("preDeployCommand") and details.get("plan") == "free":
                raise Failure(400, "preDeployCommand is not supported on the free plan")
            if body["repo"] not in self.connected:
                raise Failure(
                    400, "Could not access repository. Check that Render has access to it."
                )
            env = {}
            for var in body.get("envVars", []):
                if var.get("generateValue") is True and "value" not in var:
                    env[var["key"]] = secrets.token_urlsafe(32)
                elif isinstance(var.get("value"), str) and "generateValue" not in var:
                    env[var["key"]] = var["value"]
                else:
                    raise Failure(400, f"invalid env var {var.get('key')}")
        except (Failure, KeyError, TypeError, AttributeError) as exc:
            return _error(exc)
        service_id = _id("srv")
        slug = body["name"]
        service = {
            "id": service_id,
            "name": body["name"],
            "ownerId": body["ownerId"],
            "type": kind,
            "repo": body["repo"],
            "branch": body.get("branch", "main"),
            "autoDeploy": body.get("autoDeploy", "yes"),
            "rootDir": "",
            "slug": slug,
            "suspended": "not_suspended",
            "suspenders": [],
            "notifyOnFail": "default",
            "createdAt": _now(),
            "updatedAt": _now(),
            "dashboardUrl": f"https://dashboard.render.com/{kind.split('_')[-1]}/{service_id}",
            "serviceDetails": {
                "runtime": "python",
                "env": "python",
                "plan": details.get("plan", "starter"),
                "region": details.get("region", "oregon"),
                "healthCheckPath": details.get("healthCheckPath", ""),
                "preDeployCommand": details.get("preDeployCommand", ""),
                "envSpecificDetails": dict(details["envSpecificDetails"]),
                "numInstances": 1,
                "openPorts": [],
                "buildPlan": "starter",
                **({"url": f"https://{slug}.onrender.com"} if kind == "web_service" else {}),
            },
        }
        self.services[service_id] = service
        self.env[service_id] = env
        self.deploys[service_id] = {}
        deploy = self._new_deploy(service_id, "new_service")
        return 201, {"service": service, "deployId": deploy["id"]}

    def _service(self, service_id: str) -> dict:
        if service_id not in self.services:
            raise Failure(404, "service not found")
        return self.services[service_id]

    def _update_service(self, query, body, service_id):
        try:
            service = self._service(service_id)
            if not isinstance(body, dict):
                raise Failure(400, "invalid JSON body")
            unknown = set(body) - {"branch", "serviceDetails", "name", "autoDeploy", "repo"}
            if unknown:
                raise Failure(400, f"unknown fields {sorted(unknown)}")
            details = body.get("serviceDetails", {})
            if details.get("plan", "starter") not in PLANS:
                raise Failure(400, f"invalid plan {details.get('plan')}")
        except Failure as exc:
            return _error(exc)
        for key in ("branch", "name", "autoDeploy"):
            if key in body:
                service[key] = body[key]
        for key, value in details.items():
            if key == "envSpecificDetails":
                service["serviceDetails"]["envSpecificDetails"].update(value)
            elif key != "region":
                service["serviceDetails"][key] = value
        service["updatedAt"] = _now()
        return 200, service

    def _env_vars(self, query, body, service_id):
        try:
            self._service(service_id)
        except Failure as exc:
            return _error(exc)
        return 200, [
            {"envVar": {"key": k, "value": v}, "cursor": k} for k, v in self.env[service_id].items()
        ]

    def _put_env(self, query, body, service_id, key):
        try:
            self._service(service_id)
            if not isinstance(body, dict) or ("value" in body) == ("generateValue" in body):
                raise Failure(400, "give value or generateValue")
        except Failure as exc:
            return _error(exc)
        value = body["value"] if "value" in body else secrets.token_urlsafe(32)
        self.env[service_id][key] = value
        return 200, {"key": key, "value": value}

    # ------------------------------------------------------------ deploys

    def _new_deploy(self, service_id: str, trigger: str) -> dict:
        service = self.services[service_id]
        deploy = {
            "id": _id("dep"),
            "status": "build_in_progress",
            "trigger": trigger,
            "commit": {"id": "0" * 40, "message": "Configure for Render", "createdAt": _now()},
            "createdAt": _now(),
            "updatedAt": _now(),
            "startedAt": _now(),
        }
        # The deploy replaces any earlier live one, as Render's do.
        for earlier in self.deploys[service_id].values():
            if earlier["status"] == "live":
                earlier["status"] = "deactivated"
        self.deploys[service_id][deploy["id"]] = deploy
        service["updatedAt"] = _now()
        return deploy

    def _deploy(self, query, body, service_id):
        try:
            self._service(service_id)
            if body not in (None, {}) and not isinstance(body, dict):
                raise Failure(400, "invalid JSON body")
            if isinstance(body, dict) and body.get("clearCache", "do_not_clear") not in (
                "clear",
                "do_not_clear",
            ):
                raise Failure(400, "invalid clearCache")
        except Failure as exc:
            return _error(exc)
        return 201, self._new_deploy(service_id, "api")

    def _get_deploy(self, query, body, service_id, deploy_id):
        deploy = self.deploys.get(service_id, {}).get(deploy_id)
        if deploy is None:
            return 404, {"id": "not_found", "message": "deploy not found"}
        # Builds finish between two looks: the next one finds the deploy live.
        if deploy["status"] == "build_in_progress":
            deploy["status"] = "live"
            deploy["finishedAt"] = _now()
        return 200, deploy

    # ------------------------------------------------------------ postgres

    def _list_postgres(self, query, body):
        found = self._filtered(self.postgres.values(), query)
        return 200, [{"postgres": p, "cursor": p["id"]} for p in found]

    def _create_postgres(self, query, body):
        try:
            self._require(body, "name", "ownerId", "plan", "version")
            owner = self._owner(body["ownerId"])
            if body["plan"] not in POSTGRES_PLANS:
                raise Failure(400, f"invalid plan {body['plan']}")
            if body.get("region", "oregon") not in REGIONS:
                raise Failure(400, f"invalid region {body.get('region')}")
            if body["version"] not in POSTGRES_VERSIONS:
                raise Failure(400, f"invalid version {body['version']}")
        except Failure as exc:
            return _error(exc)
        db_id = _id("dpg")
        user = body["name"].replace("-", "_") + "_user"
        db = {
            "id": db_id,
            "name": body["name"],
            "owner": owner,
            "plan": body["plan"],
            "region": body.get("region", "oregon"),
            "version": body["version"],
            "status": "creating",
            "role": "primary",
            "databaseName": body["name"].replace("-", "_"),
            "databaseUser": user,
            "connectionPool": "",
            "diskAutoscalingEnabled": False,
            "highAvailabilityEnabled": False,
            "ipAllowList": [],
            "readReplicas": [],
            "suspended": "not_suspended",
            "suspenders": [],
            "createdAt": _now(),
            "updatedAt": _now(),
            "dashboardUrl": f"https://dashboard.render.com/d/{db_id}",
        }
        self.postgres[db_id] = db
        self.passwords[db_id] = secrets.token_urlsafe(24)
        return 201, db

    def _connection_info(self, query, body, db_id):
        db = self.postgres.get(db_id)
        if db is None:
            return 404, {"id": "not_found", "message": "postgres not found"}
        password = self.passwords[db_id]
        user, name = db["databaseUser"], db["databaseName"]
        internal = f"postgresql://{user}:{password}@{db_id}-a/{name}"
        external = (
            f"postgresql://{user}:{password}@{db_id}-a.{db['region']}-postgres.render.com/{name}"
        )
        return 200, {
            "password": password,
            "internalConnectionString": internal,
            "externalConnectionString": external,
            "psqlCommand": f"PGPASSWORD={password} psql -h {db_id}-a.{db['region']}"
            f"-postgres.render.com -U {user} {name}",
        }

    # ------------------------------------------------------------ key value

    def _list_keyvalues(self, query, body):
        found = self._filtered(self.keyvalues.values(), query)
        return 200, [{"keyValue": kv, "cursor": kv["id"]} for kv in found]

    def _create_keyvalue(self, query, body):
        try:
            self._require(body, "name", "ownerId", "plan")
            owner = self._owner(body["ownerId"])
            if body["plan"] not in KEYVALUE_PLANS:
                raise Failure(400, f"invalid plan {body['plan']}")
            if body.get("region", "oregon") not in REGIONS:
                raise Failure(400, f"invalid region {body.get('region')}")
            policy = body.get("maxmemoryPolicy")
            if policy is not None and policy not in MAXMEMORY_POLICIES:
                raise Failure(400, f"invalid maxmemoryPolicy {policy}")
        except Failure as exc:
            return _error(exc)
        kv_id = _id("red")
        kv = {
            "id": kv_id,
            "name": body["name"],
            "owner": owner,
            "plan": body["plan"],
            "region": body.get("region", "oregon"),
            "status": "creating",
            "version": "8.1.4",
            "options": {"maxmemoryPolicy": policy or "allkeys_lru"},
            "ipAllowList": [],
            "createdAt": _now(),
            "updatedAt": _now(),
            "dashboardUrl": f"https://dashboard.render.com/r/{kv_id}",
        }
        self.keyvalues[kv_id] = kv
        self.passwords[kv_id] = secrets.token_urlsafe(24)
        return 201, kv

    def _keyvalue_info(self, query, body, kv_id):
        kv = self.keyvalues.get(kv_id)
        if kv is None:
            return 404, {"id": "not_found", "message": "key value not found"}
        password = self.passwords[kv_id]
        return 200, {
            # Inside Render's private network (render.com/docs/key-value#connect).
            "internalConnectionString": f"redis://{kv_id}:6379",
            "externalConnectionString": (
                f"rediss://red:{password}@{kv['region']}-keyvalue.render.com:6379"
            ),
            "cliCommand": f"redis-cli --user red --pass {password} -h "
            f"{kv['region']}-keyvalue.render.com -p 6379 --tls",
        }

    # ------------------------------------------------------------ for the tests

    def web_services(self) -> list[dict]:
        return [s for s in self.services.values() if s["type"] == "web_service"]

    def workers(self) -> list[dict]:
        return [s for s in self.services.values() if s["type"] == "background_worker"]


def _error(exc: Exception) -> tuple[int, dict]:
    if isinstance(exc, Failure):
        return exc.status, {"id": "invalid_request", "message": exc.message}
    return 400, {"id": "invalid_request", "message": f"malformed body: {exc}"}


class _Handler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, *args) -> None:  # quiet: the tests read World.calls
        pass

    def _answer(self, status: int, body: Any) -> None:
        # A string is sent as it is (an HTML page from a proxy), anything else as JSON.
        data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header(
            "Content-Type", "text/html" if isinstance(body, str) else "application/json"
        )
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, method: str) -> None:
        auth = self.headers.get("Authorization", "")
        world = (
            self.server.worlds.get(auth.removeprefix("Bearer "))
            if auth.startswith("Bearer ")
            else None
        )
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if world is None:
            self._answer(401, {"id": "unauthorized", "message": "Unauthorized"})
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._answer(400, {"id": "invalid_request", "message": "invalid JSON"})
            return
        status, answer = world.handle(method, self.path, body)
        self._answer(status, answer)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")


class StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.worlds: dict[str, World] = {}
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/"

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def world(self) -> World:
        """A new account with one workspace, behind a new API key."""
        key = f"rnd_{secrets.token_urlsafe(24)}"
        world = World(key=key)
        world.add_owner()
        self.worlds[key] = world
        return world
