"""Helpers that look at a sample project the way a user would: its files and its git."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from pathlib import Path

from deploy_runner import run_manage_py

LOG_DIR = "simple_deploy_logs"
# The file each platform's build is declared in, as generated (Heroku: the buildpack's
# bin/post_compile hook, where a build step beyond collectstatic goes).
BUILD_FILES = {
    "heroku": "bin/post_compile",
    "fly_io": "Dockerfile",
    "railway": ".railway/railway.ts",
    "render": "render.yaml",
    "upsun": ".upsun/config.yaml",
    "platform_sh": ".platform.app.yaml",
}
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Sample User",
    "GIT_AUTHOR_EMAIL": "sample@example.com",
    "GIT_COMMITTER_NAME": "Sample User",
    "GIT_COMMITTER_EMAIL": "sample@example.com",
}


def snapshot(root: Path, *, logs: bool = True) -> dict[str, str]:
    """A hash of every file under root (git internals included), to prove 0 bytes changed."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and ".git/index" not in p.as_posix()
        and (logs or LOG_DIR not in p.parts)
    }


def manage_dir(root: Path) -> Path:
    # Nested: blog/manage.py (a root manage.py may be the one Heroku's plugin adds).
    return root / "blog" if (root / "blog" / "manage.py").exists() else root


def deploy(
    root: Path,
    platform: str,
    *args: str,
    env: dict | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """`python manage.py deploy --platform PLATFORM ARGS` as the user runs it (from the
    folder holding manage.py, or from `cwd`)."""
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return run_manage_py(
        ["deploy", "--platform", platform, *args],
        cwd=cwd or manage_dir(root),
        env={**base, **GIT_IDENTITY, **(env or {})},
        stdin=stdin if stdin is not None else "",
        timeout=900,
    )


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        env={**os.environ, **GIT_IDENTITY},
    ).stdout


def all_text(root: Path) -> str:
    """Every file under root (logs and git objects' working copies), as text."""
    return "\n".join(
        p.read_bytes().decode("utf-8", errors="replace")
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    )


def configured_text(root: Path, platform: str, *args: str) -> str:
    """What a successful `deploy --platform PLATFORM [ARGS]` printed, whitespace collapsed."""
    out = deploy(root, platform, *args)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    return " ".join(text.split())


def assert_in_order(text: str, *parts: str) -> None:
    """Each part is in `text`, in this order (a build step's commands, say)."""
    places = [text.index(part) for part in parts]
    assert places == sorted(places), (parts, text)


SECRET = "a-long-random-secret-key-for-this-test-only-0123456789abcdef"


def _b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


# What each platform's run time sets (the variables its settings block reads), for
# importing the configured settings as the platform would.
PLATFORM_RUN_ENV = {
    "heroku": {
        "DYNO": "web.1",
        "ALLOWED_HOSTS": "example.herokuapp.com",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    },
    "platform_sh": {
        "PLATFORM_APPLICATION_NAME": "app",
        "PLATFORM_PROJECT_ENTROPY": SECRET,
        "PLATFORM_ENVIRONMENT": "main-abc",
        "PLATFORM_ROUTES": _b64(
            {"https://main-abc.example.site/": {"type": "upstream", "upstream": "app"}}
        ),
        "PLATFORM_RELATIONSHIPS": _b64(
            {
                "database": [
                    {
                        "host": "db.internal",
                        "port": 5432,
                        "username": "main",
                        "password": "pw",
                        "path": "main",
                    }
                ]
            }
        ),
    },
}
