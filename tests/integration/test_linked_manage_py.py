"""A root manage.py that is a symbolic link to the nested project's (`ln -s blog/manage.py
manage.py`): the user's root entry point. Every platform configures the nested project
and leaves the link, and the file it leads to, byte for byte as they were; a file
reached through a link, or a manage.py the user runs, is never replaced, not even with
--overwrite. (Each platform rehearses this shape in tests/e2e/test_linked_manage_py_rehearsal.py.)
"""

from __future__ import annotations

import os
import shutil

import pytest
from project_files import deploy, git
from project_shapes import commit, link_root_manage_py

from simple_deploy import plugins

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows"),
    pytest.mark.needs_programs,
]

PLATFORMS = plugins.available()


def _linked(sample_project):
    root = sample_project("requirements_txt", "nested", django="4.2")
    link = link_root_manage_py(root)
    return root, link, (root / "blog" / "manage.py").read_bytes()


def _assert_kept(root, link, target_bytes) -> None:
    assert link.is_symlink() and os.readlink(link) == "blog/manage.py"
    assert (root / "blog" / "manage.py").read_bytes() == target_bytes
    assert "manage.py" not in git(root, "status", "--porcelain")


@pytest.mark.parametrize("overwrite", [(), ("--overwrite",)], ids=["plain", "overwrite"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_root_manage_py_link_is_run_and_never_written(sample_project, platform, overwrite):
    root, link, target_bytes = _linked(sample_project)

    # Run as the user runs it: from the repository root, through the link.
    configured = deploy(root, platform, *overwrite, cwd=root)

    out = configured.stdout + configured.stderr
    assert configured.returncode == 0, out
    _assert_kept(root, link, target_bytes)
    assert "--overwrite" not in out
    # The nested project is the one configured, from the folder the link leads to.
    assert "`blog/blog/settings.py` (updated)" in out
    assert "`manage.py` (" not in out
    if platform == "heroku":
        assert (
            "Your root manage.py, a link to blog/manage.py, is kept as it is: Heroku's build "
            "finds it in the root and runs collectstatic with it." in out
        )
        assert "release: python blog/manage.py migrate --noinput" in (root / "Procfile").read_text()


def test_a_users_own_root_manage_py_is_kept_not_offered_for_overwrite(sample_project):
    """Nested project, and a root manage.py of the user's own (not a link, not ours):
    Heroku's build runs it, so it is kept and named; --overwrite is never suggested."""
    root = sample_project("requirements_txt", "nested", django="4.2")
    own = (
        b"#!/usr/bin/env python\n# Our team's wrapper: runs blog/manage.py.\nimport runpy, sys\n"
        b"sys.path[0] = 'blog'\nrunpy.run_path('blog/manage.py', run_name='__main__')\n"
    )
    (root / "manage.py").write_bytes(own)
    commit(root, "A wrapper in the root")

    for args in ((), ("--overwrite",), ("--dry-run",)):
        configured = deploy(root, "heroku", *args)
        out = configured.stdout + configured.stderr
        assert configured.returncode == 0, out
        assert (root / "manage.py").read_bytes() == own
        assert "Only with --overwrite" not in out
        assert "Your own root manage.py is kept as it is" in out
        git(root, "checkout", "-q", ".")
        git(root, "clean", "-qfd")


def test_a_kept_file_reached_through_a_link_is_not_replaced_with_overwrite(sample_project):
    """Fly.io keeps the user's Dockerfile; with --overwrite it would replace it. A
    Dockerfile that is a link to docker/Dockerfile.prod is refused instead: replacing
    the link's file would write over docker/Dockerfile.prod."""
    root = sample_project("requirements_txt", "flat")
    (root / "docker").mkdir()
    theirs = b'FROM python:3.11-slim\nCOPY . /app\nCMD ["gunicorn", "blog.wsgi"]\n'
    (root / "docker" / "Dockerfile.prod").write_bytes(theirs)
    (root / "Dockerfile").symlink_to("docker/Dockerfile.prod")
    commit(root, "A Dockerfile shared through a link")

    # Without --overwrite the Dockerfile is kept, and a dry run does not offer it.
    dry = deploy(root, "fly_io", "--dry-run")
    assert dry.returncode == 0, dry.stderr + dry.stdout
    assert "Only with --overwrite" not in dry.stdout, dry.stdout
    configured = deploy(root, "fly_io", "--overwrite")

    out = configured.stdout + configured.stderr
    assert configured.returncode == 1, out
    assert (
        "Dockerfile is a symbolic link to docker/Dockerfile.prod, which is yours. "
        "django-simple-deploy never replaces a file through a link, even with --overwrite: "
        "it would write over docker/Dockerfile.prod. Nothing was changed." in out
    )
    assert "Traceback" not in out
    assert (root / "docker" / "Dockerfile.prod").read_bytes() == theirs
    assert os.readlink(root / "Dockerfile") == "docker/Dockerfile.prod"
    assert git(root, "status", "--porcelain") == ""


def test_settings_edited_through_a_link_says_where(sample_project):
    """A settings file shared through a link inside the repository is the user's own file
    that must change: it is edited where the link leads, and the summary says so."""
    root = sample_project("requirements_txt", "flat")
    settings = root / "blog" / "settings.py"
    shared = root / "shared" / "settings.py"
    shared.parent.mkdir()
    shutil.move(settings, shared)
    settings.symlink_to("../shared/settings.py")
    commit(root, "Settings shared through a link")

    configured = deploy(root, "heroku")

    out = configured.stdout + configured.stderr
    assert configured.returncode == 0, out
    assert "(written in shared/settings.py: blog/settings.py is a link to it, and stays one)" in out
    assert os.readlink(settings) == "../shared/settings.py"
