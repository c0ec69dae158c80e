"""The cache's hooks into Django: only django_prisma connections are affected, user code sees
Django's own execute_wrappers untouched, and a Django that renames a method the cache wraps
fails loudly."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from django_prisma import cache
from django_prisma.cache import queryset as cache_queryset
from django_prisma.cache.wrapper import execute_wrapper


def test_every_method_the_cache_wraps_exists_in_this_django():
    cache.install()
    for name in (*cache_queryset.EVALUATING, *cache_queryset.QUERYSET_WRITES, "iterator"):
        assert name in QuerySet.__dict__, f"QuerySet.{name} is gone: the cache would skip it"
        assert getattr(QuerySet.__dict__[name], "_prisma_cache_wrapped", False), name
    for name in cache_queryset.MODEL_WRITES:
        assert getattr(Model.__dict__[name], "_prisma_cache_wrapped", False), name


def test_a_renamed_method_is_an_error_not_a_silent_skip():
    class Renamed:
        def count(self):
            return 0

    with pytest.raises(RuntimeError, match="Renamed._fetch_all"):
        cache_queryset._wrap(Renamed, "_fetch_all", cache_queryset._evaluating)


def test_djangos_compiler_is_not_patched():
    cache.install()
    assert not getattr(SQLCompiler.execute_sql, "_prisma_cache_wrapped", False)
    assert SQLCompiler.execute_sql.__module__ == "django.db.models.sql.compiler"


@pytest.mark.django_db
def test_the_cache_is_not_among_the_users_execute_wrappers():
    cache.install()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connection.execute_wrappers == []
    assert execute_wrapper in connection.statement_wrappers
    seen = []

    def user_wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(user_wrapper):
        assert connection.execute_wrappers == [user_wrapper]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 2")
            assert cursor.fetchone() == (2,)
    assert seen == ["SELECT 2"]
    assert connection.execute_wrappers == []
