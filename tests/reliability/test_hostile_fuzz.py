"""Property-based fuzzing (hypothesis) of the readers that meet the user's text.

- requirements.txt: any mix of requirement lines, comments, options, includes,
  markers, hashes, blank lines and CRLF endings: listing never crashes, adding
  keeps every original line and adds each missing requirement once.
- TOML (pyproject.toml, Pipfile): any text, valid or not, reaches the user as
  one message naming the file (or is read), never as another exception.
- The settings block: any surrounding text and any stray marker lines: writing
  the block twice gives the same file as writing it once, the block reads
  back, a pasted-twice block is detected, and nothing raises.
Each generated example counts as one case in the suite's tally.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simple_deploy import markers
from simple_deploy.package_managers import ManagerError, Requirement, get
from simple_deploy.parsing import ReadError, reading_files
from simple_deploy.project import MANAGER_FILES

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,12}", fullmatch=True)
REQUIREMENT_LINES = st.one_of(
    NAMES,
    st.builds(
        lambda n, v: f"{n}=={v}",
        NAMES,
        st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,2}){0,2}", fullmatch=True),
    ),
    st.builds(lambda n: f"{n}[extra]>=1.0 ; python_version >= '3.10'", NAMES),
    st.builds(lambda n: f"{n}==1.0 \\\n    --hash=sha256:{'a' * 64}", NAMES),
    st.sampled_from(
        [
            "",
            "# a comment",
            "-r base.txt",
            "-c constraints.txt",
            "--index-url https://user:pa55@pypi.example.com/simple",
            "-e .",
            "git+https://github.com/x/y.git#egg=y",
            "./local-package",
            "Django>=5.2,<6  # pinned for now",
            "\t",
            "django ; sys_platform == 'win32'",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)

WANTED = [
    Requirement("gunicorn", "gunicorn~=23.0"),
    Requirement("whitenoise", "whitenoise~=6.7"),
    Requirement("dj-database-url", "dj-database-url~=2.2"),
]


@FUZZ
@given(lines=st.lists(REQUIREMENT_LINES, max_size=12), crlf=st.booleans())
def test_requirements_reader(cases, lines, crlf):
    cases.tried(repr(lines)[:80])
    manager = get("requirements_txt")
    text = ("\r\n" if crlf else "\n").join(lines)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "requirements.txt").write_bytes(text.encode("utf-8"))
        try:
            present = manager.requirement_names(root)
        except ManagerError:
            return  # a clear refusal is an answer
        missing = [r for r in WANTED if r.name not in present]
        after = manager.add_requirements(text, missing)
    assert after.startswith(text.rstrip("\r\n")), "an original line was changed"
    for requirement in missing:
        assert after.count(requirement.spec) == 1, requirement.spec


TOML_FRAGMENTS = st.one_of(
    st.sampled_from(
        [
            "[project]",
            'name = "blog"',
            'dependencies = ["django>=5.2"]',
            "dependencies = 5",
            'dependencies = "django"',
            "[tool.poetry]",
            "[tool.poetry.dependencies]",
            'python = "^3.11"',
            "django = 5",
            "[tool.uv]",
            "[packages]",
            'django = "*"',
            "packages = []",
            "[[project]]",
            "[project",
            "x = ",
            '"unterminated',
            "a = 1\na = 2",
            "[requires]",
            'python_version = "3.11"',
        ]
    ),
    st.text(max_size=20),
)


@FUZZ
@given(
    fragments=st.lists(TOML_FRAGMENTS, max_size=10),
    file=st.sampled_from(["pyproject.toml", "Pipfile"]),
)
def test_toml_reader(cases, fragments, file):
    from simple_deploy.package_managers import detect

    cases.tried(f"{file}: {fragments!r}"[:80])
    text = "\n".join(fragments) + "\n"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / file).write_text(text, "utf-8", errors="surrogatepass")
        try:
            with reading_files(root, MANAGER_FILES, "your package manager's tables"):
                manager = detect(root)
                names = manager.requirement_names(root)
                manager.add_requirements((root / manager.manifest).read_text("utf-8"), WANTED)
                manager.check(root)
        except ReadError as exc:
            assert file in str(exc) or "TOML" in str(exc), str(exc)
            return
        except ManagerError:
            return
    assert isinstance(names, (set, frozenset))


SETTINGS_LINES = st.one_of(
    st.sampled_from(
        [
            "DEBUG = True",
            "import os",
            "",
            "# a comment",
            markers.start_line("heroku"),
            markers.end_line("heroku"),
            markers.start_line("fly_io"),
            "    " + markers.start_line("heroku"),
            "ALLOWED_HOSTS = []",
        ]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=40
    ),
)


@FUZZ
@given(lines=st.lists(SETTINGS_LINES, max_size=15), body=st.text(max_size=60))
def test_settings_block_reader(cases, lines, body):
    cases.tried(repr(lines)[:80])
    text = "\n".join(lines) + ("\n" if lines else "")
    name = "heroku"
    body = body.replace("\r", "")
    if markers.end_line(name) in body or markers.start_line(name) in body:
        return
    repeated = name in markers.repeated(text)
    # The oracle: whole lines equal to the start line, counted independently.
    starts = sum(1 for line in text.split("\n") if line == markers.start_line(name))
    assert repeated == (starts > 1), (starts, text)
    if repeated or name in markers.unterminated(text):
        return  # the run refuses these (tested in the bad-input suite)
    once = markers.replace_block(text, name, body)
    twice = markers.replace_block(once, name, body)
    assert once == twice, "re-running added or moved something"
    assert markers.platforms_in(once).count(name) == 1
    assert (markers.block_of(once, name) or "").rstrip() == body.rstrip()
