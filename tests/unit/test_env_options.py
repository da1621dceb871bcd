"""--env KEY=VALUE and --env-file PATH: read into one mapping, values never echoed."""

from __future__ import annotations

import pytest

from simple_deploy.env_options import EnvOptionError, parse_env_options


def test_env_file_then_env_options_later_win(tmp_path):
    env_file = tmp_path / ".env.production"
    env_file.write_text(
        '# comment\n\nexport A=1\nB=\'two words\'\nC="quoted \\"x\\""\nD=plain # note\nE=\n',
        encoding="utf-8",
    )
    values = parse_env_options(["A=override", "F=x=y"], str(env_file))
    assert values == {
        "A": "override",
        "B": "two words",
        "C": 'quoted "x"',
        "D": "plain",
        "E": "",
        "F": "x=y",
    }


def test_bad_values_are_refused_without_echoing_them(tmp_path):
    with pytest.raises(EnvOptionError) as caught:
        parse_env_options(["hunter2-secret"], None)
    assert "hunter2" not in str(caught.value)
    bad = tmp_path / "bad.env"
    bad.write_text("OK=1\nnot a line with hunter2\n", encoding="utf-8")
    with pytest.raises(EnvOptionError) as caught:
        parse_env_options(None, str(bad))
    assert "line 2" in str(caught.value) and "hunter2" not in str(caught.value)
    with pytest.raises(EnvOptionError, match="no such file"):
        parse_env_options(None, str(tmp_path / "missing.env"))
