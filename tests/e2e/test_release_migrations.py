"""Release steps that migrate a real project's way, on every platform, and rehearsal
steps that must end: a sample project whose migration drops a column and then runs a
data migration querying the model through its default manager (the shape that
deadlocked Fly.io's two-connection release), a migration slower than the release
step's limit, a project still configured the old two-connection way, and Ctrl-C
in the middle of a release."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from project_files import GIT_IDENTITY, deploy, git, manage_dir
from project_shapes import add_data_migration_app
from rehearsals import IMAGE_STEPS, STEPS

from simple_deploy.package_managers import get
from simple_deploy.platforms.fly_io import plugin as fly_io
from simple_deploy.project import inspect
from simple_deploy.rehearsal import rehearse

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

# An engine address where nothing listens: Fly.io's rehearsal replays the image's
# steps in a virtual environment.
NO_ENGINE = {"DOCKER_CONTEXT": ""}


def _no_engine(root: Path) -> dict[str, str]:
    return {**NO_ENGINE, "DOCKER_HOST": f"unix://{root / 'no-engine.sock'}"}


def _timer_project(sample_project, *, sleep: int = 0) -> Path:
    root = sample_project("requirements_txt", "flat")
    folder = manage_dir(root)
    add_data_migration_app(folder, folder / "blog" / "settings.py", sleep=sleep)
    return root


def _configure(root: Path, platform: str) -> None:
    configured = deploy(root, platform)
    assert configured.returncode == 0, configured.stderr + configured.stdout
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"Configure for {platform}")


def _psql(database_url: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", database_url, "-Atc", sql], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def _assert_timers_migrated(database_url: str) -> None:
    """Both of core's migrations ran, and the column is gone."""
    assert _psql(database_url, "select count(*) from django_migrations where app = 'core'") == "2"
    columns = _psql(
        database_url,
        "select string_agg(column_name, ',' order by column_name) from "
        "information_schema.columns where table_name = 'core_timer'",
    )
    assert columns == "id,start"


def _step_seconds(out: str, step: str) -> float:
    found = re.search(rf"\[(?:pass|FAIL)\] {re.escape(step)} \(([\d.]+) s\)", out)
    assert found, out
    return float(found.group(1))


def _rehearse(root: Path, platform: str, database_url: str, *args: str, env=None):
    result = deploy(
        root, platform, "--rehearse", "--database-url", database_url, *args, env=env or {}
    )
    return result, result.stdout + result.stderr


# Upsun runs Platform.sh's deploy hook (platform_sh.plugin.runtime): one of the two is enough.
@pytest.mark.parametrize("platform", ["fly_io", "heroku", "upsun"])
def test_data_migration_after_a_dropped_column_passes_the_release(
    sample_project, database_url, platform
):
    root = _timer_project(sample_project)
    _configure(root, platform)
    # A short release limit: a deadlock fails within it instead of hanging the test.
    result, out = _rehearse(
        root, platform, database_url, "--rehearse-limit", "release=60", env=_no_engine(root)
    )
    assert result.returncode == 0, out
    for step in STEPS:
        assert f"[pass] {step} (" in out, out
    _assert_timers_migrated(database_url)


@pytest.mark.xdist_group("docker")
def test_data_migration_passes_the_release_in_fly_io_image(
    sample_project, database_url, docker_host
):
    root = _timer_project(sample_project)
    _configure(root, "fly_io")
    result, out = _rehearse(root, "fly_io", database_url, "--rehearse-limit", "release=60")
    assert result.returncode == 0, out
    assert "Building and running the image with the container engine" in out
    for step in IMAGE_STEPS:
        assert f"[pass] {step} (" in out, out
    _assert_timers_migrated(database_url)


# What django-simple-deploy wrote for Fly.io before migrations ran on one connection.
_TWO_ALIASES = """
if _fly_app_name:
    DATABASES["direct"] = dj_database_url.parse(
        _os.environ.get("DIRECT_DATABASE_URL") or _os.environ["DATABASE_URL"]
    )
"""


def test_two_connection_release_fails_within_its_limit_naming_the_lock(
    sample_project, database_url
):
    """The Fly.io release as it was: `migrate --database direct`, a second alias."""
    root = _timer_project(sample_project)
    _configure(root, "fly_io")
    with open(root / "blog" / "settings.py", "a", encoding="utf-8") as settings:
        settings.write(_TWO_ALIASES)
    git(root, "commit", "-qam", "Migrate through a second alias, as before")
    # The rehearsal replays the runtime the plugin declares (not fly.toml's text), so
    # the old release command is given to it here.
    project = inspect(root)
    runtime = fly_io.runtime(project)
    release = runtime.release[0]
    old = replace(release, argv=(*release.argv, "--database", "direct"))
    manager = replace(get(project.package_manager), install_steps=project.deps.install_steps)
    report = rehearse(
        project.git_root,
        project.manage_dir_rel,
        manager,
        replace(runtime, release=(old,)),
        database_url=database_url,
        limits={"release": 15},
    )
    failed = report.failed
    assert failed is not None and failed.name == "release", report
    out = failed.detail
    # Within the limit, plus the time to ask PostgreSQL and stop the command.
    assert failed.seconds < 15 + 20, failed
    assert "The release step is limited to 15 s" in out
    assert "migrate --noinput --database direct, which was stopped." in out
    # The lock wait as PostgreSQL reports it: the data migration's query waits for the
    # migration's own connection, idle in its transaction after dropping the column.
    assert re.search(r"lock wait: pid \d+ \(active for \d+ s\) waits for a relation lock", out)
    assert 'FROM "core_timer"' in out
    assert re.search(r"pid \d+: idle in transaction for \d+ s, waiting on Client ClientRead", out)
    assert 'DROP COLUMN "end"' in out
    assert "migrate on one connection" in out
    assert "--rehearse-limit release=SECONDS" in out
    # Nothing of the rehearsal's is left connected (the stuck command was stopped).
    assert _connections(database_url) == 0


def _connections(database_url: str) -> int:
    """Other connections to the test's database, once they had a moment to go."""
    name = database_url.rsplit("/", 1)[1]
    sql = (
        "select count(*) from pg_stat_activity "
        f"where datname = '{name}' and pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + 10
    while True:
        count = int(_psql(database_url, sql))
        if count == 0 or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def test_migration_slower_than_the_limit_fails_the_release_naming_it(sample_project, database_url):
    root = _timer_project(sample_project, sleep=600)
    _configure(root, "heroku")
    result, out = _rehearse(root, "heroku", database_url, "--rehearse-limit", "release=8")
    assert result.returncode == 1, out
    assert "[FAIL] release (" in out, out
    assert _step_seconds(out, "release") < 8 + 20, out
    assert "The release step is limited to 8 s and its time ran out while it ran" in out
    assert "manage.py migrate --noinput, which was stopped." in out
    # Asked PostgreSQL: the migration is in its transaction, nothing waits for a lock.
    assert "What PostgreSQL reports (pg_stat_activity)" in out
    assert "No connection waits for a lock." in out
    assert "--rehearse-limit release=SECONDS" in out
    assert "[pass] check --deploy" not in out
    assert _connections(database_url) == 0


def _running(pid: int) -> bool:
    """The process runs (a zombie waiting for its reaper has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _processes_under(folder: Path) -> dict[int, str]:
    """Processes whose working folder or command line is inside `folder` (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cwd.startswith(str(folder)) or str(folder) in cmdline:
            found[int(entry.name)] = cmdline
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs Linux's /proc")
def test_ctrl_c_stops_every_process_and_removes_the_folder(sample_project, database_url, tmp_path):
    root = _timer_project(sample_project, sleep=600)
    _configure(root, "heroku")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # PYTHONFAULTHANDLER: if it ever fails to exit, SIGABRT prints where each thread waits.
    env.update(GIT_IDENTITY, TMPDIR=str(temp), PYTHONFAULTHANDLER="1")
    # A real process in its own process group, as a terminal starts a command:
    # Ctrl-C sends SIGINT to that group, not to the sessions the rehearsal starts.
    rehearsal = subprocess.Popen(
        [sys.executable, "manage.py", "deploy", "--platform", "heroku", "--rehearse"]
        + ["--database-url", database_url],
        cwd=manage_dir(root),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        migrating: dict[int, str] = {}
        while not migrating:
            assert rehearsal.poll() is None, rehearsal.communicate()
            assert time.monotonic() < deadline, "the release step did not start"
            time.sleep(0.5)
            running = _processes_under(temp)
            migrating = {pid: cmd for pid, cmd in running.items() if "migrate" in cmd}
        time.sleep(2)  # well inside the slow migration
        os.killpg(rehearsal.pid, signal.SIGINT)
        try:
            out, err = rehearsal.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            rehearsal.send_signal(signal.SIGABRT)
            out, err = rehearsal.communicate(timeout=60)
            pytest.fail(f"deploy ran on 120 s after Ctrl-C; where it waited:\n{err[-6000:]}")
    finally:
        if rehearsal.poll() is None:
            rehearsal.kill()
            rehearsal.communicate()
    assert rehearsal.returncode == 130, out + err
    assert "Rehearsal interrupted during the release step" in err, out + err
    assert "Traceback" not in err, err
    # The migration it was running is stopped, nothing of it runs on, and its folder is gone.
    for pid in migrating:
        assert not _running(pid), migrating
    assert _processes_under(temp) == {}
    assert [p.name for p in temp.iterdir() if p.name.startswith("simple-deploy-rehearsal")] == []
    assert _connections(database_url) == 0
