"""A new user's first ten minutes, typed into a real terminal (tmux) key by key:
a bare `startproject` (no dependency file), then the README's "Install and use"
steps exactly as written: install this tool, add the app, dry run, run, commit,
rehearse (Upsun without --database-url). Platform.sh runs the same README lines
with its name, the same throwaway PostgreSQL as Upsun, and its configuration is
rehearsed in test_platform_sh_rehearsal.py: its cell here would repeat both.

The commands come from README.md itself, so the README cannot drift from what
works. The transcript, with each command's time, is kept in the test's folder and
printed; the summary a run prints is measured in lines, since a summary nobody
reads teaches nothing.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sample_projects

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
TMUX = shutil.which("tmux")
PLACEHOLDER = "<path of a clone of this repository>"


class Terminal:
    """A bash in a detached tmux session; `type` sends keys and waits for the prompt."""

    def __init__(self, name: str, cwd: Path, env: dict[str, str]):
        self.name = name
        self.done = 0
        self.timings: list[tuple[str, float, str]] = []
        rc = Path(cwd).parent / ".bashrc-test"
        # The prompt prints the last exit status: how the test knows a command ended.
        rc.write_text(
            "set -o pipefail\nPROMPT_COMMAND='echo \"[exit $?]\"'\nPS1='$ '\n", encoding="utf-8"
        )
        self._tmux(
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "220",
            "-y",
            "50",
            "-c",
            str(cwd),
            "env",
            *[f"{k}={v}" for k, v in env.items()],
            "bash",
            "--noprofile",
            "--rcfile",
            str(rc),
            "-i",
        )
        self._tmux("set-option", "-t", name, "history-limit", "50000")
        self._wait_prompt(30)

    def _tmux(self, *args: str) -> str:
        import subprocess

        return subprocess.run([TMUX, *args], capture_output=True, text=True, check=True).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-J", "-t", self.name, "-S", "-", "-E", "-")

    def _wait_prompt(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if text.count("[exit ") > self.done:
                self.done = text.count("[exit ")
                return text.rsplit("[exit ", 1)[1].split("]", 1)[0]
            time.sleep(0.2)  # a capture is a few ms; most commands end within a second
        raise AssertionError(f"no prompt after {timeout} s:\n{self.screen()}")

    def type(self, line: str, timeout: float = 600) -> str:
        """Type a line and Enter, as a person does; return the command's exit status."""
        start = time.monotonic()
        self._tmux("send-keys", "-t", self.name, "-l", line)
        self._tmux("send-keys", "-t", self.name, "Enter")
        status = self._wait_prompt(timeout)
        self.timings.append((line, time.monotonic() - start, status))
        return status

    def start(self, line: str) -> None:
        """Type a line and Enter without waiting for it to end."""
        self._tmux("send-keys", "-t", self.name, "-l", line)
        self._tmux("send-keys", "-t", self.name, "Enter")

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not shown after {timeout} s:\n{self.screen()}")

    def interrupt(self) -> str:
        """Ctrl-C, as a person presses it; the interrupted command's exit status."""
        self._tmux("send-keys", "-t", self.name, "C-c")
        return self._wait_prompt(120)

    def close(self) -> None:
        import subprocess

        subprocess.run([TMUX, "kill-session", "-t", self.name], check=False)


def _newest_python() -> str:
    """What a new user has: the newest Python 3.12+ here (Django 6 needs it), as
    scripts/test finds it for the Django 6 session; else this interpreter."""
    names = ["python3.14", "python3.13", "python3.12"]
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = [shutil.which(n) for n in names] + sorted(
        glob.glob(f"{pyenv}/versions/3.1[2-9]*/bin/python"), reverse=True
    )
    for path in filter(None, found):
        check = [path, "-c", "import sys; sys.exit(sys.version_info < (3, 12))"]
        if subprocess.run(check, capture_output=True).returncode == 0:
            return path
    return sys.executable


def readme_steps(platform: str) -> list[str]:
    """The commands of README's "Install and use", as a user copies them: comments
    dropped, the clone's path and the platform filled in. --automate-all needs an
    account on the platform; its own tests drive it."""
    section = README.read_text(encoding="utf-8").split("## Install and use", 1)[1]
    section = section.split("\n## ", 1)[0]
    steps = []
    for raw in section.splitlines():
        line = re.sub(r"\s+#.*$", "", raw.strip())
        if not line.startswith(("pip install ", "git ", "python manage.py ")):
            continue
        if "--automate-all" in line:
            continue
        steps.append(line.replace(PLACEHOLDER, str(REPO)).replace("heroku", platform))
    return steps


def _add_app(settings: str, quote: str) -> str:
    """What the README asks, done with an editor (here sed): the app after staticfiles."""
    app = f"{quote}simple_deploy{quote},".replace('"', '\\"')  # typed inside double quotes
    return f"sed -i \"s/'django.contrib.staticfiles',/&\\n    {app}/\" {settings}"


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (scripts/test installs it)")
@pytest.mark.parametrize("platform", ["heroku", "fly_io", "upsun"])
def test_first_ten_minutes(tmp_path, platform):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "PATH": os.environ["PATH"],
        "PIP_CACHE_DIR": str(sample_projects.cache_root() / "pip"),
        "GIT_AUTHOR_NAME": "New User",
        "GIT_AUTHOR_EMAIL": "new@example.com",
        "GIT_COMMITTER_NAME": "New User",
        "GIT_COMMITTER_EMAIL": "new@example.com",
        "TERM": "xterm",
    }
    python = _newest_python()
    newer = python != sys.executable
    django = "django~=6.1.0" if newer else "django~=5.2.0"
    project = tmp_path / "blog-site"
    project.mkdir()
    term = Terminal(f"first-ten-{platform}-{os.getpid()}", project, env)
    transcript = tmp_path / "transcript.txt"
    settings = "blog/settings.py"
    # Both quote styles the README shows: startproject's single quotes, and double.
    quote = '"' if platform == "upsun" else "'"
    steps = readme_steps(platform)
    assert [s.split()[:2] for s in steps] == [
        ["pip", "install"],
        ["git", "commit"],
        ["python", "manage.py"],
        ["python", "manage.py"],
        ["git", "add"],
        ["python", "manage.py"],
    ], steps
    try:
        # The user's own first minutes: no requirements file, as startproject leaves it.
        own = [
            f"{python} -m venv .venv && . .venv/bin/activate",
            f"pip install -q '{django}' && django-admin startproject blog .",
            # Django's tutorial has no .gitignore; most users write this one early.
            "printf '.venv/\\n__pycache__/\\ndb.sqlite3\\n' > .gitignore",
            "git init -q -b main && git add -A && git commit -qm 'My blog'",
        ]
        for line in own:
            status = term.type(line)
            assert status == "0", f"`{line}` exited {status}:\n{term.screen()}"
        configured_at = None
        for line in steps:
            if line.startswith("git commit -am"):
                status = term.type(_add_app(settings, quote))
                assert status == "0", term.screen()
            if line.endswith(f"--platform {platform}"):
                configured_at = len(term.screen().splitlines())
            status = term.type(line)
            assert status == "0", f"`{line}` exited {status}:\n{term.screen()}"
            if line.endswith(f"--platform {platform}"):
                summary = term.screen().splitlines()[configured_at:]
        screen = term.screen()
        assert "Dry run:" in screen and "nothing written" in screen
        assert "+++ b/requirements.txt" in screen
        assert "No dependency file existed, so requirements.txt is created" in " ".join(
            screen.split()
        )
        assert "configured this project for" in screen
        assert "Rehearsal passed." in screen
        requirements = (project / "requirements.txt").read_text(encoding="utf-8")
        assert requirements.startswith("Django==") and "simple" not in requirements.lower()
        if platform == "upsun":
            assert "Database: a throwaway PostgreSQL" in screen
        work = re.search(r"copied commit \w+ to (\S+)/app", screen)
        assert work and not Path(work.group(1)).exists(), "the rehearsal's folder was left"
        print(f"{platform}: the summary is {len(summary)} lines")
        assert len(summary) <= 50, "\n".join(summary)
    finally:
        timings = "\n".join(
            f"{seconds:6.1f} s  [exit {status}]  {line}" for line, seconds, status in term.timings
        )
        transcript.write_text(f"{term.screen()}\n--- timings\n{timings}\n", encoding="utf-8")
        print(transcript.read_text(encoding="utf-8"))
        term.close()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (scripts/test installs it)")
def test_ctrl_c_during_a_rehearsal_stops_and_removes_its_postgresql(sample_project, tmp_path):
    from project_files import deploy, git

    from simple_deploy.rehearsal.postgres import find_programs

    if find_programs() is None:
        pytest.skip("PostgreSQL's server programs are not installed")
    root = sample_project("requirements_txt", "flat")
    assert deploy(root, "upsun").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Upsun")
    env = {"HOME": str(tmp_path), "PATH": os.environ["PATH"], "TERM": "xterm"}
    term = Terminal(f"ctrl-c-{os.getpid()}", root, env)
    area = None
    try:
        term.start(f"{sys.executable} manage.py deploy --platform upsun --rehearse")
        screen = term.wait_for("[pass] copy", 120)
        port = int(re.search(r"on 127\.0\.0\.1:(\d+)", screen).group(1))
        area = Path(re.search(r"copied commit \w+ to (\S+)/work/app", screen).group(1))
        assert _listening(port) and (area / "postgres").is_dir()
        status = term.interrupt()  # during the install
        assert status != "0"
        assert not _listening(port), "the throwaway server still listens"
        assert not (area / "postgres").exists(), "the server's cluster was left"
        processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
        assert str(area / "postgres") not in processes, processes
        # The work folder beside it goes too once the interrupted step's own process is
        # stopped with it (the rehearsal steps' Ctrl-C handling, issue 26); until then
        # this test waits for that process and removes what it left.
    finally:
        print(term.screen())
        term.close()
        if area is not None:
            _remove_when_unused(area)


def _remove_when_unused(folder: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
        if str(folder) not in ps:
            break
        time.sleep(0.5)
    shutil.rmtree(folder, ignore_errors=True)
