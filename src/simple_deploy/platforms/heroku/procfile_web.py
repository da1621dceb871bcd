"""A Procfile `web:` line of the user's that already serves this app with gunicorn.

Heroku runs the line through a shell and routes to `$PORT`, which gunicorn also
reads by itself. A line that starts gunicorn on the project's WSGI module (from
the folder holding it, for a nested project) and binds nothing but `$PORT` serves
the app as our line would: its other flags (workers, timeouts, logging) are the
user's choices, and it is kept as it is.
"""

from __future__ import annotations

import re
import shlex

from simple_deploy.project import Project

__all__ = ["users_gunicorn", "port_placeholders"]

_WEB = re.compile(r"^web\s*:(.*)$", re.MULTILINE)
_PORT = re.compile(r"\$\{PORT\}|\$PORT\b")
_BIND = ("-b", "--bind")


def _web_line(project: Project) -> str | None:
    path = project.git_root / "Procfile"
    if not path.is_file():
        return None
    found = _WEB.search(path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n"))
    return found.group(1).strip() if found else None


def _binds_only_port(argv: list[str]) -> bool:
    for index, arg in enumerate(argv):
        value = None
        if arg in _BIND and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--bind="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-b") and len(arg) > 2:
            value = arg[2:]
        if value is not None and not _PORT.search(value):
            return False
    return True


def users_gunicorn(project: Project, ours: tuple[str, ...]) -> tuple[str, ...] | None:
    """The user's web command as argv when it is gunicorn on this app, else None."""
    line = _web_line(project)
    if not line:
        return None
    try:
        argv = shlex.split(line)
    except ValueError:
        return None
    if not argv or argv[0] != "gunicorn":
        return None
    module = project.wsgi_module
    if not any(arg in (module, f"{module}:application") for arg in argv[1:]):
        return None
    if project.nested:
        folder = project.manage_dir_rel
        pairs = zip(argv, argv[1:], strict=False)
        chdir = any(a == "--chdir" and b == folder for a, b in pairs)
        if not chdir and f"--chdir={folder}" not in argv:
            return None
    if not _binds_only_port(argv):
        return None
    return tuple(argv) if tuple(argv) != ours else None


def port_placeholders(argv: tuple[str, ...]) -> tuple[str, ...]:
    """`$PORT` as the rehearsal's port placeholder (no shell expands it there)."""
    return tuple(_PORT.sub("{port}", arg) for arg in argv)
