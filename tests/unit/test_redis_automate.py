"""The pure parts of each platform's Redis automation (the runs are in
tests/integration/test_automate_redis.py)."""

from __future__ import annotations

from simple_deploy.platforms.fly_io.redis import listed_names
from simple_deploy.platforms.heroku.redis import attachments_and_copies


def test_heroku_attaches_each_url_name_and_copies_the_others():
    stems, copies = attachments_and_copies(
        ("REDIS_URL", "CELERY_BROKER_URL", "CACHE_LOCATION", "lower_url", "_URL")
    )
    assert stems == ["REDIS", "CELERY_BROKER"]
    # Not an attachment name (Heroku: a capital letter first, then capitals, digits, _).
    assert copies == ["CACHE_LOCATION", "lower_url", "_URL"]


def test_fly_redis_list_table_names():
    # flyctl's render.Table (internal/render/render.go): headers, no outer borders.
    table = (
        " NAME             │ ORG      │ PLAN          │ EVICTION │ PRIMARY REGION │ READ REGIONS\n"
        " blog-redis       │ personal │ Pay-as-you-go │ Disabled │ ams            │\n"
        " other-app-redis  │ personal │ Pay-as-you-go │ Enabled  │ iad            │ ord\n"
    )
    assert listed_names(table) == {"blog-redis", "other-app-redis"}
    assert listed_names(" NAME │ ORG │ PLAN\n") == set()
