"""Django's transactions and writes on django_prisma.mysql: atomic() commit and rollback, nested
savepoints, a failed statement inside atomic() and carrying on as MySQL allows, select_for_update,
and the row counts Django's save() relies on."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connections, transaction
from django.db.models import F

from .models import Account, Everything

USING = "mysql"


def names() -> list[str]:
    return list(Account.objects.using(USING).order_by("name").values_list("name", flat=True))


def test_atomic_commits_and_rolls_back(mydb):
    with transaction.atomic(using=USING):
        Account.objects.using(USING).create(name="kept")
    with pytest.raises(RuntimeError), transaction.atomic(using=USING):
        Account.objects.using(USING).create(name="undone")
        assert "undone" in names(), "visible inside the transaction"
        raise RuntimeError
    assert names() == ["kept"]


def test_nested_savepoints(mydb):
    with transaction.atomic(using=USING):
        Account.objects.using(USING).create(name="outer")
        with transaction.atomic(using=USING):
            Account.objects.using(USING).create(name="inner kept")
        with pytest.raises(ValueError), transaction.atomic(using=USING):
            Account.objects.using(USING).create(name="inner undone")
            with transaction.atomic(using=USING):
                Account.objects.using(USING).create(name="innermost")
            raise ValueError
        sid = transaction.savepoint(using=USING)
        Account.objects.using(USING).create(name="manual")
        transaction.savepoint_rollback(sid, using=USING)
    assert names() == ["inner kept", "outer"]


def test_a_failed_statement_in_a_savepoint_then_carrying_on(mydb):
    with transaction.atomic(using=USING):
        Account.objects.using(USING).create(name="a")
        with pytest.raises(IntegrityError), transaction.atomic(using=USING):
            Account.objects.using(USING).create(name="a")
        Account.objects.using(USING).create(name="b")
    assert names() == ["a", "b"]


def test_a_failed_statement_without_a_savepoint_leaves_mysqls_transaction_usable(mydb):
    # MySQL rolls back the failed statement only; with durable savepoints off, Django lets the
    # transaction go on, and its other writes commit.
    with transaction.atomic(using=USING, savepoint=False):
        Account.objects.using(USING).create(name="a")
        with pytest.raises(IntegrityError):
            with connections[USING].cursor() as cursor:
                cursor.execute("INSERT INTO accounts (name, balance) VALUES ('a', 1)")
        Account.objects.using(USING).create(name="c")
    assert names() == ["a", "c"]


@pytest.mark.parametrize(
    "values, errno",
    [
        ({"name": None}, 1048),  # NOT NULL
        ({"name": "x" * 51}, 1406),  # too long (strict mode): a DataError, not integrity
    ],
)
def test_database_errors_reach_django_as_its_classes(mydb, values, errno):
    from django.db import DataError

    expected = IntegrityError if errno == 1048 else DataError
    with pytest.raises(expected) as raised:
        Account.objects.using(USING).create(**values)
    assert raised.value.args[0] == errno


def test_check_constraint_and_foreign_key_violations_are_integrity_errors(mydb):
    # MariaDB's CHECK fails with 4025, which MySQL clients raise as an OperationalError and
    # Django's MySQL backend turns into an IntegrityError.
    with connections[USING].cursor() as cursor:
        cursor.execute("CREATE TABLE checked (v int CHECK (v > 0))")
        try:
            with pytest.raises(IntegrityError) as raised:
                cursor.execute("INSERT INTO checked VALUES (%s)", [0])
        finally:
            cursor.execute("DROP TABLE checked")
    assert raised.value.args[0] == 4025
    from tests.testapp.models import Pet

    with pytest.raises(IntegrityError) as raised:
        Pet.objects.using(USING).create(name="orphan", owner_id=404)
    assert raised.value.args[0] == 1452


def test_a_negative_value_in_an_unsigned_column_is_a_data_error(mydb):
    from django.db import DataError

    with pytest.raises(DataError) as raised:
        Everything.objects.using(USING).create(positive=-1)
    assert raised.value.args[0] == 1264  # before MariaDB's CHECK (positive >= 0), as natively


def test_save_of_an_unchanged_row_updates_it_rather_than_inserting(mydb):
    account = Account.objects.using(USING).create(name="same", balance=5)
    account.save(using=USING)  # UPDATE … changes nothing: MySQL matched 1 row
    assert Account.objects.using(USING).count() == 1
    assert Account.objects.using(USING).filter(name="same").update(balance=5) == 1
    assert Account.objects.using(USING).update(balance=F("balance")) == 1
    with pytest.raises(IntegrityError):
        Account.objects.using(USING).create(name="same")


def test_bulk_create_and_ids(mydb):
    created = Account.objects.using(USING).bulk_create([Account(name=f"n{i}") for i in range(5)])
    # MariaDB returns the ids (RETURNING), as Django's MySQL backend asks on MariaDB.
    assert [a.pk for a in created] == list(
        Account.objects.using(USING).order_by("pk").values_list("pk", flat=True)
    )
    created = Account.objects.using(USING).create(name="after")
    assert created.pk == max(a.pk for a in Account.objects.using(USING).all())


def test_select_for_update_blocks_a_second_writer_until_commit(mydb):
    account = Account.objects.using(USING).create(name="locked", balance=0)
    order: list[str] = []

    def second_writer():
        with transaction.atomic(using=USING):
            row = Account.objects.using(USING).select_for_update().get(pk=account.pk)
            order.append("second locked")
            row.balance += 10
            row.save(using=USING)
        connections[USING].close()

    with transaction.atomic(using=USING):
        row = Account.objects.using(USING).select_for_update().get(pk=account.pk)
        writer = threading.Thread(target=second_writer)
        writer.start()
        writer.join(1.5)  # it waits for our lock
        order.append("first commits")
        row.balance += 1
        row.save(using=USING)
    writer.join(60)
    assert order == ["first commits", "second locked"]
    assert Account.objects.using(USING).get(pk=account.pk).balance == 11


def test_select_for_update_outside_a_transaction_is_refused(mydb):
    from django.db import transaction as tx

    with pytest.raises(tx.TransactionManagementError):
        list(Account.objects.using(USING).select_for_update())
