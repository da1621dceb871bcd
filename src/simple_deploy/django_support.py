"""The Django versions the tool configures, and what to say on an older one.

The package does not pin Django (pyproject's dependencies): installing the tool
must never upgrade the project's Django, which would break a project written for
an older release before the tool could say anything. The check happens instead
when `manage.py deploy` starts, before any module that needs a newer Django.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["MINIMUM", "unsupported_message"]

# The oldest Django release the generated settings and files are written for
# (the lowest still supported by the Django project when this tool was released).
MINIMUM = (4, 2)


def unsupported_message(
    version: tuple, installed: str, drivers: Callable[[], list[str]] | list[str] | None = None
) -> str | None:
    """The one message for a Django older than MINIMUM, or None when it is supported.

    `drivers`: `name>=version` for the installed database drivers the new Django
    refuses, or what finds them (startup_errors.driver_upgrades, called only for an
    old Django); the example command upgrades them with Django, or the next run
    would stop at Django's own check of the driver.
    """
    if tuple(version[:2]) >= MINIMUM:
        return None
    needed = ".".join(map(str, MINIMUM))
    drivers = (drivers() if callable(drivers) else drivers) or []
    command = " ".join([f'"Django>={needed},<5"', *(f'"{d}"' for d in drivers)])
    also = ""
    if drivers:
        names = ", ".join(d.replace(">=", " ") for d in drivers)
        also = (
            f"Django {needed} also needs newer database drivers than yours ({names} or "
            "newer): raise their pins with Django's. "
        )
    return (
        f"django-simple-deploy needs Django {needed} or newer; this project runs Django "
        f"{installed}. Nothing was changed (installing django-simple-deploy did not "
        "change your Django either). Upgrade the project first, following "
        "https://docs.djangoproject.com/en/stable/howto/upgrade-version/ (for example "
        f"`pip install {command}`, then fix what your tests and "
        f"`python -Wd manage.py check` report). {also}Commit, and run `manage.py deploy` "
        "again."
    )
