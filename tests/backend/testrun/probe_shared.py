"""Run by Django's test runner in a subprocess: a mirror and an alias configured like the
primary share the primary's test database, as with Django's PostgreSQL backend."""

from django.contrib.auth.models import Group
from django.test import TransactionTestCase


def names(alias):
    return sorted(Group.objects.using(alias).values_list("name", flat=True))


class SharedTestDatabase(TransactionTestCase):
    databases = {"default", "replica", "twin"}

    def test_written_through_the_mirror_read_through_the_primary(self):
        Group.objects.using("replica").create(name="through-replica")
        self.assertEqual(names("default"), ["through-replica"])

    def test_written_through_the_primary_read_through_the_mirror(self):
        Group.objects.using("default").create(name="through-default")
        self.assertEqual(names("replica"), ["through-default"])

    def test_aliases_configured_alike_share_one_test_database(self):
        Group.objects.using("twin").create(name="through-twin")
        self.assertEqual(names("default"), ["through-twin"])
        Group.objects.using("default").create(name="through-default")
        self.assertEqual(names("twin"), ["through-default", "through-twin"])
