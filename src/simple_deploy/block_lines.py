"""The settings block's lines that depend on what the project's settings hold.

Written from `Project.facts` (the probed final values), so each is a plain
statement decided at configuration time: a project with its own static storage
gets no storage lines, one whose MIDDLEWARE lacks WhiteNoise gets it where
WhiteNoise's docs put it, and the tool's own app is dropped by the name it has.
Each function returns indented lines ending with a newline, or "" when none is needed.
"""

from __future__ import annotations

from . import source_maps, static_storage
from .project import Project

__all__ = ["static_and_apps", "email_lines", "kept_choices", "databases_head"]

SECURITY = "django.middleware.security.SecurityMiddleware"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
_FILE_STORAGE = "django.core.files.storage.FileSystemStorage"
_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_DEVELOPMENT_BACKENDS = frozenset(
    f"django.core.mail.backends.{kind}.EmailBackend"
    for kind in ("console", "dummy", "filebased", "locmem")
)


def _static(project: Project) -> list[str]:
    facts = project.facts
    lines = [] if facts.static_url else ['STATIC_URL = "/static/"']
    if not facts.static_root:
        if facts.base_dir_is_manage_dir:
            lines.append('STATIC_ROOT = BASE_DIR / "staticfiles"')
        else:
            depth = project.base_dir_depth
            lines += [
                "from pathlib import Path as _Path",
                f'STATIC_ROOT = _Path(__file__).resolve().parents[{depth}] / "staticfiles"',
            ]
    backend = static_storage.block_backend(project)
    if backend is None:
        return lines
    value = f'"{backend}"'
    if backend == static_storage.WHITENOISE and project.missing_source_maps:
        lines += source_maps.storage_lines()
        value = f'f"{source_maps.BACKEND}"'
    if facts.storages is None:
        return [
            *lines,
            "STORAGES = {",
            f'    "default": {{"BACKEND": "{_FILE_STORAGE}"}},',
            f'    "staticfiles": {{"BACKEND": {value}}},',
            "}",
        ]
    return [*lines, f'STORAGES = {{**STORAGES, "staticfiles": {{"BACKEND": {value}}}}}']


def _middleware(project: Project, first: tuple[str, ...]) -> list[str]:
    """MIDDLEWARE with SecurityMiddleware and WhiteNoise where the project lacks them,
    `first` (Python expressions) before all others, and XFrameOptionsMiddleware last
    (where startproject has put it since Django 1.4) when the list lacks it: without it
    `check --deploy` warns security.W002 and pages can be framed by any site."""
    names = project.facts.middleware
    head = list(first)
    if SECURITY not in names:
        head.append(f'"{SECURITY}"')
        cut = 0
    else:
        cut = names.index(SECURITY) + 1
    comment = []
    if WHITENOISE_MIDDLEWARE not in names:
        comment = ["# WhiteNoise right after SecurityMiddleware, where its docs put it."]
        middle = [f'"{WHITENOISE_MIDDLEWARE}"']
    else:
        middle, cut = [], 0
    # A line of the user's that comments it out is their choice (kept_choices).
    tail = [] if XFRAME in names or project.facts.frames_allowed else [f'"{XFRAME}"']
    if tail:
        comment.append("# Clickjacking protection, last, as startproject lists it.")
    if not head and not middle and not tail:
        return []
    if cut == 0:
        parts = [*head, *middle, "*MIDDLEWARE", *tail]
    else:
        parts = [*head, f"*MIDDLEWARE[:{cut}]", *middle, f"*MIDDLEWARE[{cut}:]", *tail]
    one_line = f"MIDDLEWARE = [{', '.join(parts)}]"
    if len(one_line) <= 96:
        return [*comment, one_line]
    return [*comment, "MIDDLEWARE = [", *(f"    {part}," for part in parts), "]"]


def _without_tool(project: Project) -> list[str]:
    ours = [app for app in project.facts.installed_apps if app.split(".")[0] == "simple_deploy"]
    if not ours:
        return []
    test = f'!= "{ours[0]}"' if len(ours) == 1 else f"not in {tuple(ours)!r}"
    line = f"INSTALLED_APPS = [_a for _a in INSTALLED_APPS if _a {test}]"
    if len(line) <= 96 - 20:
        return [f"{line}  # a development tool"]
    return ["# A development tool: not installed in production.", line]


def _auto_field(project: Project) -> list[str]:
    """DEFAULT_AUTO_FIELD, for settings made before Django 3.2 that never set it.

    Django 3.2 to 5.2 then use AutoField and warn (models.W042) for every model without
    an explicit primary key, so `check --deploy` is not clean; naming the value they
    already use silences it with no migration. Django 6.0 made BigAutoField the default
    and dropped the warning: there the line would change the schema, so none is written.
    """
    major, minor = (int(part) for part in project.django_version.split(".")[:2])
    if project.facts.default_auto_field or (major, minor) >= (6, 0):
        return []
    return [
        "# Your models' primary keys as Django before 6.0 makes them when no",
        "# DEFAULT_AUTO_FIELD is set (no migration; check --deploy warns models.W042 without).",
        'DEFAULT_AUTO_FIELD = "django.db.models.AutoField"',
    ]


def _search(project: Project) -> list[str]:
    """HAYSTACK_CONNECTIONS where the settings set none: django-haystack stops every
    command without it (collectstatic at the build first), and no platform here has a
    search engine to name. Its simple backend searches the database itself."""
    if not project.facts.haystack_unset:
        return []
    return [
        "# django-haystack needs a search engine and none is set: it searches the database",
        "# until HAYSTACK_CONNECTIONS names one (Elasticsearch, Solr, from its URL).",
        "HAYSTACK_CONNECTIONS = {",
        '    "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"},',
        "}",
    ]


def static_and_apps(project: Project, first_middleware: tuple[str, ...] = ()) -> str:
    """STATIC_ROOT, STORAGES, MIDDLEWARE and INSTALLED_APPS lines, as the project needs
    (and DEFAULT_AUTO_FIELD for settings older than Django 3.2's startproject)."""
    lines = [
        *_static(project),
        *_middleware(project, first_middleware),
        *_without_tool(project),
        *_auto_field(project),
        *_search(project),
    ]
    return "".join(f"    {line}\n" if line else "\n" for line in lines)


def email_lines(project: Project | None, relay: str | None = None, imported: bool = False) -> str:
    """The block's mail lines: one EMAIL_URL variable configures SMTP.

    Written for the running Django (MAILERS on 6.1+, EMAIL_* before). The project's
    own mail setup, when fit for production, changes only once EMAIL_URL (or the
    platform's relay, `relay`) is set; a development backend (console, file, memory,
    dummy) or an empty MAILERS is replaced by SMTP, which fails loudly until then.
    `imported`: the block imported `_unquote` and `_urlsplit` already.
    """
    facts = project.facts if project is not None else None
    mailers = dict(facts.mailers) if facts and facts.mailers is not None else None
    if mailers is not None:
        keep_own = (
            "default" in mailers and (mailers["default"] or _SMTP) not in _DEVELOPMENT_BACKENDS
        )
    else:
        # Django's default (SMTP on localhost:25, what the lines give without EMAIL_URL)
        # is no choice of the project's: only a backend or SMTP server it named is kept.
        backend = facts.email_backend if facts else None
        if backend in (None, _SMTP):
            keep_own = bool(facts and facts.smtp_settings)
        else:
            keep_own = backend not in _DEVELOPMENT_BACKENDS
    lines: list[str] = []
    if not imported:
        lines.append("from urllib.parse import unquote as _unquote, urlsplit as _urlsplit")
    relay_host = f"_os.environ.get({relay!r})" if relay else None
    if relay:
        # The platform's relay (port 25, no login) when EMAIL_URL is not set.
        lines.append(f'_relay = _os.environ.get("{relay}") or "localhost"')
    if keep_own:
        lines.append(f'if _os.environ.get("EMAIL_URL"){" or " + relay_host if relay_host else ""}:')
        body = "    "
    else:
        body = ""
    if relay_host:
        url = '_os.environ.get("EMAIL_URL", f"smtp://{_relay}:25")'
    elif keep_own:
        url = '_os.environ["EMAIL_URL"]'
    else:
        url = '_os.environ.get("EMAIL_URL", "smtp://localhost:25")'
    # EMAIL_URL's form (smtp+tls://USER:PASSWORD@HOST:587) is in the summary.
    lines.append(f"{body}_email = _urlsplit({url})  # see the summary")
    values = (
        ("host", "EMAIL_HOST", '_email.hostname or "localhost"'),
        (
            "port",
            "EMAIL_PORT",
            '_email.port or {"smtps": 465, "smtp+tls": 587}.get(_email.scheme, 25)',
        ),
        ("username", "EMAIL_HOST_USER", '_unquote(_email.username or "")'),
        ("password", "EMAIL_HOST_PASSWORD", '_unquote(_email.password or "")'),
        ("use_tls", "EMAIL_USE_TLS", '_email.scheme == "smtp+tls"'),
        ("use_ssl", "EMAIL_USE_SSL", '_email.scheme == "smtps"'),
    )
    tls = 'EMAIL_USE_TLS, EMAIL_USE_SSL = _email.scheme == "smtp+tls", _email.scheme == "smtps"'
    if mailers is not None:
        # Two short options to a line: the MAILERS form would otherwise be the block's
        # longest part (issue 30's 60-line block).
        option = {key: f'"{key}": {value}' for key, _, value in values}
        lines += [
            f'{body}MAILERS = {{**MAILERS, "default": {{"BACKEND": "{_SMTP}"}}}}',
            f'{body}MAILERS["default"]["OPTIONS"] = {{',
            f"{body}    {option['host']}, {option['username']},",
            f"{body}    {option['port']},",
            f"{body}    {option['password']}, {option['use_ssl']},",
            f"{body}    {option['use_tls']}}}",
        ]
    else:
        if (facts.email_backend if facts else None) not in (None, _SMTP):
            lines.append(f'{body}EMAIL_BACKEND = "{_SMTP}"')
        lines += [f"{body}{name} = {value}" for _, name, value in values[:4]]
        lines.append(f"{body}{tls}")
    if facts is not None and not facts.sender_set:
        # Django's own defaults are placeholders no provider accepts: nothing to keep.
        lines.append(
            'DEFAULT_FROM_EMAIL = SERVER_EMAIL = _os.environ.get("DEFAULT_FROM_EMAIL", '
            '"webmaster@localhost")'
        )
    else:
        lines += [
            'if "DEFAULT_FROM_EMAIL" in _os.environ:',
            '    DEFAULT_FROM_EMAIL = SERVER_EMAIL = _os.environ["DEFAULT_FROM_EMAIL"]',
        ]
    return "\n".join(f"    {line}" if line else "" for line in lines)


def kept_choices(project: Project, indent: str = "    ") -> str:
    """Lines that keep a security choice the settings made, in the form `check --deploy`
    accepts: a Cross-Origin-Opener-Policy turned off with False becomes None (the same
    header: none), and XFrameOptionsMiddleware commented out of MIDDLEWARE silences
    security.W002 instead of adding the middleware back. Each line opens with a newline
    (the templates put this right after a line of their own)."""
    facts = project.facts
    lines: list[str] = []
    if facts.coop_falsy:
        lines += [
            "# Your SECURE_CROSS_ORIGIN_OPENER_POLICY turns the header off: None says so",
            "# in the form check --deploy accepts (security.E024).",
            "SECURE_CROSS_ORIGIN_OPENER_POLICY = None",
        ]
    if facts.frames_allowed:
        kept = "*SILENCED_SYSTEM_CHECKS, " if facts.silenced_set else ""
        lines += [
            "# Your MIDDLEWARE comments XFrameOptionsMiddleware out: pages may be framed.",
            f'SILENCED_SYSTEM_CHECKS = [{kept}"security.W002"]',
        ]
    return "".join(f"\n{indent}{line}" for line in lines)


def databases_head(project: Project) -> str:
    """How the block's DATABASES opens: `{` for a project with only "default"; with
    more aliases (a read-only "dashboard" the project's code opens by name), `{**DATABASES, `,
    so only "default" becomes the platform's database and the others stay as the
    settings define them."""
    others = [alias for alias in project.facts.database_aliases if alias != "default"]
    return "{**DATABASES, " if others else "{"
