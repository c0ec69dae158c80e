"""The proof of concept's round trip, with no hand edits:
migrate Django's contrib apps -> real `prisma db pull` -> generated models -> Django reads and writes.
Needs local PostgreSQL (127.0.0.1:5432, user postgres) and node for the Prisma oracle.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest

from django_prisma.psl import parse_schema
from django_prisma.psl.schema_to_models import generate_models

from .corpus import prisma_cli
from .django_project import run_django, write_app
from .regenerated_apps import makemigrations_check, regenerate

CONTRIB = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
]
PG = {"HOST": "127.0.0.1", "PORT": "5432", "USER": "postgres"}

SEED = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import Group, Permission, User
from django.contrib.admin.models import LogEntry, ADDITION
from django.contrib.contenttypes.models import ContentType
user = User.objects.create_user("alice", "alice@example.com", "pw")
group = Group.objects.create(name="editors")
group.permissions.add(Permission.objects.get(codename="add_user"))
user.groups.add(group)
user.user_permissions.add(Permission.objects.get(codename="change_group"))
LogEntry.objects.create(user=user, content_type=ContentType.objects.get_for_model(User),
                        object_id=str(user.pk), object_repr="alice", action_flag=ADDITION)
result = True
"""

COMPARE = """
from django.apps import apps
from django.db import connection
from django.contrib.auth.models import Group, Permission, User
pulled = {m._meta.db_table: m for m in apps.get_app_config("pulled").get_models()}
mismatches = []
compared = 0
for model in apps.get_models(include_auto_created=True):
    if model._meta.app_label == "pulled" or model._meta.db_table not in pulled:
        continue
    mine = pulled[model._meta.db_table]
    for field in model._meta.local_fields:
        compared += 1
        try:
            other = mine._meta.get_field(field.name)
        except Exception:
            mismatches.append(f"{model._meta.db_table}: no field {field.name}")
            continue
        got = (other.column, other.db_type(connection), other.null, other.is_relation and other.related_model._meta.db_table)
        want = (field.column, field.db_type(connection), field.null, field.is_relation and field.related_model._meta.db_table)
        if got != want:
            mismatches.append(f"{model._meta.db_table}.{field.name}: {got} != {want}")
Perm = pulled["auth_permission"]
UserGroups = pulled["auth_user_groups"]
LogEntry = pulled["django_admin_log"]
GroupPerms = pulled["auth_group_permissions"]
PulledGroup = pulled["auth_group"]
reads = {
    "permissions": Perm.objects.count() == Permission.objects.count(),
    "content_type": Perm.objects.get(codename="add_user").content_type.model == "user",
    "user": UserGroups.objects.get().user.username == "alice",
    "group": UserGroups.objects.get().group.name == "editors",
    "permission": GroupPerms.objects.get().permission.codename == "add_user",
    "log": LogEntry.objects.get().user.username == "alice",
}
PulledGroup.objects.create(name="written-by-generated-models")
reads["write"] = Group.objects.filter(name="written-by-generated-models").exists()
result = {"mismatches": mismatches, "compared": compared, "reads": reads}
"""


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", PG["HOST"], "-U", PG["USER"], "-d", "postgres", "-c", sql],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def database():
    if not shutil.which("psql"):
        pytest.skip("psql not installed")
    probe = subprocess.run(
        ["psql", "-h", PG["HOST"], "-U", PG["USER"], "-c", "select 1"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("no PostgreSQL at 127.0.0.1:5432 (user postgres)")
    name = f"psl_roundtrip_{uuid.uuid4().hex[:10]}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prisma_db_pull(url: str, schema_text: str) -> str:
    """Real `prisma db pull --print` through the oracle's schema-engine stand-in."""
    proc = prisma_cli(schema_text, url, "db", "pull", "--print")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_migrate_pull_generate_read_and_write(database, tmp_path):
    settings_db = {"ENGINE": "django.db.backends.postgresql", "NAME": database, **PG}
    run_django(tmp_path, SEED, CONTRIB, database=settings_db)
    pulled = prisma_db_pull(
        f"postgres://{PG['USER']}@{PG['HOST']}:{PG['PORT']}/{database}",
        'datasource db {\n  provider = "postgresql"\n}\n',
    )
    schema = parse_schema(pulled, "pulled.prisma")
    # Prisma names the relation after the table; the generated models must not.
    assert schema.model("auth_permission").field("django_content_type") is not None
    source = generate_models(schema)
    assert "content_type = models.ForeignKey(" in source
    write_app(tmp_path, "pulled", source)
    result = run_django(tmp_path, COMPARE, [*CONTRIB, "pulled"], database=settings_db)
    assert result["compared"] > 30
    assert result["mismatches"] == []
    assert result["reads"] == dict.fromkeys(result["reads"], True)


WRITE_SCHEMA = """
from django.core.management import call_command
call_command("prismaschema", "contenttypes", "auth", "admin", "sessions", output={output!r})
result = True
"""


def test_pull_into_prismaschema_output_keeps_django_names(database, tmp_path):
    settings_db = {"ENGINE": "django.db.backends.postgresql", "NAME": database, **PG}
    run_django(
        tmp_path,
        "from django.core.management import call_command\ncall_command('migrate', verbosity=0)\nresult = 1",
        CONTRIB,
        database=settings_db,
    )
    output = tmp_path / "schema.prisma"
    run_django(
        tmp_path,
        WRITE_SCHEMA.format(output=str(output)),
        [*CONTRIB, "django_prisma"],
        database=settings_db,
    )
    pulled_text = prisma_db_pull(
        f"postgres://{PG['USER']}@{PG['HOST']}:{PG['PORT']}/{database}", output.read_text()
    )
    pulled = parse_schema(pulled_text)
    permission = pulled.model("Permission")
    assert permission is not None and permission.db_name == "auth_permission"
    assert permission.field("content_type").type == "ContentType"
    assert pulled.model("User_groups").field("user").type == "User"
    # The pull keeps the `/// @django` annotations, so the models regenerated from it need no migration.
    labels = ["contenttypes", "auth", "admin", "sessions"]
    check = makemigrations_check(tmp_path, regenerate(tmp_path, pulled_text, labels), labels)
    assert check["code"] == 0 and "No changes detected" in check["output"], check["output"]
