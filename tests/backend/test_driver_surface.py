"""What Django and psycopg-minded code read off django_prisma's driver through Django: the server
version (one cached request), errors that are psycopg's classes behind Django's."""

import psycopg
import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from tests.testapp.models import Pet, User

pytestmark = pytest.mark.django_db(transaction=True)


def test_pg_version_is_the_servers():
    with psycopg.connect(settings.DATABASES["default"]["TEST"]["POSTGRES_URL"]) as pg:
        expected = pg.info.server_version
    connection.__dict__.pop("pg_version", None)  # a cached_property: ask again
    assert connection.pg_version == expected
    assert connection.get_database_version()[0] == expected // 10000
    # asked again (the server is known to this process): no request
    connection.ensure_connection()
    before = connection.connection.transport.requests_sent
    connection.__dict__.pop("pg_version", None)
    assert connection.pg_version == expected
    assert connection.connection.transport.requests_sent == before


@pytest.fixture
def replay_errors(request):
    """OPTIONS["replay_errors"] on the open driver connection for one test."""
    connection.ensure_connection()
    driver = connection.connection
    driver.replay_errors = getattr(request, "param", True)
    yield driver.replay_errors
    driver.replay_errors = False


@pytest.mark.parametrize("replay_errors", [False, True], indirect=True)
@pytest.mark.parametrize("in_atomic", [False, True])
def test_integrity_error_wraps_psycopgs_class_with_the_whole_report(in_atomic, replay_errors):
    User.objects.create(email="taken@example.com")
    with pytest.raises(IntegrityError) as info:
        if in_atomic:
            with transaction.atomic():
                User.objects.create(email="taken@example.com")
        else:
            User.objects.create(email="taken@example.com")
    cause = info.value.__cause__
    assert isinstance(cause, psycopg.errors.UniqueViolation)
    assert cause.diag.constraint_name == "users_email_key"
    assert cause.diag.sqlstate == "23505"
    if not in_atomic and replay_errors:  # outside a transaction, replayed whole when asked
        assert cause.diag.message_detail == "Key (email)=(taken@example.com) already exists."
        assert cause.diag.table_name == "users"
        assert str(info.value) == str(cause)
    else:  # nothing runs twice: the key is what the server did not send
        assert cause.diag.message_detail is None


def test_deferred_foreign_key_at_commit_names_table_and_constraint(replay_errors):
    owner = User.objects.create(email="owner@example.com")
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        Pet.objects.create(name="Tom", owner=owner)
        Pet.objects.create(name="Ghost", owner_id=424242)
    cause = info.value.__cause__
    assert isinstance(cause, psycopg.errors.ForeignKeyViolation)
    assert cause.diag.table_name == Pet._meta.db_table
    assert cause.diag.constraint_name.startswith(f"{Pet._meta.db_table}_owner_id_")
    assert "Key (owner_id)=(424242) is not present" in str(info.value)
    assert not Pet.objects.exists()
