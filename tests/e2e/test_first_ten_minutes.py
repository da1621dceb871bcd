"""A new user's first ten minutes, typed into a real terminal (tmux) key by key:
make a project, install this tool, add the app, dry run, run, commit, rehearse.

The transcript is kept in the test's folder (printed on failure); the summary a
run prints is measured in lines, since a summary nobody reads teaches nothing.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
import sample_projects

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

REPO = Path(__file__).resolve().parents[2]
TMUX = shutil.which("tmux")


class Terminal:
    """A bash in a detached tmux session; `type` sends keys and waits for the prompt."""

    def __init__(self, name: str, cwd: Path, env: dict[str, str]):
        self.name = name
        self.done = 0
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
        self._tmux("send-keys", "-t", self.name, "-l", line)
        self._tmux("send-keys", "-t", self.name, "Enter")
        return self._wait_prompt(timeout)

    def close(self) -> None:
        import subprocess

        subprocess.run([TMUX, "kill-session", "-t", self.name], check=False)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (scripts/test installs it)")
@pytest.mark.parametrize("platform", ["heroku", "fly_io", "platform_sh"])
def test_first_ten_minutes(tmp_path, database_url, platform):
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
    project = tmp_path / "blog-site"
    project.mkdir()
    term = Terminal(f"first-ten-{platform}-{os.getpid()}", project, env)
    transcript = tmp_path / "transcript.txt"
    settings = "blog/settings.py"
    try:
        steps = [
            f"{sys.executable} -m venv .venv && . .venv/bin/activate",
            "pip install -q 'django~=5.2.0' && django-admin startproject blog .",
            # Django's tutorial has no .gitignore; most users write this one early.
            "printf '.venv/\\n__pycache__/\\ndb.sqlite3\\n' > .gitignore",
            "pip freeze > requirements.txt && git init -q -b main && git add -A "
            "&& git commit -qm 'My blog'",
            f"pip install -q {REPO}",
            # What the docs say: add "simple_deploy" to INSTALLED_APPS (an editor, here sed).
            f"sed -i \"s/'django.contrib.staticfiles',/&\\n    'simple_deploy',/\" {settings} "
            "&& git commit -qam 'Add simple_deploy'",
            f"python manage.py deploy --platform {platform} --dry-run | tail -3",
            f"python manage.py deploy --platform {platform} | tee ../run.txt",
            "git add -A && git commit -qm 'Configure for deployment'",
            f"python manage.py deploy --platform {platform} --rehearse "
            f"--database-url {database_url}",
        ]
        for line in steps:
            status = term.type(line)
            assert status == "0", f"`{line}` exited {status}:\n{term.screen()}"
        screen = term.screen()
        transcript.write_text(screen, encoding="utf-8")
        assert "Dry run:" in screen and "nothing written" in screen
        assert "configured this project for" in screen
        assert "Rehearsal passed." in screen
        summary = (tmp_path / "run.txt").read_text(encoding="utf-8")
        print(f"{platform}: the summary is {len(summary.splitlines())} lines")
        assert len(summary.splitlines()) <= 45, summary
    finally:
        if not transcript.exists():
            transcript.write_text(term.screen(), encoding="utf-8")
        term.close()
