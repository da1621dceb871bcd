"""The generated files' renderer (simple_deploy.templates) renders every template we
ship exactly as Django's template engine (autoescape off) does: Django is the oracle,
over many contexts per template (each name missing, false, true, a string, a list
of pairs), and the renderer refuses syntax it does not read."""

from __future__ import annotations

import itertools
import random
import re
from importlib import resources

import django
import pytest
from django.conf import settings
from django.template import Context, Engine

from simple_deploy import templates

if not settings.configured:  # Django's engine, the oracle, reads settings as it renders
    settings.configure()
django.setup()  # and localizes numbers through the translation machinery

PLATFORMS = ("heroku", "fly_io", "platform_sh", "upsun", "railway", "render")
_DJANGO = Engine(autoescape=False)


def _shipped() -> list[tuple[str, str]]:
    found = []
    for platform in PLATFORMS:
        folder = resources.files(f"simple_deploy.platforms.{platform}").joinpath("templates")
        found += [(platform, entry.name) for entry in folder.iterdir() if entry.is_file()]
    return sorted(found)


def _django(source: str, context: dict) -> str:
    return _DJANGO.from_string(source).render(Context(dict(context), autoescape=False))


def _names(source: str) -> tuple[list[str], list[str]]:
    """(names rendered or tested, names looped over) in a template."""
    looped = re.findall(r"{%\s*for\s+[\w\s,]+?\s+in\s+(\w+)\s*%}", source)
    tested = re.findall(r"{%\s*if\s+([^%]*?)\s*%}", source)
    words = {w for t in tested for w in t.split() if w not in ("not", "and", "or", "!=", "==")}
    words |= set(re.findall(r"{{\s*(\w+)\s*}}", source))
    return sorted(words - set(looped)), sorted(set(looped))


_SCALARS = (None, "", "text", "app-root", 0, 1, 512, True, False, "tab\there", "multi\nline\n")
_LOOPS = ((), [("A", "1")], [("A", "1"), ("B", "two words")], ["one", "two"], None)


@pytest.mark.parametrize(("platform", "name"), _shipped())
def test_every_shipped_template_renders_as_django_renders_it(platform, name):
    source = (
        resources.files(f"simple_deploy.platforms.{platform}")
        .joinpath("templates", name)
        .read_text("utf-8")
    )
    plain, looped = _names(source)
    rng = random.Random(f"{platform}/{name}")
    contexts = [{}]
    for _ in range(200):
        context = {n: rng.choice(_SCALARS) for n in plain if rng.random() > 0.1}
        for loop in looped:
            items = rng.choice(_LOOPS)
            if items is not None:
                # A loop over pairs unpacks them; a loop over one name takes each item.
                pairs = re.search(rf"{{%\s*for\s+\w+\s*,\s*\w+\s+in\s+{loop}\s*%}}", source)
                context[loop] = [i for i in items if isinstance(i, tuple) == bool(pairs)]
        contexts.append(context)
    for context in contexts:
        assert templates.render(source, context) == _django(source, context), context


@pytest.mark.parametrize(
    "source",
    [
        "{% if a %}x{% elif b %}y{% endif %}",
        "{{ a|upper }}",
        "{{ a.b }}",
        "{% include 'x' %}",
        "{% if a in b %}x{% endif %}",
        "{% if a %}x",
        "{% for a in b %}x",
        "{% endif %}",
    ],
)
def test_syntax_it_does_not_read_is_refused(source):
    with pytest.raises(templates.TemplateSyntaxError):
        templates.render(source, {"a": 1, "b": [1]})


def test_conditions_follow_djangos_precedence():
    source = "{% if a or b and not c %}yes{% else %}no{% endif %}|{% if a != b %}d{% endif %}"
    for a, b, c in itertools.product((None, "", "x", 0, 1, True, False), repeat=3):
        context = {"a": a, "b": b, "c": c}
        assert templates.render(source, context) == _django(source, context), context
