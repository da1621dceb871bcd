"""The static files storage a project chose with STATICFILES_STORAGE, on Django 5.1+.

Django 5.1 removed STATICFILES_STORAGE: it is ignored, and Django's plain storage
runs, so the files go out uncompressed and unhashed. The settings blocks used to
"keep" it; on 5.1+ they now write what the user meant, STORAGES["staticfiles"].
Inspection learned the value (the settings probe); this decides what it becomes.
"""

from __future__ import annotations

from . import import_time_static, shipped_static, source_maps
from .project import Project

__all__ = ["WHITENOISE", "UNHASHED", "backend", "block_backend", "compressed_manifest", "note"]

WHITENOISE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
# WhiteNoise's compressed storage without a manifest, for a project that asks for a
# static URL while Django loads its apps (import_time_static).
UNHASHED = "whitenoise.storage.CompressedStaticFilesStorage"
# Django's own default is no choice at all: the block's WhiteNoise storage serves it.
_DJANGO_DEFAULT = "django.contrib.staticfiles.storage.StaticFilesStorage"
# Django's hashed-names storage: WhiteNoise's is the same storage (its subclass, the
# same manifest and names) that also writes the gzip and Brotli copies WhiteNoise
# serves. A project that chose hashed names chose cacheable files, not uncompressed
# ones, so the block upgrades it (and says so).
DJANGO_MANIFEST = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
# WhiteNoise 3's names, gone since WhiteNoise 4.
_OLD_WHITENOISE = {
    "whitenoise.django.GzipManifestStaticFilesStorage": WHITENOISE,
    "whitenoise.storage.GzipManifestStaticFilesStorage": WHITENOISE,
    DJANGO_MANIFEST: WHITENOISE,
}


def _ignored(project: Project) -> bool:
    """True when the project's Django no longer reads STATICFILES_STORAGE."""
    try:
        major, minor = (int(part) for part in project.django_version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 1)


def backend(project: Project) -> str | None:
    """The STORAGES["staticfiles"] backend the block writes for the project's
    STATICFILES_STORAGE (or for Django's manifest storage in its STORAGES), or None
    when there is none to move (or Django still reads it)."""
    upgraded = compressed_manifest(project)
    if upgraded:
        return upgraded
    chosen = project.legacy_static_storage
    if not chosen or not _ignored(project):
        return None
    if chosen == _DJANGO_DEFAULT:
        return WHITENOISE
    return _OLD_WHITENOISE.get(chosen, chosen)


def compressed_manifest(project: Project) -> str | None:
    """WhiteNoise's compressed manifest storage when STORAGES["staticfiles"] is Django's
    plain ManifestStaticFilesStorage (hashed names, uncompressed), else None."""
    return WHITENOISE if project.facts.staticfiles_backend == DJANGO_MANIFEST else None


def block_backend(project: Project) -> str | None:
    """The staticfiles backend the settings block writes, or None when the project's own is kept."""
    chosen = _block_choice(project)
    if not project.import_time_static:
        return chosen
    # The project's own WhiteNoise manifest storage (in STORAGES) would stop every fresh
    # build too: its choice cannot build on any platform, so it gives way here.
    ours = chosen is None and project.facts.staticfiles_backend == WHITENOISE
    return UNHASHED if chosen == WHITENOISE or ours else chosen


def _block_choice(project: Project) -> str | None:
    moved = backend(project)
    if moved:
        return moved
    facts = project.facts
    if "staticfiles" in (facts.storages or ()) or facts.staticfiles_storage:
        return None
    return WHITENOISE


_UPGRADE = (
    "which WhiteNoise serves uncompressed. The platform's settings block uses "
    f'STORAGES["staticfiles"] = {{"BACKEND": "{WHITENOISE}"}}: the same hashed names '
    "and manifest, plus the gzip and Brotli copies WhiteNoise serves to browsers that "
    "accept them."
)


def note(project: Project) -> tuple[str, ...]:
    """The summary's lines on the move or the upgrade, if one was made, on missing
    source maps, and on collected files the repository ships (no collectstatic)."""
    ours = block_backend(project)
    maps = source_maps.note(project.missing_source_maps) if ours == WHITENOISE else ()
    if project.static_shipped:
        maps = (*maps, shipped_static.summary_line(project.static_shipped))
    if ours == UNHASHED and project.import_time_static:
        # A manifest could not answer at import: this is the one storage that builds.
        return import_time_static.note(project.import_time_static)
    if compressed_manifest(project):
        return (
            f'Your settings set STORAGES["staticfiles"] to Django\'s {DJANGO_MANIFEST}, '
            + _UPGRADE,
            *maps,
        )
    moved = backend(project)
    if moved is None:
        return maps
    if project.legacy_static_storage == DJANGO_MANIFEST:
        return (
            f'Your settings set STATICFILES_STORAGE = "{DJANGO_MANIFEST}", which Django '
            f"{project.django_version} ignores (removed in Django 5.1), and "
            + _UPGRADE
            + ' Move it into STORAGES["staticfiles"] in your own settings when you can.',
            *maps,
        )
    kept = (
        f'keeps your choice, as STORAGES["staticfiles"] = {{"BACKEND": "{moved}"}}'
        if moved == project.legacy_static_storage
        else f'uses STORAGES["staticfiles"] = {{"BACKEND": "{moved}"}} instead'
    )
    return (
        f'Your settings set STATICFILES_STORAGE = "{project.legacy_static_storage}", which '
        f"Django {project.django_version} ignores (removed in Django 5.1): static files would "
        f"go out with Django's plain storage. The platform's settings block {kept}. Move it "
        'into STORAGES["staticfiles"] in your own settings when you can.',
        *maps,
    )
