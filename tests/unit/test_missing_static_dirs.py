"""The cause line a failed `check --deploy` gets for a STATICFILES_DIRS folder the
commit lacks (staticfiles.W004), read against the user's working tree."""

from __future__ import annotations

from simple_deploy.rehearsal.missing_static_dirs import causes


def _warning(path) -> str:
    return (
        "SystemCheckError: System check identified some issues:\n\nWARNINGS:\n"
        f"?: (staticfiles.W004) The directory '{path}' in the STATICFILES_DIRS setting "
        "does not exist.\n"
    )


def _trees(tmp_path):
    app, root = tmp_path / "rehearsal" / "app", tmp_path / "repo"
    for tree in (app, root):
        (tree / "backend" / "config").mkdir(parents=True)
    return app, root


def test_a_folder_with_uncommitted_files_here_is_named_as_such(tmp_path):
    app, root = _trees(tmp_path)
    (root / "backend" / "assets").mkdir()
    (root / "backend" / "assets" / "site.css").write_text("body {}\n")

    [line] = causes(_warning(app / "backend" / "assets"), app, root)

    assert line.startswith("(staticfiles.W004) backend/assets (STATICFILES_DIRS) has files")
    assert "none committed" in line


def test_a_folder_a_build_elsewhere_makes_is_named_as_such(tmp_path):
    """doccano's shape: a Nuxt build in frontend/, copied into backend/client/dist by
    its Dockerfile; the folder exists nowhere in the repository."""
    app, root = _trees(tmp_path)

    [line] = causes(_warning(app / "backend" / "client" / "dist" / "static"), app, root)

    assert "backend/client/dist/static (STATICFILES_DIRS) is made by a build no platform" in line
    assert "neither committed nor here" in line


def test_an_image_path_is_read_from_the_first_folder_the_commit_has(tmp_path):
    app, root = _trees(tmp_path)

    [line] = causes(_warning("/app/backend/client/dist/static"), app, root)

    assert line.startswith("(staticfiles.W004) backend/client/dist/static (STATICFILES_DIRS)")


def test_other_warnings_and_outside_folders_get_no_line(tmp_path):
    app, root = _trees(tmp_path)
    other = "?: (security.W004) You have not set a value for SECURE_HSTS_SECONDS.\n"
    assert causes(other, app, root) == []
    assert causes(_warning("/srv/elsewhere/static"), app, root) == []
