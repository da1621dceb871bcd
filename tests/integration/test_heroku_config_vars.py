"""Config vars reach Heroku in a request body, never on a command line (issue 14).

The real Heroku CLI gives its token (`heroku auth:token`); the values go to the
stand-in Platform API of tests/heroku_api the way `heroku config:set` would
send them (PATCH /apps/APP/config-vars), and neither the values nor the token
reach the log or an error message.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from simple_deploy.platforms.heroku.config_vars import api_url, set_config_vars
from simple_deploy.runner import CommandFailed, Runner

# The tests that run the real CLI (through the stand-in's POSIX wrapper); reading
# HEROKU_HOST needs no program and runs everywhere.
posix_cli = pytest.mark.skipif(os.name == "nt", reason="the stand-in's CLI wrapper is POSIX")

KEY = "k3y-" + "x" * 60


@pytest.fixture
def account(heroku_account, monkeypatch):
    heroku_account.use_here(monkeypatch)
    with heroku_account.world.lock:
        heroku_account.world._create_app({"name": "my-blog"})
    return heroku_account


def _ctx(tmp_path):
    return SimpleNamespace(project=SimpleNamespace(git_root=tmp_path), runner=Runner())


@posix_cli
@pytest.mark.needs_programs
def test_values_are_set_in_one_request_and_only_names_are_logged(account, tmp_path):
    ctx = _ctx(tmp_path)
    set_config_vars(ctx, "my-blog", {"SECRET_KEY": KEY, "ALLOWED_HOSTS": "my-blog.example"})

    config = account.apps()["my-blog"]["config"]
    assert config["SECRET_KEY"] == KEY
    assert config["ALLOWED_HOSTS"] == "my-blog.example"
    assert [c[0] for c in account.calls()] == ["auth:token"]
    log = "\n".join(ctx.runner.log.lines)
    assert "config vars ALLOWED_HOSTS, SECRET_KEY; values not logged" in log
    assert KEY not in log
    assert account.world.token not in log
    assert "output not logged: it holds a credential" in log


@posix_cli
@pytest.mark.needs_programs
def test_a_refusal_names_the_variables_and_heroku_s_reason_but_no_value(account, tmp_path):
    account.world.fail(
        "PATCH",
        r"/config-vars$",
        422,
        {"id": "invalid_params", "message": "Config var key is invalid."},
    )
    ctx = _ctx(tmp_path)
    with pytest.raises(CommandFailed) as raised:
        set_config_vars(ctx, "my-blog", {"SECRET_KEY": KEY})
    message = str(raised.value)
    assert "Heroku refused to set the config vars SECRET_KEY on my-blog" in message
    assert "HTTP 422: Config var key is invalid." in message
    assert KEY not in message + "\n".join(ctx.runner.log.lines)
    assert "SECRET_KEY" not in account.apps()["my-blog"]["config"]


@posix_cli
@pytest.mark.needs_programs
def test_a_cli_that_is_not_logged_in_is_told_to_log_in(account, tmp_path, monkeypatch):
    monkeypatch.delenv("HEROKU_API_KEY")
    with pytest.raises(CommandFailed) as raised:
        set_config_vars(_ctx(tmp_path), "my-blog", {"SECRET_KEY": KEY})
    assert "heroku" in str(raised.value) and KEY not in str(raised.value)


@pytest.mark.parametrize(
    "host, url",
    [
        (None, "https://api.heroku.com"),
        ("", "https://api.heroku.com"),
        ("heroku.com", "https://api.heroku.com"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("https://api.staging.herokudev.com/", "https://api.staging.herokudev.com"),
        # The CLI would not send its token elsewhere (it falls back to heroku.com): neither do we.
        ("https://evil.example", "https://api.heroku.com"),
        ("heroku.com.evil.example", "https://api.heroku.com"),
    ],
)
def test_the_api_host_is_the_one_the_cli_uses(host, url):
    assert api_url({} if host is None else {"HEROKU_HOST": host}) == url
