"""The commands a plugin's guide prints, as argument lists (for tests/unit/test_cli_tables.py)."""

from __future__ import annotations

import re
import shlex

import django
from django.conf import settings
from project_files import manage_dir

from simple_deploy import plugins
from simple_deploy.project import inspect

if not settings.configured:  # plugins render templates with Django's engine
    settings.configure()
    django.setup()


def guide_commands(sample_project, platform: str) -> list[list[str]]:
    """Every `backticked` command of the plugin's guide, placeholders filled in."""
    root = sample_project("requirements_txt", "flat")
    guide = plugins.load(platform).guide(inspect(manage_dir(root)), {})
    texts = [*guide.finish, guide.redeploy, guide.logs, guide.run_command, guide.remote_shell]
    texts += [guide.scale, guide.rollback]
    commands = []
    for text in texts:
        for quoted in re.findall(r"`([^`]+)`", text):
            filled = re.sub(r"<[^>]+>", "PLACEHOLDER", quoted)
            commands.append(shlex.split(filled))
    return commands
