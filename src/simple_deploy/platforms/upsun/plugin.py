"""Upsun (Flex): one `.upsun/config.yaml` with `applications:`, `services:`, `routes:`.

For new Upsun organizations (Platform.sh is now sold only as Upsun). Existing
Platform.sh customers (Upsun Fixed) keep the `platform_sh` plugin. Both run the
same images with the same PLATFORM_* variables, so this plugin renders
platform_sh's templates (the application, its services and routes, the settings
block, `.environment`) and differs only where Upsun does
(platforms/_platform_common/flavor.py):
- One configuration file; services carry no `disk:` and apps no `name:` (the
  key under `applications:` is the name): containers are sized per environment
  with `upsun resources:set` (https://docs.upsun.com/manage-resources.html).
- Python images: 3.13 and 3.14 supported, 3.10-3.12 deprecated (platformsh-docs
  `shared/data/registry.json`); `--upsun-python` chooses.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from simple_deploy import __version__, service_config
from simple_deploy.plugin import (
    Guide,
    NameRule,
    Options,
    PlatformPlan,
    PlatformPlugin,
    Project,
    generated_file,
    manage_py_argv,
    quoted,
    render_template,
)

if TYPE_CHECKING:
    from simple_deploy.plugin import Automation, Runtime

from .._platform_common.flavor import FIXED, FLEX
from .._platform_common.titles import project_title
from ..platform_sh import plugin as fixed

NAME = FLEX.name
_TEMPLATES = "simple_deploy.platforms.upsun"
_FIXED_TEMPLATES = "simple_deploy.platforms.platform_sh"
CONFIG = ".upsun/config.yaml"
REHEARSAL_HOST = "main-bvxea6i-abcdefgh1234k.eu-5.platformsh.site"

# Upsun's Python images (platformsh-docs shared/data/registry.json, 2026).
SUPPORTED_PYTHON = ("3.13", "3.14")
DEPRECATED_PYTHON = ("3.10", "3.11", "3.12")

CUSTOMERS = (
    "For Upsun (Flex) organizations, which every new Upsun or Platform.sh signup gets: "
    ".upsun/config.yaml and the `upsun` CLI. Existing Platform.sh (Upsun Fixed) projects "
    "use --platform platform_sh."
)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def nearest_supported(version: str) -> str:
    """The supported version closest to `version` (the older one on a tie)."""
    wanted = _version_key(version)
    return min(
        SUPPORTED_PYTHON,
        key=lambda v: (abs(_version_key(v)[1] - wanted[1]) if len(wanted) > 1 else 0, v),
    )


def python_version(project: Project, options: Options) -> str:
    """The Python the config names: the user's choice, else the one they develop with."""
    return str(options.get("upsun_python") or project.python_version)


def _python_problems(project: Project, options: Options) -> list[str]:
    version = python_version(project, options)
    if version in SUPPORTED_PYTHON + DEPRECATED_PYTHON:
        return []
    source = (
        "--upsun-python"
        if options.get("upsun_python")
        else f"your project's Python ({project.python_version})"
    )
    return [
        f"Upsun has no Python {version} image ({source}). Supported: "
        f"{', '.join(SUPPORTED_PYTHON)}; deprecated but still running: "
        f"{', '.join(DEPRECATED_PYTHON)}. The nearest supported version is "
        f"{nearest_supported(version)}: test your project with it, then run again with "
        f"--upsun-python {nearest_supported(version)}. Nothing was changed."
    ]


def _python_notes(project: Project, options: Options) -> tuple[str, ...]:
    version = python_version(project, options)
    if version not in DEPRECATED_PYTHON:
        return ()
    nearest = nearest_supported(version)
    return (
        f"Python {version} is deprecated on Upsun (supported: {', '.join(SUPPORTED_PYTHON)}). "
        f"The nearest supported version is {nearest}: once your project runs on it locally, "
        f"run this command again with --upsun-python {nearest}.",
    )


def check(project: Project, options: Options) -> list[str]:
    problems = []
    found = FIXED.configured_in(project.git_root)
    if found:
        problems.append(
            f"This project is configured for Platform.sh (Upsun Fixed): it has "
            f"{', '.join(found)}. Upsun (Flex) fails a deploy that holds .platform files beside "
            ".upsun/config.yaml. If your project lives on Platform.sh, run with --platform "
            "platform_sh. To move it to Upsun, delete those files and the settings block for "
            "'platform_sh' (`upsun convert` translates the configuration), commit, and run "
            "again. Nothing was changed."
        )
    return problems + _python_problems(project, options)


def _indent(text: str, spaces: int) -> str:
    return textwrap.indent(text.strip("\n"), " " * spaces)


def config_yaml(project: Project, options: Options) -> str:
    """The one Upsun file, made of platform_sh's templates rendered for Flex."""
    context = fixed.app_context(project, FLEX, python_version(project, options))
    parts = {
        "application": _indent(
            render_template(_FIXED_TEMPLATES, "platform.app.yaml-tpl", context), 8
        ),
        "services": _indent(render_template(_FIXED_TEMPLATES, "services.yaml-tpl", context), 4),
        "routes": _indent(render_template(_FIXED_TEMPLATES, "routes.yaml-tpl", context), 4),
    }
    return render_template(
        _TEMPLATES,
        "config.yaml-tpl",
        {"version": __version__, "app_name": fixed.APP_NAME, **parts},
    )


def plan(project: Project, options: Options) -> PlatformPlan:
    version = python_version(project, options)
    changes = (
        fixed.settings_change(
            project,
            FLEX,
            "Upsun-only settings: DEBUG off, secret key from the project entropy, hosts from "
            "the routes, HTTPS, the PostgreSQL relationship, WhiteNoise",
        ),
        generated_file(
            project,
            CONFIG,
            config_yaml(project, options),
            f"the app (Python {version}, install from your lock file and collect static files "
            "at build, migrate at deploy, serve with gunicorn), a PostgreSQL 16 service, and "
            "HTTPS routes",
        ),
        generated_file(
            project,
            ".environment",
            render_template(
                _FIXED_TEMPLATES,
                "environment-tpl",
                {
                    "version": __version__,
                    "label": FLEX.label,
                    "docs": FLEX.docs,
                    # The variables the settings read by their own names, as on Platform.sh.
                    "exports": fixed.environment_exports(project),
                },
            ),
            "puts the app's virtual environment on PATH for the start command and deploy hook, "
            "and the database relationship in DATABASE_URL",
        ),
    )
    shared = (n.replace(".platform.app.yaml", CONFIG) for n in fixed.plan_notes(project))
    # --automate-all skips the manual steps, but not these.
    own = fixed._own_variables(project, cli="upsun") if options.get("automate_all") else ()
    notes = (*_python_notes(project, options), *shared, *own)
    requirements = fixed.REQUIREMENTS + service_config.service_requirements(project)
    return PlatformPlan(changes, requirements, notes)


def runtime(project: Project) -> Runtime:
    return fixed.runtime(project, host=REHEARSAL_HOST, label=FLEX.label)


def guide(project: Project, options: Options) -> Guide:
    manage = " ".join(manage_py_argv(project))
    title = quoted(project_title(project, options))
    region = quoted(options.get("region") or FLEX.region)
    # Variables the settings cannot import without that only the user knows: the
    # upsun CLI (a build of the Platform.sh one) sets them the same way.
    own = fixed._own_variables(project, cli="upsun")
    return Guide(
        finish=(
            "Review the changes with `git diff`, then commit them: "
            '`git add -A` and `git commit -m "Configure for Upsun"`.',
            "Find your organization: `upsun organization:list`.",
            f"Create the project and link this repository to it: `upsun create --title {title} "
            f"--region {region} --org <your organization> --set-remote`.",
            *own,
            "Deploy: `upsun push` (builds, then runs migrations in the deploy hook; the "
            "database and the secret key are provided by Upsun). The first deployment gives "
            "the app and the database the default resources.",
            "Open the site: `upsun url`.",
        ),
        redeploy="commit your changes, then `upsun push`",
        logs="`upsun log app --tail` (also `upsun log deploy` for the deploy hook)",
        run_command=f'`upsun ssh "{manage} createsuperuser"`',
        remote_shell="`upsun ssh`",
        scale="`upsun resources:set --size app:1 --count app:2` (CPU size and instances per "
        "environment; `upsun resources:get` shows the current ones)",
        rollback="`upsun backup:create` before a risky change, `upsun backup:restore` to go "
        "back; or revert the commit and `upsun push`",
        links=(
            ("Deploy Django on Upsun", FLEX.django_guide),
            (
                "App configuration reference",
                "https://docs.upsun.com/create-apps/app-reference/single-runtime-image.html",
            ),
            (
                "Manage Python dependencies",
                "https://docs.upsun.com/languages/python/dependencies.html",
            ),
            ("PostgreSQL service", "https://docs.upsun.com/add-services/postgresql.html"),
            ("Routes", "https://docs.upsun.com/define-routes.html"),
            ("Resources and their costs", "https://docs.upsun.com/manage-resources.html"),
            (
                "Upsun environment variables",
                "https://docs.upsun.com/development/variables/use-variables.html",
            ),
            ("CLI reference", "https://docs.upsun.com/administration/cli/reference.html"),
        ),
        costs=FLEX.costs,
        processes=service_config.process_rows(
            project,
            tuple(
                fixed.app_context(project, FLEX, python_version(project, options))["start"].split()
            ),
            "a container of its own, `workers:` in .upsun/config.yaml",
            "its own CPU and memory, billed per environment (`upsun resources:get`)",
            {
                "web": "`upsun resources:set --count app:2`",
                "worker": "`upsun resources:set --count {name}:2` (or `--size {name}:1`); "
                "stop: remove it from `workers:` and `upsun push`",
                "scheduler": "exactly one instance: keep `--count {name}:1`, never more; "
                "stop: remove it from `workers:` and `upsun push`",
                "channels": "`upsun resources:set --count {name}:2`; stop: remove it from "
                "`workers:` and `upsun push`",
            },
            web_runs="the app's `web:` in .upsun/config.yaml",
            redis=(
                "Redis",
                "the `redis` service (redis-persistent:7.2) in .upsun/config.yaml",
                "its own CPU, memory and disk, billed per environment",
                "`upsun resources:set --size redis:0.5`; stop: remove the service and its "
                "relationship, and `upsun push`",
            ),
        ),
        email=(
            "where Upsun's outgoing email is on (the production environment, by default) mail "
            "goes through its SMTP relay (`PLATFORM_SMTP_HOST`); set `DEFAULT_FROM_EMAIL` to "
            "your address with `upsun variable:create --level project --name "
            "env:DEFAULT_FROM_EMAIL --value <address>`. For your own SMTP provider, set "
            "`env:EMAIL_URL` (`smtp+tls://USER:PASSWORD@HOST:587`) the same way with "
            "`--sensitive true`. Where neither is on, sending fails with an error in the log."
        ),
    )


def _add_arguments(group) -> None:
    group.description = CUSTOMERS
    group.add_argument(
        "--upsun-org",
        metavar="ORG",
        help="Upsun organization to create the project in (needed if you belong to several; "
        "`upsun organization:list` names them).",
    )
    group.add_argument(
        "--upsun-python",
        metavar="X.Y",
        help=f"Python version of the Upsun image (default: your project's). Supported: "
        f"{', '.join(SUPPORTED_PYTHON)}; deprecated: {', '.join(DEPRECATED_PYTHON)}.",
    )


def automate(project: Project, options: Options) -> Automation:
    # Imported by --automate-all runs only: a configuration run never loads it.
    from .._platform_common.automate import automation

    return automation(FLEX, project, options)


platform = PlatformPlugin(
    name=NAME,
    label=FLEX.label,
    plan=plan,
    runtime=runtime,
    guide=guide,
    check=check,
    add_arguments=_add_arguments,
    names=(
        NameRule(
            "deployed_project_name",
            "--deployed-project-name",
            r"[^\x00-\x1f\x7f]{1,100}",
            "a project title of up to 100 characters",
            "my-blog",
        ),
        NameRule(
            "region",
            "--region",
            r"[a-z0-9][a-z0-9.-]{0,62}[a-z0-9]",
            "an Upsun region",
            "eu-5.platform.sh",
        ),
        NameRule(
            "upsun_org",
            "--upsun-org",
            r"[a-z0-9][a-z0-9-]{0,62}",
            "an organization's machine name",
            "my-org",
        ),
        NameRule("upsun_python", "--upsun-python", r"[0-9]{1,2}\.[0-9]{1,2}", "X.Y", "3.13"),
    ),
    automate=automate,
    cli=FLEX.cli,
    docs_url="https://docs.upsun.com/languages/python.html",
    # The CLI's own install page (docs.upsun.com, "Command line interface (CLI)": 1. Install).
    extra={"customers": CUSTOMERS, "cli_install_url": FLEX.install_url},
)
