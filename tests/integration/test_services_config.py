"""Services beside web (issue 28, configuration): each service sample project
(tests/service_shapes.py) is inspected once, and every platform's generated files
declare its processes and its Redis the platform's own way; the summary names each
process. Configure-only: the rehearsal of these projects is tested elsewhere."""

from __future__ import annotations

import json
import re

import pytest
import render_schema
import service_shapes
import tomlkit
import upsun_validator
from project_files import deploy, git

from simple_deploy.platforms.fly_io.plugin import platform as fly_io
from simple_deploy.platforms.heroku.plugin import platform as heroku
from simple_deploy.platforms.platform_sh.plugin import platform as platform_sh
from simple_deploy.platforms.railway.plugin import platform as railway
from simple_deploy.platforms.render.plugin import platform as render
from simple_deploy.platforms.upsun.plugin import platform as upsun
from simple_deploy.project import inspect
from simple_deploy.services import ServiceProcess, Services

pytestmark = pytest.mark.needs_programs

PLUGINS = {
    "heroku": heroku,
    "fly_io": fly_io,
    "railway": railway,
    "render": render,
    "upsun": upsun,
    "platform_sh": platform_sh,
}
CELERY = ("celery", "-A", "blog")


def _line(process: ServiceProcess) -> str:
    """The Procfile line's command as the user wrote it: assignments, then argv."""
    return " ".join([*(f"{k}={v}" for k, v in process.env), *process.argv])


EXPECTED = {
    "celery-beat": Services(
        processes=(
            ServiceProcess(
                "worker",
                "worker",
                (*CELERY, "worker", "--loglevel=info"),
                "Procfile",
                (("REMAP_SIGTERM", "SIGQUIT"),),
            ),
            ServiceProcess(
                "beat",
                "scheduler",
                (*CELERY, "beat", "--loglevel=info", "--scheduler", "django"),
                "Procfile",
            ),
        ),
        redis_env_names=("CELERY_BROKER_URL",),
        redis_uses=("celery",),
    ),
    "rq": Services(
        processes=(
            ServiceProcess(
                "rqworker",
                "worker",
                ("python", "manage.py", "rqworker", "default"),
                "detected: django-rq",
            ),
        ),
        redis_env_names=("REDIS_URL",),
        redis_uses=("rq",),
    ),
    "channels": Services(
        processes=(
            ServiceProcess(
                "channels",
                "channels",
                ("python", "manage.py", "runworker", "tasks"),
                "detected: Channels worker for tasks",
            ),
        ),
        redis_env_names=("REDIS_URL",),
        redis_uses=("channels",),
        asgi_application="blog.asgi:application",
        asgi_server="daphne",
        websocket_path="/ws/echo/",
    ),
    "uvicorn": Services(asgi_application="blog.asgi:application", asgi_server="uvicorn"),
}
WEB = {
    "celery-beat": None,
    "rq": None,
    "channels": "daphne --bind 0.0.0.0 --port {port} --proxy-headers blog.asgi:application",
    "uvicorn": "uvicorn --host 0.0.0.0 --port {port} --proxy-headers --forwarded-allow-ips "
    "'*' blog.asgi:application",
}


@pytest.fixture
def service_project(tmp_path):
    def make(shape: str):
        return service_shapes.copy(shape, tmp_path)

    return make


@pytest.mark.parametrize("shape", sorted(EXPECTED))
def test_inspection_finds_the_services_once(service_project, shape):
    project = inspect(service_project(shape))
    assert project.services == EXPECTED[shape]
    assert project.services.needs_redis == bool(EXPECTED[shape].redis_env_names)


def _check_runtime(platform: str, root, shape: str) -> None:
    """The plugin's Runtime declares the processes, Redis and the ASGI web command."""
    expected = EXPECTED[shape]
    runtime = PLUGINS[platform].runtime(inspect(root))
    assert [(p.name, p.role, p.command.argv, p.command.env) for p in runtime.processes] == [
        (p.name, p.role, p.argv, dict(p.env)) for p in expected.processes
    ]
    assert runtime.needs_redis == expected.needs_redis
    assert runtime.websocket_path == expected.websocket_path
    env = {**runtime.env, **runtime.run_env}
    for name in expected.redis_env_names:
        assert env[name] == "{redis_url}"
    if WEB[shape]:
        assert " ".join(runtime.web.argv) == WEB[shape].format(port="{port}").replace("'", "")
    else:
        assert runtime.web.argv[0] == "gunicorn"


def _heroku(root, shape):
    expected = EXPECTED[shape]
    procfile = (root / "Procfile").read_text()
    types = dict(line.split(": ", 1) for line in procfile.splitlines() if ": " in line)
    types = {k: v for k, v in types.items() if not k.startswith("#")}
    assert set(types) == {"release", "web", *(p.name for p in expected.processes)}
    for process in expected.processes:
        assert types[process.name] == _line(process)
    if WEB[shape]:
        assert types["web"] == WEB[shape].format(port="$PORT")
    settings = (root / "blog" / "settings.py").read_text()
    tls = "_rediss = _os.environ.get(" in settings
    assert tls == expected.needs_redis
    if shape == "celery-beat":
        assert 'CELERY_BROKER_USE_SSL = {"ssl_cert_reqs": _ssl.CERT_NONE}' in settings
    if shape == "rq":
        assert '_queue["SSL_CERT_REQS"] = None' in settings
    if shape == "channels":
        assert '{"address": _h, "ssl_cert_reqs": None}' in settings


def _fly_io(root, shape):
    expected = EXPECTED[shape]
    config = tomlkit.loads((root / "fly.toml").read_text()).unwrap()
    assert config["http_service"]["processes"] == ["app"]
    dockerfile = (root / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD (.+)$", dockerfile, re.MULTILINE).group(1))
    if WEB[shape]:
        assert " ".join(cmd) == WEB[shape].format(port="8000").replace("'", "")
    if not expected.processes:
        assert "processes" not in config
        return
    groups = config["processes"]
    assert list(groups) == ["app", *(p.name for p in expected.processes)]
    assert groups["app"].split() == [part.strip("'") for part in " ".join(cmd).split()]
    for process in expected.processes:
        # No shell runs Fly's process commands: `env` sets the line's assignments.
        prefix = "env " if process.env else ""
        assert groups[process.name] == prefix + _line(process)


def _render(root, shape):
    expected = EXPECTED[shape]
    blueprint = render_schema.assert_valid((root / "render.yaml").read_text())
    services = {s["name"]: s for s in blueprint["services"]}
    web = services["blog-site"]
    workers = {n: s for n, s in services.items() if s["type"] == "worker"}
    assert {n.removeprefix("blog-site-") for n in workers} == {p.name for p in expected.processes}
    for process in expected.processes:
        worker = workers[f"blog-site-{process.name}"]
        assert worker["startCommand"] == " ".join(process.argv)
        assert worker["plan"] == "starter" and "numInstances" not in worker
        keys = {v["key"]: v for v in worker["envVars"]}
        for name, value in process.env:
            assert keys[name] == {"key": name, "value": value}
        assert keys["SECRET_KEY"]["fromService"] == {
            "type": "web",
            "name": "blog-site",
            "envVarKey": "SECRET_KEY",
        }
        assert "fromDatabase" in keys["DATABASE_URL"]
    keyvalue = [s for s in services.values() if s["type"] == "keyvalue"]
    assert len(keyvalue) == (1 if expected.needs_redis else 0)
    web_keys = {v["key"]: v for v in web["envVars"]}
    for name in expected.redis_env_names:
        reference = {"type": "keyvalue", "name": "blog-site-redis", "property": "connectionString"}
        assert web_keys[name]["fromService"] == reference
        for worker in workers.values():
            assert {v["key"]: v for v in worker["envVars"]}[name]["fromService"] == reference
    if WEB[shape]:
        assert web["startCommand"] == WEB[shape].format(port="$PORT")


def _railway(root, shape):
    import railway_iac

    expected = EXPECTED[shape]
    graph = railway_iac.evaluate(root / ".railway" / "railway.ts")
    resources = railway_iac.services(graph)
    names = {"Postgres", "web", *(p.name for p in expected.processes)}
    if expected.needs_redis:
        names.add("Redis")
        assert resources["Redis"]["engine"] == "redis"
    assert set(resources) == names
    for process in expected.processes:
        service = resources[process.name]
        assert service["start"] == " ".join(process.argv)
        assert service["replicas"] == 1
        for name, value in process.env:
            assert service["env"][name] == value
        assert service["env"]["SECRET_KEY"] == "${{web.SECRET_KEY}}"
    for name in expected.redis_env_names:
        for service in ("web", *(p.name for p in expected.processes)):
            assert resources[service]["env"][name] == "${{Redis.REDIS_URL}}"
    if WEB[shape]:
        assert resources["web"]["start"] == WEB[shape].format(port="$PORT")


def _platform_files(root, shape, app: dict, services: dict):
    expected = EXPECTED[shape]
    workers = app.get("workers", {})
    assert {n: w["commands"]["start"] for n, w in workers.items()} == {
        p.name: _line(p) for p in expected.processes
    }
    assert ("redis" in app["relationships"]) == expected.needs_redis
    assert ("redis" in services) == expected.needs_redis
    environment = (root / ".environment").read_text()
    for name in expected.redis_env_names:
        assert f'export {name}="$(python -c ' in environment
    if WEB[shape]:
        assert app["web"]["commands"]["start"] == WEB[shape].format(port="$PORT")


def _upsun(root, shape, validator):
    import yaml  # here: the Windows run's Python (scripts/test-windows) has no PyYAML

    upsun_validator.assert_valid(validator, root)
    config = yaml.safe_load((root / ".upsun" / "config.yaml").read_text())
    _platform_files(root, shape, config["applications"]["app"], config["services"])


def _platform_sh(root, shape):
    import yaml

    app = yaml.safe_load((root / ".platform.app.yaml").read_text())
    services = yaml.safe_load((root / ".platform" / "services.yaml").read_text())
    _platform_files(root, shape, app, services)
    if EXPECTED[shape].needs_redis:
        assert services["redis"] == {"type": "redis-persistent:7.2", "disk": 256}


@pytest.mark.parametrize("platform", sorted(PLUGINS))
@pytest.mark.parametrize("shape", sorted(EXPECTED))
def test_each_platform_declares_the_processes_and_redis(service_project, shape, platform, request):
    root = service_project(shape)
    result = deploy(root, platform)
    assert result.returncode == 0, result.stdout + result.stderr
    if platform == "upsun":
        _upsun(root, shape, request.getfixturevalue("upsun_validator"))
    else:
        {
            "heroku": _heroku,
            "fly_io": _fly_io,
            "render": _render,
            "railway": _railway,
            "platform_sh": _platform_sh,
        }[platform](root, shape)
    _check_runtime(platform, root, shape)
    # The summary's table names every process, a scheduler runs exactly once.
    table = result.stdout.split("## Processes", 1)[1].split("\n\n", 2)[1]
    for process in EXPECTED[shape].processes:
        row = next(line for line in table.splitlines() if line.startswith(f"| {process.name} |"))
        if process.role == "scheduler":
            assert "exactly one" in row
    assert ("| Redis |" in table) == EXPECTED[shape].needs_redis


@pytest.mark.parametrize("platform", sorted(PLUGINS))
def test_a_project_without_services_gets_no_service_configuration(sample_project, platform):
    root = sample_project("requirements_txt", "flat")
    assert inspect(root).services == Services()
    result = deploy(root, platform)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "## Processes" not in result.stdout
    text = "\n".join(
        p.read_text(errors="replace")
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts and "simple_deploy_logs" not in p.parts
    )
    for marker in ("[processes]", "workers:", "keyvalue", "redis", "_rediss", "type: worker"):
        assert marker not in text


CERT_NONE = "{'ssl_cert_reqs': <VerifyMode.CERT_NONE: 0>}"
HEROKU_TLS = {
    # shape: (the variable the URL reaches, what to print, with rediss://, with redis://)
    "celery-beat": (
        "CELERY_BROKER_URL",
        "[getattr(s, n, 'unset') for n in ('CELERY_BROKER_USE_SSL', "
        "'CELERY_REDIS_BACKEND_USE_SSL')]",
        f"[{CERT_NONE}, {CERT_NONE}]",
        "['unset', 'unset']",
    ),
    "rq": ("REDIS_URL", "s.RQ_QUEUES['default'].get('SSL_CERT_REQS', 'unset')", "None", "'unset'"),
    "channels": (
        "REDIS_URL",
        "s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]",
        "{'address': 'rediss://:p@ec2.example.com:6380', 'ssl_cert_reqs': None}",
        "'redis://127.0.0.1:6379/0'",
    ),
}


@pytest.mark.parametrize("shape", sorted(HEROKU_TLS))
def test_heroku_settings_connect_to_its_rediss_url_as_heroku_documents(service_project, shape):
    """On a dyno, the settings (imported for real, with the project's packages) give
    Heroku's rediss:// URL the certificate settings Heroku documents, and leave a
    plain redis:// URL alone; `check --deploy` stays clean."""
    import subprocess
    import sys

    root = service_project(shape)
    assert deploy(root, "heroku").returncode == 0
    name, expression, tls, plain = HEROKU_TLS[shape]
    env = {
        "PATH": "/usr/bin:/bin",
        "DYNO": "web.1",
        "ALLOWED_HOSTS": "example.herokuapp.com",
        "SECRET_KEY": "a-long-random-secret-key-for-this-test-only-0123456789abcdef",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    code = f"from django.conf import settings as s; print(repr({expression}))"
    for url, want in (
        ("rediss://:p@ec2.example.com:6380", tls),
        ("redis://127.0.0.1:6379/0", plain),
    ):
        shell = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=root,
            env={**env, name: url},
            capture_output=True,
            text=True,
        )
        assert shell.returncode == 0, shell.stderr
        assert shell.stdout.strip().splitlines()[-1] == want
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env={**env, name: "rediss://:p@ec2.example.com:6380"},
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_nested_channels_project_is_served_by_gunicorn_from_its_folder(tmp_path):
    """daphne cannot change into blog/ (where manage.py imports the app from): the web
    process is gunicorn --chdir blog with uvicorn's worker, which is added to the
    requirements with a websockets library; the channel worker runs blog/manage.py."""
    root = service_shapes.copy("channels", tmp_path, layout="nested")
    result = deploy(root, "heroku")
    assert result.returncode == 0, result.stdout + result.stderr
    procfile = (root / "Procfile").read_text()
    assert (
        "web: gunicorn --chdir blog --worker-class uvicorn_worker.UvicornWorker "
        "blog.asgi:application\n" in procfile
    )
    assert "channels: python blog/manage.py runworker tasks\n" in procfile
    requirements = (root / "requirements.txt").read_text()
    assert "\nuvicorn-worker~=0.3\nwebsockets>=13\n" in requirements


@pytest.mark.parametrize("shape", ["rq", "channels"])
def test_a_heroku_rerun_keeps_the_service_lines_it_wrote(service_project, shape):
    """A detected service's Procfile line, written by the first run, is found in the
    Procfile on the next run: it must stay (doccano's Celery `worker:` was dropped,
    and the rehearsal said the commit differed from the configuration)."""
    root = service_project(shape)
    assert deploy(root, "heroku").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Heroku")
    procfile = (root / "Procfile").read_bytes()

    result = deploy(root, "heroku")

    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "Procfile").read_bytes() == procfile
    assert git(root, "status", "--porcelain", "--", "Procfile") == ""


def _database_broker_project(sample_project, *, driver: str = ""):
    """doccano's shape: Celery whose broker is the database through SQLAlchemy, the URL
    built from DATABASE_URL when no CELERY_BROKER_URL is set (no Redis at all)."""
    root = sample_project("requirements_txt", "flat")
    (root / "blog" / "celery.py").write_text(
        'import os\n\nfrom celery import Celery\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE",'
        ' "blog.settings")\napp = Celery("blog")\n'
        'app.config_from_object("django.conf:settings", namespace="CELERY")\n',
        encoding="utf-8",
    )
    settings = root / "blog" / "settings.py"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + '\nimport os\n\ntry:\n    CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]\n'
        "except KeyError:\n"
        '    _url = os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3")\n'
        '    CELERY_BROKER_URL = "sqla+" + _url\n',
        encoding="utf-8",
    )
    requirements = root / "requirements.txt"
    extra = "celery==5.5.3\nSQLAlchemy==1.4.54\n" + (f"{driver}\n" if driver else "")
    requirements.write_text(requirements.read_text(encoding="utf-8") + extra, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Celery on the database through SQLAlchemy")
    return root


@pytest.mark.parametrize("platform", sorted(PLUGINS))
def test_a_broker_on_the_database_through_sqlalchemy_gets_its_driver(sample_project, platform):
    """SQLAlchemy's postgresql dialect loads psycopg2: with psycopg 3 alone (what the
    web app gets) the worker stops at start with `No module named 'psycopg2'`."""
    root = _database_broker_project(sample_project)
    assert inspect(root).services.database_broker

    result = deploy(root, platform)

    assert result.returncode == 0, result.stdout + result.stderr
    text = (root / "requirements.txt").read_text(encoding="utf-8")
    assert "psycopg2-binary~=2.9" in text.splitlines()
    assert "kombu[redis]" not in text  # no Redis: the project's broker is its database


def test_a_database_broker_keeps_the_projects_own_psycopg2(sample_project):
    root = _database_broker_project(sample_project, driver="psycopg2-binary==2.9.10")
    assert deploy(root, "render").returncode == 0
    text = (root / "requirements.txt").read_text(encoding="utf-8")
    assert "psycopg2-binary~=2.9" not in text


def test_a_database_broker_gets_psycopg2_beside_the_projects_psycopg_3(sample_project):
    """Django keeps the project's psycopg 3 (one driver for the web app); the broker's
    SQLAlchemy still needs psycopg2 (doccano, configured again)."""
    root = _database_broker_project(sample_project, driver="psycopg[binary]==3.2.9")
    assert deploy(root, "heroku").returncode == 0
    lines = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "psycopg2-binary~=2.9" in lines
    assert "psycopg[binary]==3.2.9" in lines
