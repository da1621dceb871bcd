"""Evaluate a generated `.railway/railway.ts` as JavaScript, with a stand-in for Railway's
`railway/iac` module (node_modules/railway/iac.mjs), and return the graph it describes.

The file is what `railway config apply` reads. Railway's own evaluator is in its CLI,
which these machines cannot download; node running the file proves it parses and uses
only the helpers and options Railway documents, and gives the tests (and the fake CLI's
`config apply`) the services, commands and variables it declares.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Invalid(Exception):
    """The file does not evaluate; the message is node's."""


def evaluate(path: Path) -> dict:
    node = shutil.which("node")
    if node is None:
        raise Invalid("node is not installed: cannot evaluate railway.ts")
    with tempfile.TemporaryDirectory(dir=HERE, prefix=".eval-") as tmp:
        copy = Path(tmp) / "railway.mjs"
        copy.write_text(path.read_text("utf-8"), "utf-8")
        out = subprocess.run(
            [node, str(HERE / "evaluate.mjs"), str(copy)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    if out.returncode != 0:
        raise Invalid(out.stderr.strip() or out.stdout.strip())
    return json.loads(out.stdout)


def services(graph: dict) -> dict[str, dict]:
    """Name -> resource, for every service and database the graph declares."""
    return {r["name"]: r for r in graph["resources"]}
