"""Run by Django's test runner in a subprocess: while test databases are in use, nothing reaches
the configured database — not a copy of its settings, not a mirror of an alias the run did not
set up."""

import copy

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ConnectionHandler
from django.test import TransactionTestCase


class NothingReachesTheConfiguredDatabase(TransactionTestCase):
    databases = {"default", "orphan_mirror"}

    def test_a_copy_of_the_configured_settings_is_refused(self):
        handler = ConnectionHandler({"default": copy.deepcopy(settings.DATABASES["stray"])})
        with self.assertRaisesMessage(ImproperlyConfigured, "configured database of alias"):
            handler["default"].ensure_connection()

    def test_a_mirror_of_an_alias_without_test_database_is_refused(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "configured database of alias"):
            Group.objects.using("orphan_mirror").create(name="leak")

    def test_the_primary_is_the_test_database(self):
        Group.objects.create(name="in-test-database")
        self.assertEqual(list(Group.objects.values_list("name", flat=True)), ["in-test-database"])
