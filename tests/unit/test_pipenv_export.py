"""A requirements.txt that is Pipenv's export of Pipfile.lock (pipenv_export): same pins."""

from __future__ import annotations

import json

from simple_deploy.package_managers import pipenv_export

LOCK = json.dumps(
    {
        "_meta": {"sources": [{"name": "pypi", "url": "https://pypi.org/simple"}]},
        "default": {
            "django": {
                "hashes": ["sha256:aa", "sha256:bb"],
                "markers": "python_version >= '3.10'",
                "version": "==5.2.1",
            },
            "asgiref": {"hashes": ["sha256:cc"], "version": "==3.8.1"},
            "django-axes": {"extras": ["ipware"], "hashes": ["sha256:dd"], "version": "==7.1.0"},
            "blog": {"editable": True, "path": "."},
        },
        "develop": {"pytest": {"hashes": ["sha256:ee"], "version": "==8.3.0"}},
    }
)

# What `pipenv requirements` prints for that lock (utils/dependencies.py's format).
EXPORT = """-i https://pypi.org/simple
django==5.2.1; python_version >= '3.10'
asgiref==3.8.1
django-axes[ipware]==7.1.0
"""


def test_the_export_matches_with_or_without_markers_index_lines_and_hashes():
    assert pipenv_export.compare_texts(EXPORT, LOCK).matches
    bare = "Django==5.2.1\nasgiref==3.8.1  # via django\ndjango_axes[ipware]==7.1.0\n"
    assert pipenv_export.compare_texts(bare, LOCK).matches
    assert pipenv_export.compare_texts(EXPORT + "-e .\n", LOCK).matches
    hashed = (
        "django==5.2.1; python_version >= '3.10' --hash=sha256:aa --hash=sha256:bb\n"
        "asgiref==3.8.1 \\\n    --hash=sha256:cc\ndjango-axes[ipware]==7.1.0 --hash=sha256:dd\n"
    )
    comparison = pipenv_export.compare_texts(hashed, LOCK)
    assert comparison.matches and comparison.refresh == "pipenv requirements --hash"


def test_a_dev_export_pins_the_develop_packages_too():
    comparison = pipenv_export.compare_texts(EXPORT + "pytest==8.3.0\n", LOCK)
    assert comparison.matches and comparison.refresh == "pipenv requirements --dev"


def test_other_versions_a_missing_pin_or_a_range_is_not_the_export():
    stale = pipenv_export.compare_texts(EXPORT.replace("5.2.1", "5.1.0"), LOCK)
    assert not stale.matches
    assert stale.difference() == "it pins django==5.1.0 where Pipfile.lock locks 5.2.1"
    assert "run `pipenv requirements` and save what it prints as requirements.txt" in (
        stale.stale_advice()
    )
    missing = pipenv_export.compare_texts("django==5.2.1\n", LOCK)
    assert missing.missing == ("asgiref", "django-axes")
    assert pipenv_export.compare_texts(EXPORT + "requests==2.0\n", LOCK).extra == ("requests",)
    ranged = pipenv_export.compare_texts(EXPORT.replace("asgiref==3.8.1", "asgiref>=3"), LOCK)
    assert ranged.other_lines == ("asgiref>=3",)


def test_in_step_follows_the_refreshed_lock_and_keeps_the_rest():
    new = json.loads(LOCK)
    new["default"]["asgiref"]["version"] = "==3.9.0"
    new["default"]["asgiref"]["hashes"] = ["sha256:ff"]
    del new["default"]["django-axes"]
    new["default"]["gunicorn"] = {
        "hashes": ["sha256:gg"],
        "markers": "python_version >= '3.7'",
        "version": "==23.0.0",
    }
    new_text = json.dumps(new)

    kept = pipenv_export.in_step(EXPORT, new_text)

    assert kept == (
        "-i https://pypi.org/simple\n"
        "django==5.2.1; python_version >= '3.10'\n"
        "asgiref==3.9.0\n"
        "gunicorn==23.0.0; python_version >= '3.7'\n"
    )
    assert pipenv_export.compare_texts(kept, new_text).matches
    hashed = "django==5.2.1 --hash=sha256:aa\nasgiref==3.8.1 --hash=sha256:cc\n"
    assert "asgiref==3.9.0 --hash=sha256:ff\n" in pipenv_export.in_step(hashed, new_text)
    assert "gunicorn==23.0.0 --hash=sha256:gg\n" in pipenv_export.in_step(hashed, new_text)
