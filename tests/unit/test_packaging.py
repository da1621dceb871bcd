"""The built wheel ships every platform's templates (a non-editable install needs them)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.needs_programs

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_every_template(tmp_path):
    # A clean copy: setuptools reuses a stale build/ folder, which would hide the bug.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    names = set(zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist())
    templates = sorted(ROOT.glob("src/simple_deploy/platforms/*/templates/*"))
    assert templates
    for path in templates:
        assert path.relative_to(ROOT / "src").as_posix() in names
    assert "simple_deploy/py.typed" in names
