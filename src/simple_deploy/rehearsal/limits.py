"""How long each rehearsal step may take, and the clock that holds a step to it.

A rehearsal must end: a step that waits for ever (a migration blocked on a lock,
an install stuck on a network) fails when its limit runs out, saying what it was
doing, instead of leaving a frozen terminal. Installing and building may take
minutes on a cold cache; the steps that run the app (release, checks, the web
process, its pages) take seconds on any project the rehearsal serves, so their
limits are short. A user whose migrations legitimately take longer raises one
with `--rehearse-limit release=SECONDS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

__all__ = ["STEP_LIMITS", "PROBE_SECONDS", "StepClock", "parse_limits", "LimitError"]

STEP_LIMITS: Mapping[str, float] = {
    "copy": 120,
    # A virtual environment, or the container engine's version.
    "environment": 300,
    # The locked dependencies, or the whole image build (which also runs build).
    "install": 1800,
    # An asset build (npm) and collectstatic.
    "build": 900,
    "release": 180,
    "check --deploy": 120,
    "migrations": 120,
    # Until the web process answers HTTP.
    "web": 60,
    # The crawl stops itself after 60 s; this also covers the settings probe before it.
    "pages": 120,
    "static file": 60,
    # A throwaway redis-server starts in well under a second.
    "redis": 60,
    # Each process beside web (a worker), until it is ready.
    "process": 60,
    # One task sent to a worker and seen done.
    "task": 90,
    # A websocket handshake and one message.
    "websocket": 30,
}
# A limit for a step the table does not name (an engine's own, such as removing
# the container and image).
DEFAULT_LIMIT = 300.0
# What a diagnosis (asking PostgreSQL what the step waits for) may take on its own.
PROBE_SECONDS = 20.0


class LimitError(ValueError):
    """A --rehearse-limit value that is not STEP=SECONDS for a known step."""


def parse_limits(items: list[str] | None) -> dict[str, float]:
    """`["release=20", ...]` as {step: seconds}; bad input raises LimitError with the fix."""
    limits: dict[str, float] = {}
    names = ", ".join(STEP_LIMITS)
    for item in items or ():
        step, sep, value = item.partition("=")
        step = step.strip()
        if not sep or step not in STEP_LIMITS:
            raise LimitError(
                f"--rehearse-limit {item!r}: give STEP=SECONDS, where STEP is one of: {names} "
                "(e.g. --rehearse-limit release=600)."
            )
        try:
            seconds = float(value)
        except ValueError:
            seconds = 0.0
        if not 0 < seconds <= 86400:
            raise LimitError(
                f"--rehearse-limit {item!r}: SECONDS must be a number above 0 and at most "
                f"86400 (e.g. --rehearse-limit {step}={STEP_LIMITS[step]:.0f})."
            )
        limits[step] = seconds
    return limits


class StepClock:
    """The running step's limit, shared by the steps and the engine that runs them.

    Every command a step runs gets the time left (`remaining`), so a step of many
    commands is bounded as a whole. `diagnose` runs the step's probe, if it has
    one, while the stuck command is still alive (what it waits for disappears
    with it), under a short limit of its own.
    """

    def __init__(self, cap: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.cap = cap  # no single command runs longer than this
        self._clock = clock
        self.step = ""
        self.limit = 0.0
        self._deadline = float("inf")
        self._probe: Callable[[], str] | None = None
        self._probing = False

    def start(self, step: str, limit: float, probe: Callable[[], str] | None = None) -> None:
        self.step, self.limit, self._probe = step, limit, probe
        self._deadline = self._clock() + limit

    def remaining(self) -> float:
        """Seconds the next command may take (at least a moment, so it can start)."""
        return max(0.1, min(self.cap, self._deadline - self._clock()))

    def expired(self) -> bool:
        return self._clock() >= self._deadline

    def diagnose(self) -> str:
        """What the step's probe finds ('' without a probe); never raises."""
        if self._probe is None or self._probing:
            return ""
        saved = self._deadline
        self._probing = True
        self._deadline = self._clock() + PROBE_SECONDS
        try:
            return self._probe()
        except Exception as error:  # a diagnosis must not hide the failure it explains
            return f"(could not ask PostgreSQL what it waits for: {type(error).__name__}: {error})"
        finally:
            self._deadline = saved
            self._probing = False
