"""The example third-party plugin rehearses end to end like a built-in platform."""

from __future__ import annotations

import pytest
from rehearsals import configure_commit_and_rehearse, migrations_applied

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("layout", ["flat", "nested"])
def test_render_configuration_rehearses_on_postgres(sample_project, database_url, layout):
    root = sample_project("requirements_txt", layout)
    configure_commit_and_rehearse(root, "render", database_url)
    assert migrations_applied(database_url) > 10
