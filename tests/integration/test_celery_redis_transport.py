"""A Celery project whose requirements file pins its top-level packages only
(`celery==...`, `redis==...`, kombu left to the installer, as a developer writes
them) gets, on a fresh install, today's kombu, whose Redis transport refuses the
pinned redis client when the worker connects (kombu.exceptions.VersionMismatch,
the worker stops at start on every platform). The configured requirements name
`kombu[redis]`, so the platform's pip picks a kombu that accepts the client.

The check resolves the configured requirements with the real pip (as the
platform installs them, fresh) and holds the resolved redis client against the
resolved kombu's own `redis` extra, the bounds its transport enforces.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import service_shapes
from packaging.requirements import Requirement
from packaging.version import Version
from project_files import deploy, git

pytestmark = pytest.mark.needs_programs

# Pins from before kombu 5.7 (whose transport needs redis-py >= 6.1): celery 5.4
# accepts any kombu 5.x, and a fresh install brings the newest.
TOP_LEVEL_PINS = "django~=5.2.0\ncelery==5.4.0\nredis==5.0.8\ndjango-celery-beat~=2.8\n"


def _resolve(root) -> dict[str, dict]:
    """What a fresh `pip install -r requirements.txt` would install, by name."""
    report = root.parent / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-q"]
        + ["--report", str(report), "-r", "requirements.txt"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    installed = json.loads(report.read_text("utf-8"))["install"]
    return {item["metadata"]["name"].lower(): item["metadata"] for item in installed}


def test_celery_on_redis_gets_a_kombu_whose_transport_accepts_the_pinned_client(tmp_path):
    root = service_shapes.copy("celery-beat", tmp_path)
    (root / "requirements.txt").write_text(TOP_LEVEL_PINS, "utf-8")
    git(root, "commit", "-qam", "Top-level pins only")
    configured = deploy(root, "heroku")
    assert configured.returncode == 0, configured.stdout + configured.stderr

    resolved = _resolve(root)
    kombu, redis = resolved["kombu"], resolved["redis"]
    bounds = [
        Requirement(line)
        for line in kombu["requires_dist"]
        if Requirement(line).name == "redis"
        and Requirement(line).marker is not None
        and Requirement(line).marker.evaluate({"extra": "redis"})
    ]
    assert bounds, kombu["requires_dist"]
    assert all(Version(redis["version"]) in b.specifier for b in bounds), (
        f"kombu {kombu['version']} needs {[str(b) for b in bounds]}, "
        f"redis {redis['version']} resolved"
    )
    assert redis["version"] == "5.0.8"  # the project's own pin is kept
    assert "kombu[redis]" in (root / "requirements.txt").read_text("utf-8")
