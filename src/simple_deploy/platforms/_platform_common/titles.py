"""The project title Platform.sh, Upsun and Railway create or find for a repository.

Apart from the automation modules so a configuration run's guide (which names the
title) does not load them.
"""

from __future__ import annotations

import hashlib
import re

from simple_deploy.git_status import root_commits
from simple_deploy.plugin import Options, Project

__all__ = ["project_title"]


def project_title(project: Project, options: Options) -> str:
    """The title to create or find: the user's choice, else the folder name plus a
    short hash of this repository (root commit and path), so two projects of one
    account never share a title even when their folders have the same name."""
    if options.get("deployed_project_name"):
        return str(options["deployed_project_name"])
    commits = root_commits(project.git_root)
    seed = f"{commits[0] if commits else ''}:{project.git_root}"
    slug = re.sub(r"[^a-z0-9-]+", "-", project.git_root.name.lower()).strip("-") or "django"
    return f"{slug}-{hashlib.sha256(seed.encode()).hexdigest()[:6]}"
