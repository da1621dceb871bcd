"""Secrets: never in a log, the terminal, a file or a command line.

- Passwords in URLs are redacted whatever characters they hold (fuzzed).
- Config values given as NAME=value are hidden whatever the name (fuzzed).
- A full --automate-all run on every platform's test account (a fake CLI, or
  Heroku's real CLI against tests/heroku_api): the secret key and the database
  password the account ends up holding appear in no output, no log, no project
  file, and no argument list any CLI received.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from fake_platforms import FAKES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project_files import all_text
from support import PLATFORMS, inspected

from simple_deploy import plugins
from simple_deploy.automate_all import automate_all
from simple_deploy.log import REDACTED, RunLog, shown_argv

FAKES_DIR = Path(__file__).resolve().parents[1] / "fakes"
FUZZ = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

PASSWORD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp")), min_size=1
)


@FUZZ
@given(
    password=PASSWORD,
    scheme=st.sampled_from(["postgres", "postgresql", "mysql", "redis", "https", "amqp"]),
    user=st.from_regex(r"[a-z0-9_]{0,10}", fullmatch=True),
)
def test_passwords_in_urls_are_redacted_whatever_they_hold(cases, password, scheme, user):
    cases.tried(repr(password)[:60])
    url = f"{scheme}://{user}:{password}@db.example.com:5432/app"
    shown = RunLog().redact(f"DATABASE_URL: {url} (attached)")
    assert shown == f"DATABASE_URL: {scheme}://{user}:{REDACTED}@db.example.com:5432/app (attached)"


@FUZZ
@given(
    name=st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True),
    value=st.text(min_size=1).filter(lambda v: not v.startswith("=")),
)
def test_config_values_on_a_command_line_are_hidden_whatever_the_name(cases, name, value):
    cases.tried(f"{name}=…")
    shown, hidden = shown_argv(["heroku", "config:set", f"{name}={value}", "-a", "my-blog"])
    assert value in hidden
    assert f"{name}={REDACTED}" in shown


def _automated() -> list[str]:
    return [p for p in PLATFORMS if plugins.load(p).automate is not None and p in FAKES]


@pytest.mark.needs_programs
@pytest.mark.skipif(os.name == "nt", reason="the fake platform CLIs are POSIX scripts")
@pytest.mark.parametrize("platform", _automated())
def test_no_secret_in_output_logs_files_or_any_command_line(
    sample_project, tmp_path, monkeypatch, request, platform, cases
):
    fake = FAKES[platform]
    if fake.real_cli:  # the platform's real CLI against a stand-in API
        account = request.getfixturevalue(fake.real_cli)
        account.use_here(monkeypatch)
    else:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / fake.cli).symlink_to(FAKES_DIR / fake.cli)
        state = tmp_path / "account.json"
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("FAKE_CLI_STATE", str(state))
    root = sample_project("requirements_txt", "flat")
    log, out = RunLog(), io.StringIO()
    from simple_deploy.runner import Runner

    cases.tried("full run")
    automate_all(
        inspected(root),
        plugins.load(platform),
        {"automate_all": True, "no_input": True},
        Runner(log=log, stream=out),
        confirm=lambda notice: True,
    )
    log.save(root)
    if fake.real_cli:
        held = account.state()
        argv = "\n".join(" ".join(call) for call in account.calls())
    else:
        held = json.loads(state.read_text())
        argv = "\n".join(" ".join(call["argv"]) for call in held.get("calls", []))
    secrets = [s for s in fake.secrets(held) if s]
    assert secrets, "the account holds no secret to look for"
    if fake.real_cli:  # the CLI's own token, read for the API call, is a secret too
        secrets.append(account.world.token)
    cases.no_secret(secrets, out.getvalue(), "\n".join(log.lines), all_text(root))
    cases.tried("argument lists")
    cases.no_secret(secrets, argv)
