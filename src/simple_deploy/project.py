"""Inspect the user's project: read files, never write them.

Everything later stages decide about the user's files is taken from the one
frozen `Project` built here, so a plan can be checked against what was seen.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from . import markers
from .assets import AssetBuild, compress_offline, find_asset_build
from .drivers import Driver, find_driver, read_texts
from .package_managers import ManagerError, detect
from .textfiles import UnreadableFile, read_text

__all__ = ["Project", "InspectionError", "inspect"]

_SETTINGS_DEFAULT = re.compile(
    r"""os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']\s*\)"""
)
_WSGI_APPLICATION = re.compile(r"""^WSGI_APPLICATION\s*=\s*["']([\w.]+)["']""", re.MULTILINE)
_STAR_IMPORT = re.compile(r"^from\s+([\w.]+)\s+import\s+\*", re.MULTILINE)
_SKIP_DIRS = {".git", ".venv", "venv", "env", "node_modules", "__pycache__", ".tox", ".nox"}


class InspectionError(Exception):
    """The project is not in a shape we can configure; the message says how to fix it."""


@dataclass(frozen=True)
class Project:
    """What we know about the user's project, gathered without writing anything.

    Paths are absolute; `*_rel` values are POSIX paths relative to the git root,
    the form generated platform files use whatever the local OS.
    """

    git_root: Path
    manage_dir: Path
    settings_module: str
    settings_file: Path
    settings_source: str
    manage_settings_module: str
    wsgi_module: str
    package_manager: str
    python_version: str
    django_version: str
    configured_for: tuple[str, ...]
    # Asset build and database driver (platform-files): what the platform must
    # build before collectstatic, and the PostgreSQL driver the project already has.
    asset_build: AssetBuild | None = None
    compress_offline: bool = False
    postgres_driver: Driver | None = None

    @property
    def nested(self) -> bool:
        """True when manage.py sits in a subfolder of the git root (`startproject blog`)."""
        return self.manage_dir != self.git_root

    @property
    def manage_dir_rel(self) -> str:
        return self.manage_dir.relative_to(self.git_root).as_posix()

    @property
    def settings_rel(self) -> str:
        return self.settings_file.relative_to(self.git_root).as_posix()

    def rel(self, path: Path) -> str:
        return path.relative_to(self.git_root).as_posix()

    @property
    def base_dir_depth(self) -> int:
        """N such that `Path(__file__).resolve().parents[N]`, written in the settings
        file, is the folder holding manage.py (where startproject puts BASE_DIR)."""
        return len(self.settings_file.relative_to(self.manage_dir).parts) - 1

    @property
    def settings_env(self) -> dict[str, str]:
        """Environment every platform process needs to use the settings we extended:
        DJANGO_SETTINGS_MODULE when wsgi.py and manage.py name different modules."""
        if self.manage_settings_module == self.settings_module:
            return {}
        return {"DJANGO_SETTINGS_MODULE": self.settings_module}


def _git_root(start: Path) -> Path:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=start,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise InspectionError(
            "git is not installed or not on PATH. Install git, commit your project, and run again."
        ) from exc
    if out.returncode != 0:
        raise InspectionError(
            f"{start} is not inside a git repository. django-simple-deploy only changes "
            "projects under version control, so every change can be reviewed and undone. "
            'Run `git init`, `git add -A` and `git commit -m "Initial commit"`, then run again.'
        )
    # Git prints the path in the file-system encoding (UTF-8 on Windows), not the
    # console's code page: decode it as a path, so non-ASCII folder names survive.
    return Path(os.fsdecode(out.stdout.strip())).resolve()


def _find_manage_py(git_root: Path, start: Path) -> Path:
    if (start / "manage.py").is_file():
        return start
    found = []
    for path in sorted(git_root.rglob("manage.py")):
        parts = path.relative_to(git_root).parts
        if len(parts) <= 3 and not _SKIP_DIRS.intersection(parts):
            found.append(path.parent)
    if not found:
        raise InspectionError(
            f"No manage.py found in {git_root}. Run this command from your Django project "
            "(the folder holding manage.py)."
        )
    if len(found) > 1:
        listed = ", ".join(str(p.relative_to(git_root) / "manage.py") for p in found)
        raise InspectionError(
            f"Found more than one manage.py ({listed}). Run the command from the folder "
            "holding the manage.py of the project you want to deploy."
        )
    return found[0]


def _read(path: Path) -> str:
    try:
        return read_text(path).text
    except UnreadableFile as exc:
        raise InspectionError(str(exc)) from exc


def _settings_default(path: Path) -> str | None:
    match = _SETTINGS_DEFAULT.search(_read(path))
    return match.group(1) if match else None


def _module_file(manage_dir: Path, module: str) -> Path | None:
    base = manage_dir.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _resolve_relative(module: str, importer: str, is_package: bool) -> str:
    if not module.startswith("."):
        return module
    level = len(module) - len(module.lstrip("."))
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    rest = module.lstrip(".")
    return ".".join(base + ([rest] if rest else []))


def _find_wsgi_application(manage_dir: Path, settings_module: str) -> str | None:
    """WSGI_APPLICATION from the settings module, following `from X import *` chains."""
    seen: set[str] = set()
    queue = [settings_module]
    while queue:
        module = queue.pop(0)
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(manage_dir, module)
        if path is None:
            continue
        text = _read(path)
        match = _WSGI_APPLICATION.search(text)
        if match:
            return match.group(1)
        is_package = path.name == "__init__.py"
        queue += [_resolve_relative(m, module, is_package) for m in _STAR_IMPORT.findall(text)]
    return None


def _settings_texts(manage_dir: Path, settings_module: str) -> list[str]:
    """The settings module and the modules it star-imports (a settings package's base)."""
    texts, seen, queue = [], set(), [settings_module]
    while queue:
        module = queue.pop(0)
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(manage_dir, module)
        if path is None:
            continue
        text = _read(path)
        texts.append(text)
        is_package = path.name == "__init__.py"
        queue += [_resolve_relative(m, module, is_package) for m in _STAR_IMPORT.findall(text)]
    return texts


def _python_version(git_root: Path) -> str:
    version_file = git_root / ".python-version"
    if version_file.is_file():
        first = _read(version_file).strip().splitlines()
        match = re.match(r"^(\d+)\.(\d+)", first[0].strip()) if first else None
        if match:
            return f"{match.group(1)}.{match.group(2)}"
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _django_version() -> str:
    try:
        version = metadata.version("django")
    except metadata.PackageNotFoundError:  # pragma: no cover - we run inside Django
        return ""
    return ".".join(version.split(".")[:2])


def inspect(start: Path) -> Project:
    """Build the `Project` for the Django project containing `start`."""
    start = Path(start).resolve()
    git_root = _git_root(start)
    manage_dir = _find_manage_py(git_root, start)

    manage_settings = _settings_default(manage_dir / "manage.py")
    if not manage_settings:
        raise InspectionError(
            "manage.py does not set DJANGO_SETTINGS_MODULE with os.environ.setdefault(...), "
            "so we cannot tell which settings to extend."
        )
    wsgi_application = _find_wsgi_application(manage_dir, manage_settings)
    wsgi_module = (
        wsgi_application.rsplit(".", 1)[0]
        if wsgi_application
        else manage_settings.split(".")[0] + ".wsgi"
    )
    wsgi_file = _module_file(manage_dir, wsgi_module)
    wsgi_settings = _settings_default(wsgi_file) if wsgi_file else None

    # Production serves through wsgi.py, so its settings are the ones to extend.
    settings_module = wsgi_settings or manage_settings
    if wsgi_settings and wsgi_settings != manage_settings:
        source = (
            f"wsgi.py points at {wsgi_settings} (manage.py at {manage_settings}); "
            "the platform serves through wsgi.py"
        )
    else:
        source = "manage.py and wsgi.py point at it"
    settings_file = _module_file(manage_dir, settings_module)
    if settings_file is None:
        raise InspectionError(
            f"Settings module {settings_module} (named in manage.py/wsgi.py) was not found "
            f"under {manage_dir}."
        )

    try:
        manager = detect(git_root)
    except ManagerError as exc:
        raise InspectionError(str(exc)) from exc
    try:
        declared = manager.requirement_names(git_root)
    except Exception:  # an unreadable manifest is reported by the manager's own check
        declared = set()

    return Project(
        git_root=git_root,
        manage_dir=manage_dir,
        settings_module=settings_module,
        settings_file=settings_file,
        settings_source=source,
        manage_settings_module=manage_settings,
        wsgi_module=wsgi_module,
        package_manager=manager.name,
        python_version=_python_version(git_root),
        django_version=_django_version(),
        configured_for=markers.platforms_in(_read(settings_file)),
        asset_build=find_asset_build(git_root, manage_dir),
        compress_offline=compress_offline(_settings_texts(manage_dir, settings_module)),
        postgres_driver=find_driver(declared, read_texts(git_root, manager.files)),
    )
