"""The drift check warns when Django models and the schema at SCHEMA_PATH disagree."""

from __future__ import annotations

from pathlib import Path

from django_prisma.psl import parse_path
from django_prisma.psl.schema_to_models import generate_models

from .django_project import run_django, write_app
from .test_implicit_m2m import SCHEMA as M2M_SCHEMA

APPS_DIR = Path(__file__).parent / "apps"

RUN_CHECK = r"""
from django.core.management import call_command
call_command("prismaschema", "contenttypes", "auth", output={schema!r})
text = open({schema!r}).read()
from django_prisma.psl.checks import check_prisma_schema
clean = [w.msg for w in check_prisma_schema()]
import re
text = re.sub(r"\n  email\s+String\s+", "\n  email String? ", text)
text = text.replace('  last_name ', '  surname ').replace('@@map("auth_group")', '@@map("auth_groups")')
open({schema!r}, "w").write(text)
drifted = [w.msg for w in check_prisma_schema()]
ids = [w.id for w in check_prisma_schema()]
result = {{"clean": clean, "drifted": drifted, "ids": ids}}
"""


def test_drift_warnings(tmp_path):
    schema = tmp_path / "schema.prisma"
    database = {"ENGINE": "django_prisma", "NAME": "unused", "SCHEMA_PATH": str(schema)}
    result = run_django(
        tmp_path,
        RUN_CHECK.format(schema=str(schema)),
        ["django.contrib.contenttypes", "django.contrib.auth", "django_prisma"],
        database=database,
    )
    assert result["clean"] == []
    drifted = "\n".join(result["drifted"])
    assert "auth_user.email is NOT NULL in Django but not in Prisma" in drifted
    assert "table 'auth_group' is not in the Prisma schema" in drifted
    assert "column auth_user.last_name is not in Prisma model User" in drifted
    assert "Django relates it to 'auth_group', Prisma to 'auth_groups'" in drifted
    assert set(result["ids"]) == {"django_prisma.W001"}


RUN_UNCOVERED = r"""
from django.core.management import call_command
call_command("prismaschema", "contenttypes", "auth", output={schema!r})
from django_prisma.psl.checks import check_prisma_schema
full = open({schema!r}).read()
NL = chr(10)
kept, block = [], []
for line in full.split(NL):
    block.append(line)
    if line == "}}" or (not line.strip() and not any(b.strip() for b in block[:-1])):
        text_block = NL.join(block)
        if '@@map("auth_' not in text_block:
            kept.append(text_block)
        block = []
kept.append(NL.join(block))
stripped = NL.join(kept)
assert '@@map("auth_' in full and '@@map("auth_' not in stripped
open({schema!r}, "w").write(stripped)
only_contenttypes = [w.msg for w in check_prisma_schema()]
text = open({schema!r}).read().replace('@@map("django_content_type")', '@@map("content_types")')
text += '\nmodel Stray {{\n  id Int @id\n\n  @@map("auth_user")\n}}\n'
open({schema!r}, "w").write(text)
covered = [w.msg for w in check_prisma_schema()]
result = {{"only_contenttypes": only_contenttypes, "covered": covered}}
"""


def test_apps_the_schema_does_not_cover_are_not_compared(tmp_path):
    schema = tmp_path / "schema.prisma"
    database = {"ENGINE": "django_prisma", "NAME": "unused", "SCHEMA_PATH": str(schema)}
    result = run_django(
        tmp_path,
        RUN_UNCOVERED.format(schema=str(schema)),
        ["django.contrib.contenttypes", "django.contrib.auth", "django_prisma"],
        database=database,
    )
    # auth has no table in a contenttypes-only schema: not reported table by table.
    assert result["only_contenttypes"] == []
    covered = "\n".join(result["covered"])
    # Once the schema names an app's tables, every difference in that app is drift.
    assert "column auth_user.is_active is not in Prisma model Stray" in covered
    assert "table 'auth_permission' is not in the Prisma schema" in covered


RUN_CHECK_ON_GENERATED = """
from django_prisma.psl.checks import check_prisma_schema
result = [w.msg for w in check_prisma_schema()]
"""


def test_generated_models_agree_with_their_schema(tmp_path):
    """Including the model of an implicit many-to-many table, which the schema names only implicitly."""
    schema = tmp_path / "schema.prisma"
    schema.write_text(M2M_SCHEMA)
    write_app(tmp_path, "m2m", generate_models(parse_path(schema)))
    database = {"ENGINE": "django_prisma", "NAME": "unused", "SCHEMA_PATH": str(schema)}
    warnings = run_django(tmp_path, RUN_CHECK_ON_GENERATED, ["m2m"], database=database)
    assert warnings == []
    # The check does look at the link table: a schema whose relation is renamed disagrees.
    schema.write_text(M2M_SCHEMA.replace('@relation("Friends")', '@relation("Pals")'))
    warnings = run_django(tmp_path, RUN_CHECK_ON_GENERATED, ["m2m"], database=database)
    assert "table '_Friends' is not in the Prisma schema" in warnings
