"""The Django versions django-prisma supports. Importing this module on another Django raises
ImproperlyConfigured: the backend and the app import it before anything else of theirs, so an
unsupported Django fails at once, with the range, instead of half-working."""

from __future__ import annotations

import django
from django.core.exceptions import ImproperlyConfigured

from . import __version__

# The same range as the Django requirement in pyproject.toml (a packaging test compares them).
OLDEST = (5, 2)
NEWER_THAN_SUPPORTED = (6, 1)
SUPPORTED_RANGE = "Django>=5.2,<6.1"


def check_django_version(version: tuple = django.VERSION) -> None:
    if not OLDEST <= tuple(version[:2]) < NEWER_THAN_SUPPORTED:
        installed = ".".join(str(part) for part in version[:3])
        raise ImproperlyConfigured(
            f"django-prisma {__version__} supports {SUPPORTED_RANGE} (5.2 LTS and 6.0); "
            f"Django {installed} is installed. Install a supported version: "
            f"pip install '{SUPPORTED_RANGE}'"
        )


check_django_version()
