"""The demo: a real `startproject` site, configured for Heroku, then rehearsed.

Run through `scripts/demo`, which prepares the virtual environment first.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path


def run(cwd: Path, *argv: str) -> None:
    print(f"\n$ {' '.join(argv)}", flush=True)
    subprocess.run(argv, cwd=cwd, check=True)


def make_project(root: Path) -> None:
    bin_dir = Path(sys.executable).parent
    run(root, str(bin_dir / "django-admin"), "startproject", "blog", ".")
    pins = [f"{name}=={metadata.version(name)}" for name in ("asgiref", "Django", "sqlparse")]
    (root / "requirements.txt").write_text("\n".join(pins) + "\n")
    settings = root / "blog" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    # What a user does by hand: add "simple_deploy" to INSTALLED_APPS.
    text, added = re.subn(
        r"""^(\s*)(["'])django\.contrib\.staticfiles\2,\n""",
        lambda m: f"{m.group(0)}{m.group(1)}{m.group(2)}simple_deploy{m.group(2)},\n",
        text,
        flags=re.MULTILINE,
    )
    if not added:
        raise SystemExit("Could not find django.contrib.staticfiles in INSTALLED_APPS.")
    settings.write_text(text, encoding="utf-8")
    (root / ".gitignore").write_text("__pycache__/\ndb.sqlite3\n")
    run(root, "git", "init", "-q", "-b", "main")
    run(root, "git", "add", "-A")
    run(
        root,
        "git",
        "-c",
        "user.name=Demo",
        "-c",
        "user.email=demo@example.com",
        "commit",
        "-q",
        "-m",
        "A Django project that works locally",
    )


def main() -> int:
    # The demo leaves nothing behind unless asked: --keep keeps the project and its log.
    keep = "--keep" in sys.argv[1:]
    scratch = Path(tempfile.mkdtemp(prefix="simple-deploy-demo-"))
    try:
        return demo(scratch / "blog-site", keep)
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)


def demo(root: Path, keep: bool) -> int:
    root.mkdir()
    print(f"Demo project: {root}")
    make_project(root)
    python = sys.executable
    run(root, python, "manage.py", "deploy", "--platform", "heroku")
    run(root, "git", "add", "-A")
    run(
        root,
        "git",
        "-c",
        "user.name=Demo",
        "-c",
        "user.email=demo@example.com",
        "commit",
        "-q",
        "-m",
        "Configure for Heroku",
    )
    run(root, python, "manage.py", "deploy", "--platform", "heroku", "--rehearse")
    if keep:
        print(f"\nThe demo project is in {root}; its log and summary are in")
        print(f"{root / 'simple_deploy_logs'}.")
    else:
        print("\nThe demo project was removed; run `bash scripts/demo --keep` to keep it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
