"""The tables a Django project on django_prisma.mysql shares with Prisma Client JS
(tests/mysql/schema.prisma maps the same columns)."""

from django.db import models


class Owner(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "interopapp"
        db_table = "interop_owner"


class Item(models.Model):
    owner = models.ForeignKey(Owner, models.CASCADE, related_name="items")
    small = models.IntegerField()
    big = models.BigIntegerField()
    price = models.DecimalField(max_digits=20, decimal_places=6)
    happened = models.DateTimeField()
    title = models.CharField(max_length=200)
    notes = models.TextField(null=True)
    data = models.JSONField(null=True)
    blob = models.BinaryField(null=True)
    flag = models.BooleanField()
    maybe = models.BooleanField(null=True)
    ratio = models.FloatField(null=True)

    class Meta:
        app_label = "interopapp"
        db_table = "interop_item"
