"""Plan helpers: the user's files keep their endings, platform files are LF."""

from __future__ import annotations

import codecs
from pathlib import Path

from simple_deploy.plan import generated_file, settings_block
from simple_deploy.project import Project


def _project(root: Path, settings: bytes) -> Project:
    (root / "blog").mkdir()
    (root / "blog" / "settings.py").write_bytes(settings)
    return Project(
        git_root=root,
        manage_dir=root,
        settings_module="blog.settings",
        settings_file=root / "blog" / "settings.py",
        settings_source="",
        manage_settings_module="blog.settings",
        wsgi_module="blog.wsgi",
        package_manager="requirements_txt",
        python_version="3.12",
        django_version="5.2",
        configured_for=(),
    )


def test_block_in_a_crlf_settings_file_with_a_bom_is_crlf_even_from_a_crlf_template(tmp_path):
    # A template checked out by Git for Windows (core.autocrlf=true) has CRLF.
    project = _project(tmp_path, codecs.BOM_UTF8 + b"DEBUG = True\r\n")
    change = settings_block(project, "demo", "# why\r\nX = 1\r\n", "r")
    assert change.after.startswith(codecs.BOM_UTF8 + b"DEBUG = True\r\n\r\n# >>> ")
    assert b"\r\r\n" not in change.after
    assert change.after.count(b"\n") == change.after.count(b"\r\n")


def test_generated_platform_file_is_lf_whatever_the_template_had(tmp_path):
    project = _project(tmp_path, b"DEBUG = True\r\n")
    change = generated_file(project, "Procfile", "web: gunicorn blog.wsgi\r\n", "r")
    assert change.after == b"web: gunicorn blog.wsgi\n"
