"""A requirements.txt that is an export of uv.lock (lock_export): the same pins."""

from __future__ import annotations

from simple_deploy.package_managers import lock_export

LOCK = """version = 1
requires-python = ">=3.12"

[[package]]
name = "blog"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "django" },
    { name = "pywin32", marker = "sys_platform == 'win32'" },
]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "django"
version = "5.2.1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "asgiref" }, { name = "tzdata", marker = "sys_platform == 'win32'" }]

[[package]]
name = "asgiref"
version = "3.8.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tzdata"
version = "2025.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pywin32"
version = "308"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.0"
source = { registry = "https://pypi.org/simple" }
"""


def check(tmp_path, requirements: str) -> bool:
    (tmp_path / "uv.lock").write_text(LOCK, encoding="utf-8")
    (tmp_path / "requirements.txt").write_text(requirements, encoding="utf-8")
    return lock_export.is_export(tmp_path)


def test_the_locked_pins_with_or_without_the_dev_group_are_an_export(tmp_path):
    assert check(tmp_path, "asgiref==3.8.1\ndjango==5.2.1\n")
    assert check(tmp_path, "# uv export\nasgiref==3.8.1\ndjango==5.2.1\npytest==8.3.0\n")
    # Windows-only packages, listed with their marker, as `uv export` writes them.
    assert check(
        tmp_path, "asgiref==3.8.1\ndjango==5.2.1\ntzdata==2025.1 ; sys_platform == 'win32'\n"
    )


def test_another_version_a_missing_package_or_a_range_is_not(tmp_path):
    assert not check(tmp_path, "asgiref==3.8.1\ndjango==5.2.0\n")
    assert not check(tmp_path, "django==5.2.1\n")
    assert not check(tmp_path, "asgiref==3.8.1\ndjango>=5.2\n")
    assert not check(tmp_path, "asgiref==3.8.1\ndjango==5.2.1\nrequests==2.32.0\n")


def test_the_packages_a_new_lock_adds_are_pinned_at_its_versions():
    new = LOCK.replace(
        '    { name = "django" },', '    { name = "django" },\n    { name = "gunicorn" },'
    )
    new += '\n[[package]]\nname = "gunicorn"\nversion = "23.0.0"\nsource = { registry = "x" }\n'
    text = "asgiref==3.8.1\ndjango==5.2.1"
    assert lock_export.with_new_pins(text, LOCK, new) == text + "\ngunicorn==23.0.0\n"
    assert lock_export.with_new_pins(text, LOCK, LOCK) == text
