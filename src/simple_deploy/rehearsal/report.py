"""What a rehearsal tells its caller: one result per step, in order."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StepFailed", "StepTimedOut", "StepResult", "RehearsalReport"]


@dataclass(frozen=True)
class StepResult:
    """One rehearsed step: `detail` says what ran and, on failure, why (output tail).

    `summary` is a few words worth showing beside the step's name even when it
    passes ("12 pages, 30 assets"); empty for most steps.
    """

    name: str
    ok: bool
    seconds: float
    detail: str
    summary: str = ""


@dataclass(frozen=True)
class RehearsalReport:
    """The steps that ran, in order; the first failing step is the last one.

    `expected` names every step the rehearsal would run: a report that stopped
    early (or an engine that names its steps differently) is judged against it.
    """

    steps: tuple[StepResult, ...]
    expected: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True only if every step ran and passed."""
        names = tuple(step.name for step in self.steps)
        complete = names == self.expected if self.expected else bool(self.steps)
        return complete and all(step.ok for step in self.steps)

    @property
    def failed(self) -> StepResult | None:
        return next((step for step in self.steps if not step.ok), None)


class StepFailed(Exception):
    """A step did not pass; the message is the step's detail."""


class StepTimedOut(StepFailed):
    """A command was still running when its time ran out, and was stopped.

    `cause` is what it was waiting for, when that could be found out (the
    database's lock waits); the step adds its own name and limit to the message.
    """

    def __init__(self, command: str, seconds: float, output: str, cause: str = "") -> None:
        self.command, self.seconds, self.output, self.cause = command, seconds, output, cause
        parts = [f"{command} was still running after {seconds:.0f} s and was stopped."]
        if cause:
            parts.append(cause)
        if output:
            parts.append(f"Its output so far (last lines):\n{output}")
        super().__init__("\n".join(parts))
