"""How a process's Procfile assignments reach platforms that run its command with a
shell (Upsun and Platform.sh `start:`) and without one (Fly.io's [processes])."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from simple_deploy.service_config import exec_argv, shell_line
from simple_deploy.services import ServiceProcess

WORKER = ServiceProcess(
    "worker",
    "worker",
    ("celery", "-A", "proj", "worker"),
    "Procfile",
    (("REMAP_SIGTERM", "SIGQUIT"), ("GREETING", "hello world")),
)


def test_the_shell_line_keeps_each_assignment_an_assignment():
    assert (
        shell_line(WORKER) == "REMAP_SIGTERM=SIGQUIT GREETING='hello world' celery -A proj worker"
    )


def test_without_a_shell_env_sets_the_assignments():
    assert exec_argv(WORKER) == (
        "env",
        "REMAP_SIGTERM=SIGQUIT",
        "GREETING=hello world",
        "celery",
        "-A",
        "proj",
        "worker",
    )
    plain = ServiceProcess("beat", "scheduler", ("celery", "beat"), "Procfile")
    assert exec_argv(plain) == ("celery", "beat")


@pytest.mark.skipif(sys.platform == "win32", reason="the platforms' shells are POSIX")
@pytest.mark.needs_programs
def test_a_posix_shell_and_env_give_the_program_the_same_environment():
    probe = ("python3", "-c", "import os; print(os.environ['GREETING'])")
    process = ServiceProcess("w", "worker", probe, "Procfile", WORKER.env)
    by_shell = subprocess.run(["sh", "-c", shell_line(process)], capture_output=True, text=True)
    by_env = subprocess.run(list(exec_argv(process)), capture_output=True, text=True)
    assert by_shell.stdout == by_env.stdout == "hello world\n"
    assert shlex.split(shell_line(process))[0] == "REMAP_SIGTERM=SIGQUIT"
