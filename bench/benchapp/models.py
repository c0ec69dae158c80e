"""The benchmark's tables (no migrations: bench/run.py creates them with the schema editor)."""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2)

    class Meta:
        app_label = "benchapp"
        db_table = "bench_author"


class Book(models.Model):
    title = models.CharField(max_length=200)
    pages = models.IntegerField()
    price = models.DecimalField(max_digits=10, decimal_places=2)
    published = models.DateField()
    author = models.ForeignKey(Author, models.CASCADE, related_name="books")

    class Meta:
        app_label = "benchapp"
        db_table = "bench_book"


class Event(models.Model):
    kind = models.CharField(max_length=20)
    payload = models.CharField(max_length=100)
    value = models.IntegerField()
    created = models.DateTimeField()

    class Meta:
        app_label = "benchapp"
        db_table = "bench_event"
