import pytest
from django.db import connection, transaction

from tests.testapp.models import Pet, User

pytestmark = pytest.mark.django_db


def test_create_filter_join_aggregate():
    alice = User.objects.create(email="alice@example.com", name="Alice")
    Pet.objects.create(name="Tom", owner=alice)
    Pet.objects.create(name="Rex", species="dog", owner=alice)
    assert list(
        Pet.objects.filter(owner__name="Alice").order_by("name").values_list("name", flat=True)
    ) == ["Rex", "Tom"]
    from django.db.models import Count

    assert User.objects.annotate(n=Count("pets")).get().n == 2
    assert connection.vendor == "postgresql"


def test_atomic_rollback():
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create(email="bob@example.com")
        raise RuntimeError("roll back")
    assert not User.objects.filter(email="bob@example.com").exists()


def test_test_database_transactions_may_last_as_long_as_a_test_class():
    # pytest-django's test database comes from creation.py, which lifts the default timeout.
    assert connection.settings_dict["OPTIONS"]["transaction_timeout"] == 3_600_000
    assert connection.connection is None or connection.connection.transaction_timeout == 3_600_000
