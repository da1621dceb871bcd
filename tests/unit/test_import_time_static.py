"""Static URLs asked for while Django loads the apps (import_time_static)."""

from __future__ import annotations

import sys
import types

from simple_deploy import import_time_static

SOURCE = """\
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static as s
from django.conf.urls.static import static

PHOTO = s("img/a.png")
urlpatterns = static("/media/", document_root="m")  # the URL helper, not the storage


def later():
    return s("img/b.png")


def default(url=s("img/c.png"), *, logo=staticfiles_storage.url("img/d.png")):
    return url


class Card:
    icon = s("img/e.png")

    def image(self):
        return staticfiles_storage.url("img/f.png")


pick = lambda url=s("img/g.png"): url  # noqa: E731
"""


def test_calls_that_run_at_import_are_found_and_those_in_bodies_are_not(tmp_path):
    module = tmp_path / "app" / "models.py"
    module.parent.mkdir()
    module.write_text(SOURCE, encoding="utf-8")
    found = import_time_static.find(tmp_path, [module])
    assert found == ("app/models.py:5", "app/models.py:13", "app/models.py:18", "app/models.py:24")


def test_a_module_that_imports_neither_name_is_not_reported(tmp_path):
    module = tmp_path / "urls.py"
    module.write_text(
        "from django.conf.urls.static import static\nurlpatterns = static('/m/')\n", "utf-8"
    )
    broken = tmp_path / "broken.py"
    broken.write_text("static(\n", encoding="utf-8")
    assert import_time_static.find(tmp_path, [module, broken, tmp_path / "gone.py"]) == ()


def test_only_the_projects_own_loaded_modules_are_read(tmp_path, monkeypatch):
    own = tmp_path / "app" / "models.py"
    installed = tmp_path / ".venv" / "lib" / "site-packages" / "pkg.py"
    for path in (own, installed):
        path.parent.mkdir(parents=True)
        path.write_text("", encoding="utf-8")
    for name, path in (("app.models", own), ("pkg", installed)):
        module = types.ModuleType(name)
        module.__file__ = str(path)
        monkeypatch.setitem(sys.modules, name, module)
    assert import_time_static.loaded_files(tmp_path) == [own.resolve()]


def test_the_note_names_the_lines_and_the_way_back_to_hashed_names():
    (line,) = import_time_static.note(("coach/models.py:9",))
    assert line.startswith("coach/models.py:9 asks for a static file's URL")
    assert "CompressedStaticFilesStorage" in line
    assert "Move those calls into a function" in line
    assert import_time_static.note(()) == ()
