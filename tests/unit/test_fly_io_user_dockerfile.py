"""The user's kept Dockerfile: which build steps a rehearsal replays, and what it lacks."""

from __future__ import annotations

from simple_deploy.platforms.fly_io.user_dockerfile import build_target, flag_build_steps, replay

WITH_COLLECTSTATIC = """# syntax=docker/dockerfile:1
FROM node:22 AS assets
RUN npm ci && npm run build
FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 \\
    DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /srv
WORKDIR site
COPY . .
RUN pip install -r requirements.txt && \\
    SIMPLE_DEPLOY_FLY_BUILD=1 python src/manage.py collectstatic --noinput
RUN ["/opt/venv/bin/python", "/srv/site/src/manage.py", "compress", "--force"]
RUN apt-get update && apt-get install -y libpq5
CMD ["gunicorn", "config.wsgi"]
"""


def test_manage_py_steps_are_replayed_with_their_variables_from_the_app_root():
    found = replay(WITH_COLLECTSTATIC, "/srv/site")
    assert [c.argv for c in found.commands] == [
        ("python", "src/manage.py", "collectstatic", "--noinput"),
        ("python", "src/manage.py", "compress", "--force"),
    ]
    assert found.commands[0].env == {
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SIMPLE_DEPLOY_FLY_BUILD": "1",
    }
    assert found.lacks == ()


def test_a_dockerfile_without_collectstatic_lacks_it():
    text = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    found = replay(text, "/app")
    assert found.commands == ()
    assert found.lacks == ("collectstatic",)


def test_a_commented_out_collectstatic_does_not_count():
    text = "FROM python:3.12\nWORKDIR /app\n# RUN python manage.py collectstatic --noinput\n"
    assert replay(text, "/app").lacks == ("collectstatic",)


def test_the_build_flag_is_set_on_each_collectstatic_line_that_lacks_it_and_nothing_else():
    # CRLF, a continued RUN line, one already flagged, an exec-form one, a CMD and a comment.
    text = (
        "FROM python:3.11\r\n"
        "# RUN python manage.py collectstatic\r\n"
        "RUN pip install -r requirements.txt && \\\r\n"
        "    python manage.py collectstatic --noinput\r\n"
        "RUN /venv/bin/python3.12 app/manage.py compress --force\r\n"
        "RUN SIMPLE_DEPLOY_FLY_BUILD=1 python manage.py collectstatic\r\n"
        'RUN ["python", "manage.py", "collectstatic"]\r\n'
        "CMD python manage.py collectstatic && gunicorn app.wsgi\r\n"
    )
    env = {"SIMPLE_DEPLOY_FLY_BUILD": "1", "DJANGO_ALLOWED_HOSTS": "localhost"}
    flag = "SIMPLE_DEPLOY_FLY_BUILD=1 DJANGO_ALLOWED_HOSTS=localhost "
    assert flag_build_steps(text, env) == (
        "FROM python:3.11\r\n"
        "# RUN python manage.py collectstatic\r\n"
        "RUN pip install -r requirements.txt && \\\r\n"
        f"    {flag}python manage.py collectstatic --noinput\r\n"
        f"RUN {flag}/venv/bin/python3.12 app/manage.py compress --force\r\n"
        "RUN SIMPLE_DEPLOY_FLY_BUILD=1 python manage.py collectstatic\r\n"
        'RUN ["python", "manage.py", "collectstatic"]\r\n'
        "CMD python manage.py collectstatic && gunicorn app.wsgi\r\n"
    )
    # What the rehearsal then replays carries the flag.
    replayed = replay(flag_build_steps(text, env).replace("\r\n", "\n"), "/")
    assert all(c.env.get("SIMPLE_DEPLOY_FLY_BUILD") == "1" for c in replayed.commands[:3])


def test_the_images_interpreter_paths_are_not_passed_to_the_replay():
    text = (
        "FROM python:3.12-slim\nENV VIRTUAL_ENV=/venv PATH=/venv/bin:$PATH PYTHONPATH=/code/ "
        "DJANGO_DEBUG=off\nWORKDIR /code/\nRUN python manage.py collectstatic --noinput\n"
    )
    # PYTHONPATH's folder inside the app is where the replay copied the app.
    assert replay(text, "/code").commands[0].env == {
        "DJANGO_DEBUG": "off",
        "PYTHONPATH": "{app_root}",
    }
    src = text.replace("PYTHONPATH=/code/", "PYTHONPATH=/code/src:/opt/lib")
    assert replay(src, "/code").commands[0].env["PYTHONPATH"] == "{app_root}/src"


BUILDER_THEN_SLIM = (
    "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS builder\n"
    "WORKDIR /app\n"
    "ADD . /app\n"
    "RUN uv sync --frozen --no-dev\n"
    "FROM python:3.12-slim-bookworm\n"
    "COPY --from=builder --chown=app:app /app /app\n"
    "WORKDIR /app\n"
    'ENV PATH="/app/.venv/bin:$PATH"\n'
    "EXPOSE 8000\n"
    'CMD ["gunicorn", "blog.wsgi"]\n'
)


def test_a_final_stage_that_takes_the_whole_project_from_its_builder_gets_the_line():
    from simple_deploy.platforms.fly_io.user_dockerfile import with_build_step

    step = "SIMPLE_DEPLOY_FLY_BUILD=1 python /app/manage.py collectstatic --noinput"
    lines = with_build_step(BUILDER_THEN_SLIM, step).splitlines()
    # After PATH names the builder's virtual environment, where Django is.
    assert lines[lines.index('ENV PATH="/app/.venv/bin:$PATH"') + 1] == f"RUN {step}"
    assert sum(line.startswith("RUN ") for line in lines) == 2
    # Only a copy of the folder that holds the whole project counts.
    in_parts = BUILDER_THEN_SLIM.replace("--chown=app:app /app /app", "/app/.venv /app/.venv")
    assert with_build_step(in_parts, step) is None
    crlf = with_build_step(BUILDER_THEN_SLIM.replace("\n", "\r\n"), step)
    assert f"RUN {step}\r\n" in crlf and "\n" not in crlf.replace("\r\n", "")


# Launchers of Django's commands besides `python manage.py`, as public images run them:
# uv's project template (`uv run --frozen -m manage`), wagtail.org (`django-admin` with
# DJANGO_SETTINGS_MODULE from ENV), and the module forms.
LAUNCHERS = """FROM python:3.13-slim
ENV DJANGO_SETTINGS_MODULE=site.settings.production
WORKDIR /app
COPY . .
RUN DATABASE_URL=sqlite://:memory: uv run --frozen -m manage collectstatic --noinput --clear
RUN SECRET_KEY=none django-admin compress --force
RUN /venv/bin/python -m django collectstatic --noinput
RUN poetry run python manage.py compress
RUN uv run --with x ./manage.py check
"""


def test_other_launchers_of_django_commands_are_replayed():
    found = replay(LAUNCHERS, "/app")
    assert [c.argv for c in found.commands] == [
        ("python", "manage.py", "collectstatic", "--noinput", "--clear"),
        ("python", "-m", "django", "compress", "--force"),
        ("python", "-m", "django", "collectstatic", "--noinput"),
        ("python", "manage.py", "compress"),
    ]
    assert found.commands[0].env == {
        "DJANGO_SETTINGS_MODULE": "site.settings.production",
        "DATABASE_URL": "sqlite://:memory:",
    }
    assert found.commands[1].env["SECRET_KEY"] == "none"
    assert found.lacks == ()
    # django-admin alone, with no collectstatic anywhere, still lacks it.
    assert replay("FROM python\nRUN django-admin compress\n", "/").lacks == ("collectstatic",)


def test_the_build_flag_goes_before_each_launcher_and_its_environment_runner():
    flagged = flag_build_steps(LAUNCHERS, {"SIMPLE_DEPLOY_FLY_BUILD": "1"})
    assert flagged.splitlines()[4:8] == [
        "RUN DATABASE_URL=sqlite://:memory: SIMPLE_DEPLOY_FLY_BUILD=1 uv run --frozen -m manage "
        "collectstatic --noinput --clear",
        "RUN SECRET_KEY=none SIMPLE_DEPLOY_FLY_BUILD=1 django-admin compress --force",
        "RUN SIMPLE_DEPLOY_FLY_BUILD=1 /venv/bin/python -m django collectstatic --noinput",
        "RUN SIMPLE_DEPLOY_FLY_BUILD=1 poetry run python manage.py compress",
    ]
    assert flagged.splitlines()[8] == "RUN uv run --with x ./manage.py check"
    assert replay(flagged, "/app").commands[0].env["SIMPLE_DEPLOY_FLY_BUILD"] == "1"


# Torchbox's layout (wagtail.org): a production stage, then a development stage for
# docker compose that starts nothing of its own. Fly builds the last stage.
PROD_THEN_DEV = """FROM node:22 AS frontend
RUN npm ci && npm run build:prod

FROM python:3.13-bookworm AS backend
ENV DJANGO_SETTINGS_MODULE=site.settings.production
WORKDIR /app

FROM backend AS prod
COPY . .
RUN SECRET_KEY=none django-admin collectstatic --noinput --clear
CMD gunicorn site.wsgi:application

FROM backend AS dev
RUN python manage.py migrate
"""


def test_a_last_stage_that_starts_nothing_makes_the_starting_stage_the_target():
    assert build_target(PROD_THEN_DEV) == "prod"
    found = replay(PROD_THEN_DEV, "/app", "prod")
    # The prod stage's step only, with the ENV of the stage it is built FROM.
    assert [c.argv for c in found.commands] == [
        ("python", "-m", "django", "collectstatic", "--noinput", "--clear")
    ]
    assert found.commands[0].env == {
        "DJANGO_SETTINGS_MODULE": "site.settings.production",
        "SECRET_KEY": "none",
    }
    # A last stage that starts the server (or inherits a start command) is built as is.
    assert build_target(PROD_THEN_DEV + "CMD python manage.py runserver\n") is None
    assert build_target(PROD_THEN_DEV.replace("FROM backend AS dev", "FROM prod AS dev")) is None
    assert build_target(LAUNCHERS) is None


def test_the_runner_a_collectstatic_goes_through_is_kept_for_later_commands():
    uv_only = "".join(LAUNCHERS.splitlines(keepends=True)[:5])
    assert replay(uv_only, "/app").runner == ("uv", "run", "--frozen")
    # The last collectstatic decides: LAUNCHERS collects again with /venv/bin/python.
    assert replay(LAUNCHERS, "/app").runner == ()
    assert replay(WITH_COLLECTSTATIC, "/srv/site").runner == ()
