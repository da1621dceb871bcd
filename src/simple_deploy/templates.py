"""The generated files' templates, rendered without Django's template engine.

Our templates use only `{{ name }}`, `{% if %}` (with `not`, `and`, `or`, `==`,
`!=`), `{% else %}` and `{% for x in items %}` / `{% for a, b in pairs %}`.
This renderer reads that syntax with Django's meaning (text kept byte for byte,
a missing name renders empty and is false, a value renders as `str(value)`) and
refuses anything else, so a template that needs more fails its tests instead of
rendering wrong. Setting up Django's engine for them cost a configuration run
more than the rest of the rendering.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

__all__ = ["TemplateSyntaxError", "render"]

# Django's tag pattern (django.template.base.tag_re): a tag never spans lines.
_TAG = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})")
_NAME = re.compile(r"[A-Za-z_]\w*\Z")
_FOR = re.compile(r"for\s+(\w+(?:\s*,\s*\w+)*)\s+in\s+(\w+)\Z")


class TemplateSyntaxError(ValueError):
    """A template uses syntax this renderer does not read."""


def render(source: str, context: Mapping[str, Any]) -> str:
    """`source` rendered with `context`, as Django's engine (autoescape off) renders it."""
    out: list[str] = []
    _render(_parse(source), dict(context), out)
    return "".join(out)


class _Parser:
    def __init__(self, source: str) -> None:
        self.bits = _TAG.split(source)
        self.i = 0

    def nodes(self, until: tuple[str, ...]) -> tuple[tuple, str | None]:
        """Nodes up to a tag named in `until`: (nodes, that tag or None at the end)."""
        nodes: list[tuple] = []
        while self.i < len(self.bits):
            bit = self.bits[self.i]
            is_tag = self.i % 2 == 1  # re.split puts the captured tags at odd indexes
            self.i += 1
            if not is_tag:
                if bit:
                    nodes.append(("text", bit))
            elif bit.startswith("{{"):
                nodes.append(("var", _name(bit[2:-2].strip())))
            elif bit.startswith("{%"):
                inner = bit[2:-2].strip()
                word = inner.split(None, 1)[0] if inner else ""
                if word in until:
                    return tuple(nodes), word
                nodes.append(self.block(inner, word))
            # {# comments #} render nothing
        if until:
            raise TemplateSyntaxError(f"unclosed tag: expected one of {', '.join(until)}")
        return tuple(nodes), None

    def block(self, inner: str, word: str) -> tuple:
        if word == "if":
            test = _condition(inner[2:].split())
            body, end = self.nodes(("else", "endif"))
            other: tuple = ()
            if end == "else":
                other, _ = self.nodes(("endif",))
            return ("if", test, body, other)
        if word == "for":
            match = _FOR.match(inner)
            if not match:
                raise TemplateSyntaxError(f"{{% {inner} %}}")
            targets = tuple(name.strip() for name in match.group(1).split(","))
            body, _ = self.nodes(("endfor",))
            return ("for", targets, match.group(2), body)
        raise TemplateSyntaxError(f"{{% {inner} %}}: not a tag this renderer reads")


@lru_cache(maxsize=64)
def _parse(source: str) -> tuple:
    nodes, _ = _Parser(source).nodes(())
    return nodes


def _name(text: str) -> str:
    if not _NAME.match(text) or text in ("not", "and", "or"):
        raise TemplateSyntaxError(f"{{{{ {text} }}}}: only plain names are rendered")
    return text


def _condition(words: list[str]) -> tuple:
    """`a or b and not c != d` as nested tuples, with Django's precedence."""

    def parse_or(pos: int) -> tuple[tuple, int]:
        left, pos = parse_and(pos)
        while pos < len(words) and words[pos] == "or":
            right, pos = parse_and(pos + 1)
            left = ("or", left, right)
        return left, pos

    def parse_and(pos: int) -> tuple[tuple, int]:
        left, pos = parse_not(pos)
        while pos < len(words) and words[pos] == "and":
            right, pos = parse_not(pos + 1)
            left = ("and", left, right)
        return left, pos

    def parse_not(pos: int) -> tuple[tuple, int]:
        if pos < len(words) and words[pos] == "not":
            inner, pos = parse_not(pos + 1)
            return ("not", inner), pos
        left, pos = operand(pos)
        if pos < len(words) and words[pos] in ("==", "!="):
            op = words[pos]
            right, pos = operand(pos + 1)
            return (op, left, right), pos
        return left, pos

    def operand(pos: int) -> tuple[tuple, int]:
        if pos >= len(words):
            raise TemplateSyntaxError("{% if %} ends too soon")
        return ("name", _name(words[pos])), pos + 1

    tree, pos = parse_or(0)
    if pos != len(words):
        raise TemplateSyntaxError(f"{{% if {' '.join(words)} %}}: not read")
    return tree


def _value(test: tuple, context: dict) -> Any:
    kind = test[0]
    if kind == "name":
        return context.get(test[1])
    if kind == "not":
        return not _value(test[1], context)
    if kind == "and":
        return _value(test[1], context) and _value(test[2], context)
    if kind == "or":
        return _value(test[1], context) or _value(test[2], context)
    left, right = _value(test[1], context), _value(test[2], context)
    return left == right if kind == "==" else left != right


def _render(nodes: tuple, context: dict, out: list[str]) -> None:
    for node in nodes:
        kind = node[0]
        if kind == "text":
            out.append(node[1])
        elif kind == "var":
            value = context.get(node[1])
            if node[1] in context:
                out.append(value if isinstance(value, str) else str(value))
        elif kind == "if":
            _render(node[2] if _value(node[1], context) else node[3], context, out)
        else:  # for
            _, targets, name, body = node
            for item in context.get(name) or ():
                inner = dict(context)
                if len(targets) == 1:
                    inner[targets[0]] = item
                else:
                    values = tuple(item)
                    if len(values) != len(targets):
                        raise ValueError(
                            f"Need {len(targets)} values to unpack in for loop; got {len(values)}."
                        )
                    inner.update(zip(targets, values, strict=True))
                _render(body, inner, out)
