"""``ENGINE: "django_prisma.mysql"``: Django's MySQL backend over Prisma's HTTP protocol, for a
Prisma server (Accelerate, or a local executor) in front of MySQL or MariaDB."""
