"""--automate-all fault injection: every platform, every step fails once, then a re-run.

For each platform in `fake_platforms.FAKES` and each command its fake CLI can
fail, the first run fails at that command; the second run (after what the
failure message asks of the user, if anything) must finish, and the fake
account must then hold exactly one app and one database. Secrets the account
holds must appear in no output, no file of the project (logs included) and no
commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fake_platforms import FAKES, FakePlatform
from project_files import all_text, deploy, git, snapshot
from support import PLATFORMS

from simple_deploy import plugins

# The fake platform CLIs (tests/fakes) are POSIX programs: a shebang line, and
# fcntl locks on their state file. Windows runs everything else.
pytestmark = pytest.mark.skipif(os.name == "nt", reason="the fake platform CLIs are POSIX scripts")

FAKES_DIR = Path(__file__).resolve().parents[1] / "fakes"


def _automated() -> list[str]:
    return [name for name in PLATFORMS if plugins.load(name).automate is not None]


def _cases() -> list:
    params = []
    for name in _automated():
        fake = FAKES.get(name)
        steps = fake.steps if fake else ("(no entry)",)
        params += [pytest.param(name, step, id=f"{name}-{step}") for step in steps]
    return params


def fake_for(platform: str) -> FakePlatform:
    fake = FAKES.get(platform)
    if fake is None:
        pytest.fail(
            f"The installed platform '{platform}' has --automate-all but no entry in "
            "tests/fake_platforms.py: add its fake CLI and step names there."
        )
    return fake


class Account:
    """A fake CLI first on PATH, with its state file."""

    def __init__(self, tmp_path: Path, fake: FakePlatform):
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / fake.cli).symlink_to(FAKES_DIR / fake.cli)
        self.state_file = tmp_path / "account" / f"{fake.cli}.json"
        path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
        self.env = {"PATH": path, "FAKE_CLI_STATE": str(self.state_file)}

    def state(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}


def automate(root: Path, platform: str, account: Account, **env: str):
    return deploy(root, platform, "--automate-all", "--no-input", env={**account.env, **env})


@pytest.mark.parametrize(("platform", "step"), _cases())
def test_failure_at_each_step_then_rerun_gives_one_app_and_one_database(
    sample_project, tmp_path, platform, step, request
):
    fake = fake_for(platform)
    root = sample_project("requirements_txt", "flat")
    if fake.real_cli:  # the platform's real CLI against a stand-in API
        account = request.getfixturevalue(fake.real_cli)
        fail = account.fail(step)
    else:
        account = Account(tmp_path, fake)
        fail = {"FAKE_CLI_FAIL": step}
    before = snapshot(root, logs=False)

    failed = automate(root, platform, account, **fail)
    assert failed.returncode != 0, f"failing {step} did not stop the run"
    assert "run the same command again" in failed.stderr, failed.stderr
    assert "Traceback" not in failed.stderr, failed.stderr
    if not fake.real_cli:  # a fake fails naming its command ("create-link": create)
        assert step.split("-")[0] in failed.stderr, failed.stderr
    after = snapshot(root, logs=False)
    if after != before:  # the configuration may be written: then it is committed
        assert git(root, "status", "--porcelain") == "", "a failed run left uncommitted files"
    assert fake.apps(account.state()) <= 1 and fake.databases(account.state()) <= 1

    fake.before_resume(step, root)
    if fake.real_cli:
        account.recover()
    resumed = automate(root, platform, account)
    assert resumed.returncode == 0, resumed.stderr + resumed.stdout
    assert "Your site: https://" in resumed.stdout
    state = account.state()
    assert fake.apps(state) == 1, f"{fake.apps(state)} apps after failing at {step}"
    assert fake.databases(state) == 1, f"{fake.databases(state)} databases after {step}"
    assert git(root, "status", "--porcelain") == ""

    secrets = [s for s in fake.secrets(state) if s]
    assert secrets, "the fake account holds no secret to look for"
    visible = "\n".join(
        (failed.stdout, failed.stderr, resumed.stdout, resumed.stderr, all_text(root))
    )
    history = git(root, "log", "-p", "--all")
    for secret in secrets:
        assert secret not in visible, "a secret reached the output, a file or a log"
        assert secret not in history, "a secret was committed"
