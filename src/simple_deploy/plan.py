"""A plan: the ordered file changes a platform needs, each with its reason.

Building a plan only reads files. Plugins use the helpers here so that every
platform writes files, settings blocks and requirements the same way.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__, markers
from .package_managers import Requirement, get
from .project import Project
from .textfiles import TextFile, decode

__all__ = [
    "FileChange",
    "Plan",
    "generated_file",
    "settings_block",
    "requirement_changes",
    "unified_diff",
    "GENERATED_MARK",
]

# Generated files that allow comments carry this phrase near the top, so a
# re-run knows the file is ours to update rather than the user's to protect.
GENERATED_MARK = "django-simple-deploy"


@dataclass(frozen=True)
class FileChange:
    """One file's content before and after; `before` is None for a new file.

    `user_file` is True when the change would replace a file the user wrote
    (not one we generated): the core refuses unless told to overwrite.
    """

    path: str
    before: bytes | None
    after: bytes
    reason: str
    executable: bool = False
    user_file: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def action(self) -> str:
        if self.before is None:
            return "create"
        return "update" if self.changed else "unchanged"


@dataclass(frozen=True)
class Plan:
    """Everything one run will change, in order, plus what to tell the user."""

    platform: str
    changes: tuple[FileChange, ...]
    requirements: tuple[Requirement, ...] = ()
    lock_argv: tuple[str, ...] | None = None
    notes: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)
    # Files git ignored that the platform needs; the plan's .gitignore change lets
    # git commit them, and --automate-all commits them with the configuration.
    unignored: tuple[str, ...] = ()

    @property
    def effective(self) -> tuple[FileChange, ...]:
        return tuple(c for c in self.changes if c.changed)

    @property
    def user_files(self) -> tuple[FileChange, ...]:
        return tuple(c for c in self.effective if c.user_file)

    def with_change(self, change: FileChange) -> Plan:
        others = tuple(c for c in self.changes if c.path != change.path)
        return replace(self, changes=others + (change,))


def _read_bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _is_ours(data: bytes) -> bool:
    head = data[:400].decode("utf-8", errors="replace")
    return GENERATED_MARK in head


def generated_file(
    project: Project, rel_path: str, text: str, reason: str, *, executable: bool = False
) -> FileChange:
    """A platform file we generate. Platform files are always LF and UTF-8: the
    servers that read them are Linux, where a CRLF Procfile or script breaks."""
    after = text.replace("\r\n", "\n").encode("utf-8")
    before = _read_bytes(project.git_root / rel_path)
    user_file = before is not None and before != after and not _is_ours(before)
    return FileChange(rel_path, before, after, reason, executable, user_file)


def settings_block(project: Project, platform: str, body: str, reason: str) -> FileChange:
    """Set the platform's marked block at the end of the settings file, keeping
    the file's encoding, byte-order mark and line endings."""
    if project.new_settings_text is not None:
        # The production module this run creates beside the development one.
        text = markers.replace_block(
            project.new_settings_text, platform, body.replace("\r\n", "\n")
        )
        return FileChange(project.settings_rel, None, text.encode("utf-8"), reason)
    before = project.settings_file.read_bytes()
    original = decode(before, project.settings_file.name)
    # The block is LF text like the file's decoded text; encode() gives it the
    # file's endings. A CRLF body would otherwise come out as CR CR LF.
    new_text = markers.replace_block(original.text, platform, body.replace("\r\n", "\n"))
    after = original.encode(new_text) if new_text != original.text else before
    old_body = markers.block_of(original.text, platform)
    if old_body is not None and after != before:
        reason += _replaced_note(old_body)
    # The block's one-line header cannot say it all: the summary does.
    reason += "; every run replaces the block, so put your own settings above it"
    return FileChange(project.settings_rel, before, after, reason)


_WRITTEN_BY = re.compile(r"django-simple-deploy (\d+(?:\.\d+)+\S*?)\.?(?:\s|$)")


def _replaced_note(old_body: str) -> str:
    """Say that an existing block is replaced in place, naming the version that wrote it.

    A project configured by an older release gets this release's block where the
    old one stood; the user's own settings around it are kept. Their edits inside
    the block are not: the block comment tells them so, and git keeps the old one.
    """
    match = _WRITTEN_BY.search(old_body)
    if match and match.group(1) != __version__:
        return (
            f" (replaces, in place, the block written by django-simple-deploy "
            f"{match.group(1)}; this is {__version__}; the old block is in git history)"
        )
    return " (replaces the existing block in place; the old one is in git history)"


def requirement_changes(
    project: Project, wanted: list[Requirement]
) -> tuple[tuple[FileChange, ...], tuple[Requirement, ...], tuple[str, ...]]:
    """(changes to the dependency files, requirements added, problems that stop the run).

    The project's manager decides where `wanted` requirements the project lacks
    go (and what else must change, such as removing this tool from production).
    """
    manager = get(project.package_manager)
    deps = project.deps
    missing = [r for r in wanted if r.name not in deps.present]
    # A pin older than what the generated files call: raised (the manager says so).
    missing += [r for r in wanted if r.name in deps.pins and too_old(deps.pins[r.name], r)]
    edit = manager.plan_edit(project.git_root, deps, missing)
    if edit.problems:
        return (), (), tuple(edit.problems)
    changes = []
    for path, new_text in edit.texts.items():
        file = project.git_root / path
        # A file the manager creates (no dependency file existed) is UTF-8 with LF.
        before = file.read_bytes() if file.exists() else None
        original: TextFile = decode(before if before is not None else b"", path)
        after = original.encode(new_text)
        if after != before:
            changes.append(FileChange(path, before, after, edit.reasons[path]))
    return tuple(changes), tuple(edit.added), ()


def too_old(pin: str, requirement: Requirement) -> bool:
    """True when the requirement as written (`pin`) allows no release at or after
    `requirement.minimum`: "dj-database-url==0.5.0" for a block passing a keyword 1.1 added."""
    if not requirement.minimum:
        return False
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508
    from packaging.version import InvalidVersion, Version

    try:
        specifier = Pep508(pin).specifier
        oldest = Version(requirement.minimum)
    except (InvalidRequirement, InvalidVersion):
        return False
    if not str(specifier):
        return False
    # The versions worth asking about: the minimum, the ones our spec and the pin name.
    named = {requirement.minimum, *(s.version for s in Pep508(requirement.spec).specifier)}
    named |= {s.version.rstrip(".*") for s in specifier}
    candidates = []
    for text in named:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version >= oldest:
            candidates.append(version)
    return not any(specifier.contains(v, prereleases=True) for v in candidates)


def unified_diff(change: FileChange) -> str:
    """The change as a unified diff, as `--dry-run` shows it."""
    old = decode(change.before, change.path).text if change.before is not None else ""
    new = decode(change.after, change.path).text
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{change.path}" if change.before is not None else "/dev/null",
        tofile=f"b/{change.path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
