"""`python -m django_prisma.psl schema.prisma > models.py`"""

from __future__ import annotations

import argparse
import sys

from .errors import PSLError
from .parser import parse_path
from .schema_to_models import add_annotation_arguments, generate_models
from .validate import validate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m django_prisma.psl",
        description="Print Django models for a Prisma schema (a .prisma file or a folder of them).",
    )
    parser.add_argument("schema", help="schema.prisma, or a folder of .prisma files")
    parser.add_argument("--no-validate", action="store_true", help="skip Prisma's semantic checks")
    add_annotation_arguments(parser)
    args = parser.parse_args(argv)
    try:
        schema = parse_path(args.schema)
    except (PSLError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not args.no_validate:
        problems = validate(schema, prisma7_datasource=False)
        if problems:
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1
    sys.stdout.write(
        generate_models(
            schema,
            args.app_label,
            use_annotations=not args.no_django_annotations,
            keep_prisma_names=args.keep_prisma_names,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
