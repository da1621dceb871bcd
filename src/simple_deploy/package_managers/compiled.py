"""requirements.txt compiled from a `.in` file by pip-compile or `uv pip compile`.

Both tools write the command that made the file in its header comment. Reading it
back gives the project's own compiler and options (`--generate-hashes`,
`--strip-extras`, an index ...), so a recompile produces the file the user's
next `pip-compile` would, instead of a flattened or unhashed one.
"""

from __future__ import annotations

import shlex
from pathlib import Path, PurePosixPath
from typing import NamedTuple

__all__ = ["Compiled", "read_header"]

# Options of both tools that take a separate value: the value is not an input file.
_VALUED = {
    "-o",
    "--output-file",
    "-c",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-p",
    "--python",
    "--python-version",
    "--python-platform",
    "-P",
    "--upgrade-package",
    "--pip-args",
    "--cache-dir",
    "--resolver",
    "--annotation-style",
    "--custom-compile-command",
    "--extra",
    "--no-emit-package",
    "--unsafe-package",
    "--index-strategy",
    "--keyring-provider",
    "--build-constraint",
    "--override",
}
# Dropped from the recorded command: they would move every pin, not only the new ones.
_DROP = {"-U", "--upgrade"}


class Compiled(NamedTuple):
    """The compile command recorded in `output`'s header.

    `argv` is the command to rerun from the repository root (upgrade flags
    dropped, the output named explicitly); `source` is the `.in` file new
    requirements go to; `inputs` every file the command reads.
    """

    output: str
    argv: tuple[str, ...]
    source: str
    inputs: tuple[str, ...]
    hashes: bool

    @property
    def tool(self) -> str:
        return "uv pip compile" if self.argv[0] == "uv" else "pip-compile"


def _command(text: str) -> str | None:
    """The command line under "...the following command:" in the leading comment block."""
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lstrip("#").strip())
    for index, line in enumerate(header):
        if line.endswith("following command:"):
            return next((later for later in header[index + 1 :] if later), None)
    return None


def read_header(root: Path, output: str, text: str) -> Compiled | None:
    """The compile command of `output` (root-relative), or None if no tool wrote it."""
    command = _command(text)
    if not command:
        return None
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    if argv[:3] == ["uv", "pip", "compile"]:
        tool, rest = argv[:3], argv[3:]
    elif argv and argv[0] == "pip-compile":
        tool, rest = argv[:1], argv[1:]
    else:
        return None
    # The tools record paths relative to where they ran; the header does not say
    # where, so they are read relative to the output file's folder, then the root.
    base = PurePosixPath(output).parent
    kept: list[str] = []
    inputs: list[str] = []
    named_output = None
    skip_value = False
    for index, arg in enumerate(rest):
        if skip_value:
            skip_value = False
            if rest[index - 1] in ("-o", "--output-file"):
                named_output = arg
                continue
            if rest[index - 1] in ("-c", "--constraint"):
                inputs.append(arg)
            kept.append(arg)
            continue
        if arg in _DROP:
            continue
        option, eq, value = arg.partition("=")
        if option in ("-o", "--output-file") and eq:
            named_output = value
            continue
        if arg in _VALUED:
            skip_value = True
            if arg in ("-o", "--output-file"):
                continue
            kept.append(arg)
            continue
        if arg.startswith("-"):
            if option in ("-c", "--constraint") and eq:
                inputs.append(value)
            kept.append(arg)
            continue
        inputs.append(arg)
        kept.append(arg)
    sources = [name for name in inputs if name.endswith(".in")]
    if not sources:
        return None
    cwd = _cwd(root, base, [*inputs])
    if cwd is None:
        return None
    rel = [_join(cwd, name) for name in inputs]
    out_rel = _join(cwd, named_output) if named_output else output
    if out_rel != output:
        return None
    # Rerun from the root: every path made root-relative, the output named.
    prefix = [] if cwd == "." else None
    if prefix is None:
        kept = [_join(cwd, arg) if arg in inputs else arg for arg in kept]
    argv_out = (*tool, *kept, "--output-file", output)
    return Compiled(
        output=output,
        argv=tuple(argv_out),
        source=_join(cwd, sources[0]),
        inputs=tuple(dict.fromkeys(rel)),
        hashes="--generate-hashes" in kept,
    )


def _join(cwd: str, name: str) -> str:
    return PurePosixPath(cwd, name).as_posix() if cwd != "." else PurePosixPath(name).as_posix()


def _cwd(root: Path, base: PurePosixPath, inputs: list[str]) -> str | None:
    """Where the recorded command ran: the folder from which its inputs exist."""
    for candidate in dict.fromkeys([".", base.as_posix()]):
        if all((root / candidate / name).is_file() for name in inputs):
            return candidate
    return None
