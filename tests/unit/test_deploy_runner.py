"""The tests' `manage.py` runner: a run forked from the preloaded server must be what a
new `python manage.py` process is (deploy_runner.py). Each case runs the same
manage.py both ways and compares everything a test reads."""

from __future__ import annotations

import os
import subprocess

import deploy_runner
import pytest

pytestmark = pytest.mark.skipif(os.name == "nt", reason="runs are forked on POSIX only")

MANAGE_PY = r"""
import atexit, importlib.util, os, sys, tempfile
atexit.register(lambda: print("atexit ran", flush=True))
print("argv", sys.argv, __file__, __name__, __spec__, __cached__)
print("path0", sys.path[0] == os.getcwd(), os.path.basename(sys.path[0]))
print("path", sys.path[1:] == [p for p in sys.path[1:] if "project" not in p], len(sys.path))
print("cwd", os.path.basename(os.getcwd()))
print("tmp", tempfile.gettempdir())
print("env", os.environ.get("RUN_VALUE"), "DJANGO_SETTINGS_MODULE" in os.environ)
print("settings", __import__("django.conf").conf.settings.configured)
print("utf8", sys.flags.utf8_mode)
print("tests folder importable", importlib.util.find_spec("deploy_runner") is not None)
print("stdin", repr(sys.stdin.read()))
sys.stdout.write("crlf\r\nend\n")
print("to stderr", file=sys.stderr)
how = sys.argv[1]
if how == "raise":
    raise RuntimeError("uncaught")
if how == "signal":
    sys.stdout.flush()
    os.kill(os.getpid(), 15)
sys.exit(int(how))
"""


def _both(tmp_path, monkeypatch, how: str, env: dict[str, str]):
    folder = tmp_path / "project"
    folder.mkdir(exist_ok=True)
    (folder / "manage.py").write_text(MANAGE_PY, encoding="utf-8")
    results = []
    for fork in ("0", "1"):
        monkeypatch.setenv("SIMPLE_DEPLOY_TEST_FORK", fork)
        results.append(
            deploy_runner.run_manage_py([how], folder, {**env}, stdin="y\nmore", timeout=60)
        )
    return results


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return {**base, **extra}


@pytest.mark.parametrize("how", ["0", "3", "raise", "signal"])
def test_a_forked_run_gives_what_a_new_process_gives(tmp_path, monkeypatch, how):
    temp = tmp_path / "own-temp"
    temp.mkdir()
    process, forked = _both(tmp_path, monkeypatch, how, _env(RUN_VALUE="x", TMPDIR=str(temp)))

    assert forked.returncode == process.returncode
    assert forked.stdout == process.stdout
    assert f"tmp {temp}" in forked.stdout
    assert "tests folder importable False" in forked.stdout
    assert "stdin 'y\\nmore'" in forked.stdout
    assert "crlf\nend\n" in forked.stdout
    if how == "raise":
        assert process.returncode == 1
        assert "RuntimeError: uncaught" in forked.stderr
        assert forked.stderr.startswith("to stderr\nTraceback")
    else:
        assert forked.stderr == process.stderr == "to stderr\n"
    if how == "signal":
        assert forked.returncode == -15
        assert "atexit ran" not in forked.stdout
    else:
        assert forked.stdout.endswith("atexit ran\n")


def test_a_run_with_other_startup_variables_is_a_new_process(tmp_path, monkeypatch):
    # PYTHONUTF8 is read when the interpreter starts: a forked run could not honour it.
    flag = "0" if os.environ.get("PYTHONUTF8") == "1" else "1"
    process, forked = _both(tmp_path, monkeypatch, "0", _env(PYTHONUTF8=flag))

    assert forked.stdout == process.stdout
    assert f"utf8 {flag}" in forked.stdout


def test_a_run_past_its_timeout_is_killed(tmp_path, monkeypatch):
    folder = tmp_path / "slow"
    folder.mkdir()
    (folder / "manage.py").write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    monkeypatch.setenv("SIMPLE_DEPLOY_TEST_FORK", "1")

    with pytest.raises(subprocess.TimeoutExpired) as raised:
        deploy_runner.run_manage_py([], folder, _env(), stdin="", timeout=3)
    assert raised.value.stdout == b"started\n"


def test_a_linked_manage_py_imports_from_its_targets_folder(tmp_path, monkeypatch):
    """`python manage.py` through a link (a root manage.py -> app/manage.py): Python puts
    the link's target's folder first on sys.path, and __file__ stays the link's path."""
    folder = tmp_path / "project"
    (folder / "app").mkdir(parents=True)
    (folder / "app" / "manage.py").write_text(
        "import os, sys\nprint(sys.path[0], __file__)\n", encoding="utf-8"
    )
    (folder / "manage.py").symlink_to("app/manage.py")
    results = []
    for fork in ("0", "1"):
        monkeypatch.setenv("SIMPLE_DEPLOY_TEST_FORK", fork)
        results.append(deploy_runner.run_manage_py([], folder, _env(), stdin="", timeout=60))
    process, forked = results
    assert process.stdout == f"{folder / 'app'} {folder / 'manage.py'}\n", process.stderr
    assert forked.stdout == process.stdout, forked.stderr
