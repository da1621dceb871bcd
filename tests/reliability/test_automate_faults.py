"""--automate-all fault injection: every platform, every step fails once, then a re-run.

For each platform in `fake_platforms.FAKES`, runs fail at each command its CLI can
fail, in the order a run makes them: the first run fails at the first command,
the next run (after what the failure message asks of the user, if anything)
resumes from what the failed one left and fails at the next command, and so on;
the last run must finish. After every run the account holds at most one app and
one database, and after the last exactly one of each. Secrets the account holds
must appear in no output, no file of the project (logs included) and no commit.

One chain per platform rather than a fresh project per step: a run that fails at
step N starts from what failing at step N-1 left, which is the state a fresh run
failing at N-1 leaves too (steps before it reused, not repeated), and the real
Heroku CLI costs about 1.5 s of CPU a call.
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
pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="the fake platform CLIs are POSIX scripts"),
    pytest.mark.needs_programs,
]

FAKES_DIR = Path(__file__).resolve().parents[1] / "fakes"


def _automated() -> list[str]:
    return [name for name in PLATFORMS if plugins.load(name).automate is not None]


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


@pytest.mark.parametrize("platform", _automated())
def test_failing_at_each_step_in_turn_then_rerunning_gives_one_app_and_one_database(
    sample_project, tmp_path, platform, request
):
    fake = fake_for(platform)
    root = sample_project("requirements_txt", "flat")
    if fake.real_cli:  # the platform's real CLI against a stand-in API
        account = request.getfixturevalue(fake.real_cli)
    else:
        account = Account(tmp_path, fake)
    before = snapshot(root, logs=False)
    outputs = []

    for step in fake.steps:
        fail = account.fail(step) if fake.real_cli else {"FAKE_CLI_FAIL": step}
        failed = automate(root, platform, account, **fail)
        outputs += [failed.stdout, failed.stderr]
        assert failed.returncode != 0, f"failing {step} did not stop the run"
        assert "run the same command again" in failed.stderr, (step, failed.stderr)
        assert "Traceback" not in failed.stderr, (step, failed.stderr)
        if not fake.real_cli:  # a fake fails naming its command ("create-link": create)
            assert step.split("-")[0] in failed.stderr, (step, failed.stderr)
        if snapshot(root, logs=False) != before:  # configuration written: then committed
            status = git(root, "status", "--porcelain")
            assert status == "", f"failing {step} left uncommitted files: {status}"
        state = account.state()
        assert fake.apps(state) <= 1 and fake.databases(state) <= 1, (step, state)
        fake.before_resume(step, root)
        if fake.real_cli:
            account.recover()

    resumed = automate(root, platform, account)
    assert resumed.returncode == 0, resumed.stderr + resumed.stdout
    assert "Your site: https://" in resumed.stdout
    state = account.state()
    assert fake.apps(state) == 1, f"{fake.apps(state)} apps after failing at every step"
    assert fake.databases(state) == 1, f"{fake.databases(state)} databases"
    assert git(root, "status", "--porcelain") == ""

    secrets = [s for s in fake.secrets(state) if s]
    assert secrets, "the fake account holds no secret to look for"
    visible = "\n".join((*outputs, resumed.stdout, resumed.stderr, all_text(root)))
    history = git(root, "log", "-p", "--all")
    for secret in secrets:
        assert secret not in visible, "a secret reached the output, a file or a log"
        assert secret not in history, "a secret was committed"
