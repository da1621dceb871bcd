"""Poetry and uv groups, TOML edits that keep formatting, and the one Python version."""

from __future__ import annotations

import sys
from pathlib import Path

from simple_deploy.package_managers import Requirement, get
from simple_deploy.python_version import find, platform_warning

GUNICORN = Requirement("gunicorn", "gunicorn~=27.0")

POETRY = """[project]
name = "site"
requires-python = ">=3.10"
dependencies = [
  "django (>=5.2,<6.0)",
]

[tool.poetry]
package-mode = false

[tool.poetry.group.production.dependencies]
gunicorn = "^23.0"

[tool.poetry.group.dev.dependencies]
whitenoise = "6.9.0"
"""

UV = """[project]
name = "site"
requires-python = ">=3.10"
dependencies = [
    "django~=5.2.0",
    "mylib",
]

[dependency-groups]
dev = ["whitenoise==6.9.0"]
web = ["gunicorn>=23"]

[tool.uv.workspace]
members = ["packages/*"]

[tool.uv.sources]
mylib = { workspace = true }
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_poetry_production_group_counts_and_is_installed(tmp_path):
    root = _write(tmp_path, {"pyproject.toml": POETRY, "poetry.lock": ""})
    deps = get("poetry").dependencies(root)
    assert deps.groups == ("production",)
    assert {"django", "gunicorn"} <= deps.present and "whitenoise" not in deps.present
    assert deps.install_steps[0].argv[:4] == ("poetry", "sync", "--only", "main,production")


def test_poetry_dev_only_package_joins_main_with_the_same_constraint(tmp_path):
    root = _write(tmp_path, {"pyproject.toml": POETRY, "poetry.lock": ""})
    manager = get("poetry")
    deps = manager.dependencies(root)
    edit = manager.plan_edit(root, deps, [Requirement("whitenoise", "whitenoise~=6.12")])
    text = edit.texts["pyproject.toml"]
    # The existing array keeps its two-space indentation; nothing else moves.
    assert text.replace('  "whitenoise==6.9.0",\n', "") == POETRY
    assert "group dev" in edit.reasons["pyproject.toml"]


def test_poetry_group_named_by_the_user_must_exist(tmp_path):
    root = _write(tmp_path, {"pyproject.toml": POETRY, "poetry.lock": ""})
    [problem] = get("poetry").dependencies(root, ("server",)).problems
    assert "--production-group server" in problem and "production, dev" in problem


def test_uv_groups_workspace_members_and_locked_sync(tmp_path):
    root = _write(
        tmp_path,
        {
            "pyproject.toml": UV,
            "uv.lock": "",
            ".python-version": "3.11\n",
            "packages/mylib/pyproject.toml": '[project]\nname = "mylib"\n',
        },
    )
    deps = get("uv").dependencies(root)
    assert deps.groups == ("web",)
    assert "gunicorn" in deps.present
    assert deps.install_files == ("pyproject.toml", "uv.lock", "packages/mylib/")
    assert ".python-version" in deps.lock_inputs
    argv = deps.install_steps[0].argv
    assert argv[:4] == ("uv", "sync", "--locked", "--no-default-groups")
    assert ("--group", "web") == argv[4:6]
    assert deps.lock_argv == ("uv", "lock")
    assert deps.lock_env["UV_PYTHON_DOWNLOADS"] == "never"
    assert deps.lock_env["UV_PYTHON"] == sys.executable


def test_uv_path_source_outside_the_repository_stops(tmp_path):
    text = UV.replace("mylib = { workspace = true }", 'mylib = { path = "../mylib" }')
    root = _write(tmp_path / "site", {"pyproject.toml": text, "uv.lock": ""})
    [problem] = get("uv").dependencies(root).problems
    assert "points outside the repository" in problem


def test_uv_edit_keeps_the_array_indentation(tmp_path):
    root = _write(tmp_path, {"pyproject.toml": UV, "uv.lock": ""})
    manager = get("uv")
    edit = manager.plan_edit(root, manager.dependencies(root), [GUNICORN])
    assert edit.texts["pyproject.toml"] == UV.replace(
        '    "mylib",\n', '    "mylib",\n    "gunicorn~=27.0",\n'
    )


def test_pipenv_installs_with_deploy():
    assert get("pipenv").install_steps[0].argv == ("pipenv", "install", "--deploy")


def test_runtime_txt_wins_and_a_disagreeing_python_version_is_named(tmp_path):
    root = _write(
        tmp_path,
        {"runtime.txt": "python-3.12.7\n", ".python-version": "# pinned for pyenv\n3.11\n"},
    )
    found = find(root)
    assert (found.version, found.source) == ("3.12", "runtime.txt")
    [note] = found.notes
    assert ".python-version says Python 3.11, runtime.txt says 3.12" in note


def test_python_version_comment_lines_are_skipped(tmp_path):
    root = _write(tmp_path, {".python-version": "# the team's version\n\n3.13.1\n"})
    assert (find(root).version, find(root).source) == ("3.13", ".python-version")


def test_requires_python_alone_gives_a_version_it_allows(tmp_path):
    root = _write(tmp_path, {"pyproject.toml": '[project]\nrequires-python = ">=3.99"\n'})
    found = find(root)
    assert found.source == "requires-python >=3.99 in pyproject.toml"
    assert any("outside requires-python" in note for note in found.notes)


def test_platform_warning_names_supported_versions():
    support = {"3.12": "deprecated", "3.13": "supported", "3.14": "supported"}
    assert platform_warning("3.13", "runtime.txt", "X", support) is None
    deprecated = platform_warning("3.12", "runtime.txt", "X", support)
    assert "deprecates Python 3.12 (from runtime.txt)" in deprecated and "3.13, 3.14" in deprecated
    missing = platform_warning("3.8", ".python-version", "X", support)
    assert "does not offer Python 3.8" in missing and "3.13, 3.14" in missing


POETRY_PEP735 = """[project]
name = "site"
dependencies = [
    "django (>=5.2.0,<5.3.0)"
]

[dependency-groups]
production = [
    "gunicorn (==23.0.0)"
]
"""


def test_poetry_pep735_group_written_by_poetry_add_counts(tmp_path):
    root = _write(tmp_path, {"pyproject.toml": POETRY_PEP735, "poetry.lock": ""})
    deps = get("poetry").dependencies(root)
    assert deps.groups == ("production",) and "gunicorn" in deps.present
