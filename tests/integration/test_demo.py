"""The README's demo command keeps working: make a project, configure, rehearse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.needs_programs

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


def test_demo_configures_and_rehearses_a_fresh_project():
    result = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=900
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "configured this project for Heroku" in out
    assert "Rehearsal passed." in out
    assert "heroku addons:create heroku-postgresql:essential-0" in out
    # Nothing left behind: the demo project is removed unless --keep is given.
    folder = out.split("Demo project: ", 1)[1].splitlines()[0]
    assert not Path(folder).exists()
