"""Every argv the Platform.sh and Upsun plugins build matches a row of tests/platform_cli_tables.py,
itself checked against the real CLI's source: a misspelt or invented flag fails here."""

from __future__ import annotations

import pytest
from platform_cli_tables import TABLES, find_row

from simple_deploy import plugins
from simple_deploy.automate import AutomateContext
from simple_deploy.project import inspect
from simple_deploy.runner import CommandFailed, Result

PROJECT_ID = "abcdefghijklm"


class RecordingRunner:
    """Answers like the real CLI would for one scenario, and keeps every argv."""

    def __init__(self, cli: str, *, existing: bool = False, manual_resources: bool = False):
        self.cli, self.existing, self.manual_resources = cli, existing, manual_resources
        self.argvs: list[list[str]] = []

    def run(self, argv, **kwargs) -> Result:
        assert argv[0] == self.cli, argv
        self.argvs.append(list(argv[1:]))
        command = argv[1]
        if command == "push" and self.manual_resources:
            self.manual_resources = False
            message = "Invalid deployment\nThe push completed but resources must be configured"
            raise CommandFailed(message, message, 87)
        out = {
            "--version": "CLI 5.0.21",
            "auth:info": "dev@example.com",
            "organization:list": "dev-org,Dev Org\n",
            "create": f"{PROJECT_ID}\n",
            "url": "https://main-bvxea6i-abcdefghijklm.eu-5.platformsh.site/\n",
        }.get(command, "")
        if command == "projects" and self.existing:
            out = f"{PROJECT_ID},{argv[argv.index('--title') + 1]}\n"
        if command == "project:info":
            out = "main" if argv[-2] == "default_branch" or "default_branch" in argv else "t"
        return Result(0, out, "")


SCENARIOS = {
    "fresh, one organization": {},
    "fresh, organization chosen": {"org": "acme"},
    "linked project reused": {"linked": True},
    "project found by title and linked": {"existing": True},
    "Flex sizes containers after the push": {"manual_resources": True},
}


@pytest.mark.needs_programs
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("platform", ["platform_sh", "upsun"])
def test_every_argv_the_plugin_builds_matches_a_row(sample_project, platform, scenario):
    plugin = plugins.load(platform)
    cli = plugin.cli
    settings = SCENARIOS[scenario]
    if settings.get("manual_resources") and platform != "upsun":
        pytest.skip("only Upsun (Flex) sizes containers per environment")
    root = sample_project("requirements_txt", "flat")
    if settings.get("linked"):
        link = root / (".upsun" if platform == "upsun" else ".platform") / "local"
        link.mkdir(parents=True)
        (link / "project.yaml").write_text(f"id: {PROJECT_ID}\n")
    options = {"no_input": True}
    if settings.get("org"):
        options["upsun_org" if platform == "upsun" else "platform_sh_org"] = settings["org"]
    project = inspect(root)
    automation = plugin.automate(project, options)
    runner = RecordingRunner(
        cli,
        existing=bool(settings.get("existing")),
        manual_resources=bool(settings.get("manual_resources")),
    )
    ctx = AutomateContext(project=project, options=options, runner=runner)
    for step in (*automation.prepare, *automation.finish):
        step.run(ctx)
    assert runner.argvs
    for argv in runner.argvs:
        find_row(cli, argv)
    commands = [argv[0] for argv in runner.argvs]
    if settings.get("existing"):
        assert "project:set-remote" in commands and "create" not in commands
    elif not settings.get("linked"):
        assert "create" in commands
        assert ("organization:list" in commands) == (not settings.get("org"))
    if settings.get("manual_resources"):
        assert "resources:set" in commands


@pytest.mark.parametrize(
    ("cli", "argv"),
    [
        ("platform", ["projects", "--counts", "0"]),
        ("platform", ["create", "--organization", "x"]),
        ("platform", ["resources:set", "--size", "app:1"]),  # Flex only
        ("upsun", ["push", "--activate", "HEAD", "extra"]),
        ("upsun", ["organization:list", "--no-header=1"]),
    ],
)
def test_a_flag_or_command_the_cli_lacks_fails(cli, argv):
    with pytest.raises(AssertionError):
        find_row(cli, argv)


def test_each_row_cites_a_source_file():
    for rows in TABLES.values():
        for row in rows:
            assert row.source.startswith("src/") and ".php" in row.source, row
