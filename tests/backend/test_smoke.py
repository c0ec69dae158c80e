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
