"""Rehearsal steps end: each has a limit, a command past it is stopped (its whole
process group) after its probe has looked, and the probe's rows read as sentences.
The database side runs end to end in tests/e2e/test_release_migrations.py."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from simple_deploy.rehearsal import processes
from simple_deploy.rehearsal.limits import STEP_LIMITS, LimitError, StepClock, parse_limits
from simple_deploy.rehearsal.locks import PROBE_SCRIPT, PROBE_URL_VAR, describe, probe_url
from simple_deploy.rehearsal.report import StepTimedOut


def test_limits_are_stated_generous_for_install_and_short_for_the_app():
    assert STEP_LIMITS["install"] >= 900 and STEP_LIMITS["build"] >= 600
    for step in ("release", "check --deploy", "migrations", "web", "pages"):
        assert STEP_LIMITS[step] <= 180, step


def test_parse_limits_reads_step_equals_seconds():
    assert parse_limits(["release=20", "check --deploy=5.5"]) == {
        "release": 20.0,
        "check --deploy": 5.5,
    }
    assert parse_limits(None) == {}


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("release", "give STEP=SECONDS, where STEP is one of: copy, environment, install"),
        ("relase=20", "give STEP=SECONDS"),
        ("release=soon", "SECONDS must be a number above 0"),
        ("release=0", "SECONDS must be a number above 0"),
        ("release=-5", "(e.g. --rehearse-limit release=180)"),
    ],
)
def test_parse_limits_refuses_bad_input_with_the_fix(item, says):
    with pytest.raises(LimitError) as error:
        parse_limits([item])
    assert says in str(error.value)
    assert repr(item) in str(error.value)


def test_clock_bounds_each_command_by_the_steps_time_left():
    now = [100.0]
    clock = StepClock(cap=50, clock=lambda: now[0])
    clock.start("release", 180)
    assert clock.remaining() == 50  # one command never runs longer than the cap
    now[0] += 170
    assert clock.remaining() == pytest.approx(10)
    assert not clock.expired()
    now[0] += 20
    assert clock.expired()
    assert clock.remaining() == 0.1  # the next command starts, and times out at once


def test_clock_diagnoses_with_a_limit_of_its_own_and_never_raises():
    now = [0.0]
    clock = StepClock(clock=lambda: now[0])
    seen = []

    def probe():
        seen.append(clock.remaining())
        assert clock.diagnose() == ""  # a probe's own timeout does not probe again
        raise RuntimeError("server gone")

    clock.start("release", 10, probe)
    now[0] = 11
    assert "could not ask PostgreSQL" in clock.diagnose()
    assert "server gone" in clock.diagnose()
    assert seen[0] == 20.0  # the probe's own limit, though the step's has run out
    assert clock.expired()  # and the step's limit is back


# A command with a child of its own, both sleeping; the child's pid goes to a file.
SLEEPER = """
import pathlib, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
pathlib.Path(sys.argv[1]).write_text(str(child.pid))
print("started", flush=True)
time.sleep(60)
"""


def test_a_timed_out_command_returns_at_once_with_its_children_stopped(tmp_path):
    """The sleeper's child holds the output pipe for 60 s: the run returns within its
    limit only if that child was stopped too (on Windows, through the job object)."""
    argv = [sys.executable, "-c", SLEEPER, str(tmp_path / "child.pid")]
    started = time.monotonic()
    with pytest.raises(StepTimedOut):
        processes.run(argv, cwd=tmp_path, env=dict(os.environ), timeout=3)
    assert time.monotonic() - started < 15


# Wine maps Linux's root as a drive, so /proc "exists" there too: ask for Linux itself.
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
def test_a_command_past_its_time_is_probed_alive_then_stopped_with_its_children(tmp_path):
    pid_file = tmp_path / "child.pid"
    probed = []

    def child_alive() -> bool:
        """Running (a zombie, waiting for a reaper, has ended)."""
        if not pid_file.exists():
            return False
        try:
            stat = Path(f"/proc/{pid_file.read_text()}/stat").read_text()
        except OSError:
            return False
        return stat.rpartition(")")[2].split()[0] != "Z"

    def on_timeout():
        probed.append(child_alive())  # still running while the probe looks
        return "what it waited for"

    argv = [sys.executable, "-c", SLEEPER, str(pid_file)]
    started = time.monotonic()
    with pytest.raises(StepTimedOut) as error:
        processes.run(argv, cwd=tmp_path, env=dict(os.environ), timeout=3, on_timeout=on_timeout)
    assert time.monotonic() - started < 15
    assert probed == [True]
    timed_out = error.value
    assert timed_out.cause == "what it waited for"
    assert timed_out.output == "started"
    assert "was still running after 3 s and was stopped." in str(timed_out)
    # Its child went with it (the whole process group).
    deadline = time.monotonic() + 5
    while child_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not child_alive()


def test_probe_url_is_libpqs_for_postgresql_only():
    assert probe_url("postgres://u:p@h:5432/d") == "postgresql://u:p@h:5432/d"
    assert probe_url("pgsql://u@h/d") == "postgresql://u@h/d"
    assert probe_url("sqlite:////tmp/db.sqlite3") is None
    # The URL reaches the probe in a variable, never on its command line.
    assert PROBE_URL_VAR in PROBE_SCRIPT and "postgres" not in PROBE_SCRIPT.split("import")[0]


def _row(pid, state, kind, event, seconds, blockers, query) -> str:
    import json

    return "SIMPLE_DEPLOY_PG_ACTIVITY=" + json.dumps(
        [pid, state, kind, event, seconds, blockers, query]
    )


def test_describe_names_the_lock_wait_and_the_idle_holder():
    output = "\n".join(
        [
            _row(9413, "idle in transaction", "Client", "ClientRead", 58, [], "ALTER TABLE t"),
            _row(9424, "active", "Lock", "relation", 57, [9413], 'SELECT "t"."id" FROM "t"'),
        ]
    )
    text = describe(0, output)
    assert text.splitlines()[1] == (
        "  lock wait: pid 9424 (active for 57 s) waits for a relation lock held by pid 9413: "
        'SELECT "t"."id" FROM "t"'
    )
    assert (
        "  pid 9413: idle in transaction for 58 s, waiting on Client ClientRead: ALTER TABLE t"
        in text
    )
    assert "migrate on one connection" in text


def test_describe_without_lock_waits_or_connections():
    busy = describe(0, _row(1, "active", "", "", 3, [], "SELECT pg_sleep(60)"))
    assert "  pid 1: active for 3 s: SELECT pg_sleep(60)" in busy
    assert busy.endswith("No connection waits for a lock.")
    assert "no other connection" in describe(0, "")
    assert describe(1, "Traceback ...\nOperationalError: refused") == (
        "(could not ask PostgreSQL what it waits for: OperationalError: refused)"
    )
