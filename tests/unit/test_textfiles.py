import codecs

import pytest

from simple_deploy.textfiles import UnreadableFile, decode


def test_crlf_file_is_read_as_lf_and_written_back_as_crlf():
    tf = decode(b"A = 1\r\nB = 2\r\n")
    assert tf.text == "A = 1\nB = 2\n"
    assert tf.encode(tf.text + "C = 3\n") == b"A = 1\r\nB = 2\r\nC = 3\r\n"


def test_bom_is_kept():
    tf = decode(codecs.BOM_UTF8 + b"A = 1\n")
    assert tf.text == "A = 1\n"
    assert tf.encode("A = 2\n") == codecs.BOM_UTF8 + b"A = 2\n"


def test_declared_latin1_encoding_is_kept():
    data = "# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1")
    tf = decode(data)
    assert "café" in tf.text
    assert tf.encode(tf.text) == data


def test_undeclared_non_utf8_bytes_give_an_actionable_error():
    with pytest.raises(UnreadableFile, match="Save it as UTF-8"):
        decode("NAME = 'café'\n".encode("latin-1"), "settings.py")


def test_appended_block_in_a_crlf_file_with_a_bom_is_crlf_after_the_bom():
    tf = decode(codecs.BOM_UTF8 + b"A = 1\r\n")
    data = tf.encode(tf.text + "\n# block\nB = 2\n")
    assert data == codecs.BOM_UTF8 + b"A = 1\r\n\r\n# block\r\nB = 2\r\n"


def test_mixed_endings_keep_every_untouched_line_as_it_was():
    # Mostly LF with one CRLF line (a paste from a Windows editor): an LF file.
    original = b"A = 1\nB = 2\r\nC = 3\n"
    tf = decode(original)
    assert tf.newline == "\n"
    data = tf.encode(tf.text + "D = 4\n")
    assert data == original + b"D = 4\n"


def test_mostly_crlf_file_gets_crlf_for_new_lines_and_keeps_its_stray_lf():
    original = b"A = 1\r\nB = 2\nC = 3\r\nD = 4\r\n"
    tf = decode(original)
    assert tf.encode(tf.text.replace("C = 3\n", "C = 30\nX = 1\n")) == (
        b"A = 1\r\nB = 2\nC = 30\r\nX = 1\r\nD = 4\r\n"
    )


def test_last_line_without_newline_gets_the_file_ending_when_text_follows():
    tf = decode(b"A = 1\r\nB = 2")
    assert tf.encode(tf.text + "\nC = 3\n") == b"A = 1\r\nB = 2\r\nC = 3\r\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_file_with_bom_from_windows_powershell_round_trips(encoding):
    # `pip freeze > requirements.txt` in Windows PowerShell 5 writes UTF-16 with a BOM.
    bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    original = bom + "Django==5.2\r\n".encode(encoding)
    tf = decode(original, "requirements.txt")
    assert tf.text == "Django==5.2\n"
    assert tf.encode(tf.text + "gunicorn~=27.0\n") == bom + (
        "Django==5.2\r\ngunicorn~=27.0\r\n".encode(encoding)
    )
