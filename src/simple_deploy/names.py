"""Names the user gives (app, project title, region, organization), checked before any use.

A name travels into a platform CLI's argument list and into the commands the
summary prints. Two rules hold for every name on every platform, whatever the
plugin says: it can never be read as an option (`--deployed-project-name=
--region=eu` must not create an app in another region), and it holds no
control character (a trailing newline would pass a `$`-anchored pattern). A
plugin adds its platform's own rule as a `NameRule`, matched in full
(`re.fullmatch`), in both modes: a configuration-only run writes the name into
files and commands too.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["NameRule", "USER_NAMES", "name_problems", "quoted"]

# The core's own options that carry names; plugins name theirs in their rules.
USER_NAMES = {"deployed_project_name": "--deployed-project-name", "region": "--region"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class NameRule:
    """A platform's rule for one option: `pattern` must match the whole value.

    - `option`: the key in the options mapping (`deployed_project_name`).
    - `flag`: how the user wrote it (`--deployed-project-name`).
    - `says`: the rule in words, for the message (`3 to 30 lowercase letters ...`);
      or the whole message, when it holds `{value}` (the platform's own wording).
    - `example`: a valid value, shown in the message.
    """

    option: str
    flag: str
    pattern: str
    says: str
    example: str = ""

    def problem(self, value: str) -> str | None:
        if re.fullmatch(self.pattern, value):
            return None
        if "{value}" in self.says:
            return self.says.format(value=value, flag=self.flag)
        example = f" (for example {self.flag}={self.example})" if self.example else ""
        return f"{self.flag}={value!r} is not allowed: use {self.says}{example}."


def _generic_problem(flag: str, value: str) -> str | None:
    if not value.strip():
        return f"{flag} is empty: give a value, or leave the option out."
    if value.startswith("-"):
        return (
            f"{flag}={value!r} starts with a dash, so a platform CLI would read it as an "
            f"option. Names never start with a dash: check the command line (was the value "
            f"of {flag} left out?)."
        )
    if _CONTROL.search(value) or value != value.strip():
        return (
            f"{flag}={value!r} holds a line break, a control character or surrounding "
            "spaces; give the name alone."
        )
    return None


def name_problems(options: Mapping[str, Any], rules: Iterable[NameRule] = ()) -> list[str]:
    """Messages for every user-given name that breaks the universal or the platform's rule."""
    rules = tuple(rules)
    flags = dict(USER_NAMES) | {rule.option: rule.flag for rule in rules}
    problems = []
    for option, flag in flags.items():
        value = options.get(option)
        if value is None:
            continue
        if not isinstance(value, str):
            continue  # typed options (numbers) are checked by argparse
        generic = _generic_problem(flag, value)
        if generic:
            problems.append(generic)
            continue
        problems += [p for r in rules if r.option == option and (p := r.problem(value))]
    return problems


def quoted(value: object) -> str:
    """`value` as it must appear in a command the user copies into a shell."""
    return shlex.quote(str(value))
