"""An example third-party plugin: Render, kept minimal, through the public plugin API.

django-simple-deploy supports Render itself (`--platform render`, built in, for
every package manager, with --automate-all). This package stays as the smallest
complete example of a plugin installed as its own distribution; its name is
`render_example` so that it never shadows the built-in one.

Everything here comes from `simple_deploy.plugin`, the one public module of
django-simple-deploy: the plugin declares files, requirements, the runtime the
rehearsal replays and the summary's guide; the core does the rest.

Facts (Render docs): the Blueprint lives in `render.yaml` at the repository
root; a web service runs `buildCommand`, then `preDeployCommand` (paid instance
types), then `startCommand`; Render sets PORT and RENDER_EXTERNAL_HOSTNAME.
"""

from __future__ import annotations

import argparse
import re
import shlex

from simple_deploy.plugin import (
    Command,
    Guide,
    Options,
    PlatformPlan,
    PlatformPlugin,
    Project,
    Requirement,
    Runtime,
    email_settings,
    generated_file,
    manage_py_argv,
    render_template,
    settings_block,
)

NAME = "render_example"
PLANS = ("starter", "standard", "pro")
REGIONS = ("oregon", "ohio", "virginia", "frankfurt", "singapore")
REHEARSAL_HOST = "blog-site.onrender.com"

REQUIREMENTS = (
    Requirement("gunicorn", "gunicorn~=27.0", "the web server Render starts"),
    Requirement("psycopg", "psycopg[binary]~=3.3", "PostgreSQL driver"),
    Requirement("dj-database-url", "dj-database-url~=3.1", "reads DATABASE_URL"),
    Requirement("whitenoise", "whitenoise~=6.12", "serves static files compressed and cached"),
)


def _service_name(project: Project, options: Options) -> str:
    wanted = options.get("deployed_project_name") or project.git_root.name
    return re.sub(r"[^a-z0-9-]+", "-", wanted.lower()).strip("-") or "django-app"


def _commands(project: Project) -> dict[str, tuple[str, ...]]:
    """Each command once: render.yaml shows it and the rehearsal runs it."""
    chdir = ("--chdir", project.manage_dir_rel) if project.nested else ()
    return {
        "collectstatic": manage_py_argv(project, "collectstatic", "--noinput"),
        "release": manage_py_argv(project, "migrate", "--noinput"),
        "web": ("gunicorn", *chdir, project.wsgi_module),
    }


def check(project: Project, options: Options) -> list[str]:
    if project.package_manager == "requirements_txt":
        return []
    return [
        "The Render example plugin supports projects with a requirements.txt only; this "
        f"project uses {project.package_manager}. Use --platform render, the built-in Render "
        "support, which installs with your own package manager."
    ]


def plan(project: Project, options: Options) -> PlatformPlan:
    commands = _commands(project)
    blueprint = render_template(
        "simple_deploy_render_example",
        "render.yaml-tpl",
        {
            "name": _service_name(project, options),
            "plan": options.get("render_example_plan") or "starter",
            "region": options.get("region") or options.get("render_example_region") or "oregon",
            "python_version": project.python_version,
            "build_command": "pip install -r requirements.txt && "
            + shlex.join(commands["collectstatic"]),
            "release_command": shlex.join(commands["release"]),
            "start_command": shlex.join(commands["web"]),
            "extra_env": sorted(project.settings_env.items()),
        },
    )
    changes = (
        settings_block(
            project,
            NAME,
            render_template(
                "simple_deploy_render_example",
                "settings.py-tpl",
                {
                    "base_dir_depth": project.base_dir_depth,
                    "email_settings": email_settings(project=project),
                },
            ),
            "Render-only settings: DEBUG off, generated secret key, Render's host name, "
            "HTTPS, PostgreSQL, WhiteNoise",
        ),
        generated_file(
            project,
            "render.yaml",
            blueprint,
            "the Render Blueprint: web service, PostgreSQL database, environment",
        ),
    )
    return PlatformPlan(changes, REQUIREMENTS)


def runtime(project: Project) -> Runtime:
    commands = _commands(project)
    return Runtime(
        env={"ON_RENDER": "1", "SECRET_KEY": "{secret_key}", **project.settings_env},
        build=(Command(commands["collectstatic"]),),
        release=(Command(commands["release"]),),
        web=Command(commands["web"]),
        host=REHEARSAL_HOST,
        run_env={
            "PORT": "{port}",
            "RENDER_EXTERNAL_HOSTNAME": "{host}",
            "DATABASE_URL": "{database_url}",
        },
    )


def guide(project: Project, options: Options) -> Guide:
    manage = shlex.join(manage_py_argv(project))
    return Guide(
        finish=(
            "Review the changes with `git diff`, commit them (`git add -A`, `git commit -m "
            '"Configure for Render"`) and push the repository to GitHub or GitLab.',
            "In Render's dashboard choose New > Blueprint and pick the repository: Render "
            "creates the web service and the database that render.yaml describes.",
        ),
        redeploy="commit and push: Render deploys every push to the Blueprint's branch",
        logs="the service's Logs tab in the dashboard, or `render logs` with the Render CLI",
        run_command=f"the service's Shell tab: `{manage} createsuperuser`",
        remote_shell="the service's Shell tab, or `render ssh`",
        scale="change `plan:` in render.yaml, or add `numInstances:`, then push",
        rollback="the service's Events tab: Rollback on an earlier deploy",
        links=(
            ("Deploy a Django app", "https://render.com/docs/deploy-django"),
            ("Blueprint YAML reference", "https://render.com/docs/blueprint-spec"),
            ("Python version", "https://render.com/docs/python-version"),
            ("Render Postgres", "https://render.com/docs/postgresql"),
        ),
        costs="Render bills the web service's instance type and the database monthly.",
    )


def add_arguments(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--render-example-plan",
        choices=PLANS,
        help="Instance type of the web service (default: starter).",
    )
    group.add_argument(
        "--render-example-region",
        choices=REGIONS,
        help="Region of the service and database (default: oregon; --region also works).",
    )


platform = PlatformPlugin(
    name=NAME,
    label="Render (example plugin)",
    plan=plan,
    runtime=runtime,
    guide=guide,
    check=check,
    add_arguments=add_arguments,
    docs_url="https://render.com/docs/deploy-django",
)
