import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Owner(models.Model):
    name = models.CharField(max_length=80, unique=True)


class Everything(models.Model):
    id = models.BigAutoField(primary_key=True)
    char = models.CharField(max_length=40, default="x")
    text = models.TextField(null=True, db_column="body")
    slug = models.SlugField()
    email = models.EmailField()
    url = models.URLField()
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    small = models.SmallIntegerField(default=3)
    integer = models.IntegerField(db_index=True)
    big = models.BigIntegerField(null=True)
    positive = models.PositiveIntegerField()
    flt = models.FloatField()
    dec = models.DecimalField(max_digits=12, decimal_places=4)
    flag = models.BooleanField(default=False)
    when = models.DateTimeField(auto_now_add=True)
    touched = models.DateTimeField(auto_now=True)
    day = models.DateField(null=True)
    clock = models.TimeField(null=True)
    blob = models.BinaryField(null=True)
    data = models.JSONField(default=dict)
    ip = models.GenericIPAddressField(null=True)
    upload = models.FileField(max_length=120)
    tags = ArrayField(models.CharField(max_length=20), default=list)
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


class Pair(models.Model):
    pk = models.CompositePrimaryKey("left", "right")
    left = models.IntegerField()
    right = models.IntegerField()
    note = models.TextField()
