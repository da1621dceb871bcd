"""Service detection from a project's files (service_detection.find_services), on small
hand-written projects: roles from Procfile lines, RQ queues, and which variables
the settings read a Redis URL from."""

from __future__ import annotations

from simple_deploy.service_detection import find_services
from simple_deploy.services import Services
from simple_deploy.settings_probe import EnvVar

MANAGE = ("python", "manage.py")


def _find(tmp_path, settings: str, present=(), procfile: str | None = None, env_vars=()):
    if procfile is not None:
        (tmp_path / "Procfile").write_text(procfile, "utf-8")
    return find_services(
        tmp_path, tmp_path, [settings], frozenset(present), env_vars, "proj.wsgi", MANAGE
    )


def test_a_plain_project_has_no_services(tmp_path):
    settings = 'import os\nSECRET_KEY = os.environ.get("SECRET_KEY", "x")\n'
    assert _find(tmp_path, settings, present=("django",)) == Services()


def test_procfile_lines_are_the_commands_and_say_their_role(tmp_path):
    procfile = (
        "web: gunicorn proj.wsgi\nrelease: python manage.py migrate\n"
        "worker: python manage.py qcluster\nclock: python clock.py\n"
        "beat: celery -A proj beat\n# old: python x.py\n"
    )
    found = _find(tmp_path, "", procfile=procfile)
    assert [(p.name, p.role, p.argv, p.source) for p in found.processes] == [
        ("worker", "worker", ("python", "manage.py", "qcluster"), "Procfile"),
        ("clock", "scheduler", ("python", "clock.py"), "Procfile"),
        ("beat", "scheduler", ("celery", "-A", "proj", "beat"), "Procfile"),
    ]


def test_a_procfile_lines_leading_assignments_are_its_environment_not_its_program(tmp_path):
    # styleguide-example's `worker: REMAP_SIGTERM=SIGQUIT celery ...`: Heroku's shell
    # sets the variable; the program is celery.
    procfile = (
        "worker: REMAP_SIGTERM=SIGQUIT C_FORCE_ROOT='yes please' celery -A proj worker\n"
        "beat: celery -A proj beat --max-interval=5\n"
    )
    found = _find(tmp_path, "", procfile=procfile)
    worker, beat = found.processes
    assert worker.argv == ("celery", "-A", "proj", "worker")
    assert worker.env == (("REMAP_SIGTERM", "SIGQUIT"), ("C_FORCE_ROOT", "yes please"))
    assert (beat.role, beat.argv, beat.env) == (
        "scheduler",
        ("celery", "-A", "proj", "beat", "--max-interval=5"),
        (),
    )


def test_rq_worker_listens_on_every_queue_of_rq_queues(tmp_path):
    settings = (
        "import os\nINSTALLED_APPS = ['django_rq']\nRQ_QUEUES = {\n"
        '    "high": {"URL": os.getenv("RQ_REDIS_URL")},\n'
        '    "low": {"URL": os.getenv("RQ_REDIS_URL")},\n}\n'
    )
    found = _find(tmp_path, settings, present=("django-rq",))
    assert found.processes[0].argv == (*MANAGE, "rqworker", "high", "low")
    assert found.redis_env_names == ("RQ_REDIS_URL",)
    assert found.redis_uses == ("rq",)


def test_redis_names_are_the_reads_that_feed_a_redis_setting(tmp_path):
    settings = (
        "import environ\nenv = environ.Env()\n"
        'CACHES = {\n    "default": {\n        "BACKEND": "django_redis.cache.RedisCache",\n'
        '        "LOCATION": env("CACHE_URL"),\n    }\n}\n'
        'SESSION_CACHE = env("SESSION_STORE")\n'
        'SENTRY_DSN = env("SENTRY_DSN", default="")\n'
    )
    found = _find(tmp_path, settings, env_vars=(EnvVar("REDIS_TLS_URL", False, "other", ""),))
    assert found.redis_env_names == ("CACHE_URL", "REDIS_TLS_URL")
    assert found.redis_uses == ("caches",)


def test_a_database_cache_is_not_redis(tmp_path):
    settings = (
        'import os\nCACHES = {"default": {\n'
        '    "BACKEND": "django.core.cache.backends.db.DatabaseCache",\n'
        '    "LOCATION": os.environ.get("CACHE_TABLE", "cache"),\n}}\n'
    )
    assert _find(tmp_path, settings).redis_env_names == ()


def test_celery_app_module_gives_worker_and_beat_without_a_procfile(tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "celery.py").write_text(
        'from celery import Celery\n\napp = Celery("proj")\n', "utf-8"
    )
    found = _find(tmp_path, "", present=("celery", "django-celery-beat"))
    assert [(p.name, p.role, p.argv[-2:]) for p in found.processes] == [
        ("worker", "worker", ("worker", "--loglevel=info")),
        ("beat", "scheduler", ("--scheduler", "django_celery_beat.schedulers:DatabaseScheduler")),
    ]
    assert found.processes[0].source == "detected: celery app proj.celery"


def _asgi_project(tmp_path, nested: bool):
    manage_dir = tmp_path / "site" if nested else tmp_path
    (manage_dir / "proj").mkdir(parents=True)
    (manage_dir / "proj" / "asgi.py").write_text("application = None\n", "utf-8")
    return manage_dir


def test_daphne_serves_a_flat_project_and_gunicorn_a_nested_one(tmp_path):
    settings = 'ASGI_APPLICATION = "proj.asgi.application"\n'
    present = frozenset({"daphne"})
    flat = _asgi_project(tmp_path / "flat", nested=False)
    found = find_services(flat, flat, [settings], present, (), "proj.wsgi", MANAGE)
    assert (found.asgi_application, found.asgi_server) == ("proj.asgi:application", "daphne")
    # daphne cannot change into site/, where proj is imported from; gunicorn --chdir can.
    nested = _asgi_project(tmp_path / "nested", nested=True)
    found = find_services(
        nested.parent, nested, [settings], present, (), "proj.wsgi", ("python", "site/manage.py")
    )
    assert found.asgi_server == "gunicorn+uvicorn"


def test_a_celery_broker_read_with_an_amqp_default_is_given_redis(tmp_path):
    # styleguide-example: RabbitMQ locally (docker-compose), read from the environment.
    settings = (
        "import environ\nenv = environ.Env()\n"
        'CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="amqp://guest:guest@localhost//")\n'
        'CELERY_RESULT_BACKEND = "django-db"\n'
    )
    found = _find(tmp_path, settings, present=("django", "celery"))
    assert found.redis_env_names == ("CELERY_BROKER_URL",)
    assert found.broker_moved == ("CELERY_BROKER_URL",)
    assert found.redis_uses == ("celery",)
    # A project whose broker is Redis already moves nothing.
    redis = settings.replace("amqp://guest:guest@localhost//", "redis://localhost:6379/0")
    kept = _find(tmp_path, redis, present=("django", "celery", "redis"))
    assert (kept.redis_env_names, kept.broker_moved) == (("CELERY_BROKER_URL",), ())
    # Without Celery, an amqp URL is someone else's business.
    assert _find(tmp_path, settings, present=("django",)).redis_env_names == ()
