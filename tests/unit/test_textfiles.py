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
