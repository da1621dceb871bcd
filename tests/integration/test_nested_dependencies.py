"""Dependencies recorded beside a nested manage.py (`app/requirements.txt`,
`backend/pyproject.toml`) and none in the root, as Docker-first projects keep them.

Every platform's Python build installs from the repository root: a nested
requirements.txt is included from a root requirements.txt the run creates; a
nested Poetry/uv/Pipenv project stops with one message saying how to export it.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

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
    assert "`poetry -C blog export --without-hashes -o requirements.txt`" in message
    assert "`poetry self add poetry-plugin-export`" in message
    assert "cd blog &&" not in message  # not a command in every Windows shell
    assert "holding the line `-r blog/requirements.txt`" in message
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def _poetry_exports() -> bool:
    """Poetry 2 has `export` only with poetry-plugin-export (scripts/test installs it)."""
    poetry = shutil.which("poetry")
    if poetry is None:
        return False
    found = subprocess.run([poetry, "export", "--help"], capture_output=True, timeout=120)
    return found.returncode == 0


@pytest.mark.skipif(not _poetry_exports(), reason="poetry-plugin-export is not installed")
def test_the_nested_poetry_message_works_as_written(sample_project):
    """A new user runs the message's own command from the git root, writes the root
    file it names, commits, and runs again: the run configures, and pip installs the
    pins the lock holds."""
    root = sample_project("poetry", "nested")
    for name in ("pyproject.toml", "poetry.lock"):
        git(root, "mv", name, f"blog/{name}")
    git(root, "commit", "-qm", "Poetry beside manage.py")
    message = " ".join(deploy(root, "render").stderr.split())
    command = re.search(r"Export them for the platform: `([^`]+)`", message).group(1)
    include = re.search(r"holding the line `([^`]+)`", message).group(1)

    subprocess.run(shlex.split(command), cwd=root, check=True, timeout=300)
    (root / "requirements.txt").write_text(f"{include}\n", encoding="utf-8")
    git(root, "add", "requirements.txt", "blog/requirements.txt")
    git(root, "commit", "-qm", "Export for the platforms")
    result = deploy(root, "render")

    assert result.returncode == 0, result.stderr + result.stdout
    exported = (root / "blog" / "requirements.txt").read_text(encoding="utf-8")
    lock = (root / "blog" / "poetry.lock").read_text(encoding="utf-8")
    django = re.search(r'name = "django"\nversion = "([^"]+)"', lock, re.IGNORECASE).group(1)
    assert re.search(rf"^django=={re.escape(django)}\b", exported, re.MULTILINE | re.IGNORECASE)
    assert (root / "requirements.txt").read_text(encoding="utf-8").startswith(include + "\n")


def _exported(sample_project, *, also_locked: str = ""):
    """A nested Poetry project with the export its message asks for: blog/requirements.txt
    made by `poetry -C blog export`, included from the root requirements.txt (doccano's
    shape). `also_locked`: a `name==version` added to the lock and the export, as an
    older project would have it locked."""
    root = sample_project("poetry", "nested")
    for name in ("pyproject.toml", "poetry.lock"):
        git(root, "mv", name, f"blog/{name}")
    export = ["poetry", "-C", "blog", "export", "--without-hashes", "-o", "requirements.txt"]
    subprocess.run(export, cwd=root, check=True, timeout=300, capture_output=True)
    if also_locked:
        name, version = also_locked.split("==")
        with open(root / "blog" / "poetry.lock", "a", encoding="utf-8") as lock:
            lock.write(f'\n[[package]]\nname = "{name}"\nversion = "{version}"\n')
        with open(root / "blog" / "requirements.txt", "a", encoding="utf-8") as out:
            out.write(f'{also_locked} ; python_version >= "3.10"\n')
    (root / "requirements.txt").write_text("-r blog/requirements.txt\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Poetry beside manage.py, exported for the platforms")
    return root


@pytest.mark.skipif(not _poetry_exports(), reason="poetry-plugin-export is not installed")
@pytest.mark.parametrize("platform", plugins.available())
def test_an_export_of_a_nested_lock_is_never_edited(sample_project, platform):
    """The next export would drop what the run wrote there: the root file gets it."""
    root = _exported(sample_project)
    export = (root / "blog" / "requirements.txt").read_bytes()

    result = deploy(root, platform)

    assert result.returncode == 0, result.stderr + result.stdout
    assert (root / "blog" / "requirements.txt").read_bytes() == export
    lines = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "-r blog/requirements.txt"
    assert "gunicorn" in {line.split("~=")[0].split("[")[0].lower() for line in lines[1:]}
    said = " ".join(result.stdout.split())
    assert "blog/requirements.txt is an export of blog/poetry.lock" in said


@pytest.mark.skipif(not _poetry_exports(), reason="poetry-plugin-export is not installed")
def test_a_pin_too_old_in_the_export_is_raised_in_the_lock(sample_project):
    """dj-database-url 0.5.0 locked (the block passes conn_health_checks, new in 1.1): a
    pin raised in the export would be lost, one in the root would conflict with it."""
    root = _exported(sample_project, also_locked="dj-database-url==0.5.0")
    before = snapshot(root)

    result = deploy(root, "heroku")

    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert "blog/requirements.txt is an export of blog/poetry.lock and pins" in message
    assert '`poetry -C blog add --lock "dj-database-url>=1.1"`' in message
    assert "`poetry -C blog export --without-hashes -o requirements.txt`" in message
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_a_pin_too_old_in_a_nested_requirements_file_is_raised_there(sample_project):
    """No root file yet: the run writes one including the nested file; dj-database-url
    0.5.0 there is raised in place (a second pin in the root would conflict)."""
    root = _nested_requirements(sample_project)
    nested = root / "blog" / "requirements.txt"
    nested.write_text(nested.read_text(encoding="utf-8") + "dj-database-url==0.5.0\n")
    git(root, "commit", "-qam", "An old dj-database-url")

    result = deploy(root, "render")

    assert result.returncode == 0, result.stderr + result.stdout
    lines = nested.read_text(encoding="utf-8").splitlines()
    assert "dj-database-url==0.5.0" not in lines
    assert any(line.startswith("dj-database-url~=") for line in lines)
    top = (root / "requirements.txt").read_text(encoding="utf-8")
    assert top.startswith("-r blog/requirements.txt\n")
    assert "dj-database-url" not in top


@pytest.mark.skipif(not _poetry_exports(), reason="poetry-plugin-export is not installed")
def test_a_pin_too_old_in_an_export_with_no_root_file_yet_stops(sample_project):
    root = _exported(sample_project, also_locked="dj-database-url==0.5.0")
    git(root, "rm", "-q", "requirements.txt")
    git(root, "commit", "-qm", "The export alone")
    before = snapshot(root)

    result = deploy(root, "fly_io")

    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert '`poetry -C blog add --lock "dj-database-url>=1.1"`' in message
    assert snapshot(root) == before
