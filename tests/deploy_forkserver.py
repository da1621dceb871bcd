"""A fork server for `python manage.py deploy`, one per test worker (see deploy_runner.py).

The suite runs `manage.py deploy` about 700 times. Each run is a new interpreter
that imports Django and simple_deploy again: about 1 s of CPU, most of it imports,
on 2 cores that the rehearsals keep busy. This program imports what every run
imports (and nothing that needs a project's settings), then forks one process
per run. The forked process is what `python manage.py deploy ...` would be: the
run's folder, environment, argv, sys.path[0], stdin, stdout and stderr, and a
normal interpreter exit (atexit handlers, flushed output, exit code).

Protocol, one connection per run on a Unix socket: the client sends one JSON line
{"argv", "cwd", "env", "stdin", "stdout", "stderr"} (three file paths); the
server answers {"pid": N} when the run starts and {"returncode": N} when it ends
(negative: killed by that signal, as subprocess reports it).
"""

from __future__ import annotations

import builtins
import importlib.machinery
import json
import os
import shutil
import socket
import sys
import types
import warnings

# Imported once here, never again in a run. Each must import without a settings
# module (django.conf.settings stays unconfigured: checked below).
PRELOAD = (
    "django.core.management",
    "django.core.management.base",
    "django.core.checks",
    "django.urls",
    "django.http",
    "django.db.models",
    "django.db.backends.sqlite3.base",
    "django.forms",
    "django.template",
    "django.contrib.staticfiles.finders",
    "django.contrib.staticfiles.storage",
    "django.contrib.messages",
    "django.contrib.sessions.backends.db",
    "django.core.mail",
    "django.core.paginator",
    "django.db.migrations.executor",
    "django.db.migrations.autodetector",
    "django.db.migrations.loader",
    "django.middleware.csrf",
    "django.middleware.cache",
    "django.shortcuts",
    "django.template.response",
    "django.templatetags.i18n",
    "django.utils.log",
    "django.views.debug",
    "django.views.i18n",
    "django.views.generic",
    "django.views.decorators.csrf",
    "django.views.decorators.cache",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.auth.middleware",
    "django.contrib.contenttypes",
    "django.contrib.sessions.middleware",
    "django.contrib.messages.middleware",
    "simple_deploy.apps",
    "simple_deploy.management.commands.deploy",
    "simple_deploy.plugins",
    "simple_deploy.package_managers.pipenv",
    "simple_deploy.package_managers.poetry",
    "simple_deploy.package_managers.requirements_txt",
    "simple_deploy.package_managers.uv",
    "simple_deploy.platforms.heroku",
    "simple_deploy.platforms.fly_io",
    "simple_deploy.platforms.upsun",
    "simple_deploy.platforms.platform_sh",
    "simple_deploy.platforms.render",
    "whitenoise.middleware",
    "dj_database_url",
)


def _preload() -> list[str]:
    """Import PRELOAD; the names that could not be imported, or a reason to decline."""
    failed = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in PRELOAD:
            try:
                __import__(name)
            except Exception:  # this Django may lack it or need settings for it: skip
                failed.append(name)
    if caught:
        # A warning shown here would not be shown again by a run: a run must see
        # exactly what a fresh interpreter sees, so the client runs processes instead.
        raise SystemExit(f"decline: warnings while importing: {caught[0].message}")
    from django.conf import settings

    if settings.configured:
        raise SystemExit("decline: the preloaded modules configured Django's settings")
    return failed


def _run(request: dict) -> None:
    """Become `python manage.py ...` (in the forked process); never returns."""
    import tempfile

    for fd, path, mode in (
        (0, request["stdin"], os.O_RDONLY),
        (1, request["stdout"], os.O_WRONLY | os.O_TRUNC),
        (2, request["stderr"], os.O_WRONLY | os.O_TRUNC),
    ):
        opened = os.open(path, mode)
        os.dup2(opened, fd)
        os.close(opened)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # read TMPDIR again, as a new process does
    # As `python manage.py` runs a script: argv as given, __file__ and sys.path[0]
    # absolute, a fresh __main__ module.
    script = os.path.abspath(request["argv"][0])
    sys.argv = list(request["argv"])
    sys.path.insert(0, os.path.dirname(_link_target(script)))
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    main.__file__ = script
    main.__cached__ = None
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", script)
    sys.modules["__main__"] = main
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec")
    # SystemExit and uncaught exceptions end the interpreter as they would end
    # `python manage.py`: traceback on stderr, atexit handlers, flushed output.
    exec(code, main.__dict__)
    raise SystemExit(0)


def _handle(conn: socket.socket, listener: socket.socket) -> dict:
    """In a process forked per connection: fork the run, report its pid and exit code.

    Returns the request in the run's own process only; the handler always exits here.
    """
    try:
        with conn.makefile("rb") as stream:
            request = json.loads(stream.readline())
        pid = os.fork()
        if pid == 0:
            listener.close()
            conn.close()
            return request
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        conn.sendall(json.dumps({"returncode": code}).encode() + b"\n")
    except BaseException:  # the client went away: nothing to report to
        pass
    os._exit(0)


def _link_target(script: str) -> str:
    """The file a linked script leads to, as Python finds the script's folder for
    sys.path[0] (it follows the script's own links, not its folders')."""
    seen = 0
    while os.path.islink(script) and seen < 40:
        script = os.path.join(os.path.dirname(script), os.readlink(script))
        seen += 1
    return script


def main(path: str) -> None:
    # The tests folder is this script's sys.path[0]; a run must not import from it,
    # and gets its own folder there instead (see _run).
    del sys.path[0]
    failed = _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(8)
    print(json.dumps({"ready": True, "skipped": failed}), flush=True)
    # The test worker stops this server when it exits; should it die without doing
    # so, the server notices within seconds and ends too.
    parent = os.getppid()
    listener.settimeout(5)
    while os.getppid() == parent:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        pid = os.fork()
        if pid == 0:
            _run(_handle(conn, listener))
        conn.close()
        # Reap the handlers that have finished (each exits when its run has).
        while True:
            try:
                done, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if done == 0:
                break
    # Orphaned: remove the folder the worker would have removed (socket and log).
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1])
