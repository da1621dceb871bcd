"""A root manage.py that runs a nested one stands for the nested one (manage_shim.py)."""

from __future__ import annotations

from simple_deploy import manage_shim


def _shim(root, target: str) -> None:
    (root / "manage.py").write_text(f'"""..."""\n{manage_shim.mark_line(target)}\nimport runpy\n')


def test_our_root_manage_py_names_the_folder_it_runs(tmp_path):
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "manage.py").write_text("# the project's own\n")
    _shim(tmp_path, "blog/manage.py")
    assert manage_shim.target(tmp_path / "manage.py") == (tmp_path / "blog").resolve()


def test_a_users_own_manage_py_is_not_ours(tmp_path):
    (tmp_path / "manage.py").write_text("#!/usr/bin/env python\nimport os\n")
    assert manage_shim.target(tmp_path / "manage.py") is None


def test_a_mark_pointing_outside_the_folder_or_at_nothing_is_ignored(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "manage.py").write_text("")
    inner = tmp_path / "repo"
    inner.mkdir()
    _shim(inner, "../outside/manage.py")
    assert manage_shim.target(inner / "manage.py") is None
    _shim(inner, "missing/manage.py")
    assert manage_shim.target(inner / "manage.py") is None
