"""The benchmark script runs (tiny mode), so it cannot rot unnoticed. Its figures
are not checked here: timings are for benchmarks/README.md, not for tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simple_deploy import plugins

pytestmark = pytest.mark.needs_programs

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_script_runs_every_section_in_tiny_mode(tmp_path, database_url):
    # PostgreSQL for the rehearsal section: Platform.sh's settings read the database
    # from the platform's relationships, which only a PostgreSQL URL can describe.
    out_file = tmp_path / "figures.json"
    sections = ["config", "lock", "rehearsal", "serve", "scale", "growth"]
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/run.py",
            "--tiny",
            "--json",
            str(out_file),
            "--only",
            *sections,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DATABASE_URL": database_url},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(out_file.read_text())["rows"]
    assert {row["section"] for row in rows} == set(sections)
    assert {row["platform"] for row in rows} == set(plugins.available())
    assert len([r for r in rows if r["section"] == "rehearsal"]) == 1  # one, in tiny mode
    for row in rows:
        assert f"[{row['section']}]" in result.stdout
        if "ratio" in row:
            assert row["ratio"] > 0
    configs = {(r["platform"], r["layout"]) for r in rows if r["section"] == "config"}
    assert configs == {(p, layout) for p in plugins.available() for layout in ("flat", "nested")}
    grown = [r for r in rows if r["section"] == "growth"]
    assert {r["dimension"] for r in grown} == {
        "apps",
        "settings_lines",
        "requirements",
        "tracked_files",
    }
    assert all(len([r for r in grown if r["dimension"] == d]) == 2 for d in {"apps"})
    assert all(
        (r["per_unit_ms"] is None)
        == (r["size"] == min(x["size"] for x in grown if x["dimension"] == r["dimension"]))
        for r in grown
    )
    statics = [row for row in rows if row["section"] == "serve" and row["path"] == "static"]
    assert all(row["encoding"] in ("gzip", "br") and row["far_future"] for row in statics)
    assert all(row["errors"] == 0 for row in rows if row["section"] == "serve")
