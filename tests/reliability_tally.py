"""The one-line tally the reliability suite prints: "reliability: N cases tried, M passed".

A test counts as one case unless it records more with the `cases` fixture
(tests/reliability/conftest.py), for example one per file it tries. A failing
test counts every case it started as tried and the last one as failed. The
hooks live here and are imported by tests/conftest.py, because with pytest-xdist
only the top-level conftest reaches the process that prints the summary.
"""

from __future__ import annotations

import pytest

PROPERTY = "reliability_cases"
FOLDER = "tests/reliability/"
_tally = {"tried": 0, "passed": 0}


class Cases:
    """Counts the sub-cases of one test (each labelled, for the failure message)."""

    def __init__(self, node: pytest.Item):
        self.node = node
        self.count = 0
        self.current = ""

    def tried(self, label: str) -> str:
        self.count += 1
        self.current = label
        props = [p for p in self.node.user_properties if p[0] != PROPERTY]
        self.node.user_properties[:] = props + [(PROPERTY, self.count)]
        return label


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if FOLDER not in report.nodeid.replace("\\", "/"):
        return
    if report.when != "call" and not (report.failed and report.when == "setup"):
        return
    cases = max([v for k, v in report.user_properties if k == PROPERTY] or [1])
    _tally["tried"] += cases
    _tally["passed"] += cases if report.passed else cases - 1


def pytest_terminal_summary(terminalreporter) -> None:
    if _tally["tried"]:
        terminalreporter.write_line(
            f"reliability: {_tally['tried']} cases tried, {_tally['passed']} passed"
        )
