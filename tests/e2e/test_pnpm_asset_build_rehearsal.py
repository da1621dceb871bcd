"""A pnpm project whose build writes the folder STATICFILES_DIRS names, rehearsed on
Railway: the build runs the pinned pnpm frozen from the lock, then the build script,
before collectstatic, so `check --deploy` finds the folder (no staticfiles.W004) and
the home page's {% static %} file is served. One cell: the other platforms' configs
are checked in tests/integration/test_pnpm_asset_build.py."""

from __future__ import annotations

import pytest
from project_files import manage_dir
from project_shapes import PNPM_VERSION, add_pnpm_bundle_build, commit, npm_env
from rehearsals import configure_commit_and_rehearse

pytestmark = [pytest.mark.e2e, pytest.mark.needs_programs]


def test_pnpm_bundle_build_rehearses_on_railway(sample_project, database_url, monkeypatch):
    monkeypatch.setenv("npm_config_cache", npm_env()["npm_config_cache"])
    root = sample_project("requirements_txt", "flat")
    add_pnpm_bundle_build(root, manage_dir(root), root / "blog" / "settings.py")
    commit(root, "pnpm bundle build")

    configure_commit_and_rehearse(root, "railway", database_url)

    log = "\n".join(p.read_text("utf-8") for p in (root / "simple_deploy_logs").glob("*.log"))
    build = log[log.index("rehearsal build: pass") : log.index("rehearsal release: pass")]
    pnpm = f"npx --yes pnpm@{PNPM_VERSION}"
    assert f"{pnpm} install --frozen-lockfile\n" in build and f"{pnpm} run build\n" in build
    assert "staticfiles.W004" not in log
