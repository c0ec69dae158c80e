import datetime
import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


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


class Tag(models.Model):
    """Less common field types and Django-only options that Prisma cannot express."""

    class Colour(models.TextChoices):
        RED = "r", "Red"
        BLUE = "b", "Blue"

    id = models.SmallAutoField(primary_key=True)
    label = models.SlugField(max_length=30, unique=True, verbose_name="label", help_text="a slug")
    colour = models.CharField(max_length=1, choices=Colour.choices, default=Colour.RED, blank=True)
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)], db_comment="1 first")
    huge = models.PositiveBigIntegerField(default=0, editable=False)
    lasts = models.DurationField(default=datetime.timedelta(minutes=5))
    path = models.FilePathField(path="/tmp", null=True)
    picture = models.ImageField(upload_to="tags/", blank=True)
    created = models.DateTimeField(default=timezone.now)
    seen = models.DateTimeField(db_default=Now())
    double = models.GeneratedField(
        expression=models.F("rank") * 2, output_field=models.IntegerField(), db_persist=True
    )
    things = models.ManyToManyField(Everything, through="Tagging", related_name="tags_on")

    class Meta:
        ordering = ["label"]
        verbose_name = "tag"
        db_table_comment = "tags for things"
        constraints = [models.UniqueConstraint(fields=["rank", "colour"], name="tag_rank_colour")]


class Tagging(models.Model):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    thing = models.ForeignKey(Everything, on_delete=models.CASCADE, db_index=False)
    weight = models.FloatField(default=1.0)
