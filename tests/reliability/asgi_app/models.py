from django.db import models


class Row(models.Model):
    """Rows written by one load request, identified by its marker."""

    marker = models.CharField(max_length=80, db_index=True)
    seq = models.IntegerField()
    payload = models.TextField()

    class Meta:
        app_label = "asgi_app"
        db_table = "asgi_rows"


class Counter(models.Model):
    name = models.CharField(max_length=80, unique=True)
    value = models.IntegerField(default=0)

    class Meta:
        app_label = "asgi_app"
        db_table = "asgi_counters"
