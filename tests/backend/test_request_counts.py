"""How many HTTP requests Django's transaction bookkeeping costs: counted, never timed.

An ``atomic()`` block of N statements is at most N + 2 requests (start, statements, commit)
however deeply its savepoints nest: SAVEPOINT / RELEASE SAVEPOINT ride with the next statement,
or vanish when nothing ran between them. ``bulk_create`` of 1,000 rows is one INSERT.
"""

import django
import pytest
from django.db import IntegrityError, connection, transaction

from tests.testapp.models import Pet, User

pytestmark = pytest.mark.django_db(transaction=True)


def requests_sent() -> int:
    connection.ensure_connection()
    return connection.connection.transport.requests_sent


def test_atomic_block_with_nested_savepoints_costs_n_plus_2_requests():
    owner = User.objects.create(email="owner@example.com")
    before = requests_sent()
    with transaction.atomic():
        User.objects.create(email="a@example.com")  # 1
        with transaction.atomic():
            Pet.objects.create(name="Tom", owner=owner)  # 2
            with transaction.atomic():
                Pet.objects.filter(name="Tom").update(species="dog")  # 3
                with transaction.atomic():
                    pass  # nothing ran inside: SAVEPOINT and RELEASE vanish
        with transaction.atomic():
            n = Pet.objects.count()  # 4
        with transaction.atomic(), transaction.atomic():
            names = list(Pet.objects.values_list("species", flat=True))  # 5
    assert requests_sent() - before <= 5 + 2
    assert n == 1 and names == ["dog"]
    assert User.objects.filter(email="a@example.com").exists()


def test_rollback_to_a_held_savepoint_after_an_error_still_recovers():
    User.objects.create(email="taken@example.com")
    with transaction.atomic():
        User.objects.create(email="kept@example.com")
        with pytest.raises(IntegrityError), transaction.atomic():
            with transaction.atomic():
                User.objects.create(email="taken@example.com")
        with pytest.raises(ValueError), transaction.atomic():
            User.objects.create(email="undone@example.com")
            raise ValueError("roll back to the savepoint")
        User.objects.create(email="after@example.com")
    assert set(User.objects.values_list("email", flat=True)) == {
        "taken@example.com",
        "kept@example.com",
        "after@example.com",
    }


def test_savepoint_rolled_back_before_anything_ran_changes_nothing():
    with transaction.atomic():
        User.objects.create(email="first@example.com")
        with pytest.raises(ValueError), transaction.atomic():
            raise ValueError("nothing ran inside")
        User.objects.create(email="second@example.com")
    assert User.objects.count() == 2


def test_bulk_create_of_1000_rows_is_one_insert_in_three_requests():
    from django.test.utils import CaptureQueriesContext

    before = requests_sent()
    with CaptureQueriesContext(connection) as queries:
        users = User.objects.bulk_create(User(email=f"u{i}@example.com") for i in range(1000))
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    # Django 5.2 wraps it in a transaction (start, the INSERT … RETURNING, commit); Django 6
    # sends a single batch on its own.
    assert requests_sent() - before == (3 if django.VERSION < (6,) else 1)
    assert len({u.pk for u in users}) == 1000
    assert User.objects.count() == 1000
