"""Inspect the user's project: read files, never write them.

Everything later stages decide about the user's files is taken from the one
frozen `Project` built here, so a plan can be checked against what was seen.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from . import import_time_static, manage_shim, markers, platform_flags
from .assets import (
    AssetBuild,
    compress_offline,
    find_asset_build,
    find_frontend_build,
    tailwind_cli,
)
from .drivers import Driver, find_driver, read_texts
from .git_status import GitStatus, read_status
from .package_managers import Dependencies, ManagerError, detect, get
from .parsing import ReadError, reading_files
from .python_version import find as find_python
from .service_detection import find_services
from .services import Services
from .settings_discovery import (
    Named,
    NewModule,
    module_file,
    production_beside,
    production_sibling,
)
from .settings_discovery import settings_default as _named_in
from .settings_facts import STARTPROJECT, SettingsFacts, from_probe
from .settings_probe import EnvVar, probe
from .shipped_static import find as find_shipped_static
from .source_maps import missing_maps
from .textfiles import UnreadableFile, read_text
from .wagtail import Wagtail, find_wagtail

__all__ = ["Project", "InspectionError", "inspect", "EnvVar"]
_WSGI_APPLICATION = re.compile(r"""^WSGI_APPLICATION\s*=\s*["']([\w.]+)["']""", re.MULTILINE)
_STAR_IMPORT = re.compile(r"^from\s+([\w.]+)\s+import\s+\*", re.MULTILINE)
# The files package managers are detected from.
MANAGER_FILES = ("pyproject.toml", "Pipfile", "requirements.txt", "poetry.lock", "uv.lock")
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
    manage_settings_module: str | None
    wsgi_module: str
    package_manager: str
    python_version: str
    django_version: str
    configured_for: tuple[str, ...]
    # Asset build and database driver (platform-files): what the platform must
    # build before collectstatic, and the PostgreSQL driver the project already has.
    asset_build: AssetBuild | None = None
    compress_offline: bool = False
    # django-tailwind-cli installed: `manage.py tailwind build` runs before collectstatic.
    tailwind_cli: bool = False
    # The STATICFILES_STORAGE the settings set (probed), when STORAGES has no
    # "staticfiles": Django 5.1 ignores it (see static_storage).
    legacy_static_storage: str | None = None
    # STATIC_ROOT (root-relative) when the repository tracks it with its collectstatic
    # manifest: the project ships its collected files and no build runs collectstatic
    # (shipped_static). None: the platform's build collects them.
    static_shipped: str | None = None
    # Shipped CSS/JS files naming a source map the repository lacks (source_maps).
    missing_source_maps: tuple[str, ...] = ()
    # "path:line" of static() calls that run when Django loads the apps, before
    # collectstatic writes a manifest (import_time_static).
    import_time_static: tuple[str, ...] = ()
    postgres_driver: Driver | None = None
    # The module wsgi.py sets by default (None: it sets none).
    wsgi_settings_module: str | None = None
    # Environment variables the production settings read, found by importing them.
    env_vars: tuple[EnvVar, ...] = ()
    # Why importing the production settings failed (None: they import).
    import_error: str | None = None
    # True when inspection imported the settings (env_vars and import_error are its findings).
    settings_probed: bool = False
    # Git-ignored paths the settings need at import, which the platform (given the
    # commit) lacks; the "path:line" that needs them; and the variable that, set on
    # the platform, makes the settings do without them (then among env_vars, required).
    ignored_needed: tuple[str, ...] = ()
    ignored_needed_at: str | None = None
    platform_switch: str | None = None
    # Variables a pydantic-settings model in the settings reads as JSON (goodconf's
    # `ALLOWED_HOSTS: list[str]`): a value the tool sets there is a JSON list.
    json_variables: tuple[str, ...] = ()
    # True when the git root's manage.py is a symbolic link to the project's nested
    # one: the user's root entry point, run as it is and never written.
    root_manage_link: bool = False
    # Where python_version was read ("runtime.txt", ".python-version" ...) and any
    # files that disagree with it, for the summary.
    python_source: str = "the Python running this command"
    python_notes: tuple[str, ...] = ()
    # How the project declares and installs dependencies (None: read on demand, for
    # Projects built by hand in tests).
    dependencies: Dependencies | None = None
    # A Wagtail project's facts for the settings block (None: no Wagtail).
    wagtail: Wagtail | None = None
    # Processes beside web (workers, a scheduler, Channels), the ASGI server and the
    # Redis URL names the settings read (services.py).
    services: Services = Services()
    # (flag, module): modules the settings load when a variable is set (`if "ON_HEROKU"
    # in os.environ: from .settings_heroku import *`); see platform_flags.
    flag_modules: tuple[tuple[str, str], ...] = ()
    # (name, value): that flag, set on the platform whose module is extended.
    platform_flag: tuple[str, str] | None = None
    # The text of the production module this run creates beside the only, development,
    # module (settings_file does not exist yet); None: settings_file is extended.
    new_settings_text: str | None = None
    # (name, value): the variable the settings read DEBUG from and the value that turns
    # it off, which every platform sets so the project's `if not DEBUG:` branches run.
    debug_off: tuple[str, str] | None = None

    # The production settings' final values the block is written from (probed).
    settings_facts: SettingsFacts | None = None
    # The working tree against HEAD, as git status saw it at inspection (None: not
    # asked, for Projects built by hand; the checks then ask git themselves).
    git: GitStatus | None = None

    @property
    def facts(self) -> SettingsFacts:
        """The probed `settings_facts`, or startproject's for a Project built by hand."""
        return self.settings_facts or STARTPROJECT

    @property
    def deps(self) -> Dependencies:
        """The project's `Dependencies`, as inspection read them."""
        if self.dependencies is not None:
            return self.dependencies
        return get(self.package_manager).dependencies(self.git_root)

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
        DJANGO_SETTINGS_MODULE unless manage.py (release, build) and wsgi.py (web)
        both already name that module in their own code; the platform flag whose
        module was extended (`platform_flag`); and the project's own debug variable
        set off (`debug_off`), so its production branches run."""
        env = {}
        if not self.manage_settings_module == self.wsgi_settings_module == self.settings_module:
            env["DJANGO_SETTINGS_MODULE"] = self.settings_module
        for pair in (self.platform_flag, self.debug_off):
            if pair:
                env[pair[0]] = pair[1]
        return env

    @property
    def required_env(self) -> tuple[EnvVar, ...]:
        """Variables the production settings cannot import without."""
        return tuple(var for var in self.env_vars if var.required)

    def check_command(self) -> str:
        """The command that imports the production settings the way the platform will."""
        manage = f"{self.manage_dir_rel}/manage.py" if self.nested else "manage.py"
        return f"DJANGO_SETTINGS_MODULE={self.settings_module} python {manage} check"


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
    # A `.git` here or above that git refuses is git's to explain (dubious
    # ownership, a `.git` file pointing nowhere), in the user's own language.
    has_git = any((folder / ".git").exists() for folder in (start, *start.parents))
    if out.returncode != 0 and has_git:
        # Git refused for its own reason ("dubious ownership" of a folder another
        # user owns, a broken .git): its words, which include the fix.
        said = out.stderr.decode("utf-8", errors="replace").strip()
        raise InspectionError(
            f"git refused to read the repository at {start}:\n{said}\n"
            "Do what git suggests above (for dubious ownership: check that you trust the "
            "folder, then run the `git config --global --add safe.directory ...` line it "
            "prints), then run again. Nothing was changed."
        )
    if out.returncode != 0:
        raise InspectionError(
            f"{start} is not inside a git repository. django-simple-deploy only changes "
            "projects under version control, so every change can be reviewed and undone. "
            'Run `git init`, `git add -A` and `git commit -m "Initial commit"`, then run again.'
        )
    # Git prints the path in the file-system encoding (UTF-8 on Windows), not the
    # console's code page: decode it as a path, so non-ASCII folder names survive.
    return Path(os.fsdecode(out.stdout.strip())).resolve()


def _asset_build(
    git_root: Path,
    manage_dir: Path,
    facts: SettingsFacts | None,
    git: GitStatus | None,
    settings_texts: list[str],
) -> AssetBuild | None:
    """The package.json build at the root or beside manage.py; else a frontend in another
    folder that the project's Dockerfile builds and copies to a folder the settings serve
    (STATICFILES_DIRS, template DIRS), which the platform must then build the same way,
    unless its output is committed there (then the platform has it as it is)."""
    found = find_asset_build(git_root, manage_dir)
    if (
        found is not None
        and facts is not None
        and not _serves_packages(found, facts, settings_texts)
    ):
        # No build script, and nothing the settings serve comes from node_modules: its
        # `dependencies` are the tools of a build run by hand, whose output is committed
        # (`npx @tailwindcss/cli -o static/css/styles.css`). Node.js would install them
        # on the platform for nothing.
        found = None
    if found is not None or facts is None:
        return found
    frontend = find_frontend_build(git_root, facts.served_dirs)
    if frontend is None or git is None or _holds_committed(git_root, frontend.target, git):
        return None
    return frontend


# Settings that serve npm packages from node_modules: a STATICFILES_DIRS entry there, or
# django-npm's finder (NPM_ROOT_PATH names the folder holding node_modules).
_NODE_MODULES_SERVED = re.compile(r"node_modules|\bnpm\.finders\b|\bNPM_ROOT_PATH\b")


def _serves_packages(build: AssetBuild, facts: SettingsFacts, settings_texts: list[str]) -> bool:
    """False for a package.json without a build whose packages the settings never serve
    (True for one with a build: its output is what they serve)."""
    if build.script or build.task_argv:
        return True
    if any("node_modules" in PurePosixPath(rel).parts for rel in facts.served_dirs):
        return True
    return any(_NODE_MODULES_SERVED.search(text) for text in settings_texts)


_X_FRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
_COMMENTED_X_FRAME = re.compile(r"#\s*[\"']" + re.escape(_X_FRAME) + r"[\"']")


def _frames_allowed(facts: SettingsFacts, settings_texts: list[str]) -> bool:
    """MIDDLEWARE lacks XFrameOptionsMiddleware and the settings hold its line commented
    out: a choice (pages may be framed), not an omission for check --deploy to report."""
    if _X_FRAME in facts.middleware:
        return False
    return any(_COMMENTED_X_FRAME.search(text) for text in settings_texts)


def _holds_committed(git_root: Path, folder: str, git: GitStatus) -> bool:
    """True when a file under `folder` (root-relative) is in the commit: present, and
    neither ignored nor untracked."""
    local = (*git.ignored, *git.untracked)
    try:
        files = [p for p in (git_root / folder).rglob("*") if p.is_file()]
    except OSError:
        return False
    for path in files:
        rel = path.relative_to(git_root).as_posix()
        if not any(
            rel == entry or entry.endswith("/") and rel.startswith(entry) for entry in local
        ):
            return True
    return False


def _linked_manage_dir(git_root: Path, manage_py: Path) -> Path | None:
    """The folder of the manage.py a linked manage.py leads to, inside the repository.

    `python manage.py` through a link imports from the target's folder (Python puts
    it first on sys.path), so that folder is the project's; the link stays the
    user's file, never a write target.
    """
    if not manage_py.is_symlink():
        return None
    target = Path(os.path.realpath(manage_py))
    inside = target.is_relative_to(git_root) and target.name == "manage.py"
    return target.parent if inside and target.is_file() else None


def _find_manage_py(git_root: Path, start: Path) -> Path:
    if (start / "manage.py").is_file():
        # A root manage.py we wrote for Heroku stands for the nested one it runs.
        return (
            _linked_manage_dir(git_root, start / "manage.py")
            or manage_shim.target(start / "manage.py")
            or start
        )
    found = []
    for path in sorted(git_root.rglob("manage.py")):
        parts = path.relative_to(git_root).parts
        if _linked_manage_dir(git_root, path) is not None:
            continue  # stands for the manage.py it leads to, found on its own
        if len(parts) <= 3 and not _SKIP_DIRS.intersection(parts):
            if manage_shim.target(path) is None:
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


def _named(path: Path) -> Named | None:
    return _named_in(_read(path))


def _module_file(manage_dir: Path, module: str) -> Path | None:
    return module_file(manage_dir, module)


def _resolve_relative(module: str, importer: str, is_package: bool) -> str:
    if not module.startswith("."):
        return module
    level = len(module) - len(module.lstrip("."))
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    rest = module.lstrip(".")
    return ".".join(base + ([rest] if rest else []))


# A settings file named in a module that uses django-split-settings: "base.py",
# 'components/db.py' (a glob such as "components/*.py" is left out).
_INCLUDED_FILE = re.compile(r"""["']((?:\.?/)?[\w-]+(?:/[\w-]+)*\.py)["']""")


def _always_included(text: str) -> list[str]:
    """The file names (`"base.py"`) a split-settings module names outside any `if` or
    `try`: what every environment loads. A name under `if os.environ.get("ON_HEROKU")`
    is one platform's module, read only for that platform (platform_flags)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.If, ast.Try, ast.For, ast.While, ast.With)):
            continue
        for const in ast.walk(node):
            if isinstance(const, ast.Constant) and isinstance(const.value, str):
                names += _INCLUDED_FILE.findall(f'"{const.value}"')
    return names


def _star_import_chain(manage_dir: Path, settings_module: str) -> Iterator[str]:
    """The text of the settings module, then of each module it star-imports (a settings
    package's base ...), each once: what the settings really define is spread there."""
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
        yield text
        is_package = path.name == "__init__.py"
        queue += [_resolve_relative(m, module, is_package) for m in _STAR_IMPORT.findall(text)]
        if "split_settings" in text:
            # django-split-settings includes files by name (`include("base.py")`, or a
            # list of names passed as `include(*base_settings)`), relative to this file.
            folder = module if is_package else module.rpartition(".")[0]
            for name in _always_included(text):
                dotted = name[:-3].replace("/", ".").lstrip(".")
                queue.append(f"{folder}.{dotted}" if folder else dotted)


def _find_wsgi_application(manage_dir: Path, settings_module: str) -> str | None:
    """WSGI_APPLICATION from the settings module, following `from X import *` chains."""
    for text in _star_import_chain(manage_dir, settings_module):
        match = _WSGI_APPLICATION.search(text)
        if match:
            return match.group(1)
    return None


def _settings_texts(manage_dir: Path, settings_module: str) -> list[str]:
    """The settings module and the modules it star-imports (a settings package's base)."""
    return list(_star_import_chain(manage_dir, settings_module))


# Files that say the project records its dependencies somewhere: then a missing
# requirements.txt is the user's to write (we would miss what those files list).
_DEPENDENCY_TRACES = ("setup.py", "setup.cfg", "requirements", "requirements.in")


# Beside a nested manage.py: the dependency files a project keeps in its Django folder
# (`backend/pyproject.toml`), by the manager that reads them.
_NESTED_MANAGER_FILES = (
    ("poetry.lock", "Poetry"),
    ("uv.lock", "uv"),
    ("Pipfile.lock", "Pipenv"),
    ("Pipfile", "Pipenv"),
    ("pyproject.toml", "its pyproject.toml"),
)


def _nested_dependencies(git_root: Path, manage_dir: Path) -> Dependencies | None:
    """Dependencies recorded beside a nested manage.py when the root records none.

    A requirements.txt there is included from a new root file (every platform's
    build installs from the root). A Poetry, uv or Pipenv project there cannot be
    installed from the root by any platform's Python build: one message says how
    to give the root a file that installs it, and nothing is changed."""
    from .package_managers import requirements_txt
    from .package_managers.nested_export import export_command

    if manage_dir == git_root:
        return None
    rel = manage_dir.relative_to(git_root).as_posix()
    if (manage_dir / "requirements.txt").is_file():
        return requirements_txt.including(git_root, f"{rel}/requirements.txt")
    for name, manager in _NESTED_MANAGER_FILES:
        if (manage_dir / name).is_file():
            export = export_command(manager, rel)
            raise InspectionError(
                f"Your dependencies are recorded in {rel}/{name} ({manager}), beside "
                "manage.py, but the platforms' Python builds install from the root of the "
                f"git repository, which has no dependency file. Nothing was changed. Export "
                f"them for the platform: {export}, then create a requirements.txt "
                f"in the root holding the line `-r {rel}/requirements.txt` (re-run the export "
                "when your lock changes), commit both, and run again."
            )
    return None


def _new_requirements(git_root: Path) -> Dependencies | None:
    """The requirements.txt this run writes when the project records no dependencies at
    all (a bare `startproject`), else None. Django is pinned to the release this
    command runs under; a development build has no release to pin (None: the run
    stops with what to write)."""
    names = (*MANAGER_FILES, *_DEPENDENCY_TRACES, "Pipfile.lock")
    if any((git_root / name).exists() for name in names):
        return None
    if any(git_root.glob("requirements*.txt")) or any(git_root.glob("requirements*.in")):
        return None
    # Imported here: most projects have a dependency file, and `packaging` is slow to import.
    from importlib import metadata

    from packaging.version import InvalidVersion, Version

    from .package_managers import requirements_txt

    try:
        installed = metadata.version("django")
        version = Version(installed)
    except (metadata.PackageNotFoundError, InvalidVersion):
        return None
    if version.is_devrelease or version.local:
        return None
    return requirements_txt.new_file(installed)


def _wsgi_module(manage_dir: Path, named: str) -> str:
    """The module gunicorn serves: WSGI_APPLICATION's, else the first of `<package>.wsgi`
    (startproject's) and a top-level `wsgi` that exists beside manage.py.

    The platform runs `gunicorn <module>`: a module without a file there fails every
    request, so none found stops the run here.
    """
    application = _find_wsgi_application(manage_dir, named)
    if application:
        module = application.rsplit(".", 1)[0]
        if _module_file(manage_dir, module) is not None:
            return module
        raise InspectionError(
            f"WSGI_APPLICATION is {application!r}, but there is no module {module} under "
            f"{manage_dir}: the platform's web server (gunicorn {module}) would fail to start. "
            "Set WSGI_APPLICATION to the module that defines `application` (startproject's "
            "is <project>/wsgi.py), commit, and run again. Nothing was changed."
        )
    candidates = list(dict.fromkeys((named.split(".")[0] + ".wsgi", "wsgi")))
    for module in candidates:
        if _module_file(manage_dir, module) is not None:
            return module
    tried = " nor ".join(module.replace(".", "/") + ".py" for module in candidates)
    raise InspectionError(
        f"No WSGI module found: the settings set no WSGI_APPLICATION we can read, and neither "
        f"{tried} exists under {manage_dir}. The platform serves the site with gunicorn, "
        'which needs one. Set WSGI_APPLICATION = "<module>.application" in your settings '
        "(the module that defines `application = get_wsgi_application()`), commit, and run "
        "again. Nothing was changed."
    )


def _django_version() -> str:
    """MAJOR.MINOR of the Django this command runs in (the project's own)."""
    import django

    major, minor = django.VERSION[:2]
    return f"{major}.{minor}"


def _choose_settings(
    manage_dir: Path, explicit: str | None, running: str | None
) -> tuple[str, str | None, Named | None, str, str, NewModule | None]:
    """(production module, manage.py's module, wsgi.py's, wsgi module, why, the module to
    create when only a development module exists).

    `explicit` is --settings-module; `running` is DJANGO_SETTINGS_MODULE as this run
    sees it (exported, or Django's --settings), which outranks manage.py's default.
    """
    manage_named = _named(manage_dir / "manage.py")
    manage_settings = manage_named.module if manage_named else None
    named = running or manage_settings or explicit
    if not named:
        raise InspectionError(
            "manage.py does not set DJANGO_SETTINGS_MODULE (no live "
            "os.environ.setdefault(...) call) and it is not set in this run's environment, "
            "so we cannot tell which settings to extend. Name them: "
            "--settings-module <package>.settings (or export DJANGO_SETTINGS_MODULE)."
        )
    wsgi_module = _wsgi_module(manage_dir, named)
    wsgi_file = _module_file(manage_dir, wsgi_module)
    wsgi_named = _named(wsgi_file) if wsgi_file else None
    if wsgi_named and wsgi_file and _module_file(manage_dir, wsgi_named.module) is None:
        rel = wsgi_file.relative_to(manage_dir).as_posix()
        raise InspectionError(
            f"{rel}, line {wsgi_named.line}, names the settings module {wsgi_named.module}, "
            f"which does not exist under {manage_dir}. The platform serves through {rel}: "
            "correct that line to name your settings module (for example "
            f"{named}), commit, and run again."
        )
    if explicit:
        if _module_file(manage_dir, explicit) is None:
            raise InspectionError(
                f"--settings-module {explicit}: no such module under {manage_dir} (give a "
                "dotted name relative to the folder holding manage.py, e.g. "
                "config.settings.production)."
            )
        return (
            explicit,
            manage_settings,
            wsgi_named,
            wsgi_module,
            "named with --settings-module",
            None,
        )
    if running and running != manage_settings:
        base, base_why = running, "DJANGO_SETTINGS_MODULE in this run's environment names it"
    elif wsgi_named and wsgi_named.module != named:
        base = wsgi_named.module
        base_why = (
            f"wsgi.py points at it (manage.py at {manage_settings}); "
            "the platform serves through wsgi.py"
        )
    else:
        base, base_why = named, "manage.py and wsgi.py point at it"
    if _module_file(manage_dir, base) is None:
        raise InspectionError(
            f"Settings module {base} ({base_why}) was not found under {manage_dir}. "
            "Name the right one with --settings-module."
        )
    sibling = production_sibling(manage_dir, base)
    if sibling:
        namer = (
            "manage.py"
            if base == manage_settings
            else "DJANGO_SETTINGS_MODULE"
            if base == running
            else "wsgi.py"
        )
        why = (
            f"the production module beside {base}, which {namer} names; "
            "choose another with --settings-module"
        )
        return sibling, manage_settings, wsgi_named, wsgi_module, why, None
    new = production_beside(manage_dir, base)
    if new is not None:
        why = (
            f"new: only {base}, a development module, exists, and production must never run "
            f"it; this module builds on {new.base}, as {base} does, without its development "
            "settings"
        )
        return new.module, manage_settings, wsgi_named, wsgi_module, why, new
    return base, manage_settings, wsgi_named, wsgi_module, base_why, None


def _outside_block(var: EnvVar, git_root: Path) -> bool:
    """False for reads made by our own settings block (its platform guard variables),
    in whichever settings file holds it."""
    path, _, line = var.where.rpartition(":")
    if not path or not line.isdigit():
        return True
    try:
        text = (git_root / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    if "# >>> django-simple-deploy:" not in text:
        return True
    lineno = int(line)
    lines = text.splitlines()
    inside = False
    for number, content in enumerate(lines, 1):
        if content.startswith("# >>> django-simple-deploy:"):
            inside = True
        elif content.startswith("# <<< django-simple-deploy:"):
            inside = False
        if number == lineno:
            return not inside
    return True


def probed_fields(
    git_root: Path,
    manage_dir: Path,
    module: str,
    preset: dict[str, str] | None = None,
    ignored: tuple[str, ...] | None = None,
) -> dict:
    """The `Project` fields the settings probe fills, importing `module` once (with
    `preset` in its environment: a platform flag the platform will be given;
    `ignored`: the git-ignored paths that exist, None to ask git)."""
    found = probe(git_root, manage_dir, module, preset=preset, ignored=ignored)
    return {
        "env_vars": tuple(v for v in found.variables if _outside_block(v, git_root)),
        "import_error": found.error,
        "ignored_needed": found.missing,
        "ignored_needed_at": found.needed_at,
        "platform_switch": found.switch,
        "legacy_static_storage": found.legacy_storage,
        "debug_off": found.debug_off,
        "settings_facts": from_probe(found.final) if found.final is not None else None,
        "json_variables": found.json_variables,
    }


def services_read_under(project: Project, env_vars: tuple, also: tuple[str, ...] = ()) -> Services:
    """The project's services found again from what its settings read under a
    platform's variables (`env_vars`, from probed_fields) and the texts of the module
    that platform's flag loads (`also`): a module only the platform imports (tabbycat's
    heroku.py) is where its Redis cache and channel layer read REDIS_URL."""
    manage_rel = project.manage_dir.relative_to(project.git_root).as_posix()
    return find_services(
        project.git_root,
        project.manage_dir,
        [*_settings_texts(project.manage_dir, project.settings_module), *also],
        project.deps.present,
        env_vars,
        project.wsgi_module,
        ("python", "manage.py" if manage_rel == "." else f"{manage_rel}/manage.py"),
    )


def inspect(
    start: Path,
    *,
    settings_module: str | None = None,
    running_settings: str | None = None,
    probe_env: bool = True,
    production_groups: tuple[str, ...] = (),
) -> Project:
    """Build the `Project` for the Django project containing `start`.

    `settings_module` is the user's explicit choice (--settings-module);
    `running_settings` is DJANGO_SETTINGS_MODULE as the run sees it. With
    `probe_env`, the production settings are imported once in a separate
    process (settings_probe) to learn the environment variables they read. `production_groups`
    are dependency groups the user says production needs (`--production-group`),
    besides those named for production.
    """
    start = Path(start).resolve()
    git_root = _git_root(start)
    manage_dir = _find_manage_py(git_root, start)

    chosen, manage_settings, wsgi_named, wsgi_module, source, new = _choose_settings(
        manage_dir, settings_module, running_settings
    )
    # A module this run creates is read, probed and described through its base.
    read_as = new.base if new else chosen
    settings_file = (
        manage_dir.joinpath(*chosen.split(".")).with_suffix(".py")
        if new
        else _module_file(manage_dir, chosen)
    )
    if settings_file is None:  # pragma: no cover - _choose_settings checked it
        raise InspectionError(f"Settings module {chosen} was not found under {manage_dir}.")
    wsgi_settings = wsgi_named.module if wsgi_named else None
    if not manage_settings == wsgi_settings == chosen:
        source += "; the platform is told to load it with DJANGO_SETTINGS_MODULE"

    new_file = _new_requirements(git_root)
    if new_file is not None:
        new_file = _nested_dependencies(git_root, manage_dir) or new_file
    try:
        with reading_files(
            git_root, MANAGER_FILES, "the dependency tables of your package manager"
        ):
            manager = get("requirements_txt") if new_file else detect(git_root)
    except (ManagerError, ReadError) as exc:
        raise InspectionError(str(exc)) from exc
    python = find_python(git_root)
    try:
        # A syntax error or a strange shape names the file (parsing.reading_files).
        with reading_files(
            git_root, MANAGER_FILES, "the dependency tables of your package manager"
        ):
            dependencies = new_file or manager.dependencies(git_root, tuple(production_groups))
    except (UnreadableFile, ReadError) as exc:
        raise InspectionError(str(exc)) from exc
    except Exception as exc:  # a TOML syntax error: say which file, no traceback
        raise InspectionError(
            f"Could not read the {manager.label} dependency files: {exc}. Fix them, commit, "
            "and run again."
        ) from exc

    settings_text = new.text if new else _read(settings_file)
    git = read_status(git_root)
    from .committed_tree import local_only  # its imports come back to this module

    ignored = local_only(git)
    probed = probed_fields(git_root, manage_dir, read_as, ignored=ignored) if probe_env else {}

    # The settings module and what it star-imports, read once for every finder below.
    settings_texts = _settings_texts(manage_dir, read_as)
    wagtail = find_wagtail(settings_texts, dependencies.present)
    facts = probed.get("settings_facts")
    if facts is not None and _frames_allowed(facts, settings_texts):
        facts = probed["settings_facts"] = replace(facts, frames_allowed=True)
    if wagtail and wagtail.base_url_set and facts is not None and not facts.wagtail_base_url:
        # Assigned only under a condition the platform does not meet (`if "PRIMARY_HOST"
        # in os.environ:`): the block sets it, or check --deploy warns W003 there.
        wagtail = replace(wagtail, base_url_set=False)

    manage_rel = manage_dir.relative_to(git_root).as_posix()
    services = find_services(
        git_root,
        manage_dir,
        settings_texts,
        dependencies.present,
        probed.get("env_vars", ()),
        wsgi_module,
        ("python", "manage.py" if manage_rel == "." else f"{manage_rel}/manage.py"),
    )
    asset_build = _asset_build(git_root, manage_dir, facts, git, settings_texts)
    tailwind = tailwind_cli(settings_texts)
    # Shipped collected files hold a local asset build's output the commit lacks;
    # without such a build a committed manifest is only an old collect, made again.
    built = asset_build is not None or tailwind
    shipped = find_shipped_static(git_root, facts) if git and built else None
    return Project(
        git_root=git_root,
        manage_dir=manage_dir,
        settings_module=chosen,
        settings_file=settings_file,
        settings_source=source,
        manage_settings_module=manage_settings,
        wsgi_module=wsgi_module,
        package_manager=manager.name,
        python_version=python.version,
        python_source=python.source,
        python_notes=python.notes,
        dependencies=dependencies,
        django_version=_django_version(),
        configured_for=markers.platforms_in(settings_text),
        # Shipped static files were built and collected before the commit; no platform
        # collects, so an asset build there would only need Node.js for nothing.
        asset_build=None if shipped else asset_build,
        compress_offline=compress_offline(settings_texts),
        # A project shipping its collected files built its CSS before the commit.
        tailwind_cli=not shipped and tailwind,
        missing_source_maps=missing_maps(git_root, git.untracked, git.ignored) if git else (),
        # A shipped manifest answers static() at import: no collectstatic runs before it.
        import_time_static=()
        if shipped
        else import_time_static.find(git_root, import_time_static.loaded_files(git_root)),
        static_shipped=shipped,
        wagtail=wagtail,
        postgres_driver=find_driver(
            set(dependencies.present),
            read_texts(
                git_root, tuple(f for f in dependencies.install_files if not f.endswith("/"))
            ),
        ),
        wsgi_settings_module=wsgi_settings,
        root_manage_link=_linked_manage_dir(git_root, git_root / "manage.py") == manage_dir
        and manage_dir != git_root,
        **probed,
        settings_probed=probe_env,
        services=services,
        new_settings_text=new.text if new else None,
        flag_modules=() if new else platform_flags.flag_modules(manage_dir, chosen),
        git=git,
    )
