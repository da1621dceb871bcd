"""One script added to a package.json in the form npm writes, and nothing else changed."""

import json

from simple_deploy.package_json import with_script

PACKAGE = {"name": "site", "private": True, "scripts": {"build": "webpack"}, "devDependencies": {}}


def test_the_script_is_added_last_keeping_indent_and_line_endings():
    for indent, newline in (("  ", "\n"), ("    ", "\r\n"), ("\t", "\n")):
        text = json.dumps(PACKAGE, indent=indent).replace("\n", newline) + newline
        after = with_script(text.encode(), "heroku-postbuild", "npm run build:prod")
        assert after is not None
        expected = {
            **PACKAGE,
            "scripts": {"build": "webpack", "heroku-postbuild": "npm run build:prod"},
        }
        assert (
            after.decode() == json.dumps(expected, indent=indent).replace("\n", newline) + newline
        )


def test_a_package_json_without_scripts_gets_them_at_the_end():
    text = json.dumps({"name": "site", "description": "Café"}, indent=2, ensure_ascii=False)
    after = with_script(text.encode(), "heroku-postbuild", "gulp build").decode()
    assert after.endswith('  "scripts": {\n    "heroku-postbuild": "gulp build"\n  }\n}')
    assert "Café" in after


def test_a_file_npm_would_not_write_or_a_script_already_there_is_left_alone():
    assert with_script(json.dumps(PACKAGE).encode(), "x", "y") is None  # one line
    assert with_script(b'{\n  "name": "site",\n  "private":   true\n}\n', "x", "y") is None
    assert with_script(b"{ not json", "x", "y") is None
    assert with_script(json.dumps(PACKAGE, indent=2).encode(), "build", "other") is None
