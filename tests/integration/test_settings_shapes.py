"""Real projects' settings shapes (tests/sample_projects.py SETTINGS_SHAPES): the module production
uses is found the way the project says it, the platform is told to load it, and the
variables the settings need are listed, set or printed as commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from project_files import all_text, deploy, git, snapshot

pytestmark = pytest.mark.needs_programs

PLATFORMS = ("heroku", "fly_io", "platform_sh", "render")


@pytest.fixture
def environ_project(sample_project):
    """Settings package base/local/production, manage.py on local, django-environ."""
    return sample_project("requirements_txt", "flat", settings="environ")


@pytest.fixture
def exported_project(sample_project):
    """No live setdefault in manage.py (a commented-out one names another module)."""
    return sample_project("requirements_txt", "nested", settings="exported")


def test_dry_run_names_the_production_module_and_the_variables_it_needs(environ_project):
    before = snapshot(environ_project, logs=False)
    result = deploy(environ_project, "heroku", "--dry-run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "# Settings extended: `blog/settings/production.py` (the production module beside " in out
    )
    assert "blog.settings.local, which manage.py names" in out
    assert "the platform is told to load it with DJANGO_SETTINGS_MODULE" in out
    assert (
        "`blog.settings.production` cannot import without `DJANGO_SECRET_KEY`, `DATABASE_URL`, "
        "`DJANGO_ADMIN_URL`" in out
    )
    assert "also reads `DJANGO_DEBUG`, `CONN_MAX_AGE` (optional" in out
    assert "--- a/blog/settings/production.py" in out
    assert "blog/settings/local.py" not in out
    assert snapshot(environ_project, logs=False) == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_is_told_which_module_and_gets_build_placeholders(environ_project, platform):
    result = deploy(environ_project, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    production = (environ_project / "blog/settings/production.py").read_text()
    assert f"# >>> django-simple-deploy: {platform} >>>" in production
    assert "django-simple-deploy" not in (environ_project / "blog/settings/local.py").read_text()
    # The AppConfig path is dropped in production by the name the settings give it.
    assert '_a != "simple_deploy.apps.SimpleDeployConfig"' in production
    out = result.stdout
    assert "`DJANGO_ADMIN_URL` at import (blog/settings/production.py:11)" in out
    if platform == "heroku":
        assert (
            "DJANGO_SETTINGS_MODULE=blog.settings.production DJANGO_DEBUG=False "
            "SECRET_KEY=<that key> " in out
        )
        assert "DJANGO_SECRET_KEY=<that key>" in out
        assert "`heroku config:set DJANGO_ADMIN_URL=<value>`" in out
    elif platform == "fly_io":
        dockerfile = (environ_project / "Dockerfile").read_text()
        assert "DJANGO_SETTINGS_MODULE=blog.settings.production" in dockerfile
        build = next(line for line in dockerfile.splitlines() if "collectstatic" in line)
        assert "DJANGO_SECRET_KEY=build-only-placeholder" in build
        assert "DATABASE_URL=postgres://placeholder" in build
        assert "fly secrets set DJANGO_ADMIN_URL=<value>" in out
    elif platform == "render":
        import render_schema

        blueprint = render_schema.assert_valid((environ_project / "render.yaml").read_text())
        env = {var["key"]: var for var in blueprint["services"][0]["envVars"]}
        assert env["DJANGO_SETTINGS_MODULE"]["value"] == "blog.settings.production"
        # Render makes a key under each name the settings read; the database under its own.
        assert env["DJANGO_SECRET_KEY"] == {"key": "DJANGO_SECRET_KEY", "generateValue": True}
        assert env["SECRET_KEY"]["generateValue"] is True
        assert env["DATABASE_URL"]["fromDatabase"]["property"] == "connectionString"
        # Only the user knows it: Render asks for it when the Blueprint is applied.
        assert env["DJANGO_ADMIN_URL"] == {"key": "DJANGO_ADMIN_URL", "sync": False}
    else:
        app_yaml = (environ_project / ".platform.app.yaml").read_text()
        assert "DJANGO_SETTINGS_MODULE: 'blog.settings.production'" in app_yaml
        assert "DJANGO_SECRET_KEY=build-only-placeholder" in app_yaml
        environment = (environ_project / ".environment").read_text()
        assert 'export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$PLATFORM_PROJECT_ENTROPY}"' in (
            environment
        )
        assert "export DATABASE_URL=" in environment
        assert "--name env:DJANGO_ADMIN_URL --value <value>" in out


def test_exported_module_is_honoured_and_a_commented_out_setdefault_is_not(exported_project):
    result = deploy(exported_project, "heroku", env={"DJANGO_SETTINGS_MODULE": "blog.settings"})
    assert result.returncode == 0, result.stderr + result.stdout
    settings = (exported_project / "blog/blog/settings.py").read_text()
    assert "# >>> django-simple-deploy: heroku >>>" in settings
    assert (
        "django-simple-deploy" not in (exported_project / "blog/blog/settings_local.py").read_text()
    )
    assert "DJANGO_SETTINGS_MODULE in this run's environment names it" in result.stdout
    assert "heroku config:set DJANGO_SETTINGS_MODULE=blog.settings SECRET_KEY=" in result.stdout
    assert "`blog.settings` also reads `SITE_NAME` (optional" in result.stdout


def test_djangos_settings_option_is_honoured(exported_project):
    result = deploy(exported_project, "fly_io", "--settings", "blog.settings", "--dry-run")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "# Settings extended: `blog/blog/settings.py`" in result.stdout
    assert "+    DJANGO_SETTINGS_MODULE=blog.settings" in result.stdout  # Dockerfile ENV


def test_the_project_s_own_static_storage_and_whitenoise_are_kept(exported_project):
    result = deploy(exported_project, "heroku", env={"DJANGO_SETTINGS_MODULE": "blog.settings"})
    assert result.returncode == 0, result.stderr + result.stdout
    # Known when the block is written: no storage, STATIC_ROOT or middleware lines at all.
    settings = (exported_project / "blog" / "blog" / "settings.py").read_text()
    block = settings[settings.index("# >>> django-simple-deploy: heroku") :]
    assert "STORAGES" not in block and "STATIC_ROOT" not in block and "MIDDLEWARE" not in block
    probe = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.STORAGES['staticfiles']['BACKEND'], str(s.STATIC_ROOT), list(s.MIDDLEWARE)]))"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "blog.settings",
        "DYNO": "web.1",
        "ALLOWED_HOSTS": "example.herokuapp.com",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=exported_project / "blog",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    backend, static_root, middleware = json.loads(out.stdout.strip().splitlines()[-1])
    assert backend == "whitenoise.storage.CompressedStaticFilesStorage"
    assert static_root.endswith("collected_static")
    assert middleware.count("whitenoise.middleware.WhiteNoiseMiddleware") == 1
    assert "simple_deploy" not in out.stdout


def test_settings_module_option_chooses_another_module(environ_project):
    result = deploy(environ_project, "heroku", "--settings-module", "blog.settings.base")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "django-simple-deploy: heroku" in (environ_project / "blog/settings/base.py").read_text()
    assert "named with --settings-module" in result.stdout
    missing = deploy(environ_project, "heroku", "--settings-module", "blog.settings.nope")
    assert missing.returncode != 0
    assert "--settings-module blog.settings.nope: no such module" in missing.stderr


def test_wsgi_naming_a_missing_module_is_refused_with_file_and_line(sample_project):
    root = sample_project("requirements_txt", "flat", settings="stale-wsgi")
    before = snapshot(root, logs=False)
    result = deploy(root, "heroku")
    assert result.returncode != 0
    assert (
        "blog/wsgi.py, line 14, names the settings module blog.settings_old, which does not "
        "exist" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert snapshot(root, logs=False) == before


def test_settings_that_fail_to_import_name_the_module_and_the_command(environ_project):
    production = environ_project / "blog/settings/production.py"
    production.write_text(production.read_text() + 'TIME_ZONE = env("TZ_NAME").upper()\n')
    production.write_text(production.read_text() + "import not_installed_anywhere\n")
    git(environ_project, "commit", "-qam", "break production")
    before = snapshot(environ_project, logs=False)
    result = deploy(environ_project, "heroku")
    assert result.returncode != 0
    err = result.stderr
    assert "The settings module blog.settings.production (blog/settings/production.py)" in err
    assert "No module named 'not_installed_anywhere'" in err
    assert "DJANGO_SETTINGS_MODULE=blog.settings.production DJANGO_SECRET_KEY=<value>" in err
    assert "python manage.py check`" in err
    assert snapshot(environ_project, logs=False) == before


def test_rehearsal_without_a_needed_variable_stops_before_writing(environ_project):
    before = snapshot(environ_project, logs=False)
    result = deploy(environ_project, "heroku", "--rehearse", "--env", "UNUSED=1")
    assert result.returncode != 0
    assert "--env DJANGO_ADMIN_URL=<value>" in result.stderr
    assert snapshot(environ_project, logs=False) == before


def test_bad_env_options_are_refused_without_echoing_values(environ_project, tmp_path):
    result = deploy(environ_project, "heroku", "--rehearse", "--env", "s3cr3t-value-no-equals")
    assert result.returncode != 0
    assert "--env expects KEY=VALUE" in result.stderr
    assert "s3cr3t-value-no-equals" not in result.stderr + result.stdout
    env_file = tmp_path / "prod.env"
    env_file.write_text("GOOD=1\nthis line is wrong\n")
    result = deploy(environ_project, "heroku", "--rehearse", "--env-file", str(env_file))
    assert f"--env-file {env_file}, line 2: expected KEY=VALUE" in result.stderr


@pytest.mark.skipif(os.name == "nt", reason="the stand-in's git hook is POSIX")
def test_automate_all_sets_a_new_key_under_the_name_the_settings_read(
    environ_project, heroku_account
):
    env = heroku_account.env
    result = deploy(environ_project, "heroku", "--automate-all", "--no-input", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    app = next(iter(heroku_account.apps().values()))
    config = app["config"]
    assert config["DJANGO_SETTINGS_MODULE"] == "blog.settings.production"
    assert len(config["DJANGO_SECRET_KEY"]) >= 50
    assert config["DJANGO_SECRET_KEY"] != config["SECRET_KEY"]
    for key in (config["DJANGO_SECRET_KEY"], config["SECRET_KEY"]):
        assert key not in result.stdout + result.stderr
        assert key not in all_text(environ_project)
    # What only the user knows stays a command in the summary.
    assert "`heroku config:set DJANGO_ADMIN_URL=<value>`" in (
        result.stdout + all_text(environ_project / "simple_deploy_logs")
    )


def test_only_the_projects_own_reads_are_listed_even_through_a_copy(sample_project):
    """psycopg and Python read a dozen variables while the settings import them; the
    settings read three, two through `os.environ.copy()`: the summary names those three."""
    root = sample_project("requirements_txt", "flat", settings="library-env")
    # The developer exports the key in their shell; the probe starts without it.
    local = {"DJANGO_SECRET_KEY": "local-development-key-" + "x" * 40}
    result = deploy(root, "heroku", "--dry-run", env=local)
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "`blog.settings` cannot import without `DJANGO_SECRET_KEY`:" in out
    assert "`blog.settings` also reads `SENTRY_DSN`, `DATABASE_URL` (optional" in out
    for noise in ("PSYCOPG_IMPL", "PYTHONUSERBASE", "HOME", "PYTHONTZPATH", "TMPDIR"):
        assert f"`{noise}`" not in out, noise


# Each platform's block, switched on as on a running instance (build mode for the
# Platform.sh family, which reads no relationship there).
_PLATFORM_ENV = {
    "heroku": {"DYNO": "web.1"},
    "fly_io": {"FLY_APP_NAME": "blog"},
    "railway": {"RAILWAY_ENVIRONMENT_NAME": "production"},
    "render": {"RENDER": "true"},
    "upsun": {"PLATFORM_APPLICATION_NAME": "app", "PLATFORM_PROJECT_ENTROPY": "x" * 56},
    "platform_sh": {"PLATFORM_APPLICATION_NAME": "app", "PLATFORM_PROJECT_ENTROPY": "x" * 56},
}


def _on_platform(platform: str) -> dict[str, str]:
    """This environment as the platform's would be at run time (its marker variables,
    a host, a secret key and a database URL), without the local settings module."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")
    }
    return (
        env
        | _PLATFORM_ENV[platform]
        | {
            "ALLOWED_HOSTS": "example.com",
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d",
        }
    )


def _staticfiles_backend(root, platform: str) -> str:
    """STORAGES["staticfiles"]["BACKEND"] as the settings give it on the platform."""
    probe = (
        "from django.conf import settings as s; import json; "
        "print(json.dumps(s.STORAGES['staticfiles']['BACKEND']))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=root / "blog",
        env=_on_platform(platform),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("platform", sorted(_PLATFORM_ENV))
def test_staticfiles_storage_becomes_the_storages_entry_on_django_5_1(sample_project, platform):
    # Django 5.1 ignores STATICFILES_STORAGE: kept as it was, the static files went out
    # with Django's plain storage, uncompressed.
    root = sample_project("requirements_txt", "nested", settings="legacy-static-storage")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    summary = " ".join(result.stdout.split())
    assert (
        'Your settings set STATICFILES_STORAGE = "whitenoise.storage.CompressedStaticFilesStorage"'
        ", which Django 5.2 ignores" in summary
    )
    assert "keeps your choice, as STORAGES" in summary
    backend = _staticfiles_backend(root, platform)
    assert backend == "whitenoise.storage.CompressedStaticFilesStorage"


@pytest.mark.parametrize("platform", sorted(_PLATFORM_ENV))
def test_djangos_manifest_storage_gets_whitenoises_compressed_manifest(sample_project, platform):
    # STORAGES["staticfiles"] = Django's ManifestStaticFilesStorage: hashed but uncompressed
    # (the rehearsal's static check saw Content-Encoding: -). The block keeps the hashed
    # names and adds the compressed copies, and the summary says so.
    root = sample_project("requirements_txt", "nested", settings="manifest-storage")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    summary = " ".join(result.stdout.split())
    assert (
        'Your settings set STORAGES["staticfiles"] to Django\'s '
        "django.contrib.staticfiles.storage.ManifestStaticFilesStorage, which WhiteNoise "
        "serves uncompressed." in summary
    )
    backend = _staticfiles_backend(root, platform)
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.parametrize("platform", sorted(_PLATFORM_ENV))
def test_a_css_file_naming_a_missing_source_map_still_builds_hashed_and_compressed(
    sample_project, platform
):
    # Django's manifest storage stopped collectstatic at the build: "The file
    # 'vendor/select.min.css.map' could not be found".
    root = sample_project("requirements_txt", "nested", settings="missing-source-map")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    env = _on_platform(platform)
    out = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=root / "blog",
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    collected = root / "blog" / "staticfiles"
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    css = collected / manifest["vendor/select.min.css"]
    js = collected / manifest["vendor/app.js"]
    assert css.name != "select.min.css"  # hashed
    assert (collected / (manifest["vendor/select.min.css"] + ".gz")).is_file()  # compressed
    # The missing map's reference is left as it is; a shipped one still gets its hash.
    assert "sourceMappingURL=select.min.css.map" in css.read_text()
    assert f"sourceMappingURL={manifest['vendor/app.js.map'].split('/')[-1]}" in js.read_text()
    summary = " ".join(result.stdout.split())
    assert (
        "blog/static/vendor/select.min.css names a source map (sourceMappingURL) the "
        "repository does not ship" in summary
    )


@pytest.mark.parametrize("platform", sorted(_PLATFORM_ENV))
def test_a_static_url_asked_for_at_import_still_collects_compressed(sample_project, platform):
    # djangogirls: models.py's DEFAULT_COACH_PHOTO = static(...) stopped collectstatic on
    # every platform: "Missing staticfiles manifest entry for 'img/global/coach-empty.jpg'".
    root = sample_project("requirements_txt", "nested", settings="static-at-import")
    result = deploy(root, platform)
    assert result.returncode == 0, result.stderr + result.stdout
    out = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=root / "blog",
        env=_on_platform(platform),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    collected = root / "blog" / "staticfiles"
    assert (collected / "img" / "empty.svg.gz").is_file()  # compressed, name kept
    assert not (collected / "staticfiles.json").exists()
    summary = " ".join(result.stdout.split())
    # Only the module Django loads before collectstatic; views.py is imported later.
    assert (
        "blog/coach/models.py:3 asks for a static file's URL when Django loads the app" in summary
    )
    assert "views.py" not in summary
