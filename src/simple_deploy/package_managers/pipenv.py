"""Pipenv: `[packages]` in Pipfile, locked in Pipfile.lock."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from ..textfiles import read_text
from . import Dependencies, InstallStep, PackageManager, Requirement, pipenv_export
from ._specs import name_of, table_value

MANIFEST = "Pipfile"
LOCK = "Pipfile.lock"


def _names(root: Path) -> set[str]:
    import tomlkit  # imported by the runs that read TOML only

    packages = tomlkit.parse(read_text(root / MANIFEST).text).get("packages", {})
    return {n for n in map(name_of, packages.keys()) if n}


def _add(text: str, requirements: list[Requirement]) -> str:
    import tomlkit  # imported by the runs that read TOML only

    doc = tomlkit.parse(text)
    packages = doc.setdefault("packages", tomlkit.table())
    for requirement in requirements:
        packages[requirement.name] = table_value(requirement)
    return tomlkit.dumps(doc)


def _git_ignores(root: Path, name: str) -> bool:
    try:
        out = subprocess.run(
            ["git", "check-ignore", "-q", "--", name],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False  # no git (or no answer): the plain message still holds
    return out.returncode == 0


def _lock_outdated(root: Path) -> bool:
    """True when the user's Pipenv says Pipfile.lock no longer matches Pipfile (its
    hash of the Pipfile differs, as after an edit or a newer Pipenv's hashing): the
    platforms' `pipenv install --deploy` then refuses to install. No Pipenv here, or no
    answer: False (the platform's build says it then)."""
    pipenv = shutil.which("pipenv")
    if pipenv is None:
        return False
    try:
        out = subprocess.run(
            [pipenv, "verify"],
            cwd=root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
            timeout=120,
            env={**os.environ, "PIPENV_VERBOSITY": "-1", "PIPENV_IGNORE_VIRTUALENVS": "1"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode != 0 and "out-of-date" in out.stdout + out.stderr


def _check(root: Path) -> list[str]:
    if (root / LOCK).is_file():
        if _lock_outdated(root):
            return [
                f"{LOCK} is out of date with {MANIFEST} (`pipenv verify` says so), and the "
                f"platforms install with `pipenv install --deploy`, which refuses it. Run "
                f"`pipenv lock`, commit {LOCK}, and run again."
            ]
        return []
    problem = (
        f"{MANIFEST} has no {LOCK}, so the platform could not install exactly what you "
        "tested (Heroku's buildpack refuses a Pipfile without its lock)."
    )
    if _git_ignores(root, LOCK):
        # Projects that support several Pythons often ignore the lock on purpose; the
        # platform runs one, and builds only from commits. `git add` would refuse the
        # file, so the next run (which finds it) adds the .gitignore exception instead.
        return [
            f"{problem} Run `pipenv lock` and run again: your .gitignore lists {LOCK}, so "
            f"that run adds an exception for it (`!/{LOCK}`) and it is committed with the "
            "files the run writes."
        ]
    return [f"{problem} Run `pipenv lock`, commit {LOCK}, and run again."]


def _read(root: Path, groups: tuple[str, ...]) -> Dependencies:
    """What the manifest declares, and whether a root requirements.txt is the export
    of Pipfile.lock (`pipenv requirements`, compared pin by pin)."""
    deps = Dependencies(
        manager="pipenv",
        present=frozenset(_names(root)),
        target=MANIFEST,
        install_files=MANAGER.files,
        install_steps=MANAGER.install_steps,
        lock_argv=MANAGER.lock_argv,
        lock_file=LOCK,
        lock_inputs=MANAGER.files,
        lock_env=MANAGER.lock_env,
        problems=tuple(_check(root)),
    )
    comparison = pipenv_export.compare(root)
    if comparison is None:
        return deps
    if not comparison.matches:
        stale = (
            f"{pipenv_export.REQUIREMENTS} is not the export of {LOCK}: "
            f"{comparison.difference()}. {comparison.stale_advice()}."
        )
        return replace(deps, export_stale=stale)
    note = (
        f"{pipenv_export.REQUIREMENTS} is the export of {LOCK} (`{comparison.refresh}`, the "
        "same pins), so a platform that installs it with pip installs exactly what is "
        f"locked; this run keeps it in step with the {LOCK} it refreshes."
    )
    return replace(deps, export=pipenv_export.REQUIREMENTS, notes=(note,))


MANAGER = PackageManager(
    name="pipenv",
    label="Pipenv",
    files=(MANIFEST, LOCK),
    detect=lambda root: (root / MANIFEST).is_file(),
    requirement_names=_names,
    add_requirements=_add,
    check=_check,
    lock_argv=("pipenv", "lock"),
    # Pipenv makes a virtual environment to lock; keep it in the scratch folder
    # instead of the user's home.
    lock_env={"PIPENV_VENV_IN_PROJECT": "1", "PIPENV_VERBOSITY": "-1", "PIPENV_NOSPIN": "1"},
    # `install --deploy` fails when Pipfile.lock is out of date with Pipfile, as the
    # platforms' builds do; `sync` would install a stale lock without a word.
    install_steps=(
        InstallStep(
            ("pipenv", "install", "--deploy"),
            {"VIRTUAL_ENV": "{venv}", "PIPENV_VERBOSITY": "-1", "PIPENV_NOSPIN": "1"},
        ),
    ),
    read=_read,
)
