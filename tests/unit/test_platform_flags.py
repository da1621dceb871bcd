"""Which modules the settings load under a platform flag (platform_flags)."""

from __future__ import annotations

from simple_deploy.platform_flags import flag_modules


def _write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_plain_imports_and_split_settings_includes_under_a_flag(tmp_path):
    _write(
        tmp_path,
        {
            "blog/__init__.py": "",
            "blog/settings/__init__.py": (
                "import os\nfrom os import environ\n"
                "from split_settings.tools import include\n\n"
                'include("base.py")\n'
                'if os.environ.get("ON_FLY"):\n    include("fly.py")\n'
                'elif "ON_HEROKU" in environ:\n    from .settings_heroku import *\n'
                'elif os.getenv("ON_RENDER"):\n    from blog.settings.render import *\n'
                "else:\n    from .dev import *\n"
                'if os.environ.get("MISSING"):\n    include("nowhere.py")\n'
            ),
            "blog/settings/base.py": "",
            "blog/settings/fly.py": "",
            "blog/settings/settings_heroku.py": "",
            "blog/settings/render.py": "",
            "blog/settings/dev.py": "",
        },
    )
    assert flag_modules(tmp_path, "blog.settings") == (
        ("ON_FLY", "blog.settings.fly"),
        ("ON_HEROKU", "blog.settings.settings_heroku"),
        ("ON_RENDER", "blog.settings.render"),
    )
    # A module that tests no variable selects nothing.
    assert flag_modules(tmp_path, "blog.settings.base") == ()
