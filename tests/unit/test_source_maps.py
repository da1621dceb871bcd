"""Static CSS/JS files naming a source map the repository does not ship (source_maps)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from simple_deploy.git_status import read_status
from simple_deploy.source_maps import missing_maps

pytestmark = pytest.mark.needs_programs  # git


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_only_relative_maps_the_commit_lacks_are_listed(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path, ".gitignore", "*.local.map\nnode_modules/\n")
    write(tmp_path, "static/a.css", "a{}\n/*# sourceMappingURL=a.css.map */\n")  # missing
    write(tmp_path, "static/b.js", "b()\n//# sourceMappingURL=b.js.map\n")  # shipped
    write(tmp_path, "static/b.js.map", "{}")
    write(tmp_path, "static/c.css", "c{}\n/*# sourceMappingURL=c.local.map */\n")  # ignored
    write(tmp_path, "static/c.local.map", "{}")
    write(tmp_path, "static/d.css", "/*# sourceMappingURL=data:application/json;base64,e30= */")
    write(tmp_path, "static/e.css", "/*# sourceMappingURL=https://cdn.example/e.css.map */")
    write(tmp_path, "static/sub/f.css", "/*# sourceMappingURL=../b.js.map */")  # shipped
    write(tmp_path, "node_modules/x/g.css", "/*# sourceMappingURL=g.css.map */")
    # Untracked, as git status lists them (a new folder as one entry).
    status = read_status(tmp_path)
    assert missing_maps(tmp_path, status.untracked, status.ignored) == (
        "static/a.css",
        "static/c.css",
    )


def test_outside_git_nothing_is_listed(tmp_path):
    write(tmp_path, "static/a.css", "/*# sourceMappingURL=a.css.map */")
    assert missing_maps(tmp_path) == ()
