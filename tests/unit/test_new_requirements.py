"""When the run may write requirements.txt itself: only where nothing records dependencies."""

from __future__ import annotations

from importlib import metadata

import pytest

from simple_deploy import project
from simple_deploy.package_managers import Requirement, requirements_txt


def test_a_bare_project_gets_django_pinned_as_installed(tmp_path):
    deps = project._new_requirements(tmp_path)
    assert deps is not None
    assert deps.new_text == f"Django=={metadata.version('django')}\n"
    assert deps.present == {"django"} and deps.target == "requirements.txt"
    assert any("No dependency file existed" in note for note in deps.notes)


@pytest.mark.parametrize(
    "trace",
    ["setup.py", "setup.cfg", "Pipfile.lock", "requirements.in", "requirements-dev.txt"],
)
def test_dependencies_recorded_elsewhere_are_the_users_to_complete(tmp_path, trace):
    (tmp_path / trace).write_text("", encoding="utf-8")
    assert project._new_requirements(tmp_path) is None


def test_a_requirements_folder_is_the_users_to_complete(tmp_path):
    (tmp_path / "requirements").mkdir()
    assert project._new_requirements(tmp_path) is None


@pytest.mark.parametrize("version", ["6.2.dev20261201", "6.1.3+local"])
def test_a_django_with_no_release_to_pin_writes_nothing(tmp_path, monkeypatch, version):
    real = metadata.version
    monkeypatch.setattr(
        metadata, "version", lambda name: version if name == "django" else real(name)
    )
    assert project._new_requirements(tmp_path) is None


def test_the_new_file_is_django_then_the_platforms_requirements(tmp_path):
    deps = requirements_txt.new_file("6.1.3")
    edit = requirements_txt.MANAGER.plan_edit(
        tmp_path, deps, [Requirement("gunicorn", "gunicorn~=23.0")]
    )
    assert edit.texts == {"requirements.txt": "Django==6.1.3\ngunicorn~=23.0\n"}
    assert not (tmp_path / "requirements.txt").exists()


@pytest.mark.parametrize(
    ("pin", "old"),
    [
        ("dj-database-url==0.5.0", True),
        ("dj-database-url~=0.5", True),
        ("dj-database-url<1", True),
        ("dj-database-url==1.0.0", True),
        ("dj-database-url==1.2.0", False),
        ("dj-database-url>=0.5", False),
        ("dj-database-url", False),
        ("dj-database-url~=2.0", False),
    ],
)
def test_a_pin_is_too_old_when_it_allows_nothing_from_the_minimum_on(pin, old):
    from simple_deploy.package_managers import Requirement
    from simple_deploy.plan import too_old

    wanted = Requirement("dj-database-url", "dj-database-url~=3.1", minimum="1.1")
    assert too_old(pin, wanted) is old
