"""`manage.py prismaschema [app_label ...]`: write a schema.prisma for Django models."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from django_prisma.psl.models_to_schema import schema_for_apps
from django_prisma.psl.providers import (
    POSTGRESQL,
    Provider,
    provider_for_connection,
    provider_named,
)


class Command(BaseCommand):
    help = "Print a schema.prisma describing the models of the given apps (default: all apps)."

    def add_arguments(self, parser):
        parser.add_argument(
            "app_labels",
            nargs="*",
            metavar="app_label",
            help="the apps whose models to describe (default: every installed app)",
        )
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")
        parser.add_argument(
            "--no-django-annotations",
            action="store_true",
            help="leave out the `/// @django` lines that make the schema -> models round trip lossless",
        )
        parser.add_argument(
            "--database",
            default="default",
            help="whose database decides the provider and column types (default: 'default')",
        )
        parser.add_argument(
            "--provider",
            choices=["postgresql", "mysql"],
            help="the datasource provider to write (default: that of --database's backend)",
        )

    def handle(
        self,
        *,
        app_labels=(),
        output=None,
        no_django_annotations=False,
        database="default",
        provider=None,
        **options,
    ):
        # Positional arguments declared with add_argument() reach handle() as the keyword
        # `app_labels`, never as *args.
        labels = list(dict.fromkeys(app_labels))
        check_app_labels(labels)
        chosen = provider_named(provider) if provider else self.database_provider(database)
        text = schema_for_apps(labels or None, annotate=not no_django_annotations, provider=chosen)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")

    def database_provider(self, alias: str) -> Provider:
        """MySQL for a MySQL/MariaDB backend (Django's own or django_prisma.mysql), whose server
        says whether Django's UUIDField is a uuid column; PostgreSQL's types otherwise."""
        if alias not in connections:
            raise CommandError(f"no database {alias!r} in DATABASES")
        provider, problem = provider_for_connection(connections[alias])
        if problem:
            self.stderr.write(f"{problem}: UUIDFields are written as its char(32) columns")
        return provider or POSTGRESQL


def check_app_labels(labels: list[str]) -> None:
    """Refuse unknown labels all at once, as Django's own commands do, before writing anything."""
    unknown = []
    for label in labels:
        try:
            apps.get_app_config(label)
        except LookupError:
            unknown.append(label)
    if unknown:
        raise CommandError(
            f"No installed app with label {', '.join(map(repr, unknown))}. "
            "Use the app label (e.g. 'auth'), not the module path."
        )
