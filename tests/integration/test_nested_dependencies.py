"""Dependencies recorded beside a nested manage.py (`app/requirements.txt`,
`backend/pyproject.toml`) and none in the root, as Docker-first projects keep them.

Every platform's Python build installs from the repository root: a nested
requirements.txt is included from a root requirements.txt the run creates; a
nested Poetry/uv/Pipenv project stops with one message saying how to export it.
"""

from __future__ import annotations

import pytest
from project_files import deploy, git, snapshot

from simple_deploy import plugins

pytestmark = pytest.mark.needs_programs


def _nested_requirements(sample_project):
    root = sample_project("requirements_txt", "nested")
    git(root, "mv", "requirements.txt", "blog/requirements.txt")
    git(root, "commit", "-qm", "Requirements beside manage.py, as in the Docker image")
    return root


@pytest.mark.parametrize("platform", plugins.available())
def test_a_nested_requirements_file_is_included_from_the_root(sample_project, platform):
    root = _nested_requirements(sample_project)
    theirs = (root / "blog" / "requirements.txt").read_bytes()

    result = deploy(root, platform)

    assert result.returncode == 0, result.stderr + result.stdout
    lines = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "-r blog/requirements.txt"
    names = {line.split("~=")[0].split("[")[0].lower() for line in lines[1:]}
    assert "gunicorn" in names
    assert "django" not in names  # the included file has it
    assert (root / "blog" / "requirements.txt").read_bytes() == theirs
    assert "Keep adding your own packages to blog/requirements.txt" in " ".join(
        result.stdout.split()
    )


def test_a_nested_poetry_project_stops_with_the_export(sample_project):
    root = sample_project("poetry", "nested")
    for name in ("pyproject.toml", "poetry.lock"):
        git(root, "mv", name, f"blog/{name}")
    git(root, "commit", "-qm", "Poetry beside manage.py")
    before = snapshot(root)

    result = deploy(root, "render")

    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert (
        "Your dependencies are recorded in blog/poetry.lock (Poetry), beside manage.py" in message
    )
    assert "`cd blog && poetry export --without-hashes -o requirements.txt`" in message
    assert "holding the line `-r blog/requirements.txt`" in message
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before
