"""A library that embeds its own PostgreSQL SQL, django-pgtrigger, on django_prisma: triggers
installed with their PL/pgSQL functions ($$ bodies, several statements in one string), read
back from pg_trigger, and ``pgtrigger.ignore``, whose execute wrapper prepends a
transaction-local ``set_config`` to every statement (Django's savepoints too) and resets it
with ``set_config(…, NULL, false)`` when it ends inside a transaction."""

from __future__ import annotations

import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction

from tests.testapp.models import Note

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def protected_notes():
    trigger = pgtrigger.Protect(name="dp_protect_delete", operation=pgtrigger.Delete)
    with trigger.register(Note), trigger.install(Note):
        yield trigger


def _current_ignore() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
        return cursor.fetchone()[0]


def test_installed_triggers_are_read_back_from_the_catalog(protected_notes):
    assert protected_notes.get_installation_status(Note) == ("INSTALLED", True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'notes'::regclass "
            "AND NOT tgisinternal"
        )
        assert cursor.fetchall() == [(protected_notes.get_pgid(Note), "O")]


def test_a_protected_delete_is_refused(protected_notes):
    note = Note.objects.create(text="kept")
    with pytest.raises(DatabaseError, match="Cannot delete rows"):
        note.delete()
    assert Note.objects.filter(pk=note.pk).exists()


def test_ignore_in_autocommit(protected_notes):
    note = Note.objects.create(text="gone")
    with pgtrigger.ignore("testapp.Note:dp_protect_delete"):
        note.delete()
    assert not Note.objects.filter(pk=note.pk).exists()
    with pytest.raises(DatabaseError, match="Cannot delete rows"):
        Note.objects.create(text="kept").delete()


def test_ignore_around_nested_atomic_blocks(protected_notes):
    first, second = Note.objects.create(text="first"), Note.objects.create(text="second")
    with transaction.atomic():
        with pgtrigger.ignore("testapp.Note:dp_protect_delete"):
            with transaction.atomic():  # its SAVEPOINT goes through the wrapper
                first.delete()
            with pytest.raises(DatabaseError), transaction.atomic():
                Note.objects.create(pk=second.pk, text="duplicate")  # ROLLBACK TO, wrapped
            assert _current_ignore() not in (None, "")
        # Ended inside the transaction: reset with set_config('pgtrigger.ignore', NULL, false).
        assert _current_ignore() in (None, "")
        with pytest.raises(DatabaseError, match="Cannot delete rows"), transaction.atomic():
            second.delete()
    assert list(Note.objects.values_list("text", flat=True)) == ["second"]
