"""Reading the JSON a platform's CLI prints, with one message when it is not JSON."""

from __future__ import annotations

import json
from typing import Any

from simple_deploy.runner import CommandFailed, Result

__all__ = ["read_json"]


def read_json(result: Result, what: str, cli: str, upgrade: str) -> Any:
    """`result.stdout` as JSON. An older or newer CLI that prints something else stops
    the run with what was expected (`what`), from which CLI, and how to update it."""
    try:
        return json.loads(result.stdout)
    except ValueError as exc:
        raise CommandFailed(
            f"Could not read {what} from {cli}'s output; update it ({upgrade}) and run "
            f"again.\n{result.stdout[:500]}"
        ) from exc
