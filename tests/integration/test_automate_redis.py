"""`--automate-all` on a project whose settings read Redis: one Redis, made once, reused.

Each platform's own way (issue 28): Heroku's Key-Value Store add-on with the real
Heroku CLI against tests/heroku_api; Fly.io's Upstash Redis through the fake `fly`;
Railway's Redis service through the fake `railway`; Render's Key Value through
tests/render_api. The sample reads a Redis URL under two names (REDIS_URL for the
cache, CELERY_BROKER_URL for Celery): the URL must reach both, appear in no log,
output, file or command line, and its cost must be named before anything is made.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_tables import check
from cli_tables.heroku import TABLE as HEROKU_TABLE
from project_files import all_text, deploy, git, manage_dir

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="the stand-ins' git hooks are POSIX"),
    pytest.mark.needs_programs,
]

NAMES = ("REDIS_URL", "CELERY_BROKER_URL")
# What a Celery project with a Redis cache writes (the Celery and django-redis docs'
# shapes); Django's own RedisCache backend, so no package is needed to load it.
READS_REDIS = """
import os  # noqa: E402

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://localhost:6379/1"),
    }
}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0")
"""


def reads_redis(root: Path) -> Path:
    """The sample with settings that read a Redis URL under NAMES, committed."""
    settings = manage_dir(root) / "blog" / "settings.py"
    with open(settings, "a", encoding="utf-8") as out:
        out.write(READS_REDIS)
    git(root, "commit", "-q", "-am", "Cache and Celery broker on Redis")
    return root


def notice_before(output: str, created: str, step: str) -> None:
    """The confirmation names `created` before the step that makes it runs."""
    costs = output.index("Costs: ")
    assert created in output[:costs], output[:costs]
    assert costs < output.index(f"] {step}:")


def secret_nowhere(secret: str, result, root: Path, argvs: list[list[str]]) -> None:
    assert secret not in result.stdout + result.stderr
    assert secret not in all_text(root), "the URL is in a file of the project (or its log)"
    assert not any(secret in arg for argv in argvs for arg in argv), "on a command line"


# ---------------------------------------------------------------- Heroku


@pytest.fixture
def heroku_project(sample_project):
    return reads_redis(sample_project("uv", "nested"))


def heroku_commands(heroku) -> list[str]:
    calls = heroku.calls()
    for argv in calls:
        assert check(HEROKU_TABLE, argv) is None, check(HEROKU_TABLE, argv)
    return [argv[0] for argv in calls]


HEROKU_RE_RUN = ["auth:whoami", "apps:info", "config", "releases", "open"]


def redis_addons(app: dict) -> list[dict]:
    return [a for a in app["addons"] if a["addon_service"]["name"] == "heroku-redis"]


def test_heroku_makes_one_key_value_store_attached_under_each_name_and_reuses_it(
    heroku_project, heroku_account
):
    heroku = heroku_account
    env = heroku.env
    result = deploy(heroku_project, "heroku", "--automate-all", "--no-input", env=env)
    assert result.returncode == 0, result.stderr + result.stdout

    (app,) = heroku.apps().values()
    (addon,) = redis_addons(app)
    assert addon["plan"]["name"] == "heroku-redis:mini"
    url = app["config"]["REDIS_URL"]
    assert url.startswith("rediss://")
    assert app["config"]["CELERY_BROKER_URL"] == url
    notice_before(result.stdout, "add Heroku Key-Value Store (Redis) on the 'mini' plan", "redis")
    assert "REDIS_URL, CELERY_BROKER_URL" in result.stdout
    assert f"Created: Heroku Key-Value Store {addon['name']} on plan heroku-redis:mini" in (
        result.stdout
    )
    # Created with its first name, attached under the second: Heroku sets both.
    assert heroku.calls()[3] == [
        "addons:create", "heroku-redis:mini", "--wait", f"--app={app['name']}", "--as=REDIS"
    ]  # fmt: skip
    assert heroku.calls()[4] == [
        "addons:attach", addon["name"], f"--app={app['name']}", "--as=CELERY_BROKER"
    ]  # fmt: skip
    secret_nowhere(url, result, heroku_project, heroku.calls())

    # Heroku rotates the credentials: both names follow (attachments, not copies).
    rotated = heroku.world.rotate(addon["name"])
    (app,) = heroku.apps().values()
    assert app["config"]["REDIS_URL"] == app["config"]["CELERY_BROKER_URL"] == rotated

    before = len(heroku.calls())
    again = deploy(heroku_project, "heroku", "--automate-all", "--no-input", env=env)
    assert again.returncode == 0, again.stderr + again.stdout
    (app,) = heroku.apps().values()
    assert [a["name"] for a in redis_addons(app)] == [addon["name"]], "a second Redis"
    assert f"Reused: Heroku Key-Value Store {addon['name']}" in again.stdout
    assert "Created:" not in again.stdout
    # Nothing to create or attach: the config vars the run reads anyway say so.
    assert heroku_commands(heroku)[before:] == HEROKU_RE_RUN
    secret_nowhere(rotated, again, heroku_project, heroku.calls())


def test_heroku_resumed_after_the_attach_failed_attaches_without_a_second_store(
    heroku_project, heroku_account
):
    heroku = heroku_account
    heroku.world.fail("POST", r"^/addon-attachments$", until_cleared=True)
    first = deploy(heroku_project, "heroku", "--automate-all", "--no-input", env=heroku.env)
    assert first.returncode != 0
    assert "Step 'redis' failed" in first.stderr
    heroku.recover()
    again = deploy(heroku_project, "heroku", "--automate-all", "--no-input", env=heroku.env)
    assert again.returncode == 0, again.stderr + again.stdout
    (app,) = heroku.apps().values()
    (addon,) = redis_addons(app)
    assert app["config"]["CELERY_BROKER_URL"] == app["config"]["REDIS_URL"]
    assert f"Reused: Heroku Key-Value Store {addon['name']}" in again.stdout
    assert "attached as CELERY_BROKER_URL" in again.stdout


# ---------------------------------------------------------------- fake platform CLIs

FAKES = Path(__file__).resolve().parents[1] / "fakes"


def fake_cli(tmp_path: Path, cli: str) -> dict:
    """A folder holding only the fake `cli`, first on PATH, and its account state file."""
    bin_dir = tmp_path / f"fake-{cli}"
    bin_dir.mkdir()
    (bin_dir / cli).symlink_to(FAKES / cli)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in env.items() if not k.startswith("FAKE_CLI_")}
    state = tmp_path / f"{cli}-account.json"
    env.update(PATH=os.pathsep.join([str(bin_dir), env.get("PATH", "")]), FAKE_CLI_STATE=str(state))
    return {"env": env, "state": state}


def account(cli: dict) -> dict:
    return json.loads(cli["state"].read_text()) if cli["state"].exists() else {}


def argvs(state: dict) -> list[list[str]]:
    return [call["argv"] for call in state.get("calls", [])]


# ---------------------------------------------------------------- Fly.io


def test_fly_makes_one_upstash_redis_sets_it_as_secrets_and_reuses_it(sample_project, tmp_path):
    root = reads_redis(sample_project("requirements_txt", "flat"))
    fly = fake_cli(tmp_path, "fly")
    args = ("--automate-all", "--no-input", "--deployed-project-name", "blog-redis")
    result = deploy(root, "fly_io", *args, env=fly["env"])
    assert result.returncode == 0, result.stderr + result.stdout

    state = account(fly)
    (db,) = state["redis"]
    assert db["name"] == "blog-redis-redis" and db["org"] == "personal"
    url = state["secrets"]["blog-redis"]["REDIS_URL"]
    assert url.startswith("redis://default:")
    assert state["secrets"]["blog-redis"]["CELERY_BROKER_URL"] == url
    notice_before(
        result.stdout, "create or reuse an Upstash Redis database `blog-redis-redis`", "redis"
    )
    assert "$0.20 per 100K commands" in result.stdout
    assert "Created: Upstash Redis `blog-redis-redis`" in result.stdout
    create = next(a for a in argvs(state) if a[:2] == ["redis", "create"])
    assert "--disable-eviction" in create, "a broker must not lose queued tasks"
    secret_nowhere(url, result, root, argvs(state))
    secret_nowhere(db["password"], result, root, argvs(state))

    again = deploy(root, "fly_io", *args, env=fly["env"])
    assert again.returncode == 0, again.stderr + again.stdout
    state = account(fly)
    assert [d["name"] for d in state["redis"]] == ["blog-redis-redis"], "a second Redis"
    assert state["secrets"]["blog-redis"]["REDIS_URL"] == url
    assert "Created:" not in again.stdout
    assert "Reused: the Redis app `blog-redis` already reads" in again.stdout


def test_fly_resumed_after_the_secrets_failed_reuses_the_database(sample_project, tmp_path):
    root = reads_redis(sample_project("requirements_txt", "flat"))
    fly = fake_cli(tmp_path, "fly")
    args = ("--automate-all", "--no-input", "--deployed-project-name", "blog-redis")
    failed = deploy(root, "fly_io", *args, env={**fly["env"], "FAKE_CLI_FAIL": "secrets import"})
    assert failed.returncode != 0
    assert len(account(fly)["redis"]) == 1
    again = deploy(root, "fly_io", *args, env=fly["env"])
    assert again.returncode == 0, again.stderr + again.stdout
    state = account(fly)
    assert len(state["redis"]) == 1, "a second Redis"
    assert "Reused: Upstash Redis `blog-redis-redis`" in again.stdout
    assert set(state["secrets"]["blog-redis"]) >= {"REDIS_URL", "CELERY_BROKER_URL"}


# ---------------------------------------------------------------- Railway


def test_railway_declares_one_redis_and_a_rerun_keeps_it_and_the_secret_key(
    sample_project, tmp_path
):
    root = reads_redis(sample_project("poetry", "nested"))
    railway = fake_cli(tmp_path, "railway")
    result = deploy(root, "railway", "--automate-all", "--no-input", env=railway["env"])
    assert result.returncode == 0, result.stderr + result.stdout
    (project,) = account(railway)["projects"].values()
    redis = [s for s in project["services"].values() if s["kind"] == "redis"]
    assert len(redis) == 1
    web = project["services"]["web"]
    for name in NAMES:
        assert web["variables"][name] == "${{Redis.REDIS_URL}}"
    notice_before(
        result.stdout, "create or reuse the `Redis` Redis service", "service and database"
    )
    assert "Created: Redis `Redis`" in result.stdout
    url = redis[0]["variables"]["REDIS_URL"]
    secret_nowhere(url, result, root, argvs(account(railway)))
    key = web["variables"]["SECRET_KEY"]

    # `config apply` deletes what railway.ts does not declare; SECRET_KEY is preserve()d.
    again = deploy(root, "railway", "--automate-all", "--no-input", env=railway["env"])
    assert again.returncode == 0, again.stderr + again.stdout
    (project,) = account(railway)["projects"].values()
    assert len([s for s in project["services"].values() if s["kind"] == "redis"]) == 1
    assert project["services"]["web"]["variables"]["SECRET_KEY"] == key
    assert "Reused: Redis `Redis`" in again.stdout
    assert "Created:" not in again.stdout


# ---------------------------------------------------------------- Render


def test_render_makes_one_key_value_sets_its_url_and_reuses_it(
    sample_project, render_standin, tmp_path
):
    import subprocess

    repo = "https://github.com/example/blog-site"
    world = render_standin.world()
    world.connected.add(repo)
    root = reads_redis(sample_project("poetry", "nested"))
    bare = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(root, "remote", "add", "origin", f"{repo}.git")
    git(root, "config", f"url.{bare}.pushInsteadOf", f"{repo}.git")
    env = {"RENDER_API_KEY": world.key, "RENDER_HOST": render_standin.url}
    result = deploy(root, "render", "--automate-all", "--no-input", env=env)
    assert result.returncode == 0, result.stderr + result.stdout

    (kv,) = world.keyvalues.values()
    assert kv["name"] == "blog-site-redis" and kv["plan"] == "starter"
    assert kv["options"]["maxmemoryPolicy"] == "noeviction", "a broker must not lose tasks"
    (service,) = world.web_services()
    url = f"redis://{kv['id']}:6379"
    assert {name: world.env[service["id"]][name] for name in NAMES} == dict.fromkeys(NAMES, url)
    notice_before(
        result.stdout, "create or reuse the Render Key Value blog-site-redis", "key value"
    )
    assert (
        f"Created: Render Key Value blog-site-redis ({kv['id']}), starter: $10 a month"
        in result.stdout
    )
    assert "POST /key-value" in world.calls
    assert world.calls.index("POST /key-value") > next(
        i for i, c in enumerate(world.calls) if c.startswith("GET /key-value?name=blog-site-redis")
    ), "looked up before it is made"
    secret_nowhere(url, result, root, [])

    again = deploy(root, "render", "--automate-all", "--no-input", env=env)
    assert again.returncode == 0, again.stderr + again.stdout
    assert len(world.keyvalues) == 1, "a second Key Value"
    assert f"Reused: Render Key Value blog-site-redis ({kv['id']})" in again.stdout
    assert "Created:" not in again.stdout
    assert world.calls.count("POST /key-value") == 1


# ---------------------------------------------------------------- Upsun and Platform.sh


@pytest.mark.parametrize(
    ("platform", "cli", "config", "cost"),
    [
        ("upsun", "upsun", ".upsun/config.yaml", "billed like the app's containers"),
        ("platform_sh", "platform", ".platform/services.yaml", "part of the project's plan"),
    ],
)
def test_platform_redis_is_the_declared_service_named_with_its_cost(
    sample_project, tmp_path, platform, cli, config, cost
):
    root = reads_redis(sample_project("requirements_txt", "flat"))
    fake = fake_cli(tmp_path, cli)
    result = deploy(root, platform, "--automate-all", "--no-input", env=fake["env"])
    assert result.returncode == 0, result.stderr + result.stdout
    notice_before(
        result.stdout, "run the Redis service the configuration declares", "Redis service"
    )
    assert cost in result.stdout[: result.stdout.index("Costs: ")]
    assert f"Created: the Redis service declared in {config} ({cost}" in result.stdout
    again = deploy(root, platform, "--automate-all", "--no-input", env=fake["env"])
    assert again.returncode == 0, again.stderr + again.stdout
    assert f"Reused: the Redis service declared in {config}" in again.stdout
    assert len(account(fake)["projects"]) == 1


def test_heroku_keeps_a_redis_the_user_already_set_and_creates_none(heroku_project, heroku_account):
    heroku = heroku_account
    # An app the user made, with their own Redis (another provider) under both names.
    with heroku.world.lock:
        heroku.world._create_app({"name": "blog-own-redis"})
        config = heroku.world.apps["blog-own-redis"].config
        config["REDIS_URL"] = config["CELERY_BROKER_URL"] = "rediss://:theirs@redis.example:6380"
    args = ("--automate-all", "--no-input", "--deployed-project-name", "blog-own-redis")
    result = deploy(heroku_project, "heroku", *args, env=heroku.env)
    assert result.returncode == 0, result.stderr + result.stdout
    app = heroku.apps()["blog-own-redis"]
    assert redis_addons(app) == [], "a second, paid Redis"
    assert app["config"]["CELERY_BROKER_URL"] == "rediss://:theirs@redis.example:6380"
    assert "Reused: the Redis your config vars REDIS_URL, CELERY_BROKER_URL already name" in (
        result.stdout
    )
    made = [argv for argv in heroku.calls() if "heroku-redis:mini" in argv]
    assert made == [] and not any(argv[0] == "addons:attach" for argv in heroku.calls())


def test_upsun_sizes_the_redis_disk_when_the_organization_sizes_by_hand(sample_project, tmp_path):
    root = reads_redis(sample_project("requirements_txt", "flat"))
    fake = fake_cli(tmp_path, "upsun")
    fake["state"].write_text(json.dumps({"resources_init": "manual"}))
    result = deploy(root, "upsun", "--automate-all", "--no-input", env=fake["env"])
    assert result.returncode == 0, result.stderr + result.stdout
    (sizing,) = [argv for argv in argvs(account(fake)) if argv[0] == "resources:set"]
    assert sizing[sizing.index("--disk") + 1] == "db:default,redis:default"
