"""Render's Blueprint JSON schema (tests/render_blueprint/, source and date in its README),
applied to a generated render.yaml the way Render reads it: YAML, then the schema."""

from __future__ import annotations

import json
from pathlib import Path

SCHEMA_FILE = Path(__file__).resolve().parent / "render_blueprint" / "render.yaml.schema.json"


def _validator():
    # Imported here: the Windows run (scripts/test-windows) collects the modules that
    # use this one without these packages, and deselects their tests.
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(text: str) -> list[str]:
    """Every way `text` breaks the schema, as readable lines (empty: valid)."""
    import yaml

    document = yaml.safe_load(text)
    found = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in found]


def assert_valid(text: str) -> dict:
    """The parsed Blueprint, after checking it against Render's schema."""
    problems = errors(text)
    assert not problems, "render.yaml breaks Render's Blueprint schema:\n" + "\n".join(problems)
    import yaml

    return yaml.safe_load(text)
