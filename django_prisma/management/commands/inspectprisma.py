"""`manage.py inspectprisma [SCHEMA]`: print Django models for a Prisma schema."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from django_prisma.psl import PSLError, parse_path, validate
from django_prisma.psl.schema_to_models import add_annotation_arguments, generate_models


class Command(BaseCommand):
    help = "Print Django models for a schema.prisma (default: the database's SCHEMA_PATH)."

    def add_arguments(self, parser):
        parser.add_argument("schema", nargs="?", help="a .prisma file or a folder of them")
        parser.add_argument("--database", default="default", help="whose SCHEMA_PATH to read")
        add_annotation_arguments(parser)

    def handle(self, *args, schema=None, database="default", app_label=None, **options):
        path = schema or settings.DATABASES.get(database, {}).get("SCHEMA_PATH")
        if not path:
            raise CommandError(f"no schema given and DATABASES[{database!r}] has no SCHEMA_PATH")
        try:
            parsed = parse_path(path)
        except (PSLError, OSError) as error:
            raise CommandError(str(error)) from error
        problems = validate(parsed, prisma7_datasource=False)
        if problems:
            raise CommandError("the schema is invalid:\n" + "\n".join(map(str, problems)))
        self.stdout.write(
            generate_models(
                parsed,
                app_label,
                use_annotations=not options["no_django_annotations"],
                keep_prisma_names=options["keep_prisma_names"],
            ),
            ending="",
        )
