"""Find the project's asset build: a package.json build script, django-compressor offline.

Static files that a build step makes (Tailwind's CSS, an esbuild or webpack
bundle) are usually git-ignored: they exist on the developer's computer only.
The platform must run the same step before `collectstatic`, or the site goes
out without its styles. Inspection records what it found here; each platform
plugin turns it into its own build step, or into a message naming what to add.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AssetBuild", "find_asset_build", "compress_offline", "COMPRESS_ARGS", "LOCK_FILES"]

# npm's own lock files, in the order npm reads them; `npm ci` needs one.
LOCK_FILES = ("npm-shrinkwrap.json", "package-lock.json")
# Lock files of the other Node package managers: named in the message, not run.
_OTHER_LOCKS = {
    "yarn.lock": "Yarn",
    "pnpm-lock.yaml": "pnpm",
    "bun.lockb": "Bun",
    "bun.lock": "Bun",
}
# Build tools worth naming in the summary ("Tailwind CSS" reads better than a script).
_TOOLS = {
    "tailwindcss": "Tailwind CSS",
    "@tailwindcss/cli": "Tailwind CSS",
    "esbuild": "esbuild",
    "webpack": "webpack",
    "vite": "Vite",
    "sass": "Sass",
    "postcss": "PostCSS",
    "parcel": "Parcel",
    "rollup": "Rollup",
}
DEFAULT_NODE_MAJOR = "22"


@dataclass(frozen=True)
class AssetBuild:
    """A package.json whose `build` script makes static files, or (`script` empty) whose
    `dependencies` the project serves straight from node_modules (STATICFILES_DIRS
    naming a package's folder there): the platform installs them, and builds nothing.

    `folder` is the package.json's folder relative to the git root (POSIX, "." at
    the root). `lock_file` is npm's lock file there, if any; `other_manager`
    names Yarn/pnpm/Bun when their lock file is there instead. `node_major`
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

    def path(self, name: str) -> str:
        """`name` in the package.json's folder, relative to the git root."""
        return name if self.folder == "." else f"{self.folder}/{name}"

    @property
    def files(self) -> tuple[str, ...]:
        """The files npm reads to install: package.json and the lock file."""
        return (self.path("package.json"),) + (
            (self.path(self.lock_file),) if self.lock_file else ()
        )

    @property
    def install_argv(self) -> tuple[str, ...]:
        # `npm ci` installs exactly the lock file and fails if it is stale, as the
        # platform should; without a lock file only `npm install` can work.
        return ("npm", "ci") if self.lock_file else ("npm", "install")

    @property
    def build_argv(self) -> tuple[str, ...]:
        return ("npm", "run", "build")

    @property
    def commands(self) -> tuple[tuple[str, ...], ...]:
        """What the platform runs in the package.json's folder: install, then build."""
        return (self.install_argv, self.build_argv) if self.script else (self.install_argv,)

    @property
    def steps(self) -> str:
        """The commands, as the summary names them."""
        return " and ".join(f"`{' '.join(argv)}`" for argv in self.commands)

    @property
    def label(self) -> str:
        if not self.script:
            return (
                f"`{self.path('package.json')}` dependencies served from node_modules "
                f"({', '.join(self.tools)}; no build script)"
            )
        made_with = f" ({', '.join(self.tools)})" if self.tools else ""
        return f"`{self.path('package.json')}` build script `{self.script}`{made_with}"


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
        return local, "the Node.js on this computer"
    return DEFAULT_NODE_MAJOR, "the current Node.js LTS"


def find_asset_build(git_root: Path, manage_dir: Path) -> AssetBuild | None:
    """The asset build at the git root or beside manage.py; None without a build script
    or runtime `dependencies`.

    A package.json that does not parse is not an asset build we can run: None
    (its tools would fail on the platform the same way they fail here).
    """
    for folder in dict.fromkeys((git_root, manage_dir)):
        path = folder / "package.json"
        if not path.is_file():
            continue
        try:
            package = json.loads(path.read_text("utf-8-sig"))
        except (ValueError, UnicodeDecodeError, OSError):
            continue
        scripts = package.get("scripts") if isinstance(package, dict) else None
        script = scripts.get("build") if isinstance(scripts, dict) else None
        runtime = package.get("dependencies") if isinstance(package, dict) else None
        if not isinstance(script, str) or not script.strip():
            # No build: the packages in `dependencies` are served as npm installs them
            # (node_modules is git-ignored, so the platform must install them too).
            if not isinstance(runtime, dict) or not runtime:
                continue
            script = ""
        deps: dict = {}
        for key in ("dependencies", "devDependencies"):
            if isinstance(package.get(key), dict):
                deps.update(package[key])
        tools = tuple(dict.fromkeys(label for name, label in _TOOLS.items() if name in deps))
        if not script:
            tools = tuple(sorted(runtime))
        lock = next((name for name in LOCK_FILES if (folder / name).is_file()), None)
        other = next(
            (tool for name, tool in _OTHER_LOCKS.items() if (folder / name).is_file()), None
        )
        major, source = _node_version(folder, git_root, package)
        return AssetBuild(
            folder=folder.relative_to(git_root).as_posix(),
            script=script.strip(),
            tools=tools,
            lock_file=lock,
            other_manager=other if lock is None else None,
            node_major=major,
            node_source=source,
        )
    return None


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
