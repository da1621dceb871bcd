# ruff: noqa: E501 (the tracebacks are quoted as printed)
"""An installed package importing a name its Django lacks (rehearsal.package_imports)."""

from __future__ import annotations

from simple_deploy.rehearsal import package_imports
from simple_deploy.rehearsal.processes import Result, failure

# A migrate that stopped in Django 4.2's template-library check (djangogirls, once its
# Django was upgraded for this tool), as the release step's output shows it.
MIGRATE = """\
Traceback (most recent call last):
  File "/srv/venv/lib/python3.10/site-packages/django/template/backends/django.py", line 128, in get_package_libraries
    module = import_module(entry[1])
  File "/srv/venv/lib/python3.10/site-packages/markdown_deux/templatetags/markdown_deux_tags.py", line 6, in <module>
    from django.utils.encoding import force_unicode as force_text
ImportError: cannot import name 'force_unicode' from 'django.utils.encoding' (/srv/venv/lib/python3.10/site-packages/django/utils/encoding.py)

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/srv/app/manage.py", line 22, in <module>
    execute_from_command_line(sys.argv)
  File "/srv/venv/lib/python3.10/site-packages/django/template/backends/django.py", line 130, in get_package_libraries
    raise InvalidTemplateLibrary(
django.template.library.InvalidTemplateLibrary: Invalid template library specified. ImportError raised when trying to load 'markdown_deux.templatetags.markdown_deux_tags': cannot import name 'force_unicode' from 'django.utils.encoding' (/srv/venv/lib/python3.10/site-packages/django/utils/encoding.py)
"""


def test_the_package_and_the_name_come_first_in_the_failure():
    said = failure(["python", "manage.py", "migrate", "--noinput"], Result(1, MIGRATE))
    first, second = said.splitlines()[:2]
    assert first.startswith(
        "The installed package markdown_deux imports force_unicode from django.utils.encoding, "
        "which the Django this project installs no longer has: upgrade markdown_deux"
    )
    assert second == "python manage.py migrate --noinput exited with code 1:"


def test_the_projects_own_import_or_another_error_has_no_such_line():
    own = MIGRATE.replace("site-packages/markdown_deux", "app/blog")
    assert package_imports.cause(own) is None
    assert package_imports.cause("ValueError: Missing staticfiles manifest entry") is None
    plain = failure(["python", "manage.py", "migrate"], Result(1, "boom\n"))
    assert plain.startswith("python manage.py migrate exited with code 1:")
