"""Our .dockerignore entries merged into the user's own, instead of asking for --overwrite.

A project's .dockerignore holds the user's choices (their own caches, data
folders, docs); ours adds what the generated image must not hold (virtual
environments, node_modules, local databases, .env files, collected static
files). Both apply to the same build context, so the entries the user's file
lacks are added in one marked block at its end, which a re-run replaces.
"""

from __future__ import annotations

from dataclasses import replace

from simple_deploy import markers
from simple_deploy.plan import FileChange

__all__ = ["merged"]

BLOCK = "fly_io"


def _patterns(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def merged(generated: FileChange) -> FileChange:
    """`generated` (our .dockerignore) applied to the user's: their lines, then ours
    that they lack, in a marked block; unchanged when they have every one."""
    if generated.before is None:
        return generated
    theirs = generated.before.decode("utf-8", errors="replace").replace("\r\n", "\n")
    # Ours alone (a previous run wrote the whole file): replaced like any file of ours.
    # A file holding our block is the user's with entries merged earlier.
    if not generated.user_file and markers.block_of(theirs, BLOCK) is None:
        return generated
    outside = theirs
    if markers.block_of(theirs, BLOCK) is not None:
        outside = markers.replace_block(theirs, BLOCK, "")
    have = set(_patterns(outside))
    missing = [p for p in _patterns(generated.after.decode("utf-8")) if p not in have]
    if missing:
        body = (
            "# Added by django-simple-deploy for the Fly.io image (your entries above stay):\n"
            + "\n".join(missing)
        )
        after = markers.replace_block(theirs, BLOCK, body).encode("utf-8")
        reason = "your .dockerignore, with what the image must not hold: " + ", ".join(missing)
    else:
        after = generated.before
        reason = "your .dockerignore already keeps out what the image must not hold"
    return replace(generated, after=after, user_file=False, reason=reason)
