"""Fixtures of the reliability suite: every installed platform, the same way."""

from __future__ import annotations

import pytest
from reliability_tally import Cases


@pytest.fixture
def cases(request) -> Cases:
    """Record sub-cases of a test for the suite's tally line."""
    return Cases(request.node)
