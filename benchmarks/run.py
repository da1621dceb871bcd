"""Benchmarks for django-simple-deploy: `python benchmarks/run.py [--quick | --tiny]`.

Every figure is a median of several runs, and every target is a ratio of two
things measured side by side in this one run (interleaved, same machine, same
caches), so the figures compare across machines. See benchmarks/README.md.

Sections (choose with --only):
  config     deploy --platform X (requirements.txt, no lock) vs `manage.py check`
  lock       deploy vs the package manager's own lock command alone (Poetry, Pipenv, uv)
  rehearsal  the rehearsal's wall time per platform (uv project), and where it goes
  serve      the generated configuration under gunicorn: requests/s for / and a static file
  scale      50 apps and 200 requirements: the configuration run vs the one in `config`
  growth     the configuration run on projects grown along one dimension at a time (apps,
             settings lines, requirements, tracked files), beside `check` on the same project
"""

from __future__ import annotations

import argparse
import json
import os
import platform as _platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the sample-project factory the tests use

import sample_projects  # noqa: E402
import serve  # noqa: E402  (benchmarks/serve.py)

from simple_deploy import plugins  # noqa: E402

SECTIONS = ("config", "lock", "rehearsal", "serve", "scale", "growth")
LOCKING = ("poetry", "pipenv", "uv")
TARGETS = {"config": 1.10, "lock": 1.2, "rehearsal": 60.0, "scale": 1.3}


@dataclass(frozen=True)
class Mode:
    repeats: int
    lock_managers: tuple[str, ...]
    scale_apps: int
    scale_requirements: int
    requests: int
    rehearsal_runs: int
    # Platforms the slow sections (rehearsal, serve, scale) measure (None: all). The
    # end-to-end tests rehearse and serve every platform; the smoke test only proves
    # that these sections run.
    slow_platforms: int | None = None
    # The sizes the growth section measures, by dimension (benchmarks/growth.py).
    growth: dict[str, tuple[int, ...]] = field(default_factory=lambda: dict(GROWTH_SIZES))


# The sizes issue 30 asks for, with a middle size where it gave two: three points
# show whether the cost per unit grows (worse than linear) or not.
GROWTH_SIZES = {
    "apps": (1, 20, 100),
    "settings_lines": (50, 500, 5000),
    "requirements": (10, 50, 200),
    "tracked_files": (100, 2000, 20000),
}

MODES = {
    "full": Mode(7, LOCKING, 50, 200, 400, 3),
    "quick": Mode(3, LOCKING, 50, 200, 200, 1),
    # Proves the script works (tests/test_benchmarks.py); its figures mean nothing.
    "tiny": Mode(
        1,
        ("uv",),
        3,
        10,
        20,
        1,
        slow_platforms=1,
        growth={
            "apps": (1, 2),
            "settings_lines": (50, 60),
            "requirements": (10, 12),
            "tracked_files": (100, 110),
        },
    ),
}


@dataclass
class Report:
    rows: list[dict] = field(default_factory=list)

    def add(self, section: str, **values) -> None:
        row = {"section": section, **values}
        self.rows.append(row)
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())
        print(f"[{section}] {shown}", flush=True)


def _fmt(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- running things


def tool_env() -> dict[str, str]:
    env = sample_projects.tool_env()
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


CPU: list[float] = []  # CPU seconds (user + system, children included) of each timed() call


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path, env: dict | None = None) -> float:
    """Wall time of one command, which must succeed; its CPU time goes to CPU.

    CPU time hardly moves when other work shares the machine, wall time does:
    the report shows both, and the targets are judged on wall time.
    """
    cpu = _children_cpu()
    start = time.perf_counter()
    out = subprocess.run(argv, cwd=cwd, env=env or tool_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    CPU.append(_children_cpu() - cpu)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}:\n{out.stdout}\n{out.stderr}")
    return seconds


def reset(root: Path) -> None:
    """Back to the committed project, so every timed deploy does the full work."""
    for args in (("reset", "-q", "--hard"), ("clean", "-fdq")):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@dataclass(frozen=True)
class Pair:
    """Medians of two things measured alternately: wall seconds, and CPU seconds."""

    first: float
    second: float
    first_cpu: float
    second_cpu: float

    @property
    def ratio(self) -> float:
        return self.second / self.first

    @property
    def cpu_ratio(self) -> float:
        return self.second_cpu / self.first_cpu


def _cpu_of(run: Callable[[], float]) -> tuple[float, float]:
    mark = len(CPU)
    wall = run()
    return wall, sum(CPU[mark:])


def side_by_side(repeats: int, first: Callable[[], float], second: Callable[[], float]) -> Pair:
    """`first` and `second` run alternately, after one warm-up of each (none in tiny
    mode, whose figures mean nothing: the smoke test only proves the sections run)."""
    if repeats > 1:
        first(), second()  # warm caches (.pyc files, package caches, the page cache)
    a, b = [], []
    for _ in range(repeats):
        a.append(_cpu_of(first))
        b.append(_cpu_of(second))
    med = statistics.median
    walls, cpus = (
        (med(x[0] for x in a), med(x[0] for x in b)),
        (med(x[1] for x in a), med(x[1] for x in b)),
    )
    return Pair(*walls, *cpus)


def manage_dir(root: Path) -> Path:
    return root if (root / "manage.py").exists() else root / "blog"


def deploy_argv(name: str) -> list[str]:
    return [sys.executable, "manage.py", "deploy", "--platform", name]


# Python's bytecode cache, on for the timed `manage.py` runs as in an installed
# environment (pip compiles what it installs), in a folder of the run's own: with
# PYTHONDONTWRITEBYTECODE set in the shell, every deploy run would compile our
# modules again, and `check`, which imports few of them, would not. Set in main().
BYTECODE: dict[str, str] = {}


def _manage_env() -> dict[str, str]:
    env = tool_env() | BYTECODE
    if BYTECODE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed_deploy(root: Path, name: str) -> float:
    reset(root)
    return timed(deploy_argv(name), manage_dir(root), _manage_env())


def timed_check(root: Path) -> float:
    return timed([sys.executable, "manage.py", "check"], manage_dir(root), _manage_env())


def project(manager: str, layout: str, workdir: Path) -> Path:
    dest = Path(tempfile.mkdtemp(prefix=f"{manager}-{layout}-", dir=workdir))
    return sample_projects.copy(manager, layout, dest)


# ---------------------------------------------------------------- sections


def bench_config(report: Report, mode: Mode, names: list[str], workdir: Path) -> None:
    for name in names:
        for layout in sample_projects.LAYOUTS:
            _bench_config_one(report, mode, name, layout, workdir)


def _bench_config_one(report: Report, mode: Mode, name: str, layout: str, workdir: Path) -> None:
    root = project("requirements_txt", layout, workdir)
    pair = side_by_side(mode.repeats, partial(timed_check, root), partial(timed_deploy, root, name))
    report.add(
        "config",
        platform=name,
        layout=layout,
        check_s=pair.first,
        deploy_s=pair.second,
        ratio=pair.ratio,
        target=TARGETS["config"],
        cpu_ratio=pair.cpu_ratio,
    )


def _lock_alone(root: Path, configured_manifest: bytes) -> float:
    """The manager's own lock on the manifest deploy writes, in a scratch copy, with
    the environment deploy gives it: exactly the lock work a deploy run contains.
    The lock file copied is the committed one (a deploy run just before this one
    refreshed it, and locking an already refreshed lock is a no-op)."""
    reset(root)
    manager = sample_projects_manager(root)
    with tempfile.TemporaryDirectory(prefix="bench-lock-") as scratch:
        for name in (*manager.files, ".python-version"):
            if (root / name).is_file():
                shutil.copy2(root / name, Path(scratch) / name)
        (Path(scratch) / manager.manifest).write_bytes(configured_manifest)
        env = tool_env() | dict(manager.lock_env)
        return timed(list(manager.lock_argv), Path(scratch), env)


def sample_projects_manager(root: Path):
    from simple_deploy.package_managers import detect

    return detect(root)


def bench_lock(report: Report, mode: Mode, names: list[str], workdir: Path) -> None:
    name = names[0]  # the lock work is the same whatever the platform
    for manager_name in mode.lock_managers:
        root = project(manager_name, "flat", workdir)
        manager = sample_projects_manager(root)
        timed_deploy(root, name)
        configured = (root / manager.manifest).read_bytes()
        reset(root)
        pair = side_by_side(
            mode.repeats,
            partial(_lock_alone, root, configured),
            partial(timed_deploy, root, name),
        )
        # Django's own start-up (what `manage.py check` costs) is in every deploy run
        # and in no lock run: the ratio without it shows what our own work adds.
        check = statistics.median(timed_check(root) for _ in range(mode.repeats))
        report.add(
            "lock",
            platform=name,
            manager=manager_name,
            lock_s=pair.first,
            deploy_s=pair.second,
            ratio=pair.ratio,
            target=TARGETS["lock"],
            cpu_ratio=pair.cpu_ratio,
            check_s=check,
            ratio_without_django=(pair.second - check) / pair.first,
        )


def bench_rehearsal(report: Report, mode: Mode, names: list[str], workdir: Path) -> None:
    from simple_deploy.package_managers import get
    from simple_deploy.project import inspect
    from simple_deploy.rehearsal import rehearse

    database_url = os.environ.get("DATABASE_URL")
    for name in names[: mode.slow_platforms]:
        plugin = plugins.load(name)
        # uv where the platform takes it (the target is for uv); otherwise the first
        # package manager it accepts, named in the report.
        for manager in ("uv", "requirements_txt", "poetry", "pipenv"):
            root = project(manager, "flat", workdir)
            if not plugin.check(inspect(manage_dir(root)), {}):
                break
        timed_deploy(root, name)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(
            ["git", *sample_projects.GIT_ID, "commit", "-qm", "configured"], cwd=root, check=True
        )
        found = inspect(manage_dir(root))
        runs: list[dict[str, float]] = []
        for _ in range(mode.rehearsal_runs):
            result = rehearse(
                found.git_root,
                found.manage_dir_rel,
                get(found.package_manager),
                plugin.runtime(found),
                database_url=database_url,
            )
            if not result.ok:
                failed = result.failed
                raise SystemExit(f"rehearsal failed at {failed.name}:\n{failed.detail}")
            runs.append({step.name: step.seconds for step in result.steps})
        steps = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        total = statistics.median(sum(r.values()) for r in runs)
        report.add(
            "rehearsal",
            platform=name,
            manager=manager,
            runs=len(runs),
            total_s=total,
            target_s=TARGETS["rehearsal"],
            **{f"{k.replace(' ', '_').replace('/', 'root')}_s": v for k, v in steps.items()},
        )


def bench_serve(report: Report, mode: Mode, names: list[str], workdir: Path) -> None:
    for name in names[: mode.slow_platforms]:
        root = project("requirements_txt", "flat", workdir)
        timed_deploy(root, name)
        for row in serve.measure(root, manage_dir(root), name, mode.requests, workdir):
            report.add("serve", platform=name, **row)


def _scaled(root: Path, apps: int, requirements: int) -> None:
    """Add `apps` small apps (a model each, in INSTALLED_APPS) and pad requirements.txt."""
    import scale

    scale.grow(root, apps, requirements)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", *sample_projects.GIT_ID, "commit", "-qm", "grown"], cwd=root, check=True)


def bench_scale(report: Report, mode: Mode, names: list[str], workdir: Path) -> None:
    for name in names[: mode.slow_platforms]:
        base = project("requirements_txt", "flat", workdir)
        big = project("requirements_txt", "flat", workdir)
        _scaled(big, mode.scale_apps, mode.scale_requirements)
        pair = side_by_side(
            mode.repeats, partial(timed_deploy, base, name), partial(timed_deploy, big, name)
        )
        big_check = statistics.median(timed_check(big) for _ in range(mode.repeats))
        report.add(
            "scale",
            platform=name,
            apps=mode.scale_apps,
            requirements=mode.scale_requirements,
            base_deploy_s=pair.first,
            scaled_deploy_s=pair.second,
            ratio=pair.ratio,
            target=TARGETS["scale"],
            cpu_ratio=pair.cpu_ratio,
            scaled_check_s=big_check,
        )


def _grown(dimension: str, size: int, workdir: Path) -> Path:
    """The flat requirements.txt sample grown to `size` along `dimension`, committed."""
    import growth

    root = project("requirements_txt", "flat", workdir)
    growth.GROWERS[dimension](root, size)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", *sample_projects.GIT_ID, "commit", "-qm", f"{dimension}={size}"],
        cwd=root,
        check=True,
    )
    return root


def bench_growth(report: Report, mode: Mode, names: list[str], workdir: Path) -> None:
    """How a configuration run's cost grows with the project. Django's start-up grows
    with it too (every app is imported), so `ours_s` = deploy - check, on the same
    project, is what our own work costs (`ours_cpu_s` in CPU seconds, steadier on a
    shared machine); `per_unit_ms` is its growth from the size before, per unit:
    constant or falling is linear or better, rising is worse."""
    name = names[0]  # our work on the project is the same whatever the platform
    for dimension, sizes in mode.growth.items():
        before: tuple[int, float, float] | None = None
        for size in sizes:
            root = _grown(dimension, size, workdir)
            pair = side_by_side(
                mode.repeats, partial(timed_check, root), partial(timed_deploy, root, name)
            )
            ours = pair.second - pair.first
            ours_cpu = pair.second_cpu - pair.first_cpu
            per_unit = per_unit_cpu = None
            if before:
                per_unit = (ours - before[1]) / (size - before[0]) * 1000
                per_unit_cpu = (ours_cpu - before[2]) / (size - before[0]) * 1000
            report.add(
                "growth",
                platform=name,
                dimension=dimension,
                size=size,
                check_s=pair.first,
                deploy_s=pair.second,
                ours_s=ours,
                ratio=pair.ratio,
                cpu_ratio=pair.cpu_ratio,
                ours_cpu_s=ours_cpu,
                per_unit_ms=per_unit,
                per_unit_cpu_ms=per_unit_cpu,
            )
            before = (size, ours, ours_cpu)
            shutil.rmtree(root.parent, ignore_errors=True)  # 20,000 files each


BENCHES = {
    "config": bench_config,
    "lock": bench_lock,
    "rehearsal": bench_rehearsal,
    "serve": bench_serve,
    "scale": bench_scale,
    "growth": bench_growth,
}


# ---------------------------------------------------------------- main


def machine() -> str:
    return (
        f"{_platform.node()}: {os.cpu_count()} CPU(s), {_platform.machine()}, "
        f"Python {_platform.python_version()}, {_platform.platform(terse=True)}"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="3 runs a figure, 1 rehearsal")
    size.add_argument("--tiny", action="store_true", help="1 run, tiny sizes: a smoke test")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="sections to run")
    parser.add_argument("--platforms", nargs="+", help="default: every installed platform")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mode = MODES["tiny" if args.tiny else "quick" if args.quick else "full"]
    default = [s for s in SECTIONS if not (args.tiny and s == "rehearsal")]
    sections = args.only or default
    names = args.platforms or plugins.available()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} on {machine()}", flush=True)
    # Outside the repository: uv and Poetry must not take our pyproject.toml for the sample's.
    workdir = Path(tempfile.mkdtemp(prefix="simple-deploy-bench-"))
    BYTECODE["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    report = Report()
    try:
        for section in sections:
            BENCHES[section](report, mode, names, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": report.rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
