"""What `pip install django-simple-deploy` gets: a wheel holding every platform's templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_every_template_and_the_typing_marker(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("django_simple_deploy-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    src = ROOT / "src"
    templates = [
        p.relative_to(src).as_posix() for p in src.glob("simple_deploy/platforms/*/templates/*")
    ]
    assert templates, "no templates found in the source tree"
    assert sorted(set(templates) - names) == []
    assert "simple_deploy/py.typed" in names
