"""page_errors: a failing page's exception named when the project's own code raised it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from simple_deploy.rehearsal.page_errors import own_code_cause

# A template tag of the project's own, on an empty database (the field's shape:
# simonwillisonblog's tag cloud takes min() of no counts).
TAG = """def tag_cloud(counts):
    return min(counts.values())
"""
VIEW = """import json, tag_cloud
tag_cloud.tag_cloud({})
"""


def _traceback(app: Path, installed: Path) -> str:
    """A real traceback: the view (installed code's frame first) calls the project's tag."""
    (app / "tag_cloud.py").write_text(TAG)
    (installed / "render.py").write_text(f"import sys\nsys.path.insert(0, {str(app)!r})\n{VIEW}")
    run = subprocess.run(
        [sys.executable, str(installed / "render.py")], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    return "[INFO] Booting worker\n" + run.stderr + "[INFO] Worker exiting\n"


def test_the_project_own_frame_and_exception(tmp_path):
    app = tmp_path / "app"
    installed = tmp_path / "venv" / "lib" / "python3.13" / "site-packages"
    app.mkdir()
    installed.mkdir(parents=True)

    found = own_code_cause(_traceback(app, installed), str(app))

    # Python's own wording of the message changed between releases.
    assert found is not None and found.startswith("ValueError: min() "), found
    assert found.endswith(" (raised at tag_cloud.py line 2)"), found


def test_an_installed_package_innermost_frame_is_not_the_project(tmp_path):
    app = tmp_path / "app"
    installed = tmp_path / "venv" / "lib" / "python3.13" / "site-packages"
    app.mkdir()
    installed.mkdir(parents=True)
    log = _traceback(app, installed)

    # The same traceback with the tag among the installed packages.
    assert own_code_cause(log.replace(str(app), str(installed)), str(app)) is None
    assert own_code_cause("[INFO] no traceback here\n", str(app)) is None


def test_a_redirect_to_another_host_is_named_and_one_on_the_same_host_is_not():
    # simonwillisonblog's middleware sends *.herokuapp.com to its own domain.
    from simple_deploy.rehearsal.steps import _redirected_elsewhere

    host = "app-123.herokuapp.com"
    assert _redirected_elsewhere(301, "https://example.org/static/x.css", host) == "example.org"
    assert _redirected_elsewhere(301, f"https://{host}/static/x.css", host) == ""
    assert _redirected_elsewhere(301, "/static/x.css", host) == ""
    assert _redirected_elsewhere(200, "https://example.org/", host) == ""


def test_a_warning_naming_a_set_matches_whatever_order_the_set_printed_in():
    from simple_deploy.rehearsal.own_settings import CHECK_MARKER, checked_here_too

    warning = "?: settings.X is deprecated, use: settings.Y = {%s}"
    platform = "WARNINGS:\n" + warning % "'email', 'username'" + "\n\nSystem check identified"
    control = CHECK_MARKER + "\nWARNINGS:\n" + warning % "'username', 'email'" + "\n"
    assert checked_here_too(platform, control) == [warning % "'email', 'username'"]
    assert checked_here_too(platform, "WARNINGS:\n" + warning % "'a'") == []
