"""Django's field types on MySQL/MariaDB (no PostgreSQL-only ones), for `prismaschema` on MySQL."""

import datetime
import uuid

from django.db import models
from django.utils import timezone


class Owner(models.Model):
    name = models.CharField(max_length=80, unique=True)


class Everything(models.Model):
    id = models.BigAutoField(primary_key=True)
    char = models.CharField(max_length=40, default="x")
    prisma_string = models.CharField(max_length=191)
    text = models.TextField(null=True, db_column="body")
    slug = models.SlugField()
    email = models.EmailField()
    url = models.URLField()
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    small = models.SmallIntegerField(default=3)
    integer = models.IntegerField(db_index=True)
    big = models.BigIntegerField(null=True)
    positive = models.PositiveIntegerField()
    positive_small = models.PositiveSmallIntegerField(default=1)
    positive_big = models.PositiveBigIntegerField(default=0)
    flt = models.FloatField()
    dec = models.DecimalField(max_digits=12, decimal_places=4)
    flag = models.BooleanField(default=False)
    when = models.DateTimeField(auto_now_add=True)
    touched = models.DateTimeField(auto_now=True)
    created = models.DateTimeField(default=timezone.now)
    day = models.DateField(null=True)
    clock = models.TimeField(null=True)
    lasts = models.DurationField(default=datetime.timedelta(minutes=5))
    blob = models.BinaryField(null=True)
    data = models.JSONField(default=dict)
    ip = models.GenericIPAddressField(null=True)
    upload = models.FileField(max_length=120)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="things")
    editor = models.ForeignKey(Owner, on_delete=models.SET_NULL, null=True, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, related_name="children")
    profile = models.OneToOneField(
        Owner, on_delete=models.CASCADE, related_name="profile_of", db_column="prof"
    )
    watchers = models.ManyToManyField(Owner, related_name="watching")

    class Meta:
        unique_together = [("char", "small")]
        indexes = [models.Index(fields=["flt", "-dec"], name="everything_flt_dec")]


class Tag(models.Model):
    id = models.SmallAutoField(primary_key=True)
    label = models.SlugField(max_length=30, unique=True)
    rank = models.PositiveSmallIntegerField()
    things = models.ManyToManyField(Everything, through="Tagging", related_name="tags_on")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rank", "label"], name="tag_rank_label")]


class Tagging(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    thing = models.ForeignKey(Everything, on_delete=models.CASCADE)
    weight = models.FloatField(default=1.0)
