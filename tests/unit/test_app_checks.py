"""app_checks: check --deploy warnings of an installed app's own checks on the project's
code, reported by plain `check` as well (field: tabbycat's drf_spectacular.W001)."""

from __future__ import annotations

from simple_deploy.rehearsal.app_checks import development_warnings

SCHEMA = (
    "?: (drf_spectacular.W001) /r/app/api/views.py: Warning [BallotViewSet]: Encountered 2 "
    'components with identical names "tokenAuth" and different identities.'
)
STATIC = (
    "?: (staticfiles.W004) The directory '/r/app/frontend/dist' in the STATICFILES_DIRS "
    "setting does not exist."
)
DEPLOY_ONLY = "?: (someapp.W002) Production needs SOMEAPP_KEY."
HSTS = "?: (security.W004) You have not set a value for the SECURE_HSTS_SECONDS setting."


def _output(*lines: str) -> str:
    return "System check identified some issues:\n\nWARNINGS:\n" + "\n".join(lines) + "\n"


def test_an_app_warning_plain_check_reports_too_is_the_projects_code():
    deploy = _output(SCHEMA, STATIC, DEPLOY_ONLY, HSTS)
    plain = _output(SCHEMA, STATIC)

    assert development_warnings(deploy, plain) == {"drf_spectacular.W001"}


def test_a_line_plain_check_lacks_keeps_the_warning():
    other_view = SCHEMA.replace("BallotViewSet", "FeedbackViewSet")

    assert development_warnings(_output(SCHEMA, other_view), _output(SCHEMA)) == set()
