"""example/schema.prisma as Django models."""

from django.db import models


class User(models.Model):
    email = models.CharField(max_length=254, unique=True)
    name = models.CharField(max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "users"

    def __str__(self):
        return self.name or self.email


class Pet(models.Model):
    name = models.CharField(max_length=100)
    species = models.CharField(max_length=50, default="cat")
    born = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pets")

    class Meta:
        db_table = "pets"

    def __str__(self):
        return f"{self.name} ({self.species})"
