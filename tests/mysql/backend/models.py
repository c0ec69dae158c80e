"""Models of the MySQL backend tests, in a registry of their own (``Meta.apps``): they never reach
the project's app registry, so the PostgreSQL test database never gets their tables."""

from django.apps.registry import Apps
from django.db import models

mysql_apps = Apps()


class Everything(models.Model):
    """One column of every Django field type whose values the MySQL backend reads and writes."""

    when = models.DateTimeField(null=True)
    day = models.DateField(null=True)
    clock = models.TimeField(null=True)
    duration = models.DurationField(null=True)
    amount = models.DecimalField(max_digits=65, decimal_places=30, null=True)
    big = models.BigIntegerField(null=True)
    positive_big = models.PositiveBigIntegerField(null=True)
    positive = models.PositiveIntegerField(null=True)
    small = models.SmallIntegerField(null=True)
    number = models.FloatField(null=True)
    flag = models.BooleanField(null=True)
    data = models.JSONField(null=True)
    blob = models.BinaryField(null=True)
    uid = models.UUIDField(null=True)
    text = models.CharField(max_length=200, null=True)
    long_text = models.TextField(null=True)

    class Meta:
        apps = mysql_apps
        app_label = "mysqltests"
        db_table = "everything"


class Account(models.Model):
    """Transactions and locking: a balance and a unique name."""

    name = models.CharField(max_length=50, unique=True)
    balance = models.IntegerField(default=0)

    class Meta:
        apps = mysql_apps
        app_label = "mysqltests"
        db_table = "accounts"


class Gauge(models.Model):
    """A PositiveIntegerField key: MySQL makes the key and the foreign keys to it int unsigned."""

    code = models.PositiveIntegerField(primary_key=True)
    label = models.CharField(max_length=20)

    class Meta:
        apps = mysql_apps
        app_label = "mysqltests"
        db_table = "gauges"


class Measurement(models.Model):
    gauge = models.ForeignKey(Gauge, models.CASCADE, related_name="measurements")
    count = models.PositiveIntegerField()

    class Meta:
        apps = mysql_apps
        app_label = "mysqltests"
        db_table = "measurements"


FIELD_MODELS = [Everything, Account, Gauge, Measurement]
