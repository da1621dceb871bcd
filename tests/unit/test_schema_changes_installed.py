"""`makemigrations --dry-run` output naming a migration inside an installed package (the
field's allauth-example on Django 6: allauth's openid provider sets no default_auto_field
and its migration made AutoField ids): the rehearsal's advice cannot be "commit it"."""

from __future__ import annotations

from simple_deploy.rehearsal import schema_changes

OUTPUT = """Migrations for 'openid':
  /tmp/r/venv/lib/python3.12/site-packages/allauth/socialaccount/providers/openid/migrations/0002_alter_openidnonce_id_alter_openidstore_id.py
    ~ Alter field id on openidnonce
    ~ Alter field id on openidstore
Migrations for 'notes':
  /tmp/r/app/notes/migrations/0002_note_body.py
    + Add field body to note
"""


def test_the_apps_whose_migration_would_go_into_an_installed_package():
    assert schema_changes.installed_apps(OUTPUT) == ["openid"]


def test_the_projects_own_apps_are_not_installed_ones():
    own = OUTPUT.split("Migrations for 'notes'", 1)[1]
    assert schema_changes.installed_apps("Migrations for 'notes'" + own) == []


def test_only_an_installed_packages_primary_keys_is_nothing_to_deploy():
    packaged = OUTPUT.split("Migrations for 'notes'", 1)[0]
    assert schema_changes.only_packaged_primary_keys(packaged)
    # The project's own change still counts, and so does any other change in a package.
    assert not schema_changes.only_packaged_primary_keys(OUTPUT)
    assert not schema_changes.only_packaged_primary_keys(
        packaged.replace("Alter field id on openidstore", "Add field url to openidstore")
    )
    assert not schema_changes.only_packaged_primary_keys("")
