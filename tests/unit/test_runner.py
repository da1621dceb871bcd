"""The runner finds programs as Windows does and reads their output as UTF-8."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from simple_deploy import runner as runner_module
from simple_deploy.runner import Runner, ToolMissing

PATHEXT = ".COM;.EXE;.BAT;.CMD"


IS_WINDOWS = os.name == "nt"


def _cli(folder: Path, name: str, code: str) -> Path:
    """A program running Python `code` (no double quotes): `name.cmd` on Windows."""
    folder.mkdir(parents=True, exist_ok=True)
    if IS_WINDOWS:
        path = folder / (name if name.endswith(".cmd") else name + ".cmd")
        path.write_text(f'@"{sys.executable}" -c "{code}" %*\r\n', encoding="utf-8")
        return path
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{code}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _windows_which(cmd: str, mode: int = os.F_OK | os.X_OK, path: str | None = None):
    """shutil.which as on Windows: a bare name also matches name + each PATHEXT suffix."""
    for folder in (path or "").split(os.pathsep):
        for suffix in ("", *PATHEXT.lower().split(";")):
            candidate = Path(folder) / (cmd + suffix)
            if candidate.is_file():
                return str(candidate)
    return None


def test_heroku_cmd_is_found_for_heroku_and_run_by_its_full_path(tmp_path, monkeypatch):
    # Only heroku.cmd exists, as the Heroku CLI installer leaves it on Windows;
    # CreateProcess would not find it from the bare name "heroku".
    folder = tmp_path / "Program Files" / "Heroku CLï" / "bin"
    _cli(folder, "heroku.cmd", "import sys; print('heroku/9.0 ' + ' '.join(sys.argv[1:]))")
    if not IS_WINDOWS:  # elsewhere, resolve as Windows would
        monkeypatch.setattr(runner_module.shutil, "which", _windows_which)

    result = Runner(path=str(folder)).run(["heroku", "--version"])

    assert result.stdout.strip() == "heroku/9.0 --version"


def test_command_is_found_on_the_path_of_its_own_environment(tmp_path):
    fakes = _cli(tmp_path / "fakes", "fly", "print('fly v0.3')").parent
    env = dict(os.environ, PATH=os.pathsep.join([str(fakes), os.environ.get("PATH", "")]))
    assert Runner().run(["fly", "version"], env=env).stdout.strip() == "fly v0.3"


def test_missing_program_says_so():
    with pytest.raises(ToolMissing, match="`no-such-cli-here` was not found on PATH"):
        Runner().run(["no-such-cli-here", "--version"])


def test_output_is_utf8_with_replacement_whatever_the_console_code_page(tmp_path):
    # Windows consoles default to a legacy code page; CLIs print UTF-8 and,
    # sometimes, stray bytes. Neither may crash the run.
    tool = _cli(tmp_path, "tool", "import sys; sys.stdout.buffer.write(b'caf\\xc3\\xa9 \\xff\\n')")
    result = Runner().run([str(tool)])
    assert result.stdout == "café \ufffd\n"
