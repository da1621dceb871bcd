"""versions.py: which freshly installed packages moved to another major version."""

from __future__ import annotations

from simple_deploy.package_managers import Dependencies
from simple_deploy.rehearsal import versions


def _deps(pins=None, lock_file=None) -> Dependencies:
    return Dependencies(
        manager="requirements_txt",
        present=frozenset(pins or {}),
        target="requirements.txt",
        install_files=("requirements.txt",),
        install_steps=(),
        lock_file=lock_file,
        pins=pins or {},
    )


def test_an_unpinned_package_at_another_major_version_is_named_with_its_pin():
    fresh = versions.parse_listing('noise\n{"Marshmallow": "4.0.0", "environs": "9.5.0"}\n')
    local = {"marshmallow": "3.26.1", "environs": "9.5.0", "pip": "20.0"}
    found = versions.moved(fresh, local, _deps({"environs": "environs[django]==9.5.0"}))
    assert found == [versions.Moved("marshmallow", "4.0.0", "3.26.1")]
    text = versions.advice(found, "requirements.txt")
    assert "add `marshmallow==3.26.1` (or `marshmallow<4`) to requirements.txt" in text


def test_zero_versions_compare_their_minor_and_pins_and_locks_are_left_alone():
    fresh, local = (
        {"a": "0.6.0", "b": "0.5.9", "c": "2.0"},
        {"a": "0.5.0", "b": "0.5.0", "c": "1.0"},
    )
    found = versions.moved(fresh, local, _deps({"c": "c>=1"}))
    assert found == [versions.Moved("a", "0.6.0", "0.5.0")]
    assert "`a<0.6`" in versions.advice(found, "requirements.txt")
    assert versions.moved(fresh, local, _deps(lock_file="poetry.lock")) == []


def test_the_packages_the_failure_names_are_the_ones_advised():
    found = [
        versions.Moved("dj-database-url", "3.1", "2.2"),
        versions.Moved("marshmallow", "4", "3"),
    ]
    failure = (
        "File \"/venv/site-packages/environs/__init__.py\"\nAttributeError: module 'marshmallow'"
    )
    assert versions.named_in(found, failure) == [found[1]]
    assert versions.named_in(found, "exited with code 1") == found
