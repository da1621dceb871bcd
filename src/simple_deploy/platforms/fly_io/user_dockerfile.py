"""The user's own Dockerfile, kept: which of its build steps a rehearsal can replay.

Fly builds the Dockerfile in the repository. When it is the user's, the image's
build steps are theirs, not the ones this tool would write, so a rehearsal
without a container engine replays their `RUN` lines that run `manage.py`
(collectstatic, compress ...) with the variables their `ENV` lines and the line
itself set. The rest (system packages, their own dependency install) cannot run
in a virtual environment; the package manager's install from the lock file stands
in for it. What the image must do for Fly and the Dockerfile never does (collect
static files) is a build problem the rehearsal fails on, by name.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from posixpath import isabs, normpath, relpath
from posixpath import join as posix_join
from typing import NamedTuple

from simple_deploy.dockerfile_instructions import instructions as _instructions
from simple_deploy.plugin import Command

__all__ = [
    "BuildReplay",
    "Stage",
    "build_target",
    "flag_build_steps",
    "replay",
    "stages",
    "with_build_step",
]

# Tokens after which the rest of a shell line is another command.
_SEPARATORS = {"&&", ";", "||"}
_PYTHON = re.compile(r"^(.*/)?python(\d+(\.\d+)?)?$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# `uv run ...`: the rest of the line runs in the project's environment.
_RUNNERS = {("uv", "run"), ("poetry", "run"), ("pipenv", "run")}
# Where the image keeps its interpreter and packages (`ENV VIRTUAL_ENV=/venv
# PATH=/venv/bin:$PATH`): folders of the image, not of this machine. The replay's own
# virtual environment stands in for them, so these are not passed on (`python` would
# not be found, or would import nothing installed). PYTHONPATH keeps its folders
# inside the app, moved to where the replay copied it.
_IMAGE_PATHS = frozenset({"PATH", "VIRTUAL_ENV", "PYTHONHOME"})


def _in_app(pythonpath: str, root: str) -> str | None:
    """PYTHONPATH's entries inside the app folder `root`, under the replay's app root."""
    kept = []
    for entry in pythonpath.split(":"):
        where = normpath(entry) if entry and isabs(entry) else ""
        rel = relpath(where, root) if where else ".."
        if not rel.startswith(".."):
            kept.append("{app_root}" if rel == "." else f"{{app_root}}/{rel}")
    return ":".join(kept) or None


class BuildReplay(NamedTuple):
    """The Dockerfile's manage.py build steps as rehearsal commands, what it lacks, and
    the environment runner its collectstatic goes through (`uv run --frozen`), if any."""

    commands: tuple[Command, ...]
    lacks: tuple[str, ...]
    runner: tuple[str, ...] = ()


def _runner_of(argv: list[str]) -> tuple[str, ...]:
    """The `uv run [--options]` (or poetry's, pipenv's) a command starts with, after its
    assignments: in such an image the dependencies are in the project's environment,
    not on PATH, so a command run later in the Machine must go through it too."""
    while argv and _ASSIGNMENT.match(argv[0]):
        argv = argv[1:]
    if tuple(argv[:2]) not in _RUNNERS:
        return ()
    options = []
    for token in argv[2:]:
        if not token.startswith("--"):
            break
        options.append(token)
    return (*argv[:2], *options)


def _env_pairs(args: str) -> dict[str, str]:
    """`ENV A=1 B="two"` or the legacy `ENV A 1`."""
    try:
        tokens = shlex.split(args)
    except ValueError:
        return {}
    if tokens and "=" not in tokens[0]:
        return {tokens[0]: " ".join(tokens[1:])}
    return dict(token.split("=", 1) for token in tokens if "=" in token)


def _commands(args: str) -> list[list[str]]:
    """The simple commands of a RUN line (exec form or shell form split at && ; ||)."""
    if args.startswith("["):
        try:
            argv = json.loads(args)
        except ValueError:
            return []
        return [argv] if all(isinstance(a, str) for a in argv) else []
    try:
        tokens = shlex.split(args, comments=True)
    except ValueError:
        return []
    out, current = [], []
    for token in tokens:
        if token in _SEPARATORS:
            out.append(current)
            current = []
        else:
            current.append(token)
    return [*out, current]


def _launched(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """(manage.py as the line names it, or None for django-admin; the command's
    arguments) of a command that runs Django's management commands, or None.

    Besides `python path/manage.py`, images run them as `python -m manage` (uv's
    templates: `uv run --frozen -m manage collectstatic`), and as `django-admin` or
    `python -m django` with DJANGO_SETTINGS_MODULE from an ENV line (wagtail.org's
    image: `django-admin collectstatic`); a `uv run`, `poetry run` or `pipenv run`
    before any of them runs it in the project's environment.
    """
    index = next((i for i, a in enumerate(argv) if a.endswith("manage.py")), None)
    if index is not None and index > 0 and _PYTHON.match(argv[index - 1]):
        return argv[index], argv[index + 1 :]
    rest = list(argv)
    runner = tuple(rest[:2]) in _RUNNERS
    if runner:
        rest = rest[2:]
        while rest and rest[0].startswith("--"):
            rest.pop(0)  # uv run --frozen ...
    python = bool(rest) and bool(_PYTHON.match(rest[0]))
    if python:
        rest = rest[1:]
    if rest and rest[0].rsplit("/", 1)[-1] == "django-admin" and not python:
        return None, rest[1:]
    if not (python or runner) or len(rest) < 2:
        return None
    if rest[:2] == ["-m", "django"]:
        return None, rest[2:]
    if rest[:2] == ["-m", "manage"]:
        return "manage.py", rest[2:]
    return (rest[0], rest[1:]) if rest[0].endswith("manage.py") else None


def _manage_command(
    argv: list[str], env: dict[str, str], workdir: str, root: str
) -> Command | None:
    """A `[VAR=value ...] python .../manage.py ARGS` command (or another launcher of
    Django's commands, see _launched), relative to the app root."""
    assigns = {}
    while argv and _ASSIGNMENT.match(argv[0]):
        key, _, value = argv.pop(0).partition("=")
        assigns[key] = value
    launched = _launched(argv)
    if launched is None:
        return None
    manage, args = launched
    if manage is None:
        # django-admin finds the project through DJANGO_SETTINGS_MODULE; run from the
        # app root, `python -m django` imports it as the image's working folder does.
        return Command(("python", "-m", "django", *args), env={**env, **assigns})
    where = normpath(posix_join(workdir, manage)) if not isabs(manage) else manage
    rel = relpath(where, root)
    if rel.startswith(".."):
        return None  # manage.py outside the folder the repository is copied to
    return Command(("python", rel, *args), env={**env, **assigns})


def _subcommand(argv: tuple[str, ...]) -> str | None:
    """The management command a replayed Command runs."""
    at = 3 if argv[1:3] == ("-m", "django") else 2
    return argv[at] if len(argv) > at else None


class Stage(NamedTuple):
    """A build stage: its name (lowercase, "" when unnamed), what it starts FROM (an
    image, or an earlier stage's name), and whether it sets a start command itself."""

    name: str
    base: str
    starts: bool


def _from(args: str) -> tuple[str, str]:
    """(base, stage name) of a FROM line's arguments (`--platform=...` skipped)."""
    words = [w for w in args.split() if not w.startswith("--")]
    base = words[0].lower() if words else ""
    name = words[2].lower() if len(words) >= 3 and words[1].upper() == "AS" else ""
    return base, name


def stages(text: str) -> list[Stage]:
    """The Dockerfile's stages, in order."""
    out: list[Stage] = []
    for instruction, args in _instructions(text):
        if instruction == "FROM":
            out.append(Stage(*reversed(_from(args)), starts=False))
        elif instruction in ("CMD", "ENTRYPOINT") and out:
            out[-1] = out[-1]._replace(starts=True)
    return out


def _chain(found: list[Stage], index: int) -> list[int]:
    """The stage at `index` and the earlier stages it is built FROM, by index."""
    chain = [index]
    names = {stage.name: i for i, stage in enumerate(found) if stage.name}
    while found[chain[-1]].base in names and names[found[chain[-1]].base] < chain[-1]:
        chain.append(names[found[chain[-1]].base])
    return chain


def build_target(text: str) -> str | None:
    """The stage Fly must build (fly.toml's `build-target`) when it is not the last one.

    Why: Fly builds the last stage. wagtail.org's Dockerfile (Torchbox's layout) ends
    with a `dev` stage for docker compose that starts nothing of its own, after the
    `prod` stage that runs collectstatic and starts gunicorn; its heroku.yml names
    `target: prod`. When the last stage's chain sets no start command and an earlier
    named one does, that one is the image to deploy. None: the last stage is.
    """
    found = stages(text)
    if not found or any(found[i].starts for i in _chain(found, len(found) - 1)):
        return None
    for index in range(len(found) - 2, -1, -1):
        if found[index].name and any(found[i].starts for i in _chain(found, index)):
            return found[index].name
    return None


def replay(text: str, root: str, target: str | None = None) -> BuildReplay:
    """The build steps of the Dockerfile `text` whose app is copied to `root` (its last
    WORKDIR), replayable from the repository's root; and what Fly needs that it lacks.
    With a `target` stage, only the steps of that stage and those it is built FROM: a
    stage built from an earlier one keeps its ENV and WORKDIR."""
    env: dict[str, str] = {}
    workdir = "/"
    commands: list[tuple[int, Command]] = []
    runners: dict[int, tuple[str, ...]] = {}  # stage index -> its collectstatic's runner
    found = stages(text)
    index = -1
    ended: dict[str, tuple[dict[str, str], str]] = {}  # stage name -> (env, workdir)
    for instruction, args in _instructions(text):
        if instruction == "FROM":
            if index >= 0 and found[index].name:
                ended[found[index].name] = (dict(env), workdir)
            index += 1
            base = _from(args)[0]
            # A new stage starts from its base image, or from an earlier stage as it ended.
            env, workdir = ended.get(base, ({}, "/"))
            env = dict(env)
        elif instruction == "ENV":
            pairs = _env_pairs(args)
            env.update({k: v for k, v in pairs.items() if k not in _IMAGE_PATHS})
        elif instruction == "WORKDIR":
            workdir = normpath(posix_join(workdir, args.strip("\"'")))
        elif instruction == "RUN":
            here = dict(env)
            if "PYTHONPATH" in here:
                moved = _in_app(here.pop("PYTHONPATH"), root)
                here.update({"PYTHONPATH": moved} if moved else {})
            for argv in _commands(args):
                command = _manage_command(list(argv), dict(here), workdir, root)
                if command is not None:
                    commands.append((index, command))
                    if _subcommand(command.argv) == "collectstatic":
                        runners[index] = _runner_of(list(argv))
    names = [stage.name for stage in found]
    if target is not None and target in names:
        kept = set(_chain(found, names.index(target)))
        commands = [(i, c) for i, c in commands if i in kept]
    ran = {_subcommand(command.argv) for _, command in commands}
    lacks = () if "collectstatic" in ran else ("collectstatic",)
    kept_runners = [runners[i] for i, c in commands if i in runners]
    runner = kept_runners[-1] if kept_runners else ()
    return BuildReplay(tuple(c for _, c in commands), lacks, runner)


# A shell-form `python [path/]manage.py collectstatic|compress`, or the same through
# another launcher (_launched): `python -m manage|django`, `django-admin`, each maybe
# after `uv run [--options]`. An exec-form RUN, a JSON list, cannot take an assignment
# before its program and is left alone.
_PY = r"(?:[\w./-]*/)?python(?:\d+(?:\.\d+)?)?\s+(?:[\w./-]*manage\.py|-m\s+(?:manage|django))"
_ADMIN = r"(?:[\w./-]*/)?django-admin"
_RUN_IN_ENV = r"(?:uv|poetry|pipenv)\s+run\s+(?:--[\w-]+(?:=\S+)?\s+)*"
_BUILD_STEP = re.compile(
    rf"(?<![\w/=.-])((?:{_RUN_IN_ENV}(?:{_PY}|{_ADMIN}|-m\s+(?:manage|django)|"
    rf"[\w./-]*manage\.py)|{_PY}|{_ADMIN})\s+(?:collectstatic|compress)\b)"
)
_RUN = re.compile(r"^\s*RUN\s", re.IGNORECASE)


def flag_build_steps(text: str, env: Mapping[str, str]) -> str:
    """`text` with the assignments `env` put before each RUN line's manage.py
    collectstatic or compress that lacks them; every other byte as it was.

    Why: Fly runs the image build with no secrets and no FLY_APP_NAME, so the settings
    block only knows it is building from the flag in `env`; without it the block is
    off, the settings still list simple_deploy (a development tool, not in the image)
    and collectstatic writes no manifest for WhiteNoise.
    """
    prefix = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items()) + " "
    first = next(iter(env)) + "="
    out = []
    in_run = False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if _RUN.match(body) or in_run:
            if first not in body:
                line = _BUILD_STEP.sub(lambda match: prefix + match.group(1), line)
            in_run = body.rstrip().endswith("\\")
        out.append(line)
    return "".join(out)


# `COPY . dest` or `ADD . dest` (options such as --chown allowed): the line that puts
# the project into the image, after which its manage.py can run.
_COPY_PROJECT = re.compile(r"^\s*(?:COPY|ADD)\s+(?:--\S+\s+)*\.\/?\s+\S+\s*$", re.IGNORECASE)
# `COPY --from=builder [--chown=...] /app /app`: one folder of an earlier stage, whole.
_COPY_FROM = re.compile(
    r"^\s*COPY\s+(?:--\S+\s+)*--from=(?P<stage>\S+)\s+(?:--\S+\s+)*(?P<src>/\S+)\s+\S+\s*$",
    re.IGNORECASE,
)


def with_build_step(text: str, step: str) -> str | None:
    """`text` with the RUN line `step` after the last line that copies the whole project
    into the image (the final stage's), in the file's own line endings; None when no
    single line does (a copy in parts).

    Why: a Dockerfile written for development (djangox) never collects static files;
    without them WhiteNoise has no manifest and every page with {% static %} fails.
    The tool knows the one line that is missing, so it adds it, as it flags an existing
    one, instead of leaving the user a 500 to find.

    A final stage that takes the whole project from a builder stage (`ADD . /app` there,
    `COPY --from=builder /app /app` here; lithium) counts too. The line then goes after
    the ENV and WORKDIR lines that follow the copy: they often put the builder's
    virtual environment on PATH, without which `python` has no Django.
    """
    lines = text.splitlines(keepends=True)
    found = None
    stage = ""
    whole: set[tuple[str, str]] = set()  # (stage, folder) that hold the whole project
    for index, line in enumerate(lines):
        bare = line.rstrip("\r\n")
        head = bare.split()
        if bare.lstrip().upper().startswith("FROM"):
            found = None  # a later stage: only its own copy counts
            stage = head[-1].lower() if len(head) >= 4 and head[-2].upper() == "AS" else ""
        elif _COPY_PROJECT.match(bare):
            found = index
            whole.add((stage, head[-1].rstrip("/")))
        else:
            source = _COPY_FROM.match(bare)
            if source and (source["stage"].lower(), source["src"].rstrip("/")) in whole:
                found = index
    if found is None:
        return None
    after = found
    for index in range(found + 1, len(lines)):
        if lines[index].lstrip().upper().startswith(("ENV ", "WORKDIR ")):
            after = index
    ending = "\r\n" if lines[found].endswith("\r\n") else "\n"
    if not lines[after].endswith(("\n", "\r")):
        lines[after] += ending
    lines.insert(after + 1, f"RUN {step}{ending}")
    return "".join(lines)


# Programs that run a package.json script, and the word before the script's name.
_SCRIPT_RUNNERS = {"npm": ("run", "run-script"), "yarn": ("run", None), "pnpm": ("run", None)}
# A program that may run a build this cannot see: a script file, make, a shell's -c
# string, a Node.js script.
_OPAQUE = re.compile(r"(?:^|/)(?:make|bash|sh|zsh|node)$|\.sh$")


def _build_named(argv: list[str]) -> tuple[str, str] | None:
    """("gulp", task) or ("script", name) for a command that runs a gulp task or a
    package.json script; None for any other command."""
    words = [a for a in argv if not a.startswith("-")]
    if words and words[0].rsplit("/", 1)[-1] == "npx":
        words = words[1:]
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program == "gulp":
        return ("gulp", words[1] if len(words) > 1 else "default")
    if program in _SCRIPT_RUNNERS and len(words) > 1:
        verb, implicit = _SCRIPT_RUNNERS[program][0], _SCRIPT_RUNNERS[program][1:]
        if words[1] in (verb, *(v for v in implicit if v)) and len(words) > 2:
            return ("script", words[2])
        if program != "npm" and words[1] not in ("install", "add", "ci", "exec", "dlx"):
            return ("script", words[1])
    return None


def runs_asset_build(text: str, wanted: tuple[str, str]) -> bool:
    """True when a RUN line of the Dockerfile `text` runs `wanted` (("script", "build")
    or ("gulp", "build")) itself, in whichever stage (tabbycat's single stage installs
    Node.js with nvm, then `npm ci` and `npm run build` before collectstatic)."""
    return any(
        _build_named(argv) == wanted
        for instruction, args in _instructions(text)
        if instruction == "RUN"
        for argv in _commands(args)
        if argv
    )


def other_asset_builds(text: str, wanted: tuple[str, str]) -> tuple[str, ...] | None:
    """The asset builds the Dockerfile `text` runs instead of `wanted` (("gulp", "build")
    or ("script", "build:prod")): () when it runs none at all, None when it runs the
    wanted one or a step this cannot read (a script file, make, `sh -c`).

    djangogirls' Dockerfile, made for docker compose, runs `gulp local` (development
    files in static/local/); its production settings serve static/build/, which only
    `gulp build` makes, so an image built from it serves pages without their CSS.
    """
    others = []
    for instruction, args in _instructions(text):
        if instruction != "RUN":
            continue
        for argv in _commands(args):
            if not argv:
                continue
            if _OPAQUE.search(argv[0]):
                return None
            named = _build_named(argv)
            if named == wanted:
                return None
            if named is not None and named[0] == wanted[0]:
                others.append(shlex.join(argv))
    return tuple(others)
