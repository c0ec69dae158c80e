"""django-prisma: the Django database backend for Prisma Postgres and Prisma Accelerate."""

__version__ = "0.1.0"
