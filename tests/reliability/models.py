"""A model with one column of every field type the property tests round-trip."""

from django.db import models


class Value(models.Model):
    text = models.TextField(null=True)
    char = models.CharField(max_length=300, null=True)
    small = models.SmallIntegerField(null=True)
    integer = models.IntegerField(null=True)
    big = models.BigIntegerField(null=True)
    dec = models.DecimalField(max_digits=65, decimal_places=30, null=True)
    flt = models.FloatField(null=True)
    flag = models.BooleanField(null=True)
    day = models.DateField(null=True)
    moment = models.DateTimeField(null=True)
    clock = models.TimeField(null=True)
    span = models.DurationField(null=True)
    blob = models.BinaryField(null=True)
    uid = models.UUIDField(null=True)
    data = models.JSONField(null=True)
    ip = models.GenericIPAddressField(null=True)

    class Meta:
        app_label = "testapp"
        db_table = "reliability_values"
