"""The reliability suite's tally line, printed after pytest's own summary:

    reliability corpus: 412 cases run; found 0 tracebacks, 0 refusals that changed
    a byte, 0 writes outside the repository, 0 secret values in logs/output/files

A test counts as one case unless it records more with the `cases` fixture
(tests/reliability/conftest.py), for example one per file it tries. The four
counts are what the suite's checks found (`cases.no_traceback(...)` and its
siblings count before they assert), so a regression shows up both as a failed
test and as a non-zero count. The hooks live here and are imported by
tests/conftest.py, because with pytest-xdist only the top-level conftest
reaches the process that prints the summary.
"""

from __future__ import annotations

import pytest

PROPERTY = "reliability_cases"
FOLDER = "tests/reliability/"
# What the checks count, in the order and words of the tally line.
FINDINGS = {
    "tracebacks": "tracebacks",
    "changed_by_refusal": "refusals that changed a byte",
    "outside_writes": "writes outside the repository",
    "secrets_seen": "secret values in logs/output/files",
}
_tally = {"cases": 0, "failed_cases": 0, **{key: 0 for key in FINDINGS}}


class Cases:
    """Counts the sub-cases of one test (each labelled) and what its checks found."""

    def __init__(self, node: pytest.Item):
        self.node = node
        self.count = 0
        self.current = ""
        self.found = dict.fromkeys(FINDINGS, 0)

    def _record(self) -> None:
        keep = [p for p in self.node.user_properties if not p[0].startswith("reliability_")]
        found = [(f"reliability_{key}", value) for key, value in self.found.items()]
        self.node.user_properties[:] = keep + [(PROPERTY, self.count), *found]

    def tried(self, label: str) -> str:
        self.count += 1
        self.current = label
        self._record()
        return label

    def _found(self, key: str, count: int, message: str) -> None:
        self.found[key] += count
        self._record()
        assert count == 0, f"{self.current or self.node.name}: {message}"

    # ------------------------------------------------------------ the checks

    def no_traceback(self, *texts: str) -> None:
        """What the user saw holds no Python traceback."""
        seen = sum(("Traceback (most recent call last)" in t) for t in texts if t)
        self._found("tracebacks", seen, "a traceback reached the user:\n" + "\n".join(texts))

    def unchanged(self, before: dict, after: dict) -> None:
        """A refused run changed no byte (two snapshots of the project)."""
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        self._found("changed_by_refusal", len(changed), f"a refusal changed {changed}")

    def nothing_outside(self, before: dict, after: dict) -> None:
        """No file outside the repository was created, changed or removed."""
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        self._found("outside_writes", len(changed), f"written outside the repository: {changed}")

    def no_secret(self, secrets, *texts: str) -> None:
        """None of `secrets` appears in any of `texts` (output, logs, files, argv)."""
        seen = [s for s in secrets if s and any(s in t for t in texts)]
        self._found("secrets_seen", len(seen), f"{len(seen)} secret value(s) were visible")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if FOLDER not in report.nodeid.replace("\\", "/"):
        return
    if report.skipped or (report.when != "call" and not report.failed):
        return
    props = dict(report.user_properties)
    cases = max(props.get(PROPERTY, 1), 1)
    _tally["cases"] += cases
    _tally["failed_cases"] += 1 if report.failed else 0
    for key in FINDINGS:
        _tally[key] += props.get(f"reliability_{key}", 0)


def pytest_terminal_summary(terminalreporter) -> None:
    if not _tally["cases"]:
        return
    found = ", ".join(f"{_tally[key]} {words}" for key, words in FINDINGS.items())
    line = f"reliability corpus: {_tally['cases']} cases run; found {found}"
    if _tally["failed_cases"]:
        line += f" ({_tally['failed_cases']} case(s) stopped a test: see above)"
    terminalreporter.write_line(line)
