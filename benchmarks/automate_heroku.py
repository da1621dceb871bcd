"""`deploy --platform heroku --automate-all` with the real Heroku CLI and the stand-in API.

    python benchmarks/automate_heroku.py [--runs N] [--json FILE]

For each of N rounds: a fresh copy of the uv sample project and a fresh
account on tests/heroku_api's stand-in; a first run (creates the app and the
database, pushes, waits for the release) then a re-run (reuses everything).
Reports the median wall time of each, the number of Heroku CLI calls each
made, and the median cost of one CLI call (`heroku auth:whoami`), which is
most of the difference; CPU seconds too (children included), which move much
less than wall time when other work shares the machine. Needs the CLI that
scripts/test installs into .cache/heroku-cli. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import heroku_api  # noqa: E402
import sample_projects  # noqa: E402
from heroku_api.account import HerokuAccount  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: list[float] = []  # CPU seconds of each deploy (children included): steadier under load


def deploy(root: Path, env: dict) -> float:
    cpu = _cpu()
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "manage.py", "deploy", "--platform", "heroku", "--automate-all"]
        + ["--no-input"],
        cwd=root / "blog",
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    CPU.append(_cpu() - cpu)
    if out.returncode != 0:
        raise SystemExit(f"deploy failed:\n{out.stdout}\n{out.stderr}")
    return seconds


def one_call(env: dict) -> tuple[float, float]:
    cpu = _cpu()
    start = time.perf_counter()
    subprocess.run(["heroku", "auth:whoami"], env=env, capture_output=True, check=True)
    return time.perf_counter() - start, _cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    cli = heroku_api.find()
    if cli is None:
        raise SystemExit(heroku_api.MISSING)
    env = sample_projects.tool_env()
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for name in ("AUTHOR", "COMMITTER"):  # the run commits; a bare machine has no identity
        env.setdefault(f"GIT_{name}_NAME", "Benchmark")
        env.setdefault(f"GIT_{name}_EMAIL", "benchmark@example.com")
    figures: dict[str, list] = {"first_s": [], "rerun_s": [], "call_s": [], "calls": []}
    figures.update(first_cpu=[], rerun_cpu=[], call_cpu=[])
    with tempfile.TemporaryDirectory() as work:
        server = heroku_api.StandIn(Path(work) / "api").start()
        try:
            for n in range(args.runs):
                root = sample_projects.copy("uv", "nested", Path(work) / f"run{n}")
                account = HerokuAccount(server, cli, base_env=env)
                figures["first_s"].append(deploy(root, account.env))
                figures["first_cpu"].append(CPU[-1])
                first = len(account.calls())
                figures["rerun_s"].append(deploy(root, account.env))
                figures["rerun_cpu"].append(CPU[-1])
                rerun = len(account.calls()) - first
                figures["calls"].append((first, rerun))
                wall, cpu = one_call(account.env)
                figures["call_s"].append(wall)
                figures["call_cpu"].append(cpu)
                print(
                    f"[heroku-automate] round {n + 1}: first run {figures['first_s'][-1]:.1f} s "
                    f"({first} CLI calls), re-run {figures['rerun_s'][-1]:.1f} s "
                    f"({rerun} CLI calls), one call {figures['call_s'][-1]:.2f} s",
                    flush=True,
                )
        finally:
            server.stop()
    med = statistics.median
    summary = {
        "first_run_s": med(figures["first_s"]),
        "rerun_s": med(figures["rerun_s"]),
        "first_run_calls": figures["calls"][0][0],
        "rerun_calls": figures["calls"][0][1],
        "one_call_s": med(figures["call_s"]),
        "first_run_cpu_s": med(figures["first_cpu"]),
        "rerun_cpu_s": med(figures["rerun_cpu"]),
        "one_call_cpu_s": med(figures["call_cpu"]),
        "runs": args.runs,
    }
    print("[heroku-automate] " + ", ".join(f"{k}={v}" for k, v in summary.items()))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
