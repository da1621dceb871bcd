"""Read pip requirement files as people write them: includes, continuations, markers, hashes.

pip reads one logical line per requirement: a physical line ending in `\\` continues
on the next, ` #` starts a comment, `-r FILE` includes another requirements file
and `-c FILE` a constraints file (both relative to the including file). This
module follows those rules, so "is Django listed?" and "which files does the
install read?" get the answer pip itself would give.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from ..textfiles import UnreadableFile, read_text
from ._specs import name_of

__all__ = ["Line", "RequirementFiles", "read_tree", "logical_lines", "THIS_TOOL"]

THIS_TOOL = "django-simple-deploy"

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")
_EDITABLE = re.compile(r"^(-e|--editable)(?:\s*=\s*|\s+)(\S+)")
_HASH = re.compile(r"\s--hash[=\s]")
_VCS_OR_URL = re.compile(r"^(git|hg|svn|bzr)\+|^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
# Options that name no requirement and no file (an index, a flag); kept as they are.
_COMMENT = re.compile(r"(^|\s)#.*$")


class Line(NamedTuple):
    """One logical line of a requirements file.

    `first`/`last` are the 0-based physical lines it spans (continuations), so an
    edit can remove exactly those. `kind` is "requirement", "include",
    "constraint", "editable" or "option".
    """

    file: str
    first: int
    last: int
    text: str
    kind: str
    target: str | None = None

    @property
    def number(self) -> int:
        return self.first + 1

    @property
    def spec(self) -> str:
        """The PEP 508 part: the text before any per-requirement option (--hash ...)."""
        return re.split(r"\s--?[a-z]", f" {self.text}")[0].strip()

    @property
    def name(self) -> str | None:
        if self.kind == "editable":
            folder = (self.target or "").replace("\\", "/").rstrip("/")
            tail = PurePosixPath(folder).name if folder else ""
            return THIS_TOOL if THIS_TOOL in tail.lower().replace("_", "-") else None
        return name_of(self.spec) if self.kind == "requirement" else None

    @property
    def marker(self) -> str | None:
        spec = self.spec
        if ";" not in spec:
            return None
        # A `;` inside a URL (name @ url ; marker) needs whitespace before it.
        _, _, marker = spec.partition("; " if "@" in spec else ";")
        return marker.strip() or None

    @property
    def hashed(self) -> bool:
        return bool(_HASH.search(f" {self.text}"))

    @property
    def local_path(self) -> str | None:
        """The path on the user's disk this line installs from, if any."""
        if self.kind == "editable":
            target = self.target or ""
            if _VCS_OR_URL.match(target) and not target.lower().startswith("file:"):
                return None
            return target
        if self.kind != "requirement":
            return None
        spec = self.spec
        if "@" in spec and name_of(spec):
            url = spec.split("@", 1)[1].split(";", 1)[0].strip()
            return url if url.lower().startswith("file:") else None
        if spec.lower().startswith("file:") or spec.startswith((".", "/", "~", "\\")):
            return spec.split(";", 1)[0].strip()
        if _WINDOWS_DRIVE.match(spec):
            return spec
        return None


def logical_lines(text: str, file: str) -> list[Line]:
    """The logical lines of one file, with what each one is."""
    physical = text.splitlines()
    lines: list[Line] = []
    index = 0
    while index < len(physical):
        first = index
        parts = []
        while True:
            raw = (
                _COMMENT.sub("", physical[index])
                if not physical[index].lstrip().startswith("#")
                else ""
            )
            stripped = raw.rstrip()
            if stripped.endswith("\\") and index + 1 < len(physical):
                parts.append(stripped[:-1])
                index += 1
                continue
            parts.append(stripped.rstrip("\\"))
            break
        index += 1
        joined = " ".join(" ".join(parts).split())
        if joined:
            lines.append(_classify(joined, file, first, index - 1))
    return lines


def _classify(text: str, file: str, first: int, last: int) -> Line:
    include = _INCLUDE.match(text)
    if include:
        kind = "include" if include.group(1) in ("-r", "--requirement") else "constraint"
        return Line(file, first, last, text, kind, include.group(2))
    editable = _EDITABLE.match(text)
    if editable:
        return Line(file, first, last, text, "editable", editable.group(2))
    if text.startswith("-"):
        return Line(file, first, last, text, "option")
    return Line(file, first, last, text, "requirement")


class RequirementFiles(NamedTuple):
    """Every file `pip install -r TOP` reads, in reading order, with their lines.

    `files` maps a root-relative POSIX path to its logical lines; `constraints`
    names the files reached only through `-c` (they pin, they install nothing).
    `problems` are includes that cannot be followed, as messages.
    """

    top: str
    files: dict[str, list[Line]]
    constraints: frozenset[str]
    problems: tuple[str, ...]

    def requirement_lines(self) -> list[Line]:
        return [
            line
            for path, lines in self.files.items()
            if path not in self.constraints
            for line in lines
            if line.kind in ("requirement", "editable")
        ]

    def installs(self, path: str) -> bool:
        return path in self.files and path not in self.constraints


def read_tree(root: Path, top: str) -> RequirementFiles:
    """Follow `-r`/`-c` from `top` (root-relative) the way pip does."""
    files: dict[str, list[Line]] = {}
    constraints: set[str] = set()
    problems: list[str] = []
    queue: list[tuple[str, bool, str | None]] = [(top, False, None)]
    while queue:
        path, constraint, included_by = queue.pop(0)
        if path in files:
            if not constraint:
                constraints.discard(path)
            continue
        full = root / path
        if not full.is_file():
            problems.append(
                f"{included_by} includes {path}, which does not exist. Fix the include "
                "(paths are relative to the file that names them), commit, and run again."
            )
            continue
        try:
            text = read_text(full).text
        except UnreadableFile as exc:
            problems.append(str(exc))
            continue
        files[path] = logical_lines(text, path)
        if constraint:
            constraints.add(path)
        for line in files[path]:
            if line.kind not in ("include", "constraint") or line.target is None:
                continue
            if _VCS_OR_URL.match(line.target):
                continue  # a URL: pip fetches it; nothing on disk to follow
            target = _resolve(path, line.target, root)
            if target is None:
                problems.append(
                    f"{path} line {line.number} includes {line.target}, outside the "
                    "repository: the platform receives only the repository. Move that file "
                    "into the repository, commit, and run again."
                )
                continue
            queue.append((target, constraint or line.kind == "constraint", path))
    return RequirementFiles(top, files, frozenset(constraints), tuple(problems))


def _resolve(including: str, target: str, root: Path) -> str | None:
    """`target` as pip finds it from `including`, root-relative; None if outside the root."""
    base = (root / including).parent
    resolved = (base / target.replace("\\", "/")).resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
