"""The example third-party plugin rehearses end to end like a built-in platform."""

from __future__ import annotations

import pytest
from rehearsals import configure_commit_and_rehearse, migrations_applied

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


# One layout, the nested one (its paths are the harder case): the example plugin's
# configuration is checked on both layouts by tests/integration/test_example_plugin.py,
# and the rehearsal's handling of layouts by every built-in platform's matrix.
def test_render_configuration_rehearses_on_postgres(sample_project, database_url):
    root = sample_project("requirements_txt", "nested")
    configure_commit_and_rehearse(root, "render_example", database_url)
    assert migrations_applied(database_url) > 10
