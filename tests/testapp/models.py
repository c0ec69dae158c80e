"""Models shared by the backend and cache tests (the proof of concept's User/Pet schema)."""

from django.db import models


class User(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=100, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "users"


class Pet(models.Model):
    name = models.CharField(max_length=100)
    species = models.CharField(max_length=50, default="cat")
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pets")
    born = models.DateField(null=True)

    class Meta:
        db_table = "pets"


class Toy(models.Model):
    """Cache tests: many-to-many writes must invalidate the through table's tag."""

    name = models.CharField(max_length=100)
    pets = models.ManyToManyField(Pet, related_name="toys")

    class Meta:
        db_table = "toys"


def _prisma_manager():
    from django_prisma.cache import PrismaManager

    return PrismaManager()


class Note(models.Model):
    """Cache tests: a model that opts in explicitly with ``objects = PrismaManager()``."""

    text = models.CharField(max_length=100)
    objects = _prisma_manager()

    class Meta:
        db_table = "notes"


class Clinic(models.Model):
    """Paged select_related tests (``page_first``): a chain of nullable and required joins."""

    name = models.CharField(max_length=100)

    class Meta:
        db_table = "clinics"


class Vet(models.Model):
    name = models.CharField(max_length=100)
    clinic = models.ForeignKey(Clinic, models.SET_NULL, null=True, related_name="vets")
    mentor = models.ForeignKey("self", models.SET_NULL, null=True, related_name="mentees")

    class Meta:
        db_table = "vets"


class Visit(models.Model):
    pet = models.ForeignKey(Pet, models.CASCADE, related_name="visits")
    vet = models.ForeignKey(Vet, models.SET_NULL, null=True, related_name="visits")
    fee = models.DecimalField(max_digits=8, decimal_places=2)
    day = models.DateField()

    class Meta:
        db_table = "visits"


class PetProfile(models.Model):
    pet = models.OneToOneField(Pet, models.CASCADE, related_name="profile")
    bio = models.CharField(max_length=100)

    class Meta:
        db_table = "pet_profiles"


class ServiceDog(Pet):
    task = models.CharField(max_length=100)

    class Meta:
        db_table = "service_dogs"


class Reading(models.Model):
    """Raw SQL tests: types the executor returns inexactly or not at all."""

    duration = models.DurationField(null=True)
    value = models.FloatField(null=True)
    data = models.JSONField(null=True)
    taken = models.DateTimeField(null=True)

    class Meta:
        db_table = "readings"
