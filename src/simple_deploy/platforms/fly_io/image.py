"""The container image Fly.io builds for the project, declared once.

The Dockerfile, fly.toml and the rehearsal's `Runtime` are all rendered from
the `Image` built here, so what the rehearsal replays locally is what the image
does on Fly: the same install steps (the package manager's own), the same
collectstatic, the same release command and the same web command.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from simple_deploy import env_needs, service_config
from simple_deploy.assets import COMPRESS_ARGS, TAILWIND_BUILD_ARGS
from simple_deploy.package_managers import InstallStep, get
from simple_deploy.plugin import Project, manage_py_argv

if TYPE_CHECKING:
    from simple_deploy.plugin import Command

from .._platform_common.install import TOOLS
from .._platform_common.install import shell_line as _shell_line

# fly.toml's [http_service] internal_port; gunicorn binds to it through $PORT.
INTERNAL_PORT = "8000"
# Where the repository is copied in the image (the Dockerfile's WORKDIR).
APP_ROOT = "/app"
# The virtual environment the locked dependencies are installed into.
VENV = "/opt/venv"
# Set only while the image is built: the settings block then configures static
# files without needing the secret key or the database, which Fly provides at
# run time only.
BUILD_FLAG = "SIMPLE_DEPLOY_FLY_BUILD"
# gunicorn reads WEB_CONCURRENCY by itself; two workers fit the default machine.
WEB_CONCURRENCY = "2"


class Image(NamedTuple):
    """What the image holds and runs; `port` is "8000" in the image, "{port}" rehearsed."""

    python_version: str
    tool: str | None
    dependency_files: tuple[str, ...]
    install: tuple[InstallStep, ...]
    env: Mapping[str, str]
    build: tuple[Command, ...]
    release: Command
    web: Command
    run_env: Mapping[str, str]
    static_dir: str


def build_image(project: Project, port: str = INTERNAL_PORT) -> Image:
    """The image for `project`; `port` is where gunicorn listens."""
    from simple_deploy.plugin import Command

    manager = get(project.package_manager)
    chdir = ("--chdir", project.manage_dir_rel) if project.nested else ()
    manage_prefix = f"{project.manage_dir_rel}/" if project.nested else ""
    return Image(
        python_version=project.python_version,
        tool=TOOLS.get(manager.name),
        dependency_files=project.deps.install_files,
        install=project.deps.install_steps,
        env={
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_CACHE_DIR": "1",
            **project.settings_env,
        },
        build=(
            # Fly has no secrets at build: variables the settings need to import get
            # build-only placeholders here, never seen at run time.
            # django-tailwind-cli's CSS, before collectstatic collects it.
            *(
                Command(
                    manage_py_argv(project, *args),
                    env={BUILD_FLAG: "1", **env_needs.build_placeholders(project)},
                )
                for args in (TAILWIND_BUILD_ARGS if project.tailwind_cli else ())
            ),
            # Not for a project that commits its collected files (shipped_static).
            *(
                ()
                if project.static_shipped
                else (
                    Command(
                        manage_py_argv(project, "collectstatic", "--noinput"),
                        env={BUILD_FLAG: "1", **env_needs.build_placeholders(project)},
                    ),
                )
            ),
            # COMPRESS_OFFLINE: django-compressor's files and manifest, into STATIC_ROOT
            # beside the collected ones, before WhiteNoise scans it at start.
            *(
                (
                    Command(
                        manage_py_argv(project, *COMPRESS_ARGS),
                        env={BUILD_FLAG: "1", **env_needs.build_placeholders(project)},
                    ),
                )
                if project.compress_offline
                else ()
            ),
        ),
        # On the `default` database: in the release Machine the settings point it at the
        # cluster's direct address (settings.py-tpl), so a data migration's queries share
        # the migration's one connection instead of waiting on its locks from a second.
        release=Command(manage_py_argv(project, "migrate", "--noinput")),
        # An ASGI app is served by its ASGI server, on the same port.
        web=Command(
            service_config.asgi_web_argv(project, port) or ("gunicorn", *chdir, project.wsgi_module)
        ),
        run_env={"PORT": port, "WEB_CONCURRENCY": WEB_CONCURRENCY},
        static_dir=f"{APP_ROOT}/{manage_prefix}staticfiles",
    )


def copy_lines(files: tuple[str, ...]) -> str:
    """COPY instructions for the files the install reads, each at its own path.

    Files at the root share one COPY; a file in a folder (requirements/base.txt)
    or a folder (a uv workspace member, "name/") is copied to the same path,
    since `COPY a/b ./` would drop the folder name.
    """
    root = [name for name in files if "/" not in name.rstrip("/")]
    nested = [name for name in files if name not in root]
    lines = [f"COPY {' '.join(root)} ./"] if root else []
    lines += [f"COPY {name.rstrip('/')} {name}" for name in nested]
    return "\n".join(lines)


def shell_line(argv: tuple[str, ...], env: Mapping[str, str]) -> str:
    """`VAR=value cmd args` for a Dockerfile RUN line, quoted for /bin/sh."""
    return _shell_line(argv, env, venv=VENV, python=f"{VENV}/bin/python")
