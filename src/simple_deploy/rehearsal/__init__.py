"""Rehearsal: do locally what the platform will do, before the user pushes.

The package's parts, one job each:
- steps.py: the steps in order and `rehearse`, the same for every engine;
- environment.py: the variables each phase gets, and a clean host environment;
- engine.py: the `Engine` seam; venv.py: the virtual-environment engine;
- http_checks.py: requests as the platform's router sends them;
- commit.py: the committed project as a push sends it;
- limits.py: each step's time limit; locks.py: what a stuck database step waits for;
- processes.py, text.py, report.py: running commands, showing output, the report.
- service_steps.py: the steps for what runs beside web (redis, each process, a task,
  a websocket); redis.py: the rehearsal's Redis; workers.py: process names, when
  each is ready, the task probes; websocket.py: a stdlib websocket handshake.
"""

from __future__ import annotations

from .engine import Context, Engine
from .report import RehearsalReport, StepResult
from .steps import STEP_NAMES, RehearsalInterrupted, rehearse
from .text import REDACTED

__all__ = [
    "rehearse",
    "RehearsalInterrupted",
    "RehearsalReport",
    "StepResult",
    "STEP_NAMES",
    "REDACTED",
    "Context",
    "Engine",
]
