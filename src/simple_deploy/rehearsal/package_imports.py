"""Why a command failed when an installed package imports a name its Django lacks.

A project on Django below 4.2 is asked to upgrade before this tool configures it;
its other packages stay as pinned, and an old one may import what the newer Django
removed (django-markdown-deux: `force_unicode`, gone from django.utils.encoding).
Django 4.1+ imports every template library during its system checks, so migrate
stops in the release step with a long traceback ending in InvalidTemplateLibrary.
The cause is one line: the package, the name, and what to do, before the traceback.
"""

from __future__ import annotations

import re

__all__ = ["cause"]

_CANNOT = re.compile(r"cannot import name '(\w+)' from '(django(?:\.\w+)*)'")
# A traceback frame in installed packages: the first folder under site-packages.
_FRAME = re.compile(r'File "[^"]*[/\\](?:site|dist)-packages[/\\](\w+)[/\\][^"]*", line \d+')


def cause(output: str) -> str | None:
    """One line naming the installed package that imports a name Django no longer has,
    or None when the output shows no such import."""
    found = None
    for match in _CANNOT.finditer(output):
        frames = [name for name in _FRAME.findall(output, 0, match.start()) if name != "django"]
        if frames:
            found = (frames[-1], match.group(1), match.group(2))
    if found is None:
        return None
    package, name, module = found
    return (
        f"The installed package {package} imports {name} from {module}, which the Django "
        f"this project installs no longer has: upgrade {package} to a release that "
        "supports that Django (or replace it), then run the project locally and rehearse again."
    )
