"""Sliced select_related queries select their page before joining (``django_prisma.page_first``)
and return exactly the rows of the query Django wrote: every case is compared with the same
query sent as Django writes it (``page_first_joins`` off) on the same data."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef
from django.test.utils import CaptureQueriesContext

from django_prisma.settings import connection_params
from tests.testapp.models import Clinic, Pet, PetProfile, ServiceDog, User, Vet, Visit

pytestmark = pytest.mark.django_db

PAGE_FIRST = ".* FROM "  # the page subquery: SELECT "visits".* FROM "visits" …


@pytest.fixture
def visits():
    owners = User.objects.bulk_create(User(email=f"o{i}@example.com") for i in range(4))
    pets = Pet.objects.bulk_create(
        Pet(name=f"pet {i}", owner=owners[i % 4], species="dog" if i % 3 else "cat")
        for i in range(12)
    )
    PetProfile.objects.bulk_create(PetProfile(pet=pet, bio=f"bio {pet.name}") for pet in pets[:5])
    clinics = Clinic.objects.bulk_create([Clinic(name="north"), Clinic(name="south")])
    vets = Vet.objects.bulk_create(
        [Vet(name="ada", clinic=clinics[0]), Vet(name="bo", clinic=None), Vet(name="cy")]
    )
    Visit.objects.bulk_create(
        Visit(
            pet=pets[i % 12],
            vet=vets[i % 3] if i % 4 else None,
            fee=Decimal(100 + (i * 37) % 50),  # ties, broken by id where the test orders by it
            day=datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 9),
        )
        for i in range(60)
    )


def rows(queryset):
    """Everything the page shows, related objects included, in order."""
    out = []
    for visit in queryset:
        vet = visit.vet
        out.append(
            (
                visit.id,
                visit.fee,
                visit.pet.name,
                visit.pet.owner.email,
                vet and vet.name,
                vet and vet.clinic and vet.clinic.name,
            )
        )
    return out


def as_django_writes_it(make_queryset):
    connection.page_first_joins = False
    try:
        with CaptureQueriesContext(connection) as queries:
            result = make_queryset()
    finally:
        del connection.page_first_joins
    assert all(PAGE_FIRST not in q["sql"] for q in queries.captured_queries)
    return result


def page_first(make_queryset):
    with CaptureQueriesContext(connection) as queries:
        result = make_queryset()
    return result, [q["sql"] for q in queries.captured_queries]


SLICES = [slice(0, 5), slice(3, 9), slice(10, 20), slice(0, 1), slice(55, 70), slice(70, 80)]


@pytest.mark.parametrize("page", SLICES, ids=lambda s: f"{s.start}:{s.stop}")
@pytest.mark.parametrize(
    "ordering", [("-fee", "id"), ("day", "-id"), ("fee",)], ids=lambda o: ",".join(o)
)
def test_page_first_returns_django_rows(visits, page, ordering):
    def make():
        queryset = (
            Visit.objects.select_related("pet__owner", "vet__clinic")
            .filter(fee__gte=105)
            .order_by(*ordering)
        )
        return rows(queryset[page])

    expected = as_django_writes_it(make)
    got, sql = page_first(make)
    if ordering == ("fee",):  # ties without a tie-break: the same fees, any visits among equals
        assert [r[1] for r in got] == [r[1] for r in expected]
    else:
        assert got == expected
    assert len(sql) == 1 and PAGE_FIRST in sql[0]
    assert "INNER JOIN" not in sql[0]  # required joins are checked instead
    assert sql[0].count("LIMIT") == 2


def test_first_and_get_through_a_page(visits):
    def make():
        first = Visit.objects.select_related("pet").order_by("-day", "id").first()
        last = Visit.objects.select_related("pet").order_by("-day", "id").last()
        return (first.id, first.pet.name, last.id, last.pet.name)

    expected = as_django_writes_it(make)
    got, sql = page_first(make)
    assert got == expected
    assert all(PAGE_FIRST in q for q in sql)


def test_a_missing_related_row_sends_the_query_as_django_wrote_it(visits):
    # Inside a transaction a deferred foreign key may point nowhere until COMMIT: Django's INNER
    # JOIN drops that visit; a page chosen before the join would show one row too few.
    with transaction.atomic():
        dangling = Visit.objects.create(
            pet_id=10**9, fee=Decimal("999"), day=datetime.date(2024, 1, 1)
        )

        def make():
            return rows(
                Visit.objects.select_related("pet__owner", "vet__clinic").order_by("-fee", "id")[:5]
            )

        expected = as_django_writes_it(make)
        got, sql = page_first(make)
        transaction.set_rollback(True)
    assert got == expected and len(got) == 5
    assert dangling.id not in [r[0] for r in got]
    assert len(sql) == 2 and PAGE_FIRST in sql[0] and PAGE_FIRST not in sql[1]


def test_nullable_joins_are_not_checked(visits):
    # A visit without a vet is a LEFT OUTER JOIN row in both forms: no second query.
    def make():
        return rows(
            Visit.objects.select_related("pet__owner", "vet__clinic")
            .filter(vet=None)
            .order_by("id")[:4]
        )

    expected = as_django_writes_it(make)
    got, sql = page_first(make)
    assert got == expected and all(r[4] is None for r in got)
    assert len(sql) == 1 and PAGE_FIRST in sql[0]


def test_reverse_one_to_one_and_multi_table_inheritance(visits):
    owner = User.objects.first()
    for i in range(5):
        ServiceDog.objects.create(name=f"dog {i}", owner=owner, task=f"task {4 - i}")

    def make():
        profiles = [
            (p.id, p.name, getattr(p, "profile", None) and p.profile.bio)
            for p in Pet.objects.select_related("profile").order_by("-name", "id")[2:9]
        ]
        dogs = [
            (d.id, d.task, d.name, d.owner.email)
            for d in ServiceDog.objects.select_related("owner").order_by("task")[1:4]
        ]
        return profiles, dogs

    expected = as_django_writes_it(make)
    got, sql = page_first(make)
    assert got == expected
    assert len(sql) == 2 and all(PAGE_FIRST in q for q in sql)


def test_a_table_joined_to_itself(visits):
    # The joined copy of the base table gets an alias (T3): the page subquery takes the base
    # table's own name, and the join refers to both.
    ada, bo, cy = Vet.objects.order_by("name")
    Vet.objects.filter(pk__in=[bo.pk, cy.pk]).update(mentor=ada)

    def make():
        return [
            (
                v.name,
                v.mentor and v.mentor.name,
                v.mentor and v.mentor.clinic and v.mentor.clinic.name,
            )
            for v in Vet.objects.select_related("mentor__clinic").order_by("-name")[:2]
        ]

    expected = as_django_writes_it(make)
    got, sql = page_first(make)
    assert got == expected == [("cy", "ada", "north"), ("bo", "ada", "north")]
    assert len(sql) == 1 and PAGE_FIRST in sql[0]


def test_queries_that_keep_djangos_form(visits):
    base = Visit.objects.select_related("pet")
    cases = {
        "filter on a joined table": lambda: list(base.filter(pet__name="pet 1").order_by("id")[:3]),
        "order by a joined column": lambda: list(base.order_by("pet__name", "id")[:3]),
        "annotation": lambda: list(base.annotate(n=Count("pet__visits")).order_by("id")[:3]),
        "F() of a joined column": lambda: list(
            base.filter(fee__gt=F("pet__owner__id")).order_by("id")[:3]
        ),
        "subquery": lambda: list(
            base.filter(Exists(Pet.objects.filter(pk=OuterRef("pet_id")))).order_by("id")[:3]
        ),
        "extra where": lambda: list(base.extra(where=["visits.fee > 0"]).order_by("id")[:3]),
        "distinct": lambda: list(base.distinct().order_by("id")[:3]),
        "no slice": lambda: list(base.order_by("id")),
        "no ordering": lambda: list(base.order_by()[:3]),
        "no select_related": lambda: list(Visit.objects.order_by("id")[:3]),
        "values": lambda: list(base.values("id", "pet__name").order_by("id")[:3]),
        "iterator": lambda: list(base.order_by("id")[:3].iterator()),
        "exists": lambda: base.order_by("id")[:3].exists(),
        "count": lambda: base.order_by("id")[:3].count(),
    }
    for name, make in cases.items():
        got, sql = page_first(make)
        assert got == as_django_writes_it(make), name
        assert all(PAGE_FIRST not in q for q in sql), name


def test_select_for_update_keeps_djangos_form(visits):
    with transaction.atomic():
        _, sql = page_first(
            lambda: list(Visit.objects.select_related("pet").select_for_update().order_by("id")[:3])
        )
    assert all(PAGE_FIRST not in q for q in sql)


def test_the_option_must_be_a_boolean():
    settings = {"URL": "prisma+postgres://localhost:1/?api_key=k", "OPTIONS": {}}
    settings["OPTIONS"]["page_first_joins"] = False
    assert "page_first_joins" not in connection_params(dict(settings))
    settings["OPTIONS"]["page_first_joins"] = "no"
    with pytest.raises(ImproperlyConfigured, match="page_first_joins"):
        connection_params(dict(settings))
