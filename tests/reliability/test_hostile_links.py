"""Symbolic links: never written through to outside the repository; inside, kept as links.

For every installed platform, every file the run would write (settings,
requirements, each platform file) and every folder holding one (`bin`,
`.platform`, `.fly` ...) is replaced in turn by a link that leads outside the
repository: the run stops naming the link, and neither the outside folder nor
the project changes by a byte. A settings or requirements file that is a link
to another place inside the repository is edited at its target and stays a link.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path, PurePosixPath

import pytest
from project_files import snapshot
from support import PLATFORMS, commit_all, inspected, skip_if_declined

from simple_deploy import plugins
from simple_deploy.changes import ApplyError, apply_changes
from simple_deploy.configure import ConfigureError, apply_plan, prepare
from simple_deploy.log import LOG_DIR_NAME
from simple_deploy.runner import Runner

pytestmark = [
    pytest.mark.parametrize("platform", PLATFORMS),
    pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows"),
    pytest.mark.needs_programs,
]


def tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder`, links included, as a hash of what it holds."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def written_paths(root: Path, platform: str) -> list[str]:
    """Every file the run writes (platform files, settings, manifest), as planned."""
    plan = prepare(inspected(root), plugins.load(platform), {}).plan
    return [change.path for change in plan.effective]


def link_targets(paths: list[str]) -> list[str]:
    """The files, and every folder holding one, a link may stand in for."""
    targets = dict.fromkeys(paths)
    for path in paths:
        for parent in PurePosixPath(path).parents:
            if str(parent) != ".":
                targets[str(parent)] = None
    return list(targets) + [LOG_DIR_NAME]


def make_outside_link(root: Path, rel: str, outside: Path) -> Path:
    """Replace `rel` by a link to a copy of it (or to a new, empty place) outside."""
    here = root / rel
    there = outside / rel.replace("/", "__")
    if here.is_dir():
        shutil.copytree(here, there)
        shutil.rmtree(here)
    elif here.is_file():
        there.write_bytes(here.read_bytes())
        here.unlink()
    elif "." in PurePosixPath(rel).name or rel == LOG_DIR_NAME:
        there.mkdir() if rel == LOG_DIR_NAME else None  # a new file: a dangling link
    else:
        there.mkdir()
    here.parent.mkdir(parents=True, exist_ok=True)
    here.symlink_to(there, target_is_directory=there.is_dir())
    return there


def test_a_link_leading_outside_is_never_written_through(sample_project, tmp_path, platform, cases):
    pristine = sample_project("requirements_txt", "nested")
    skip_if_declined(pristine, platform)
    # The folder holding manage.py is where the user runs the command: linked
    # elsewhere, it is another project (inspection starts from its real place).
    project_folder = inspected(pristine).manage_dir_rel
    targets = [t for t in link_targets(written_paths(pristine, platform)) if t != project_folder]
    assert len(targets) >= 3, targets
    for number, rel in enumerate(targets):
        cases.tried(rel)
        root = pristine.parent / f"case-{number}"
        shutil.copytree(pristine, root, symlinks=True)
        outside = tmp_path / f"outside-{number}"
        outside.mkdir()
        make_outside_link(root, rel, outside)
        commit_all(root, f"{rel} is a link")
        before, outside_before = snapshot(root), tree(outside)

        with pytest.raises(ConfigureError) as refused:
            project = inspected(root)
            plugin = plugins.load(platform)
            apply_plan(prepare(project, plugin, {}), Runner())
        message = str(refused.value)
        assert (
            rel in message
            and "outside the repository" in message
            or (rel == LOG_DIR_NAME and "link" in message)
        ), message
        assert "Nothing was changed" in message, message
        cases.unchanged(before, snapshot(root))
        cases.nothing_outside(outside_before, tree(outside))


def test_apply_itself_refuses_a_link_leading_outside(sample_project, tmp_path, platform, cases):
    """Defence in depth: the writer checks again, whoever called it."""
    root = sample_project("requirements_txt", "flat")
    skip_if_declined(root, platform)
    plan = prepare(inspected(root), plugins.load(platform), {}).plan
    for number, change in enumerate(plan.effective):
        cases.tried(change.path)
        outside = tmp_path / f"apply-outside-{number}"
        outside.mkdir()
        target = root / change.path
        saved = target.read_bytes() if target.is_file() else None
        make_outside_link(root, change.path, outside)
        outside_before = tree(outside)
        try:
            with pytest.raises(ApplyError, match="outside the repository"):
                apply_changes(root, plan.changes)
            cases.nothing_outside(outside_before, tree(outside))
        finally:
            target.unlink()
            if saved is not None:
                target.write_bytes(saved)


@pytest.mark.parametrize("which", ["settings", "requirements"])
def test_a_link_inside_the_repository_is_edited_at_its_target_and_stays_a_link(
    sample_project, platform, which, cases
):
    root = sample_project("requirements_txt", "flat")
    skip_if_declined(root, platform)
    link = inspected(root).settings_file if which == "settings" else root / "requirements.txt"
    shared = root / "shared" / link.name
    shared.parent.mkdir()
    link.rename(shared)
    link.symlink_to(os.path.relpath(shared, link.parent))
    commit_all(root, f"{which} shared through a link")
    cases.tried(f"{which} -> shared/{link.name}")
    before = shared.read_bytes()

    plan, written = apply_plan(prepare(inspected(root), plugins.load(platform), {}), Runner())

    assert link.is_symlink(), f"{link.name} is no longer a link"
    assert shared.read_bytes() != before, "the link's target was not edited"
    assert link.read_bytes() == shared.read_bytes()
    assert not [p for p in root.rglob(".*.tmp")], "a temporary file was left behind"
