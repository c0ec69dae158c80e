"""`manage.py prismaschema [app_label ...]`: write a schema.prisma for Django models."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from django_prisma.psl.models_to_schema import schema_for_apps


class Command(BaseCommand):
    help = "Print a schema.prisma describing the models of the given apps (default: all apps)."

    def add_arguments(self, parser):
        parser.add_argument("app_labels", nargs="*")
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")
        parser.add_argument(
            "--no-django-annotations",
            action="store_true",
            help="leave out the `/// @django` lines that make the schema -> models round trip lossless",
        )

    def handle(self, *app_labels, output=None, no_django_annotations=False, **options):
        try:
            text = schema_for_apps(list(app_labels) or None, annotate=not no_django_annotations)
        except LookupError as error:
            raise CommandError(str(error)) from error
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
