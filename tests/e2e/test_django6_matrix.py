"""Django 6.x end to end, on the Python 3.12+ session that `scripts/test` runs.

Django 6 needs Python 3.12 or newer, and `pip install django` there gives 6.1, whose
startproject configures the console email backend in MAILERS, which
`check --deploy` refuses (mail.E001). Every built-in platform rehearses each package
manager once on 6.x; layouts alternate so each platform sees both, flat projects on
Django 6.1 and nested ones on 6.0 (the rehearsal installs the locked Django).
"""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from rehearsals import HALVES, MAIN_HALF, configure_commit_and_rehearse, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.django6, pytest.mark.needs_programs]

BUILT_IN = sorted(
    ep.name
    for ep in entry_points(group="simple_deploy.platforms")
    if ep.value.startswith("simple_deploy.platforms.")
)
MANAGERS = ("requirements_txt", "poetry", "pipenv", "uv")


def _layout(i: int, platform: str, j: int, manager: str) -> str:
    """The layout the main session does not rehearse for this platform and manager."""
    if platform in MAIN_HALF:
        main = {(m, layout) for m, layout, _ in HALVES[MAIN_HALF[platform]]}
        return "nested" if (manager, "flat") in main else "flat"
    return ("flat", "nested")[(i + j) % 2]


MATRIX = [
    (platform, manager, layout, "6.1" if layout == "flat" else "6.0")
    for i, platform in enumerate(BUILT_IN)
    for j, manager in enumerate(MANAGERS)
    for layout in [_layout(i, platform, j, manager)]
]


@pytest.mark.parametrize(("platform", "manager", "layout", "django"), MATRIX)
def test_django6_project_rehearses_with_a_clean_deploy_check(
    sample_project, database_url, platform, manager, layout, django
):
    root = sample_project(manager, layout, django=django)
    out = configure_commit_and_rehearse(root, platform, database_url)
    assert "mail.E001" not in out and "MAILERS" not in out, out
    assert migrations_applied(database_url) > 10
