"""Dependency files as Windows tools write them: a BOM, UTF-16, CRLF."""

import codecs

from simple_deploy.package_managers import detect, get

PYPROJECT_UV = '[project]\nname = "site"\ndependencies = ["django~=5.2.0"]\n\n[tool.uv]\n'


def test_utf16_requirements_txt_from_powershell_lists_django(tmp_path):
    data = codecs.BOM_UTF16_LE + "Django==5.2.1\r\nasgiref==3.8\r\n".encode("utf-16-le")
    (tmp_path / "requirements.txt").write_bytes(data)
    manager = get("requirements_txt")
    assert manager.requirement_names(tmp_path) == {"django", "asgiref"}
    assert manager.check(tmp_path) == []


def test_unreadable_requirements_txt_is_a_message_not_a_traceback(tmp_path):
    (tmp_path / "requirements.txt").write_bytes("Django==5.2 # café\n".encode("latin-1"))
    [problem] = get("requirements_txt").check(tmp_path)
    assert "requirements.txt is not valid utf-8" in problem and "Save it as UTF-8" in problem


def test_pyproject_with_a_utf8_bom_is_read(tmp_path):
    # Notepad and some Windows editors save UTF-8 with a BOM.
    (tmp_path / "pyproject.toml").write_bytes(codecs.BOM_UTF8 + PYPROJECT_UV.encode())
    assert detect(tmp_path).name == "uv"
    assert get("uv").requirement_names(tmp_path) == {"django"}
