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
