"""``ENGINE: "django_prisma.prometheus"``: django_prisma with django-prometheus's database
metrics (see base.py)."""
