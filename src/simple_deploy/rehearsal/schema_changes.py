"""Which model changes without a migration would change the database's schema.

`makemigrations --check` reports every difference between the models and the
migrations, including those Django records only in migration state: a field's
`choices` that follow the installed time-zone list, `Meta.ordering`, verbose
names. The release step's `migrate` would apply nothing for those, and no page
fails because of them; a missing column or table does break pages. So each
would-be operation is run through a schema editor that only collects SQL (what
`sqlmigrate` prints): an operation with SQL fails the rehearsal, the others are
mentioned.
"""

from __future__ import annotations

import json
import re

__all__ = ["MARKER", "SCRIPT", "parse", "installed_apps"]

MARKER = "SIMPLE_DEPLOY_REHEARSAL_SCHEMA="

# Run with `manage.py shell -c` in the platform's environment. An operation whose
# SQL cannot be collected (it needs a state the loop did not build, or the
# autodetector asks a question) counts as a schema change: never a false pass.
SCRIPT = f"""
import json
from django.apps import apps
from django.db import connection
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
from django.db.migrations.state import ProjectState

_schema, _state_only = [], []
try:
    _loader = MigrationLoader(None, ignore_no_migrations=True)
    _state = _loader.project_state()
    _changes = MigrationAutodetector(
        _state,
        ProjectState.from_apps(apps),
        NonInteractiveMigrationQuestioner(specified_apps=None, dry_run=True),
    ).changes(graph=_loader.graph)
    for _label, _migrations in sorted(_changes.items()):
        for _migration in _migrations:
            for _operation in _migration.operations:
                _name = _label + ": " + _operation.describe()
                try:
                    _after = _state.clone()
                    _operation.state_forwards(_label, _after)
                    with connection.schema_editor(collect_sql=True, atomic=False) as _editor:
                        _operation.database_forwards(_label, _editor, _state, _after)
                    _state = _after
                except BaseException as _error:
                    _schema.append(_name + " (its SQL could not be read: " + repr(_error) + ")")
                    continue
                (_schema if _editor.collected_sql else _state_only).append(_name)
except BaseException as _error:
    _schema.append("the changes could not be read: " + repr(_error))
print({MARKER!r} + json.dumps({{"schema": _schema, "state_only": _state_only}}), flush=True)
"""


def parse(output: str) -> tuple[list[str], list[str]] | None:
    """(operations that change the schema, operations that do not), or None when the
    script printed nothing (it did not run)."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            found = json.loads(line[len(MARKER) :])
            return list(found["schema"]), list(found["state_only"])
    return None


def installed_apps(output: str) -> list[str]:
    """The app labels `makemigrations --dry-run` would write a migration for inside an
    installed package (its path under site-packages): a migration there is no file of
    the project's, which git and the platform never get."""
    found = []
    label = None
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith("Migrations for '") and stripped.endswith("':"):
            label = stripped[len("Migrations for '") : -2]
        elif (
            label
            and stripped.endswith(".py")
            and ("site-packages" in stripped or "dist-packages" in stripped)
        ):
            found.append(label)
            label = None
    return list(dict.fromkeys(found))


_OPERATION = re.compile(r"^\s+[-~+*]\s+(.+)$", re.MULTILINE)
_APP = re.compile(r"^\s*Migrations for '([^']+)':\s*$", re.MULTILINE)


def only_packaged_primary_keys(output: str) -> bool:
    """Whether every change `makemigrations --dry-run` shows is an installed package's
    primary key type (`Alter field id on ...`). Its models follow the project's
    DEFAULT_AUTO_FIELD and its migrations were made with another (Django 6.0 made
    BigAutoField the default): the database has the column its migrations made, which
    the model reads and writes the same, here and on the platform alike."""
    apps = _APP.findall(output)
    operations = _OPERATION.findall(output)
    return (
        bool(apps)
        and set(apps) <= set(installed_apps(output))
        and bool(operations)
        and all(op.startswith("Alter field id on ") for op in operations)
    )
