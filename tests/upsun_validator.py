"""Upsun's own validator, `upsunvalidator` (PyPI), run on the files the tests generate.

It needs Python >= 3.12 (our suite may run on an older one), so it gets a private
virtual environment under the repository's .cache, made once by the first test that
asks (a lock file keeps parallel workers from making it twice). Without any Python
>= 3.12 on the machine, the same package's JSON schema for .upsun/config.yaml is
loaded with `jsonschema` instead (its own checks of service versions are then skipped:
the result says which mode ran).

The validator's version registry lags Upsun's: 0.3.2 knows Python 3.8-3.12 only, while
Upsun supports 3.13 and 3.14 (platformsh-docs shared/data/registry.json). For a config
naming one of those, `assert_valid` checks that the version is the validator's only
complaint, then validates the same file with the newest Python the validator knows.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

VERSION = "0.3.2"
# Resolved: .cache is a link to one folder shared by every checkout on the machine, and
# the venv's scripts name their interpreter by this path. Through the link, two checkouts
# would each see the other's venv as foreign and rebuild it under the other's tests.
CACHE = (Path(__file__).resolve().parents[1] / ".cache").resolve() / "upsunvalidator"
UPSUN_PYTHON_ONLY = ("3.13", "3.14")  # supported by Upsun, unknown to the validator
_SCHEMA_CHECK = (
    "import json, sys, yaml, jsonschema; "
    "schema = json.load(open(sys.argv[1])); "
    "jsonschema.validate(yaml.safe_load(open(sys.argv[2])), schema); "
    "print('schema: no errors found')"
)


@dataclass(frozen=True)
class Validator:
    """`argv` runs `upsunvalidator validate --src DIR`-style checks; `mode` says which."""

    argv: tuple[str, ...]
    mode: str  # "upsunvalidator" or "schema"
    env: tuple[tuple[str, str], ...] = ()


def _new_enough_python() -> str | None:
    if sys.version_info >= (3, 12):
        return sys.executable
    candidates = [os.environ.get("UPSUN_VALIDATOR_PYTHON", "")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python")))
    candidates += sorted(glob.glob("/root/.pyenv/versions/3.1[2-9]*/bin/python"))
    candidates += [shutil.which(f"python3.{minor}") or "" for minor in (12, 13, 14)]
    for candidate in filter(None, candidates):
        out = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info >= (3, 12))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.stdout.strip() == "True":
            return candidate
    return None


def _pip(python: str, *args: str) -> None:
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        check=True,
        capture_output=True,
    )


def install() -> Validator:
    """The validator, installed on first use (idempotent, safe across xdist workers)."""
    import fcntl  # POSIX only, like the validator's venv; importing this module is not

    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        python = _new_enough_python()
        if python is not None:
            venv = CACHE / f"venv-{VERSION}"
            exe = venv / "bin" / "upsunvalidator"
            # A venv moved or copied from another checkout keeps scripts that name
            # that checkout's interpreter: rebuild it here.
            own = f"#!{venv / 'bin' / 'python'}\n".encode()
            if not exe.exists() or not exe.read_bytes().startswith(own):
                shutil.rmtree(venv, ignore_errors=True)
                subprocess.run([python, "-m", "venv", str(venv)], check=True)
                _pip(str(venv / "bin" / "python"), f"upsunvalidator=={VERSION}")
            return Validator((str(exe), "validate", "--src"), "upsunvalidator")
        # No Python >= 3.12: the package's own schema, checked with jsonschema.
        target = CACHE / f"schema-{VERSION}"
        if not (target / "upsunvalidator").is_dir():
            shutil.rmtree(target, ignore_errors=True)
            _pip(sys.executable, "--target", str(target), "jsonschema", "pyyaml")
            _pip(
                sys.executable,
                "--target",
                str(target),
                "--no-deps",
                "--ignore-requires-python",
                f"upsunvalidator=={VERSION}",
            )
        schema = target / "upsunvalidator" / "schemas" / "data" / "providers" / "upsun.json"
        return Validator(
            (sys.executable, "-c", _SCHEMA_CHECK, str(schema)),
            "schema",
            (("PYTHONPATH", str(target)),),
        )


def run(validator: Validator, root: Path) -> subprocess.CompletedProcess:
    target = root if validator.mode == "upsunvalidator" else root / ".upsun" / "config.yaml"
    return subprocess.run(
        [*validator.argv, str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, **dict(validator.env)},
        check=False,
    )


def assert_valid(validator: Validator, root: Path) -> str:
    """Upsun's validator accepts root's .upsun/config.yaml; returns what it printed."""
    result = run(validator, root)
    out = result.stdout + result.stderr
    config = (root / ".upsun" / "config.yaml").read_text()
    python = re.search(r"type: 'python:(\d+\.\d+)'", config)
    if result.returncode != 0 and python and python.group(1) in UPSUN_PYTHON_ONLY:
        # The registry lag (see the module docstring): the version must be the only error.
        assert f"Unsupported version '{python.group(1)}' for runtime 'python'" in out, out
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / ".upsun"
            copy.mkdir()
            (copy / "config.yaml").write_text(
                config.replace(f"'python:{python.group(1)}'", "'python:3.12'")
            )
            return assert_valid(validator, Path(scratch))
    assert result.returncode == 0, out
    assert "No errors found" in out or "schema: no errors found" in out, out
    return out
