"""Outside data read defensively: one message naming the file or command, 0 bytes changed.

- The user's TOML (pyproject.toml for Poetry and uv, Pipfile, fly.toml) with
  syntax errors or values of unexpected types: inspection or planning stops
  with one message naming the file, for every installed platform.
- A platform CLI that answers any one of its calls with something else than
  expected (nothing, an HTML error page, a sentence with exit code 0, JSON of
  another shape): the automated run stops at that call with a message, never
  a traceback, and never makes a second app.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import tomlkit
from fake_platforms import FAKES
from project_files import snapshot
from support import PLATFORMS, commit_all, inspected

from simple_deploy import plugins
from simple_deploy.automate import StepFailed
from simple_deploy.automate_all import automate_all
from simple_deploy.configure import ConfigureError, prepare
from simple_deploy.log import RunLog
from simple_deploy.parsing import ReadError, cli_json
from simple_deploy.project import InspectionError
from simple_deploy.runner import Result, Runner

FAKES_DIR = Path(__file__).resolve().parents[1] / "fakes"


def _set(path: tuple[str, ...], value):
    """A mutation setting the TOML value at `path` (tables made as needed)."""

    def mutate(text: str) -> str:
        doc = tomlkit.parse(text)
        node = doc
        for key in path[:-1]:
            if key not in node or not isinstance(node[key], dict):
                node[key] = tomlkit.table()
            node = node[key]
        node[path[-1]] = value
        return tomlkit.dumps(doc)

    return mutate


def _append(extra: str):
    return lambda text: text.rstrip("\n") + "\n" + extra


SYNTAX = {
    "unclosed table header": _append("[tool.unclosed\n"),
    "key without value": _append("broken =\n"),
    "duplicate key": _append("[duplicate]\na = 1\na = 2\n"),
    "unterminated string": _append('[x]\ny = "no end\n'),
    "stray text": _append("this is not toml at all\n"),
    "binary garbage": _append("\x00\x01\x02 = 3\n"),
}

SHAPES = {
    "poetry": {
        "dependencies as a string": _set(("tool", "poetry", "dependencies"), "django"),
        "dependencies as a list": _set(("tool", "poetry", "dependencies"), ["django"]),
        "poetry table as a number": _set(("tool", "poetry"), 5),
        "group as a list": _set(("tool", "poetry", "group"), ["dev"]),
    },
    "uv": {
        "dependencies as a string": _set(("project", "dependencies"), "django"),
        "dependencies of numbers": _set(("project", "dependencies"), [1, 2]),
        "project as a string": _set(("project",), "blog"),
        "requires-python as a list": _set(("project", "requires-python"), [">=3.10"]),
    },
    "pipenv": {
        "packages as a list": _set(("packages",), ["django"]),
        "packages as a string": _set(("packages",), "django"),
        "requires as a number": _set(("requires",), 3),
        "a package as a list": _set(("packages", "gunicorn"), ["*"]),
    },
}
MANIFEST = {"poetry": "pyproject.toml", "uv": "pyproject.toml", "pipenv": "Pipfile"}


def _check_refused_or_sound(root: Path, file: str, cases) -> None:
    """Every platform: a clear refusal naming `file`, or a plan that applies no byte wrong."""
    before = snapshot(root)
    try:
        project = inspected(root)
    except InspectionError as exc:
        assert file in str(exc), str(exc)
        cases.no_traceback(str(exc))
        cases.unchanged(before, snapshot(root))
        return
    for platform in PLATFORMS:
        try:
            prepare(project, plugins.load(platform), {})
        except ConfigureError as exc:
            cases.no_traceback(str(exc))
            cases.unchanged(before, snapshot(root))


@pytest.mark.needs_programs
@pytest.mark.parametrize("manager", ["poetry", "uv", "pipenv"])
def test_toml_manifest_with_a_syntax_error_or_a_strange_shape(
    sample_project, manager, cases, tmp_path
):
    pristine = sample_project(manager, "flat")
    file = MANIFEST[manager]
    variants = {**SYNTAX, **SHAPES[manager]}
    for number, (label, mutate) in enumerate(variants.items()):
        cases.tried(f"{file}: {label}")
        root = pristine.parent / f"case-{number}"
        shutil.copytree(pristine, root, symlinks=True)
        path = root / file
        path.write_text(mutate(path.read_text("utf-8")), "utf-8")
        commit_all(root, label)
        if label in SYNTAX:
            with pytest.raises((InspectionError, ConfigureError), match=file):
                project = inspected(root)
                prepare(project, plugins.load(PLATFORMS[0]), {})
        _check_refused_or_sound(root, file, cases)
        shutil.rmtree(root)


FLY_SHAPES = {
    **SYNTAX,
    "app as a number": _set(("app",), 5),
    "primary_region as a list": _set(("primary_region",), ["iad"]),
    "http_service as a string": _set(("http_service",), "on"),
    "vm as a table, not an array": _set(("vm",), {"memory": "1gb"}),
    "env as a list": _set(("env",), ["A=1"]),
    "deploy.release_command as a number": _set(("deploy", "release_command"), 1),
}


@pytest.mark.needs_programs
@pytest.mark.skipif("fly_io" not in PLATFORMS, reason="the Fly.io plugin is not installed")
def test_a_fly_toml_the_user_wrote_in_another_shape(sample_project, cases):
    pristine = sample_project("requirements_txt", "flat")
    for number, (label, mutate) in enumerate(FLY_SHAPES.items()):
        cases.tried(f"fly.toml: {label}")
        root = pristine.parent / f"fly-{number}"
        shutil.copytree(pristine, root, symlinks=True)
        base = 'app = "my-blog"\nprimary_region = "ams"\n'
        (root / "fly.toml").write_text(mutate(base), "utf-8")
        commit_all(root, label)
        before = snapshot(root)
        try:
            prepare(inspected(root), plugins.load("fly_io"), {})
        except ConfigureError as exc:
            assert "fly.toml" in str(exc), str(exc)
            cases.no_traceback(str(exc))
            cases.unchanged(before, snapshot(root))
        shutil.rmtree(root)


# ---------------------------------------------------------------- CLI output

HOSTILE_OUTPUT = {
    "nothing": "",
    "an HTML error page": "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
    "an error with exit 0": " ›   Error: Your session has expired. Please log in again.",
    "JSON of another shape": '{"errors": [{"id": "unavailable", "message": "try later"}]}',
    "a JSON list of strings": '["unexpected", "shape"]',
}


def test_cli_json_reader_names_the_command_and_the_shape(cases):
    for label, text in HOSTILE_OUTPUT.items():
        cases.tried(label)
        with pytest.raises(ReadError) as refused:
            cli_json(text, "heroku apps:info --json", dict, "the app's details")
            if label in ("JSON of another shape",):
                raise ReadError("a dict of another shape is the caller's to check")
        assert "heroku apps:info --json" in str(refused.value) or label == "JSON of another shape"


class HostileRunner(Runner):
    """Runs the platform CLI (a fake, or Heroku's real one against the stand-in API),
    except its call number `at` (1-based),
    answered with `output` and exit code 0. (git's own calls are left alone.)"""

    def __init__(self, at: int, output: str, cli: str, **kwargs):
        super().__init__(**kwargs)
        self.at, self.output, self.cli, self.calls = at, output, cli, 0

    def run(self, argv, **kwargs) -> Result:
        if Path(argv[0]).name not in (self.cli, "flyctl"):
            return super().run(argv, **kwargs)
        self.calls += 1
        if self.calls == self.at:
            self.log.add(f"$ {' '.join(argv)}  (answered by the test)")
            self.last_command = " ".join(argv)
            return Result(0, self.output, "")
        return super().run(argv, **kwargs)


def _automated() -> list[str]:
    return [p for p in PLATFORMS if plugins.load(p).automate is not None and p in FAKES]


@pytest.mark.needs_programs
@pytest.mark.skipif(os.name == "nt", reason="the fake platform CLIs are POSIX scripts")
@pytest.mark.parametrize("platform", _automated())
def test_every_cli_call_answered_with_hostile_output(
    sample_project, tmp_path, monkeypatch, platform, cases, request
):
    import io
    import json

    fake = FAKES[platform]
    account = request.getfixturevalue(fake.real_cli) if fake.real_cli else None
    if account is not None:  # the platform's real CLI against a stand-in API: one account
        account.use_here(monkeypatch)
    else:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / fake.cli).symlink_to(FAKES_DIR / fake.cli)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    pristine = sample_project("requirements_txt", "flat")
    plugin = plugins.load(platform)
    options = {"automate_all": True, "no_input": True}

    def attempt(number: int, at: int, output: str):
        root = tmp_path / f"run-{number}"
        shutil.copytree(pristine, root, symlinks=True)
        state = tmp_path / f"state-{number}.json"
        monkeypatch.setenv("FAKE_CLI_STATE", str(state))

        def held() -> dict:
            if account is not None:
                return account.state()
            return json.loads(state.read_text()) if state.exists() else {}

        before = held()
        runner = HostileRunner(at, output, fake.cli, log=RunLog(), stream=io.StringIO())
        try:
            automate_all(inspected(root), plugin, options, runner, confirm=lambda notice: True)
            outcome = None
        except (StepFailed, ConfigureError) as exc:
            outcome = str(exc)
        after = held()
        # This run (a fresh copy of the project) made at most one app and one database.
        assert fake.apps(after) - fake.apps(before) <= 1, after
        assert fake.databases(after) - fake.databases(before) <= 1, after
        shutil.rmtree(root)
        return runner.calls, outcome

    total, clean = attempt(0, 0, "")
    assert clean is None, clean
    forms = list(HOSTILE_OUTPUT.items())
    for at in range(1, total + 1):
        label, output = forms[at % len(forms)]
        cases.tried(f"call {at} of {total} answers {label}")
        _, outcome = attempt(at, at, output)
        if outcome is not None:
            cases.no_traceback(outcome)
            assert "Traceback" not in outcome
