"""`check --deploy` warnings the rehearsal reports as the project's own choice."""

from __future__ import annotations

from simple_deploy.rehearsal import chosen_settings

CHECK_OUTPUT = """System check identified some issues:

WARNINGS:
?: (security.W019) You have 'django.middleware.clickjacking.XFrameOptionsMiddleware' in your
?: (security.W004) You have not set a value for the SECURE_HSTS_SECONDS setting.

System check identified 2 issues (0 silenced).
"""


def test_only_the_projects_settings_files_make_a_warning_its_choice(tmp_path):
    (tmp_path / "site" / "settings").mkdir(parents=True)
    (tmp_path / "site" / "settings" / "base.py").write_text(
        'DEBUG = False\nX_FRAME_OPTIONS = "SAMEORIGIN"\n', encoding="utf-8"
    )
    # A test module setting the other one does not make it the project's choice.
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "settings.py").write_text("SECURE_HSTS_SECONDS = 0\n", "utf-8")

    choices, others = chosen_settings.chosen(CHECK_OUTPUT, tmp_path)

    assert [(c.warning, c.setting, c.file, c.line) for c in choices] == [
        ("security.W019", "X_FRAME_OPTIONS", "site/settings/base.py", 2)
    ]
    assert others == ["security.W004"]


def test_a_schema_generators_warnings_are_apart_from_the_deployments():
    output = (
        "WARNINGS:\n"
        "?: (drf_spectacular.W002) /app/core/views.py: Error [health_check]: unable to guess "
        "serializer. Ignoring view for now.\n"
        "?: (security.W004) You have not set a value for the SECURE_HSTS_SECONDS setting.\n"
    )
    notes, others = chosen_settings.not_about_deployment(chosen_settings.warning_ids(output))
    assert others == ["security.W004"]
    assert len(notes) == 1 and notes[0].startswith(
        "drf_spectacular.W002: drf-spectacular could not describe part of your API schema"
    )
