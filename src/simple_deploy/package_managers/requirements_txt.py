"""requirements.txt: one requirement a line, installed with pip.

There is no lock file to refresh: the platform installs what the file lists.
"""

from __future__ import annotations

from pathlib import Path

from ..textfiles import UnreadableFile, read_text
from . import InstallStep, PackageManager, Requirement
from ._specs import names_of

FILE = "requirements.txt"


def _specs(text: str) -> list[str]:
    specs = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        # Options (-r, -e, --hash ...) and comments name no requirement we could add to.
        if line and not line.startswith(("#", "-")):
            specs.append(line.rstrip("\\").strip())
    return specs


def _names(root: Path) -> set[str]:
    return names_of(_specs(read_text(root / FILE).text))


def _add(text: str, requirements: list[Requirement]) -> str:
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(f"{r.spec}\n" for r in requirements)


def _check(root: Path) -> list[str]:
    try:
        names = _names(root)
    except UnreadableFile as exc:
        return [str(exc)]
    if "django" in names:
        return []
    return [
        f"{FILE} does not list Django, so the platform would install a project without it. "
        f"Record your dependencies (for example `pip freeze > {FILE}` in your project's "
        "virtual environment), commit, and run again."
    ]


MANAGER = PackageManager(
    name="requirements_txt",
    label="pip (requirements.txt)",
    files=(FILE,),
    detect=lambda root: (root / FILE).is_file(),
    requirement_names=_names,
    add_requirements=_add,
    check=_check,
    lock_argv=None,
    install_steps=(
        InstallStep(("{python}", "-m", "pip", "install", "--no-input", "--requirement", FILE)),
    ),
)
