"""requirements.txt as people write it: includes, continuations, markers, hashes, local paths."""

from __future__ import annotations

from pathlib import Path

from simple_deploy.package_managers import Requirement, get
from simple_deploy.package_managers.compiled import read_header
from simple_deploy.package_managers.requirement_files import logical_lines, read_tree

WANTED = [Requirement("gunicorn", "gunicorn~=27.0"), Requirement("whitenoise", "whitenoise~=6.12")]


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _deps(root: Path):
    return get("requirements_txt").dependencies(root)


def _edit(root: Path):
    deps = _deps(root)
    missing = [r for r in WANTED if r.name not in deps.present]
    return deps, get("requirements_txt").plan_edit(root, deps, missing)


def test_django_in_an_included_file_counts_and_new_lines_go_to_the_production_file(tmp_path):
    root = _write(
        tmp_path,
        {
            "requirements.txt": "-r requirements/production.txt\n",
            "requirements/base.txt": "Django==5.2.1\n",
            "requirements/production.txt": "-r base.txt\n-c constraints.txt\ngunicorn==23.0\n",
            "requirements/constraints.txt": "whitenoise<7\n",
        },
    )
    deps, edit = _edit(root)
    assert deps.problems == ()
    assert deps.present == {"django", "gunicorn"}  # a constraint installs nothing
    assert deps.target == "requirements/production.txt"
    assert deps.install_files == (
        "requirements.txt",
        "requirements/production.txt",
        "requirements/base.txt",
        "requirements/constraints.txt",
    )
    assert edit.texts == {
        "requirements/production.txt": "-r base.txt\n-c constraints.txt\ngunicorn==23.0\n"
        "whitenoise~=6.12\n"
    }


def test_base_file_holding_django_gets_new_requirements_when_no_production_file(tmp_path):
    root = _write(
        tmp_path, {"requirements.txt": "-r reqs/common.txt\n", "reqs/common.txt": "django\n"}
    )
    assert _deps(root).target == "reqs/common.txt"


def test_an_include_that_does_not_exist_stops_with_its_name(tmp_path):
    root = _write(tmp_path, {"requirements.txt": "django\n-r requirements/prod.txt\n"})
    [problem] = _deps(root).problems
    assert "requirements.txt includes requirements/prod.txt, which does not exist" in problem


def test_continuations_and_markers_decide_what_is_present(tmp_path):
    root = _write(
        tmp_path,
        {
            "requirements.txt": "django==5.2 \\\n    --hash=sha256:aa\n"
            'gunicorn==23.0 ; sys_platform == "win32"\n'
            "whitenoise==6.12 ; python_version >= '3.8'  # static files\n"
        },
    )
    deps = _deps(root)
    # gunicorn is only for Windows: the platform's Linux would not get it.
    assert deps.present == {"django", "whitenoise"}
    assert deps.hashed


def test_appending_after_a_trailing_continuation_does_not_join_lines():
    text = "django==5.2 \\\n"
    new = get("requirements_txt").add_requirements(text, [WANTED[0]])
    assert [line.spec for line in logical_lines(new, "r")] == ["django==5.2", "gunicorn~=27.0"]


def test_hashed_file_without_a_compiler_stops_with_the_fix(tmp_path):
    root = _write(tmp_path, {"requirements.txt": "django==5.2 --hash=sha256:aa\n"})
    deps, edit = _edit(root)
    assert edit.texts == {}
    [problem] = edit.problems
    assert "pins its requirements with --hash" in problem
    assert "gunicorn~=27.0" in problem and "pip-compile --generate-hashes" in problem
    assert "Nothing was changed" in problem


def test_this_tool_from_a_local_path_is_removed_with_its_continuation(tmp_path):
    text = (
        "asgiref==3.8.1\n"
        "Django==5.2.1\n"
        "django-simple-deploy @ file:///home/me/src/django-simple-deploy\n"
        "-e /home/me/src/django_simple_deploy \\\n"
        "    # editable checkout\n"
        "sqlparse==0.5.3\n"
    )
    root = _write(tmp_path, {"requirements.txt": text})
    deps, edit = _edit(root)
    assert deps.problems == ()
    assert edit.texts["requirements.txt"] == (
        "asgiref==3.8.1\nDjango==5.2.1\nsqlparse==0.5.3\ngunicorn~=27.0\nwhitenoise~=6.12\n"
    )
    assert "django-simple-deploy is a development tool" in edit.reasons["requirements.txt"]


def test_other_local_paths_stop_with_the_line_and_the_fix(tmp_path):
    root = _write(
        tmp_path,
        {"requirements.txt": "Django==5.2\n-e .\nmylib @ file:///home/me/mylib\n../wheels/x.whl\n"},
    )
    problems = _deps(root).problems
    assert [p.split(":")[0] for p in problems] == [
        "requirements.txt line 2",
        "requirements.txt line 3",
        "requirements.txt line 4",
    ]
    assert "cannot reach" in problems[0] and "Nothing was changed" in problems[0]


def test_vcs_and_index_lines_are_not_local(tmp_path):
    root = _write(
        tmp_path,
        {
            "requirements.txt": "--index-url https://pypi.org/simple\nDjango==5.2\n"
            "-e git+https://github.com/x/y.git#egg=y\n"
        },
    )
    assert _deps(root).problems == ()


PIP_COMPILE = """#
# This file is autogenerated by pip-compile with Python 3.11
# by the following command:
#
#    pip-compile --generate-hashes --output-file=requirements.txt --strip-extras requirements.in
#
asgiref==3.8.1 \\
    --hash=sha256:aa
    # via django
"""

UV_COMPILE = """# This file was autogenerated by uv via the following command:
#    uv pip compile requirements/prod.in -o requirements/prod.txt --generate-hashes --upgrade
django==5.2.1 \\
    --hash=sha256:bb
"""


def test_pip_compile_header_gives_command_source_and_options(tmp_path):
    root = _write(tmp_path, {"requirements.in": "django\n", "requirements.txt": PIP_COMPILE})
    compiled = read_header(root, "requirements.txt", PIP_COMPILE)
    assert compiled.argv == (
        "pip-compile",
        "--generate-hashes",
        "--strip-extras",
        "requirements.in",
        "--output-file",
        "requirements.txt",
    )
    assert compiled.source == "requirements.in" and compiled.hashes


def test_uv_compile_header_in_a_folder_drops_upgrade(tmp_path):
    root = _write(
        tmp_path, {"requirements/prod.in": "django\n", "requirements/prod.txt": UV_COMPILE}
    )
    compiled = read_header(root, "requirements/prod.txt", UV_COMPILE)
    assert compiled.argv == (
        "uv",
        "pip",
        "compile",
        "requirements/prod.in",
        "--generate-hashes",
        "--output-file",
        "requirements/prod.txt",
    )
    assert compiled.source == "requirements/prod.in"


def test_compiled_requirements_edit_the_in_file_and_recompile(tmp_path):
    root = _write(
        tmp_path,
        {
            "requirements.in": "django~=5.2.0\ndjango-simple-deploy @ file:///home/me/sd\n",
            "requirements.txt": PIP_COMPILE + "django==5.2.1 \\\n    --hash=sha256:cc\n",
        },
    )
    deps, edit = _edit(root)
    assert deps.problems == () and not deps.hashed
    assert deps.target == "requirements.in"
    assert deps.lock_file == "requirements.txt" and deps.lock_argv[0] == "pip-compile"
    assert set(deps.lock_inputs) == {"requirements.in", "requirements.txt"}
    assert edit.texts == {"requirements.in": "django~=5.2.0\ngunicorn~=27.0\nwhitenoise~=6.12\n"}


def test_tree_does_not_loop_on_mutual_includes(tmp_path):
    root = _write(
        tmp_path, {"requirements.txt": "-r a.txt\ndjango\n", "a.txt": "-r requirements.txt\n"}
    )
    assert list(read_tree(root, "requirements.txt").files) == ["requirements.txt", "a.txt"]
