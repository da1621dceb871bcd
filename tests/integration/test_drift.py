"""Before `--rehearse`, the last commit is compared with what `deploy` would write now.

The comparison plans against HEAD's own content in a scratch copy: it must say
whether the commit is configured, name the files that differ, and write nothing.
It runs inside the sample project's Django (`manage.py shell`), as the deploy
command does: plans render Django templates.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from project_files import deploy, git, manage_dir, snapshot

pytestmark = pytest.mark.needs_programs

_COMPARE = """
import json
from simple_deploy import plugins
from simple_deploy.drift import compare_head
from simple_deploy.project import inspect
plugin = plugins.load("heroku")
drift = compare_head(inspect(__import__("pathlib").Path.cwd()), plugin, {})
print("DRIFT=" + json.dumps({
    "configured": drift.configured, "differing": drift.differing, "error": drift.error,
    "runtime": drift.runtime is not None, "package_manager": drift.package_manager,
    "message": drift.message(plugin),
}))
"""


def _compare(root) -> SimpleNamespace:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _COMPARE],
        cwd=manage_dir(root),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("DRIFT="))
    return SimpleNamespace(**json.loads(line[len("DRIFT=") :]))


def test_an_unconfigured_commit_is_named_with_the_command_to_run(sample_project):
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root)

    drift = _compare(root)

    assert not drift.configured and not drift.error
    message = drift.message
    assert message.startswith(
        f"The last commit ({git(root, 'rev-parse', '--short', 'HEAD').strip()})"
    )
    assert (
        "is not configured for Heroku: run `python manage.py deploy --platform heroku`" in message
    )
    assert snapshot(root) == before


def test_a_configured_commit_matches_and_uncommitted_work_does_not_count(sample_project):
    root = sample_project("requirements_txt", "flat")
    assert deploy(root, "heroku").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Heroku")
    # Uncommitted: not what the platform gets, so not part of the comparison.
    (root / "Procfile").write_text("web: something else\n", encoding="utf-8")
    before = snapshot(root)

    drift = _compare(root)

    assert drift.configured and drift.differing == [], drift
    assert "holds the configuration" in drift.message
    assert drift.runtime and drift.package_manager == "requirements_txt"
    assert snapshot(root) == before


def test_an_edited_generated_file_is_named_and_kept(sample_project):
    root = sample_project("requirements_txt", "flat")
    assert deploy(root, "heroku").returncode == 0
    procfile = root / "Procfile"
    # A process line added there is the project's own, which a re-run keeps (as it
    # keeps gunicorn flags on `web:`): an edited `release:` line is written back.
    text = procfile.read_text(encoding="utf-8")
    assert "release: python manage.py migrate --noinput" in text
    procfile.write_text(text.replace("migrate --noinput", "migrate --noinput --check"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Configure for Heroku, with another release command")
    before = snapshot(root)

    drift = _compare(root)

    assert drift.configured and drift.differing == ["Procfile"]
    message = drift.message
    assert (
        "differs from what `python manage.py deploy --platform heroku` would write now" in message
    )
    assert (
        "Procfile. Rehearsing the commit as it is: your edits are what Heroku will get" in message
    )
    assert snapshot(root) == before
