"""Platform plugins are found by reading the metadata folders on sys.path, as
importlib.metadata would find them: the first distribution of a name wins, a zip
file on sys.path is read through importlib.metadata, a plugin loads as its entry
point names it."""

from __future__ import annotations

import sys
import zipfile

from simple_deploy import plugins

GROUP_TEXT = "[console_scripts]\nx = y:z\n\n[simple_deploy.platforms]\n{name} = {value}\n"


def _dist(folder, dist: str, name: str, value: str, package: str) -> None:
    meta = folder / f"{dist}.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0\n\n")
    (meta / "entry_points.txt").write_text(GROUP_TEXT.format(name=name, value=value))


def test_the_first_distribution_of_a_name_wins_and_zips_are_read(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(first, "Acme_Deploy-1.0", "acme", "acme_one:platform", "Acme-Deploy")
    _dist(second, "acme.deploy-2.0", "acme", "acme_two:platform", "acme.deploy")
    _dist(second, "other-1.0", "other", "other_mod:platform", "other")
    (second / "loose-1.0.egg-info").write_text("Name: loose\n")  # a file, not a folder
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        zipped.writestr(
            "zipped-1.0.dist-info/entry_points.txt",
            GROUP_TEXT.format(name="zipped", value="zipped_mod:platform"),
        )
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(archive)])
    found = plugins._group_entry_points()
    assert found == [
        ("acme", "acme_one:platform", "Acme-Deploy"),
        ("other", "other_mod:platform", "other"),
        ("zipped", "zipped_mod:platform", "zipped"),
    ]


def test_an_entry_point_loads_the_attribute_it_names(tmp_path, monkeypatch):
    (tmp_path / "nested_plugin.py").write_text("class Box:\n    platform = 'inside'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = plugins._Found("nested", "nested_plugin:Box.platform [extra]", None)
    assert plugins._load(found) == "inside"
    assert plugins._describe(found) == "'nested' (nested_plugin:Box.platform [extra])"
