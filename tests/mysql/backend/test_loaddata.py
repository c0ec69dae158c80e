"""loaddata on django_prisma.mysql: forward references load with foreign key checks off (inside
the transaction only), a dangling reference is found afterwards, and the server connection that
ran it has its checks back on."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connections
from django.db.models.signals import post_save

from tests.mysql.conftest import checks_on_every_pooled_connection
from tests.testapp.models import Pet, User

USING = "mysql"


def fixture_file(tmp_path, owner_of_pet: int):
    # The pet comes first and names its owner, who comes after it: a forward reference.
    records = [
        {"model": "testapp.pet", "pk": 1, "fields": {"name": "Rex", "species": "dog", "owner": owner_of_pet, "born": None}},
        {"model": "testapp.user", "pk": 7, "fields": {"email": "o'neil@example.com", "name": "O'Neil \\ 😀", "created_at": "2024-02-29T23:59:59.999999Z"}},
    ]  # fmt: skip
    path = tmp_path / "forward.json"
    path.write_text(json.dumps(records))
    return path


class ServerConnectionOfPets:
    """The server connection and its @@foreign_key_checks, seen while loaddata saves a pet."""

    def __init__(self):
        self.seen: list[tuple[int, int]] = []

    def __call__(self, sender, instance, raw, using, **kwargs):
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT CAST(CONNECTION_ID() AS SIGNED), @@foreign_key_checks")
            self.seen.append(cursor.fetchone())


@pytest.fixture
def pets_seen():
    watcher = ServerConnectionOfPets()
    post_save.connect(watcher, sender=Pet, weak=False)
    yield watcher
    post_save.disconnect(watcher, sender=Pet)


def test_forward_references_load_and_checks_come_back_on(mydb, mysql_server, tmp_path, pets_seen):
    call_command("loaddata", str(fixture_file(tmp_path, 7)), database=USING, verbosity=0)
    pet = Pet.objects.using(USING).select_related("owner").get()
    assert (pet.name, pet.owner.email, pet.owner.name) == (
        "Rex",
        "o'neil@example.com",
        "O'Neil \\ 😀",
    )
    assert pet.owner.created_at.microsecond == 999999
    ((connection_id, checks_while_loading),) = pets_seen.seen
    assert checks_while_loading == 0
    assert checks_on_every_pooled_connection(mysql_server, connection_id) == 1
    assert not connections[USING].in_atomic_block


def test_a_dangling_reference_is_refused_and_nothing_is_loaded(
    mydb, mysql_server, tmp_path, pets_seen
):
    with pytest.raises(IntegrityError) as raised:
        call_command("loaddata", str(fixture_file(tmp_path, 8)), database=USING, verbosity=0)
    assert "pets" in str(raised.value) and "owner_id" in str(raised.value)
    assert Pet.objects.using(USING).count() == 0 and User.objects.using(USING).count() == 0
    ((connection_id, _),) = pets_seen.seen
    assert checks_on_every_pooled_connection(mysql_server, connection_id) == 1
    # The connection goes on working, with checks on.
    with pytest.raises(IntegrityError):
        Pet.objects.using(USING).create(name="orphan", owner_id=404)


@pytest.mark.parametrize("reset_sequences", [False, True], ids=["DELETE", "TRUNCATE"])
def test_flush_empties_referencing_tables_and_checks_come_back_on(
    mydb, mysql_server, reset_sequences
):
    from django.core.management.color import no_style

    owner = User.objects.using(USING).create(email="a@example.com")
    Pet.objects.using(USING).create(name="Rex", owner=owner)
    connection = connections[USING]
    tables = ["users", "pets"]  # the referenced table first: only with checks off
    # Django's MySQL flush: SET FOREIGN_KEY_CHECKS = 0, DELETE or TRUNCATE each, SET … = 1.
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=reset_sequences)
    assert statements[0] == "SET FOREIGN_KEY_CHECKS = 0;"
    connection.ops.execute_sql_flush(statements)
    assert (User.objects.using(USING).count(), Pet.objects.using(USING).count()) == (0, 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(CONNECTION_ID() AS SIGNED), @@foreign_key_checks")
        connection_id, checks = cursor.fetchone()
    assert checks == 1
    assert checks_on_every_pooled_connection(mysql_server, connection_id) == 1
    again = User.objects.using(USING).create(email="b@example.com")
    assert (again.pk == 1) is reset_sequences
