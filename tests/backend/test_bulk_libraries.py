"""A library that builds its SQL with psycopg's libpq escaping, django-pgbulk, on django_prisma:
``pq.Escaping(cursor.connection.pgconn)`` quotes its identifiers, ``col.name`` reads the
description; upserts and bulk updates give the rows and statuses they give on psycopg."""

from __future__ import annotations

import pgbulk
import psycopg
import pytest
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from psycopg import pq

from tests.testapp.models import User

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = ["plain", 'with "quotes"', "ünï côdé 🐘", "semi;colon", "back\\slash", "UPPER"]


def test_libpq_escaping_with_the_drivers_handle_is_psycopgs():
    connection.ensure_connection()
    ours = pq.Escaping(connection.connection.pgconn)
    database = connection.settings_dict["TEST"]["POSTGRES_URL"]
    with psycopg.connect(database) as native:
        theirs = pq.Escaping(native.pgconn)
        for name in NAMES:
            assert ours.escape_identifier(name.encode()) == theirs.escape_identifier(name.encode())
            literal = ours.escape_literal(name.encode()).decode()
            assert native.execute(f"SELECT {literal}").fetchone() == (name,)
    assert connection.connection.pgconn.status == pq.ConnStatus.BAD  # it never connects


def test_upsert_creates_and_updates_with_returned_statuses():
    User.objects.create(email="kept@example.com", name="old")
    result = pgbulk.upsert(
        User,
        [
            User(email="kept@example.com", name="new"),
            User(email="added@example.com", name="added"),
        ],
        ["email"],
        ["name"],
        returning=["email", "name"],
    )
    assert sorted((row.email, row.name) for row in result.updated) == [("kept@example.com", "new")]
    assert sorted((row.email, row.name) for row in result.created) == [
        ("added@example.com", "added")
    ]
    assert dict(User.objects.values_list("email", "name")) == {
        "kept@example.com": "new",
        "added@example.com": "added",
    }


def test_bulk_update_inside_atomic_rolls_back_with_it():
    users = [User.objects.create(email=f"u{i}@example.com", name=f"n{i}") for i in range(3)]
    for user in users:
        user.name = user.name.upper()
    with pytest.raises(RuntimeError), transaction.atomic():
        pgbulk.update(User, users, ["name"])
        assert sorted(User.objects.values_list("name", flat=True)) == ["N0", "N1", "N2"]
        raise RuntimeError("roll back")
    assert sorted(User.objects.values_list("name", flat=True)) == ["n0", "n1", "n2"]
    pgbulk.update(User, users, ["name"])
    assert sorted(User.objects.values_list("name", flat=True)) == ["N0", "N1", "N2"]


def test_upsert_with_an_update_expression():
    User.objects.create(email="x@example.com", name="it's")
    expression = Concat(F("name"), Value(" again"))
    pgbulk.upsert(
        User,
        [User(email="x@example.com", name="ignored"), User(email="y@example.com", name="y")],
        ["email"],
        [pgbulk.UpdateField("name", expression=expression)],
    )
    assert dict(User.objects.values_list("email", "name")) == {
        "x@example.com": "it's again",
        "y@example.com": "y",
    }
