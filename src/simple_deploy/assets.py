"""Find the project's asset build: a package.json build script, django-compressor offline.

Static files that a build step makes (Tailwind's CSS, an esbuild or webpack
bundle) are usually git-ignored: they exist on the developer's computer only.
The platform must run the same step before `collectstatic`, or the site goes
out without its styles. Inspection records what it found here; each platform
plugin turns it into its own build step, or into a message naming what to add.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from .frontend_build import find_frontend_recipe, project_dockerfiles

__all__ = [
    "AssetBuild",
    "find_asset_build",
    "find_frontend_build",
    "compress_offline",
    "tailwind_cli",
    "tailwind_note",
    "COMPRESS_ARGS",
    "TAILWIND_BUILD_ARGS",
    "LOCK_FILES",
]

# npm's own lock files, in the order npm reads them; `npm ci` needs one.
LOCK_FILES = ("npm-shrinkwrap.json", "package-lock.json")
# The other managers' lock files, in the order the platforms' Node.js builders look
# for them (heroku-buildpack-nodejs, Railpack): the lock file names the manager.
_MANAGER_LOCKS = {"pnpm": "pnpm-lock.yaml", "yarn": "yarn.lock"}
# Lock files of a manager no platform's Python build can run: named in the message.
_OTHER_LOCKS = {
    "bun.lockb": "Bun",
    "bun.lock": "Bun",
}
# Files the manager reads besides package.json and the lock file (.npmrc holds pnpm's
# `shamefully-hoist`, a registry; .yarnrc.yml Yarn's `nodeLinker`): the install needs them.
_CONFIG_FILES = (".npmrc", ".yarnrc", ".yarnrc.yml")
# Build tools worth naming in the summary ("Tailwind CSS" reads better than a script).
_TOOLS = {
    "tailwindcss": "Tailwind CSS",
    "@tailwindcss/cli": "Tailwind CSS",
    "esbuild": "esbuild",
    "webpack": "webpack",
    "vite": "Vite",
    "nuxt": "Nuxt",
    "sass": "Sass",
    "postcss": "PostCSS",
    "parcel": "Parcel",
    "rollup": "Rollup",
}
DEFAULT_NODE_MAJOR = "22"
# `node -e` with the output folder and the target as arguments: copy, merging into the
# target as Docker's COPY does. Written out rather than fs.cpSync, which Node.js before
# 16.7 lacks (a recipe may pin node:14).
_PLACE_JS = (
    'const fs = require("fs"), path = require("path"); '
    "const copy = (from, to) => { if (fs.statSync(from).isDirectory()) { "
    "fs.mkdirSync(to, { recursive: true }); "
    "for (const name of fs.readdirSync(from)) copy(path.join(from, name), path.join(to, name)); "
    "} else { fs.copyFileSync(from, to); } }; "
    "copy(process.argv[1], process.argv[2]);"
)
# A gulpfile names the production build when package.json has no `build` script
# (READMEs say "npx gulp build"): gulp's task files, and the ways one exports `build`
# (CommonJS `exports.build =` / `module.exports = { build }`, ES `export { build }` /
# `export const build`, gulp 3's `gulp.task("build", ...)`).
_GULPFILES = ("gulpfile.js", "gulpfile.mjs", "gulpfile.cjs", "gulpfile.babel.js", "gulpfile.ts")
_GULP_BUILD = re.compile(
    r"""exports\.build\s*=|module\.exports\s*=\s*\{[^}]*\bbuild\b"""
    r"""|export\s+(?:const|let|var|function|async\s+function)\s+build\b"""
    r"""|export\s*\{[^}]*\bbuild\b|\.task\(\s*["']build["']"""
)


@dataclass(frozen=True)
class AssetBuild:
    """A package.json whose `build` script makes static files, or (`script` empty) whose
    `dependencies` the project serves straight from node_modules (STATICFILES_DIRS
    naming a package's folder there): the platform installs them, and builds nothing.

    `folder` is the package.json's folder relative to the git root (POSIX, "." at
    the root). `manager` is npm, pnpm or Yarn's command (`yarn`), chosen once from
    package.json's `packageManager` or the lock file there, and `manager_version`
    the version `packageManager` pins (or the release line that reads the lock file);
    `lock_file` is that manager's lock file, if any. `other_manager` names a manager
    no platform build runs (Bun) when its lock file is all there is. `node_major`
    comes from package.json's `engines.node`, `.nvmrc`/`.node-version`, or the
    Node.js this machine runs.
    """

    folder: str
    script: str
    tools: tuple[str, ...]
    lock_file: str | None
    other_manager: str | None
    node_major: str
    node_source: str
    manager: str = "npm"
    manager_version: str = ""
    yarn_berry: bool = False
    # True when package.json's `packageManager` names the version (not the lock file).
    manager_pinned: bool = False
    config_files: tuple[str, ...] = ()
    # The build when a task file names it and package.json has no `build` script:
    # ("npx", "gulp", "build"), run with the gulp the install put in node_modules.
    # Empty: the build is package.json's `build` script (or there is none).
    task_argv: tuple[str, ...] = ()
    task_file: str = ""
    # A frontend in another folder (frontend_build): the build writes `output` and the
    # settings read `target` (both relative to the git root); `recipe` names the file
    # that copies one to the other (docker/Dockerfile), `env` what it sets for the build.
    output: str = ""
    target: str = ""
    recipe: str = ""
    env: tuple[tuple[str, str], ...] = ()
    # The install needs more than Node.js: git for a dependency the lock file fetches
    # from a git repository, or the compilers the project's own recipe installs. A slim
    # Node.js image has neither.
    needs_build_tools: bool = False
    # The package.json script the platform runs: `build`, or the production build beside
    # it (`build:prod`) when the project's own Dockerfile runs that one or `build` is a
    # development build (webpack --mode development); `script` holds its command.
    script_name: str = "build"
    # The names of package.json's scripts (Heroku's buildpack runs `heroku-postbuild`
    # when there is one, else `build`).
    script_names: tuple[str, ...] = ()

    def path(self, name: str) -> str:
        """`name` in the package.json's folder, relative to the git root."""
        return name if self.folder == "." else f"{self.folder}/{name}"

    @property
    def files(self) -> tuple[str, ...]:
        """The files the manager reads to install: package.json, the lock file, and its
        configuration files."""
        names = ("package.json", *((self.lock_file,) if self.lock_file else ()))
        return tuple(self.path(name) for name in (*names, *self.config_files))

    @property
    def manager_label(self) -> str:
        """ "pnpm 10.18.0", "Yarn 1", "npm": the manager as the summary names it."""
        name = "Yarn" if self.manager == "yarn" else self.manager
        return f"{name} {self.manager_version}" if self.manager_version else name

    @property
    def _runner(self) -> tuple[str, ...]:
        # pnpm and Yarn run through npx, pinned: npx comes with every Node.js, on each
        # platform and here, and fetches the pinned release from the npm registry
        # (corepack, its alternative, leaves Node.js 25 and checks registry signatures
        # that mirrors drop).
        if self.manager == "pnpm":
            return ("npx", "--yes", f"pnpm@{self.manager_version}")
        if self.manager == "yarn" and self.yarn_berry:
            # Yarn 2+ is published as @yarnpkg/cli-dist; the `yarn` package is Yarn 1.
            return ("npx", "--yes", f"--package=@yarnpkg/cli-dist@{self.manager_version}", "yarn")
        if self.manager == "yarn":
            return ("npx", "--yes", f"yarn@{self.manager_version}")
        return ("npm",)

    def _install_args(self) -> tuple[str, ...]:
        # Frozen: the install takes exactly the lock file and fails if it is stale, as the
        # platform should; without a lock file only a plain install can work.
        if self.manager == "npm":
            return ("ci",) if self.lock_file else ("install",)
        if not self.lock_file:
            return ("install",)
        if self.yarn_berry:
            return ("install", "--immutable")
        return ("install", "--frozen-lockfile")

    @property
    def install_argv(self) -> tuple[str, ...]:
        return (*self._runner, *self._install_args())

    def run_argv(self, script: str) -> tuple[str, ...]:
        """Runs package.json's `script` with the project's manager."""
        return (*self._runner, "run", script)

    @property
    def build_argv(self) -> tuple[str, ...]:
        return self.task_argv or (*self._runner, "run", self.script_name)

    @property
    def place_argv(self) -> tuple[str, ...]:
        """Copies the build's output to where the settings read it, as the recipe's
        `COPY --from` does (merging into what is there), run in the package.json's
        folder; () when the build writes in place. Node.js, which just ran the build,
        copies: the same argument list on every platform, no shell."""
        if not self.target:
            return ()
        return (
            "node",
            "-e",
            _PLACE_JS,
            posixpath.relpath(self.output, self.folder),
            posixpath.relpath(self.target, self.folder),
        )

    @property
    def commands(self) -> tuple[tuple[str, ...], ...]:
        """What the platform runs in the package.json's folder: install, then build (then
        the copy of a frontend's output to where the settings read it)."""
        if not self.script:
            return (self.install_argv,)
        place = (self.place_argv,) if self.target else ()
        return (self.install_argv, self.build_argv, *place)

    @property
    def build_env(self) -> dict[str, str]:
        """The variables the recipe sets for the build (a bundler's public path)."""
        return dict(self.env)

    @property
    def manager_commands(self) -> tuple[tuple[str, ...], ...]:
        """The same steps as the manager's own commands (`pnpm install --frozen-lockfile`),
        as a builder that installs the manager itself (Heroku's Node.js buildpack) runs them."""
        steps = [(self.manager, *self._install_args())]
        if self.script and not self.task_argv:
            steps.append((self.manager, "run", self.script_name))
        return tuple(steps)

    @property
    def steps(self) -> str:
        """The commands, as the summary names them."""
        steps = " and ".join(f"`{' '.join(argv)}`" for argv in self.commands[:2])
        if self.target:
            assigns = ", ".join(f"{key}={value}" for key, value in self.env)
            with_env = f" with {assigns} as {self.recipe} sets it" if assigns else ""
            steps += f" in {self.folder}/{with_env}, then copies {self.output}/ to {self.target}/"
        return steps

    @property
    def label(self) -> str:
        if not self.script:
            return (
                f"`{self.path('package.json')}` dependencies served from node_modules "
                f"({', '.join(self.tools)}; no build script)"
            )
        made_with = f" ({', '.join(self.tools)})" if self.tools else ""
        if self.task_argv:
            return f"`{self.path(self.task_file)}` task `build`{made_with}"
        if self.target:
            return (
                f"frontend `{self.path('package.json')}` build script `{self.script}`"
                f"{made_with}, whose output {self.output}/ {self.recipe} copies to "
                f"{self.target}/ (served by the settings)"
            )
        named = "build script" if self.script_name == "build" else f"`{self.script_name}` script"
        return f"`{self.path('package.json')}` {named} `{self.script}`{made_with}"


def _node_major_from(spec: str) -> str | None:
    match = re.search(r"(\d+)", spec or "")
    return match.group(1) if match else None


def _local_node_major() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return _node_major_from(out.stdout) if out.returncode == 0 else None


def _node_version(folder: Path, git_root: Path, package: dict) -> tuple[str, str]:
    engines = package.get("engines") if isinstance(package.get("engines"), dict) else {}
    major = _node_major_from(str(engines.get("node", "")))
    if major:
        return major, "package.json engines.node"
    for base in dict.fromkeys((folder, git_root)):
        for name in (".nvmrc", ".node-version"):
            path = base / name
            if path.is_file():
                major = _node_major_from(path.read_text("utf-8", errors="replace"))
                if major:
                    return major, name
    local = _local_node_major()
    if local:
        return local, _LOCAL_NODE
    return DEFAULT_NODE_MAJOR, _DEFAULT_NODE


_LOCAL_NODE = "the Node.js on this computer"
_DEFAULT_NODE = "the current Node.js LTS"
# Where the Node.js major came from when the project names none itself.
_GUESSED_NODE = (_LOCAL_NODE, _DEFAULT_NODE)


def find_asset_build(git_root: Path, manage_dir: Path) -> AssetBuild | None:
    """The asset build at the git root or beside manage.py; None without a build script
    or runtime `dependencies`.

    A package.json that does not parse is not an asset build we can run: None
    (its tools would fail on the platform the same way they fail here).
    """
    for folder in dict.fromkeys((git_root, manage_dir)):
        build = _build_in(folder, git_root)
        if build is not None:
            return build
    return None


def find_frontend_build(git_root: Path, served: tuple[str, ...]) -> AssetBuild | None:
    """A frontend in another folder whose output the project's Dockerfile copies to a
    folder the settings serve (`served`: STATICFILES_DIRS and template DIRS, relative to
    the git root): its build, with the copy to that folder and the recipe's Node.js major
    and build variables. None when no recipe or no build script is found."""
    recipe = find_frontend_recipe(git_root, served)
    if recipe is None:
        return None
    build = _build_in(git_root / recipe.folder, git_root)
    if build is None or not build.script or build.task_argv:
        return None
    major, source = build.node_major, build.node_source
    if recipe.node_major and source in _GUESSED_NODE:
        # The recipe's Node.js image names the version the project builds with.
        major, source = recipe.node_major, f"{recipe.source}'s node:{recipe.node_major} stage"
    return replace(
        build,
        node_major=major,
        node_source=source,
        output=recipe.output,
        target=recipe.target,
        recipe=recipe.source,
        env=recipe.env,
        needs_build_tools=build.needs_build_tools or recipe.system_packages,
    )


def _build_in(folder: Path, git_root: Path) -> AssetBuild | None:
    """The build of the package.json in `folder`, if it has one."""
    path = folder / "package.json"
    if not path.is_file():
        return None
    try:
        package = json.loads(path.read_text("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, OSError):
        return None
    scripts = package.get("scripts") if isinstance(package, dict) else None
    script_name = _production_script(git_root, scripts)
    script = scripts.get(script_name) if isinstance(scripts, dict) else None
    runtime = package.get("dependencies") if isinstance(package, dict) else None
    task_file = ""
    if not isinstance(script, str) or not script.strip():
        task_file = _gulp_build_file(folder, package)
        if task_file:
            script = "gulp build"
    if not isinstance(script, str) or not script.strip():
        # No build: the packages in `dependencies` are served as npm installs them
        # (node_modules is git-ignored, so the platform must install them too).
        if not isinstance(runtime, dict) or not runtime:
            return None
        script = ""
    deps: dict = {}
    for key in ("dependencies", "devDependencies"):
        if isinstance(package.get(key), dict):
            deps.update(package[key])
    tools = tuple(dict.fromkeys(label for name, label in _TOOLS.items() if name in deps))
    if not script:
        tools = tuple(sorted(runtime))
    elif task_file and "gulp" not in tools:
        tools = ("gulp", *tools)
    manager, version, lock, other = _manager(folder, package)
    pinned = bool(version) and _declared_manager(package) == (manager, version)
    major, source = _node_version(folder, git_root, package)
    berry = manager == "yarn" and _yarn_berry(folder, version)
    git_deps = _git_dependencies(folder, lock, package)
    if manager == "yarn" and not version:
        version = "4" if berry else "1"
    return AssetBuild(
        folder=folder.relative_to(git_root).as_posix(),
        script=script.strip(),
        tools=tools,
        lock_file=lock,
        other_manager=other,
        node_major=major,
        node_source=source,
        manager=manager,
        manager_version=version,
        yarn_berry=berry,
        manager_pinned=pinned,
        config_files=tuple(name for name in _CONFIG_FILES if (folder / name).is_file()),
        task_argv=_gulp_argv(manager, version, berry) if task_file else (),
        task_file=task_file,
        needs_build_tools=git_deps,
        script_name=script_name,
        script_names=tuple(scripts) if isinstance(scripts, dict) else (),
    )


# package.json scripts named for the production build, beside a `build` that may not be.
_PRODUCTION_SCRIPTS = ("build:prod", "build:production")
# A `build` script that says it builds for development.
_DEVELOPMENT_BUILD = re.compile(r"--mode[= ]development|NODE_ENV=development|--dev\b")


def _production_script(git_root: Path, scripts: object) -> str:
    """`build`, or the production script beside it when the project's own Dockerfile
    runs that one (wagtail.org: `npm run build:prod`, while `build` is webpack's
    development mode, whose bundle names source maps it never writes) or `build` says
    it builds for development."""
    if not isinstance(scripts, dict):
        return "build"
    named = [name for name in _PRODUCTION_SCRIPTS if isinstance(scripts.get(name), str)]
    if not named:
        return "build"
    build = scripts.get("build")
    if not isinstance(build, str) or _DEVELOPMENT_BUILD.search(build):
        return named[0]
    recipes = " ".join(text for _, text in project_dockerfiles(git_root))
    for name in named:
        if re.search(rf"\b(?:npm run|yarn(?: run)?|pnpm(?: run)?) {re.escape(name)}\b", recipes):
            return name
    return "build"


# How a lock file or package.json names a dependency fetched from a git repository
# (`raphael@https://github.com/nhn/raphael.git#2.2.0-c`, `git+ssh://`, `github:user/repo`):
# the manager runs git to fetch it.
_GIT_DEPENDENCY = re.compile(r"""git\+(?:https?|ssh|file)://|\.git#|["\s]github:""")


def _git_dependencies(folder: Path, lock: str | None, package: dict) -> bool:
    """True when the install runs git: a dependency comes from a git repository."""
    texts = [json.dumps(package)]
    if lock:
        try:
            texts.append((folder / lock).read_text("utf-8", errors="replace"))
        except OSError:
            pass
    return any(_GIT_DEPENDENCY.search(text) for text in texts)


def _gulp_build_file(folder: Path, package: dict) -> str:
    """The gulpfile beside package.json that exports a `build` task, when package.json
    depends on gulp; "" otherwise (no build can be known: nothing is run)."""
    deps = {
        name
        for key in ("dependencies", "devDependencies")
        if isinstance(package.get(key), dict)
        for name in package[key]
    }
    if "gulp" not in deps:
        return ""
    for name in _GULPFILES:
        try:
            text = (folder / name).read_text("utf-8", errors="replace")
        except OSError:
            continue
        return name if _GULP_BUILD.search(text) else ""
    return ""


def _gulp_argv(manager: str, version: str, yarn_berry: bool) -> tuple[str, ...]:
    """`gulp build` with the gulp the manager installed in node_modules. npx finds it
    in node_modules/.bin for npm, pnpm and Yarn 1; Yarn 2+ may install no node_modules
    (Plug'n'Play), so Yarn (pinned, as it installs) runs the binary there."""
    if manager == "yarn" and yarn_berry:
        pinned = f"--package=@yarnpkg/cli-dist@{version}"
        return ("npx", "--yes", pinned, "yarn", "gulp", "build")
    return ("npx", "gulp", "build")


def _declared_manager(package: dict) -> tuple[str, str]:
    """package.json's `packageManager` ("pnpm@10.18.0+sha512...") as ("pnpm", "10.18.0")."""
    declared = package.get("packageManager")
    if not isinstance(declared, str) or "@" not in declared:
        return "", ""
    name, _, version = declared.strip().partition("@")
    return name, version.split("+", 1)[0]


def _pnpm_line(folder: Path) -> str:
    """The pnpm release line that reads the lock file's format (lockfileVersion 9 is
    pnpm 9 and 10's, 6 pnpm 8's, 5.x pnpm 7's)."""
    try:
        head = (folder / "pnpm-lock.yaml").read_text("utf-8", errors="replace")[:200]
    except OSError:
        head = ""
    match = re.search(r"lockfileVersion:\s*'?(\d+)", head)
    major = int(match.group(1)) if match else 9
    return "10" if major >= 9 else "8" if major >= 6 else "7"


def _yarn_berry(folder: Path, version: str) -> bool:
    """Yarn 2 or later: its version says so, or its lock file (`__metadata:`, where Yarn 1
    writes `# yarn lockfile v1`)."""
    if version:
        return not version.startswith("1.") and version != "1"
    try:
        return "__metadata:" in (folder / "yarn.lock").read_text("utf-8", errors="replace")
    except OSError:
        return False


def _manager(folder: Path, package: dict) -> tuple[str, str, str | None, str | None]:
    """(manager, version, its lock file, a manager no build runs): `packageManager` first,
    as Corepack and the platforms' Node.js builders read it, then the lock file there."""
    name, version = _declared_manager(package)
    if name == "bun":
        return "npm", "", None, "Bun"
    if name not in ("npm", "pnpm", "yarn"):
        name = next(
            (tool for tool, lock in _MANAGER_LOCKS.items() if (folder / lock).is_file()), ""
        )
        version = ""
    if name in _MANAGER_LOCKS:
        lock = _MANAGER_LOCKS[name] if (folder / _MANAGER_LOCKS[name]).is_file() else None
        if name == "pnpm" and not version:
            version = _pnpm_line(folder)
        return name, version, lock, None
    lock = next((name for name in LOCK_FILES if (folder / name).is_file()), None)
    other = next(
        (tool for lock_name, tool in _OTHER_LOCKS.items() if (folder / lock_name).is_file()), None
    )
    return "npm", version if name == "npm" else "", lock, other if lock is None else None


# The build step each platform runs after collectstatic for COMPRESS_OFFLINE: --force
# because the build's settings may leave COMPRESS_ENABLED off (it follows DEBUG).
COMPRESS_ARGS = ("compress", "--force")
_COMPRESSOR_APP = re.compile(r"""["']compressor["']""")
_COMPRESS_OFFLINE = re.compile(r"^\s*COMPRESS_OFFLINE\s*=\s*True\b", re.MULTILINE)


def compress_offline(settings_texts: list[str]) -> bool:
    """True when the settings install django-compressor with COMPRESS_OFFLINE = True:
    its `compress` command must then run at build time, or every page using
    `{% compress %}` fails with OfflineGenerationError."""
    joined = "\n".join(settings_texts)
    return bool(_COMPRESSOR_APP.search(joined) and _COMPRESS_OFFLINE.search(joined))


# django-tailwind-cli builds its CSS with the standalone Tailwind CLI, no package.json.
# `download_cli` fetches the CLI at TAILWIND_CLI_VERSION even when the settings turn
# TAILWIND_CLI_AUTOMATIC_DOWNLOAD off in production (`= DEBUG`, as its docs suggest), and
# skips it for TAILWIND_CLI_USE_SYSTEM_BINARY; `build` then writes TAILWIND_CLI_DIST_CSS
# into STATICFILES_DIRS[0], which collectstatic must see.
TAILWIND_BUILD_ARGS = (("tailwind", "download_cli"), ("tailwind", "build"))
_TAILWIND_CLI_APP = re.compile(r"""["']django_tailwind_cli["']""")


def tailwind_cli(settings_texts: list[str]) -> bool:
    """True when the settings install django-tailwind-cli: its CSS is built, usually
    git-ignored, so every platform must run `manage.py tailwind build` before collectstatic."""
    return bool(_TAILWIND_CLI_APP.search("\n".join(settings_texts)))


def tailwind_note(where: str, when: str = "before collectstatic") -> str:
    """The summary's line for django-tailwind-cli: what `where` (the Dockerfile, the build
    hook) runs, and the download the build makes."""
    return (
        f"django-tailwind-cli found: {where} runs `python manage.py tailwind download_cli` and "
        f"`python manage.py tailwind build` {when}, so the CSS it writes is collected "
        "(the build downloads the standalone Tailwind CLI from GitHub's releases)."
    )
