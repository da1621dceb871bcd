"""The rehearsal runs the services (issue 28): configure a service sample project
(tests/service_shapes.py) for a platform, commit, and rehearse it against
PostgreSQL and a throwaway redis-server: each declared process starts as its step,
a Celery task is sent and seen done, and a Channels app answers a websocket
handshake (its echo goes through the channel worker and Redis).

CI rehearses four cells (101 s and 52 s for the first two on a busy 2-core machine,
about 10 s each for the last two on a quiet one):
Celery with beat on Heroku (Procfile process types), Channels on Upsun
(daphne, a worker, and Redis reached through PLATFORM_RELATIONSHIPS), RQ on
Railway and uvicorn on Fly.io. Every platform's configuration of every sample
is checked by tests/integration/test_services_config.py. The whole matrix,
the four samples (Celery with beat, Channels, RQ, an ASGI app on uvicorn) on
all six built-in platforms (24 rehearsals), runs with:

    SIMPLE_DEPLOY_SERVICES_MATRIX=1 bash scripts/test tests/e2e/test_services_rehearsal.py
"""

from __future__ import annotations

import os

import pytest
import service_shapes
from rehearsals import IMAGE_STEPS, STEPS, configure_commit_and_rehearse

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]

PLATFORMS = ("heroku", "fly_io", "railway", "render", "upsun", "platform_sh")
# The steps each sample adds to the common ones, in the report's words.
SERVICE_STEPS = {
    "celery-beat": ("redis", "worker: celery", "beat: celery", "task"),
    "channels": ("redis", "websocket"),
    "rq": ("redis", "rqworker: manage.py rqworker", "task"),
    "uvicorn": (),
}
CI_CELLS = {
    ("celery-beat", "heroku"),
    ("channels", "upsun"),
    ("rq", "railway"),
    ("uvicorn", "fly_io"),
}
FULL = os.environ.get("SIMPLE_DEPLOY_SERVICES_MATRIX") == "1"


def _cells():
    for shape in SERVICE_STEPS:
        for platform in PLATFORMS:
            chosen = FULL or (shape, platform) in CI_CELLS
            reason = "the full services matrix runs with SIMPLE_DEPLOY_SERVICES_MATRIX=1"
            yield pytest.param(
                shape,
                platform,
                id=f"{shape}-{platform}",
                marks=() if chosen else pytest.mark.skip(reason=reason),
            )


@pytest.mark.parametrize(("shape", "platform"), list(_cells()))
def test_the_services_start_and_do_their_work_in_the_rehearsal(
    tmp_path, database_url, shape, platform
):
    root = service_shapes.copy(shape, tmp_path)
    out = configure_commit_and_rehearse(
        root, platform, database_url, steps=STEPS + SERVICE_STEPS[shape]
    )
    if shape == "celery-beat":
        assert "(a scheduler: started once, as on the platform)" in out
        assert "[pass] task (" in out and "celery.accumulate succeeded" in out
    elif shape == "rq":
        assert "[pass] task (" in out
    elif shape == "uvicorn":
        # The web step served the ASGI app with the project's own uvicorn.
        log = "\n".join(p.read_text("utf-8") for p in (root / "simple_deploy_logs").glob("*.log"))
        web = log[log.index("rehearsal web") :]
        assert "uvicorn" in web.split("\n", 3)[0] + web.split("\n", 3)[1], web[:400]
    else:
        # The channel worker's step, named by what runs it, and the handshake.
        assert ": manage.py runworker (" in out
        assert "101 Switching Protocols on /ws/echo/" in out


@pytest.mark.xdist_group("docker")
@pytest.mark.skipif(not FULL, reason="runs with SIMPLE_DEPLOY_SERVICES_MATRIX=1 (a real image)")
def test_fly_io_runs_the_processes_from_the_image_it_built(tmp_path, database_url, docker_host):
    # fly.toml's [processes] run from the one image: each worker is a container of it.
    root = service_shapes.copy("celery-beat", tmp_path)
    out = configure_commit_and_rehearse(
        root, "fly_io", database_url, steps=IMAGE_STEPS + SERVICE_STEPS["celery-beat"]
    )
    assert "Building and running the image with the container engine" in out
    assert "celery.accumulate succeeded" in out
