"""Files the platform must receive but `.gitignore` keeps out of git.

A platform builds from commits (a push, `git archive`): a Procfile, Pipfile.lock
or .python-version that git ignores is written here, reported, and never reaches
the platform. Before anything is written we ask git itself (`git check-ignore`,
which knows every ignore source and skips tracked files) which of the files the
platform needs it would leave out, and add a `!/name` exception for each to the
.gitignore whose rule matched, so `git add -A` (or our commit) includes them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from .plan import FileChange
from .project import Project
from .textfiles import decode

__all__ = ["ignored", "unignore"]

_MARK = "# Files the platform must receive (django-simple-deploy):"


def _check_ignore(root: Path, paths: Sequence[str], *, verbose: bool = False) -> list[str]:
    """NUL-separated fields (-z): no quoting of unusual names, and a Windows source path's
    drive colon cannot be mistaken for a separator. Verbose output has 4 fields a path."""
    if not paths:
        return []
    argv = ["git", "check-ignore", "--stdin", "-z", *(["-v"] if verbose else [])]
    data = "".join(f"{path}\0" for path in paths).encode("utf-8")
    out = subprocess.run(argv, cwd=root, input=data, capture_output=True, check=False)
    if out.returncode not in (0, 1):  # 128: git failed; treat as nothing ignored
        return []
    return [field for field in out.stdout.decode("utf-8", "replace").split("\0")]


def ignored(project: Project, paths: Sequence[str]) -> list[str]:
    """The `paths` (relative, POSIX) git would not commit because an ignore rule matches."""
    unique = list(dict.fromkeys(p for p in paths if p))
    found = set(_check_ignore(project.git_root, unique))
    return [p for p in unique if p in found]


def _source(project: Project, path: str) -> str | None:
    """The .gitignore (relative to the git root) holding the rule that ignores `path`,
    or None for rules outside the repository (.git/info/exclude, core.excludesFile)."""
    fields = _check_ignore(project.git_root, [path], verbose=True)
    if len(fields) >= 4 and fields[0]:
        candidate = Path(fields[0])
        if not candidate.is_absolute():
            candidate = project.git_root / candidate
        try:
            rel = candidate.resolve().relative_to(project.git_root).as_posix()
        except ValueError:
            return None
        return rel if PurePosixPath(rel).name == ".gitignore" and ".git/" not in rel else None
    return None


def _ignored_parent(project: Project, path: str) -> str | None:
    parents = [p.as_posix() + "/" for p in reversed(PurePosixPath(path).parents) if str(p) != "."]
    hits = [hit for hit in _check_ignore(project.git_root, parents) if hit]
    return hits[0] if hits else None


def unignore(
    project: Project, paths: Sequence[str]
) -> tuple[list[FileChange], tuple[str, ...], list[str]]:
    """(.gitignore changes, the paths they let git commit, problems that stop the run).

    Git cannot re-include a file whose folder is ignored: then we stop with the fix.
    """
    found = ignored(project, paths)
    if not found:
        return [], (), []
    problems = []
    by_file: dict[str, list[str]] = {}
    for path in found:
        parent = _ignored_parent(project, path)
        if parent is not None:
            problems.append(
                f"{path}: the platform needs this file, but git ignores its folder {parent} "
                "(see `git check-ignore -v " + path + "`), so it would never be pushed. "
                f"Remove that rule from your ignore file, or add `!{parent}` after it, commit, "
                "and run again. Nothing was changed."
            )
            continue
        source = _source(project, path) or ".gitignore"
        by_file.setdefault(source, []).append(path)
    if problems:
        return [], (), problems
    changes = [_exception_change(project, source, names) for source, names in by_file.items()]
    return changes, tuple(found), []


def _exception_change(project: Project, source: str, names: list[str]) -> FileChange:
    path = project.git_root / source
    before = path.read_bytes() if path.is_file() else None
    original = decode(before or b"", source)
    folder = PurePosixPath(source).parent
    lines = [
        "!/" + (PurePosixPath(n).relative_to(folder).as_posix() if str(folder) != "." else n)
        for n in names
    ]
    text = original.text
    if text and not text.endswith("\n"):
        text += "\n"
    # Last lines win in a .gitignore: these exceptions override the rule above.
    text += ("\n" if text else "") + _MARK + "\n" + "\n".join(lines) + "\n"
    after = original.encode(text) if before is not None else text.encode("utf-8")
    listed = ", ".join(names)
    return FileChange(
        source,
        before,
        after,
        f"adds {', '.join(f'`{line}`' for line in lines)}: git ignored {listed}, and the "
        "platform receives only committed files",
    )
