"""CLI processes: no hidden prompt waits on the user, a timeout says so, no hang on a child.

Real programs (small Python scripts) stand in for a platform CLI that prompts,
sleeps, or exits while a background child keeps its output open.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from simple_deploy.log import RunLog
from simple_deploy.runner import CommandFailed, Runner


def cli(folder: Path, name: str, code: str) -> str:
    """A program running Python `code`: a script with a shebang line on POSIX, and on
    Windows a `.cmd` wrapper (as heroku.cmd runs node), so cmd.exe starts Python."""
    if os.name == "nt":
        script = folder / f"{name}.py"
        script.write_text(f"{code}\n", encoding="utf-8")
        path = folder / f"{name}.cmd"
        path.write_text(f'@"{sys.executable}" "{script}" %*\r\n', encoding="utf-8")
        return str(path)
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{code}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


PROMPTS = {
    "input()": "x = input('Re-enter your password: ')\nprint('got', x)",
    "sys.stdin.read()": "import sys\ndata = sys.stdin.read()\nprint('read', len(data))",
    "a confirmation": "ok = input('Destroy the app? [y/N] ')\nprint('answer', repr(ok))",
    "/dev/tty": "open('/dev/tty').readline()\nprint('tty answered')",
    "getpass": "import getpass\nprint(getpass.getpass('Password: '))",
}


@pytest.mark.parametrize("label", PROMPTS)
def test_a_hidden_prompt_reads_end_of_file_instead_of_waiting(tmp_path, label, cases):
    if label == "getpass" and os.name == "nt":
        # Windows' getpass reads the console itself (msvcrt), not stdin, and without a
        # console it loops: only the run's timeout stops it (tested below).
        pytest.skip("getpass reads the Windows console, which a closed stdin does not close")
    cases.tried(label)
    tool = cli(tmp_path, "prompting", PROMPTS[label])
    started = time.monotonic()
    result = Runner().run([tool], check=False, timeout=20)
    assert time.monotonic() - started < 15, "the prompt waited"
    # Either the prompt failed (EOF, no terminal) or it read an empty answer at once.
    assert (
        result.returncode != 0
        or "got" in result.stdout
        or "read 0" in result.stdout
        or ("answer ''" in result.stdout)
    ), result.output


def test_input_given_on_purpose_arrives_through_a_private_file(tmp_path, cases):
    cases.tried("input_text")
    tool = cli(tmp_path, "reader", "import sys\nprint(sys.stdin.read().strip())")
    assert Runner().run([tool], input_text="SECRET_KEY=abc\n").stdout.strip() == "SECRET_KEY=abc"


def test_a_timeout_says_it_timed_out_and_names_the_command(tmp_path, cases):
    cases.tried("sleep past the timeout")
    tool = cli(tmp_path, "slow", "import time\ntime.sleep(60)")
    started = time.monotonic()
    with pytest.raises(CommandFailed) as failed:
        Runner().run([tool, "apps:create", "my-blog"], timeout=1)
    assert time.monotonic() - started < 20
    message = str(failed.value)
    # The program as given (on Windows `slow.cmd`, quoted), then its arguments.
    assert "timed out" in message and Path(tool).stem in message, message
    assert " apps:create my-blog` timed out" in message, message


def test_a_cli_that_exits_while_its_child_holds_the_output_does_not_hang(tmp_path, cases):
    cases.tried("background child keeps stdout open")
    tool = cli(
        tmp_path,
        "spawner",
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
        "print('done')",
    )
    started = time.monotonic()
    result = Runner().run([tool], timeout=25)
    assert time.monotonic() - started < 10, "the run waited for the child"
    assert result.stdout.strip() == "done"


def test_a_timed_out_cli_leaves_no_child_running(tmp_path, cases):
    # A CLI is often a wrapper (heroku.cmd runs node) whose real work is a child:
    # when the run gives up, that child and its own children must stop too.
    cases.tried("children of a timed-out CLI are stopped")
    beats = tmp_path / "heartbeats"
    child = cli(
        tmp_path,
        "child",
        f"import time\nwhile True:\n    open({str(beats)!r}, 'a').write('.')\n    time.sleep(0.1)",
    )
    tool = cli(
        tmp_path,
        "parent",
        f"import subprocess, time\nsubprocess.Popen([{child!r}])\ntime.sleep(60)",
    )
    # Long enough for the grandchild to start (Python under Wine takes seconds).
    timeout = 15 if os.name == "nt" else 3
    with pytest.raises(CommandFailed, match="timed out"):
        Runner().run([tool], timeout=timeout)
    assert beats.exists(), "the child never started: the test proves nothing"
    time.sleep(1)
    size = beats.stat().st_size
    time.sleep(2)
    assert beats.stat().st_size == size, "a child of the timed-out command kept running"


ECHOES = {
    "heroku config:set": (
        ["config:set", "SECRET_KEY={v}", "MY_SETTING={v2}", "-a", "my-blog"],
        "Setting SECRET_KEY, MY_SETTING and restarting my-blog... done, v5\n"
        "SECRET_KEY: {v}\nMY_SETTING: {v2}",
    ),
    "config listing as JSON": (["config", "--json"], '{{"ANYTHING": "{v}", "OTHER": "{v2}"}}'),
    "a failing config:set": (["config:set", "A={v}", "B={v2}"], "Error: could not set {v} {v2}"),
}


@pytest.mark.parametrize("label", ECHOES)
def test_config_values_echoed_by_a_cli_reach_neither_log_nor_message(tmp_path, label, cases):
    """Whatever the config var's name, its value stays out of the log and the messages."""
    cases.tried(label)
    value, other = "v4lue-without-a-secret-looking-name", "pl41n-value-2"
    argv, printed = ECHOES[label]
    argv = [a.format(v=value, v2=other) for a in argv]
    fails = label.startswith("a failing")
    tool = cli(
        tmp_path,
        "heroku",
        f"import sys\nprint({printed.format(v=value, v2=other)!r})\nsys.exit({int(fails)})",
    )
    log = RunLog()
    message = ""
    try:
        Runner(log=log, path=str(tmp_path)).run(["heroku", *argv])
    except CommandFailed as exc:
        message = str(exc) + exc.output
    assert tool
    cases.no_secret([value, other], "\n".join(log.lines), message)
