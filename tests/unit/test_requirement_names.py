"""Requirement names are read without `packaging`, and agree with it on real requirements."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from simple_deploy.package_managers._specs import name_of

VALID = [
    "Django==5.2",
    "django (>=5.2.0,<5.3.0)",
    "psycopg[binary]~=3.3",
    "dj-database-url~=3.1",
    "Zope.Interface",
    "pkg @ https://example.com/pkg-1.0-py3-none-any.whl",
    "requests;python_version<'3.8'",
    "foo_bar  >= 1",
    "my--pkg",
]


@pytest.mark.parametrize("spec", VALID)
def test_names_match_packaging(spec):
    assert name_of(spec) == canonicalize_name(Requirement(spec).name)


@pytest.mark.parametrize("line", ["git+https://github.com/x/y", "./local", "-e .", ""])
def test_lines_that_name_no_project_give_none(line):
    assert name_of(line) is None
