"""The GitHub Actions workflow is our only claim for Windows and macOS: lint it here,
so an action on a removed runtime (node20 went on 2026-09-23) or a broken expression
fails this suite instead of silently never starting."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = sorted((Path(__file__).resolve().parents[2] / ".github" / "workflows").glob("*.yml"))


def test_there_is_a_workflow_to_lint():
    assert WORKFLOWS


@pytest.mark.needs_programs
@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow):
    # Installed beside this interpreter by the test extras, PATH or not.
    scripts = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    actionlint = shutil.which("actionlint", path=scripts)
    assert actionlint, "actionlint is missing: pip install -e '.[test]' installs it"
    out = subprocess.run(
        [actionlint, "-no-color", str(workflow)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_supported_django_runs_with_a_python_it_supports():
    text = WORKFLOWS[0].read_text(encoding="utf-8")
    for pair in (
        '{python: "3.10", django: "4.2"}',
        '{python: "3.12", django: "5.2"}',
        '{python: "3.13", django: "6.0"}',
        '{python: "3.14", django: "6.1"}',
    ):
        assert pair in text
