"""Names the user gives: validated in full, never read as an option, quoted when shown.

Every installed platform, every name option the core and the plugin know, a
corpus of hostile values: each is refused before anything runs, in
configuration-only mode too, with one message naming the option, and no byte
of the project changes. Valid names pass, and the summary quotes them.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
from project_files import deploy, snapshot
from support import PLATFORMS, inspected

from simple_deploy import plugins
from simple_deploy.configure import ConfigureError, prepare
from simple_deploy.names import USER_NAMES, NameRule, name_problems

per_platform = pytest.mark.parametrize("platform", PLATFORMS)

# Hostile for every platform: options in disguise, control characters, shells.
HOSTILE = (
    "--region=eu",
    "-a",
    "--",
    "-",
    "",
    "   ",
    "my-blog\n",
    "my-blog\r",
    "\tmy-blog",
    " my-blog",
    "my-blog ",
    "my\x00blog",
    "my\x1bblog",
    "line\nbreak",
)
# Hostile for platforms whose names are slugs (app names, regions, organizations).
NOT_A_SLUG = ("My Blog", "blog;rm -rf ~", "$(id)", "`id`", "bl/og", "blög", "a" * 200, "UPPER")


def _name_options(platform: str) -> dict[str, str]:
    rules = plugins.load(platform).names
    return dict(USER_NAMES) | {rule.option: rule.flag for rule in rules}


def _slug_options(platform: str) -> list[str]:
    """Options whose platform rule refuses spaces (all but free-text titles)."""
    rules = plugins.load(platform).names
    return [r.option for r in rules if not re.fullmatch(r.pattern, "a b c")]


@pytest.mark.needs_programs
@per_platform
def test_hostile_names_are_refused_before_anything_runs(sample_project, platform, cases):
    root = sample_project("requirements_txt", "flat")
    project, plugin = inspected(root), plugins.load(platform)
    before = snapshot(root)
    options = _name_options(platform)
    corpus = [(o, v) for o in options for v in HOSTILE]
    corpus += [(o, v) for o in _slug_options(platform) for v in NOT_A_SLUG]
    for option, value in corpus:
        cases.tried(f"{option}={value!r}")
        with pytest.raises(ConfigureError, match=re.escape(options[option])) as refused:
            prepare(project, plugin, {option: value})
            pytest.fail(f"{option}={value!r} was accepted")
        message = str(refused.value)
        assert options[option] in message, message
        assert "Traceback" not in message
        cases.unchanged(before, snapshot(root))


@per_platform
def test_valid_names_pass_every_rule(platform, cases):
    rules = plugins.load(platform).names
    if not rules:
        pytest.skip(f"{platform} declares no NameRule (the core's own rule still applies)")
    for rule in rules:
        cases.tried(f"{rule.flag}={rule.example}")
        assert rule.example and not rule.problem(rule.example), rule
        assert name_problems({rule.option: rule.example}, rules) == []


@per_platform
def test_the_rule_is_a_full_match_not_a_prefix(platform, cases):
    for rule in plugins.load(platform).names:
        for tail in ("\n", "\n--region=eu", "\r", "\x00x", "\x1b[2J"):
            cases.tried(f"{rule.flag}={rule.example}{tail!r}")
            assert name_problems({rule.option: rule.example + tail}, [rule]), (rule, tail)


@pytest.mark.needs_programs
@per_platform
def test_an_option_given_as_a_name_on_the_command_line_is_refused(
    sample_project, tmp_path, platform, cases
):
    """The issue's own case, as the user types it, in both modes; with --automate-all
    the platform CLI must not even be called."""
    root = sample_project("requirements_txt", "flat")
    before = snapshot(root, logs=False)
    state = tmp_path / "account.json"
    env = {"FAKE_CLI_STATE": str(state)}
    modes = [()] + ([("--automate-all", "--no-input")] if plugins.load(platform).automate else [])
    for args in modes:
        cases.tried(" ".join(("--deployed-project-name=--region=eu", *args)))
        result = deploy(root, platform, "--deployed-project-name=--region=eu", *args, env=env)
        assert result.returncode != 0, result.stdout
        assert "--deployed-project-name" in result.stderr and "dash" in result.stderr
        cases.no_traceback(result.stderr, result.stdout)
        cases.unchanged(before, snapshot(root, logs=False))
        calls = json.loads(state.read_text()).get("calls", []) if state.exists() else []
        assert calls == [], f"the CLI was called: {calls}"


@pytest.mark.needs_programs
@per_platform
def test_names_in_the_summary_are_quoted_for_a_shell(sample_project, platform, cases):
    root = sample_project("requirements_txt", "flat")
    project = inspected(root)
    plugin = plugins.load(platform)
    rules = [r for r in plugin.names if r.option == "deployed_project_name"]
    for name in ("my-blog-42", "My Blog 42", "Tom's blog"):
        if name_problems({"deployed_project_name": name}, rules):
            continue  # this platform refuses the name (tested above)
        cases.tried(name)
        guide = plugin.guide(project, {"deployed_project_name": name})
        commands = [c for text in guide.finish for c in re.findall(r"`([^`]+)`", text)]
        for command in commands:
            if name.split()[0] in command:
                tokens = shlex.split(command)
                assert any(name in token for token in tokens), f"{name!r} unquoted: `{command}`"


def test_a_rule_is_matched_in_full_by_the_core():
    # Whatever a plugin's pattern, the core anchors it: no `$` loophole.
    rule = NameRule("region", "--region", r"[a-z]{3}", "three letters", "ams")
    assert rule.problem("ams") is None
    assert rule.problem("ams\n") and rule.problem("amsx")
