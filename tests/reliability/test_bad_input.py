"""Bad input, one case each: a clear message and every file byte-for-byte unchanged.

Each case runs `manage.py deploy` as the user does (a subprocess) for every
installed platform. Where an input is not an error (a settings package, CRLF
line endings, a block written by an older version), the test name says so and
the correct result is asserted instead.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from project_files import deploy, git, snapshot
from support import (
    PLATFORMS,
    commit_all,
    created_files,
    other_platform,
    settings_file,
    without_django_settings,
)

from simple_deploy import __version__, markers
from simple_deploy.project import InspectionError, inspect

pytestmark = [pytest.mark.parametrize("platform", PLATFORMS), pytest.mark.needs_programs]


@pytest.fixture
def flat(sample_project) -> Path:
    return sample_project("requirements_txt", "flat")


def refused(root: Path, platform: str, *needles: str, args=(), run=None) -> None:
    """Run deploy; it must fail naming every needle, and change no file (git included)."""
    before = snapshot(root)
    result = run() if run else deploy(root, platform, *args)
    assert result.returncode != 0, result.stdout
    message = result.stderr
    for needle in needles:
        assert needle in message, message
    assert "Traceback" not in message, message
    assert snapshot(root, logs=False) == snapshot_without_logs(before)


def snapshot_without_logs(snap: dict[str, str]) -> dict[str, str]:
    # A refused run may save its log (the folder ignores itself); no other file moves.
    return {k: v for k, v in snap.items() if not k.startswith("simple_deploy_logs/")}


def django_admin(cwd: Path, platform: str, *args: str) -> subprocess.CompletedProcess:
    """`django-admin deploy` from a folder without manage.py (settings named explicitly)."""
    return subprocess.run(
        [sys.executable, "-m", "django", "deploy", "--platform", platform, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=without_django_settings(),
        timeout=300,
    )


def test_no_git_repository(flat, platform):
    shutil.rmtree(flat / ".git")
    refused(flat, platform, "not inside a git repository", "git init")


def test_dirty_tree(flat, platform):
    (flat / "notes.txt").write_text("work in progress\n")
    refused(flat, platform, "uncommitted changes", "notes.txt", "--ignore-unclean-git")


def test_no_manage_py(flat, platform):
    (flat / "manage.py").rename(flat / "start.py")
    commit_all(flat, "manage.py renamed")
    refused(
        flat,
        platform,
        "No manage.py found",
        run=lambda: django_admin(flat, platform, "--settings=blog.settings", "--pythonpath=."),
    )


def test_two_manage_py_files(sample_project, platform):
    root = sample_project("requirements_txt", "nested")
    shutil.copytree(root / "blog", root / "old-copy")
    commit_all(root, "an old copy of the project")
    refused(
        root,
        platform,
        "more than one manage.py",
        "blog/manage.py",
        "old-copy/manage.py",
        run=lambda: django_admin(root, platform, "--settings=blog.settings", "--pythonpath=blog"),
    )
    with pytest.raises(InspectionError, match="more than one manage.py"):
        inspect(root)


def test_settings_not_importable(sample_project, platform):
    root = sample_project("requirements_txt", "flat", settings="package")
    # manage.py runs with the base settings; the module wsgi.py serves is broken.
    manage = root / "manage.py"
    manage.write_text(manage.read_text().replace("blog.settings.production", "blog.settings.base"))
    production = root / "blog" / "settings" / "production.py"
    production.write_text(production.read_text() + "\nimport module_that_does_not_exist\n")
    commit_all(root, "broken production settings")
    refused(root, platform, "cannot be imported", "module_that_does_not_exist")


def test_settings_package_is_not_an_error_the_selected_module_is_extended(sample_project, platform):
    root = sample_project("requirements_txt", "flat", settings="package")
    base = (root / "blog" / "settings" / "base.py").read_bytes()
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr
    production = (root / "blog" / "settings" / "production.py").read_text()
    assert markers.platforms_in(production) == (platform,)
    assert (root / "blog" / "settings" / "base.py").read_bytes() == base
    assert "blog/settings/production.py" in result.stdout


def test_crlf_settings_are_not_an_error_and_stay_crlf(flat, platform):
    settings = flat / "blog" / "settings.py"
    settings.write_bytes(settings.read_bytes().replace(b"\n", b"\r\n"))
    commit_all(flat, "CRLF settings")
    result = deploy(flat, platform)
    assert result.returncode == 0, result.stderr
    data = settings.read_bytes()
    assert markers.start_line(platform).encode() + b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    for change in created_files_after(flat):
        assert b"\r\n" not in (flat / change).read_bytes(), change


def created_files_after(root: Path) -> list[str]:
    listed = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    new = [line[3:] for line in listed if line.startswith("??")]
    return [path for path in new if not path.startswith("simple_deploy_logs")]


def test_non_utf8_settings(sample_project, platform):
    root = sample_project("requirements_txt", "flat", settings="package")
    production = root / "blog" / "settings" / "production.py"
    production.write_bytes(production.read_bytes() + "# Caf\u00e9 settings\n".encode("latin-1"))
    manage = root / "manage.py"  # Django itself must start, so manage.py uses base
    manage.write_text(manage.read_text().replace("blog.settings.production", "blog.settings.base"))
    commit_all(root, "latin-1 settings without a coding line")
    refused(root, platform, "production.py is not valid utf-8", "UTF-8")


def test_empty_requirements_txt(flat, platform):
    (flat / "requirements.txt").write_text("")
    commit_all(flat, "empty requirements")
    refused(flat, platform, "requirements.txt does not list Django", "Add Django")


def test_poetry_without_lock_file(sample_project, platform):
    root = sample_project("poetry", "flat")
    git(root, "rm", "-q", "poetry.lock")
    git(root, "commit", "-qm", "no lock")
    refused(root, platform, "poetry.lock is missing", "poetry lock")


def test_pipfile_without_lock_file(sample_project, platform):
    root = sample_project("pipenv", "flat")
    git(root, "rm", "-q", "Pipfile.lock")
    git(root, "commit", "-qm", "no lock")
    refused(root, platform, "Pipfile has no Pipfile.lock", "pipenv lock")


def test_pipfile_with_a_git_ignored_lock_file(sample_project, platform):
    # Projects that support several Pythons ignore the lock; a fresh clone has none, and
    # `git add Pipfile.lock` would refuse it: the next run adds the exception itself.
    root = sample_project("pipenv", "flat")
    git(root, "rm", "-q", "Pipfile.lock")
    with (root / ".gitignore").open("a") as ignore:
        ignore.write("Pipfile.lock\n")
    commit_all(root, "lock ignored, as for several Pythons")
    refused(
        root,
        platform,
        "Pipfile has no Pipfile.lock",
        "Run `pipenv lock` and run again: your .gitignore lists Pipfile.lock",
    )


def test_unknown_platform(flat, platform):
    refused(
        flat,
        platform,
        f"Unknown platform '{platform}x'",
        f"Installed platforms: {', '.join(PLATFORMS)}",
        run=lambda: deploy(flat, platform + "x"),
    )


@pytest.mark.parametrize("layout", ["flat", "nested"])
def test_user_written_platform_file_is_never_replaced_silently(
    sample_project, platform, layout, cases
):
    """Each file the plugin would create, written by the user first: the run refuses
    and names it (without --overwrite), or keeps the user's file byte for byte."""
    pristine = sample_project("requirements_txt", layout)
    for number, change in enumerate(created_files(pristine, platform)):
        cases.tried(change.path)
        root = pristine.parent / f"case-{number}"
        shutil.copytree(pristine, root, symlinks=True)
        mine = b"# My own file, written by hand.\nkeep: me\n"
        (root / change.path).parent.mkdir(parents=True, exist_ok=True)
        (root / change.path).write_bytes(mine)
        commit_all(root, f"my own {change.path}")
        before = snapshot(root, logs=False)
        result = deploy(root, platform)
        if result.returncode != 0:
            assert change.path in result.stderr and "--overwrite" in result.stderr, result.stderr
            assert snapshot(root, logs=False) == before
        elif change.path == "Procfile":
            # A Procfile is merged: the user's process types stay, and the summary says so.
            after = (root / change.path).read_bytes()
            assert all(line in after.splitlines() for line in mine.splitlines()), after
            assert "your Procfile: kept your keep:" in result.stdout, result.stdout
        elif change.path == ".dockerignore":
            # A .dockerignore is merged: the user's lines stay as written, ours follow.
            after = (root / change.path).read_bytes()
            assert after.startswith(mine) and len(after) > len(mine), after
        else:
            assert (root / change.path).read_bytes() == mine, f"{change.path} was replaced"


def test_read_only_target_file(flat, platform, cases):
    settings = settings_file(flat)
    for path in (settings, flat / "requirements.txt"):
        cases.tried(path.name)
        mode = path.stat().st_mode
        path.chmod(stat.S_IMODE(mode) & ~0o222)
        try:
            refused(flat, platform, "Read-only", flat_rel(flat, path), "chmod u+w")
        finally:
            path.chmod(stat.S_IMODE(mode))


def flat_rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def test_read_only_folder_for_a_new_file(flat, platform):
    new = [c.path for c in created_files(flat, platform)]
    assert new, "the plugin creates no file; nothing to test"
    folder = flat
    mode = folder.stat().st_mode
    folder.chmod(stat.S_IMODE(mode) & ~0o222)
    try:
        refused(flat, platform, "Read-only", "chmod u+w")
    finally:
        folder.chmod(stat.S_IMODE(mode))


def test_block_from_another_platform(flat, platform):
    other = other_platform(platform)
    settings = settings_file(flat)
    text = markers.replace_block(settings.read_text(), other, "OTHER_PLATFORM = True")
    settings.write_text(text)
    commit_all(flat, f"configured for {other}")
    refused(flat, platform, f"already holds the django-simple-deploy block for '{other}'")


def test_block_without_its_end_line(flat, platform):
    settings = settings_file(flat)
    settings.write_text(settings.read_text() + f"\n{markers.start_line(platform)}\nX = 1\n")
    commit_all(flat, "half a block")
    refused(flat, platform, markers.end_line(platform), "Put the end line back")


def test_block_from_an_older_version_is_not_an_error_it_is_replaced_in_place(flat, platform):
    first = deploy(flat, platform)
    assert first.returncode == 0, first.stderr
    settings = settings_file(flat)
    text = settings.read_text()
    current = markers.block_of(text, platform)
    old = (
        current.replace(__version__, "0.0.1")
        if __version__ in current
        else ("# Written by django-simple-deploy 0.0.1.\n" + current)
    )
    old += "OLD_SETTING_FROM_0_0_1 = True\n"
    settings.write_text(text.replace(current, old) + "\n# The user's own line after the block.\n")
    commit_all(flat, "configured by an older version")
    head, tail = settings.read_text().split(markers.start_line(platform))

    result = deploy(flat, platform)
    assert result.returncode == 0, result.stderr
    assert "django-simple-deploy 0.0.1" in result.stdout and "in place" in result.stdout
    new = settings.read_text()
    assert new.count(markers.start_line(platform)) == 1
    assert "OLD_SETTING_FROM_0_0_1" not in new
    assert markers.block_of(new, platform) == current
    assert new.startswith(head) and new.endswith("# The user's own line after the block.\n")
    assert tail.split(markers.end_line(platform))[1] in new
