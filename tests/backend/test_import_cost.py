"""What a project does not use is not imported: a minimal project (no cache settings, no
Prisma schema, no contrib.postgres) runs ``django.setup()`` and a first ORM query in a fresh
interpreter, and the schema tooling, the cache package, contrib.postgres, the page-first
planner and (until the first connection) the driver's HTTP stack stay unimported. Then ``with_cache``,
present on every QuerySet, installs the cache on first use."""

import json
import os
import subprocess
import sys
import textwrap
import uuid

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import django

    def loaded(prefixes):
        return sorted(m for m in sys.modules if m == prefixes or m.startswith(prefixes))

    WATCHED = ("django_prisma.cache", "django_prisma.psl", "django.contrib.postgres",
               "django_prisma.page_first", "django_prisma.dbapi.transport",
               "django_prisma.dbapi.http")
    report = {}
    django.setup()
    report["after_setup"] = [m for p in WATCHED for m in loaded(p)]
    from django.db import connection
    from django.db.models import QuerySet
    from minapp.models import Item

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {Item._meta.db_table} (id bigserial PRIMARY KEY, name text)")
    try:
        Item.objects.create(name="a")
        report["first_query"] = [i.name for i in Item.objects.filter(name="a").order_by("id")[:5]]
        report["after_first_query"] = [m for p in WATCHED for m in loaded(p)]
        report["has_with_cache"] = hasattr(Item.objects.all(), "with_cache") and hasattr(
            Item.objects, "with_cache"
        )
        report["cached_query"] = [i.name for i in Item.objects.with_cache(ttl=60).all()]
        report["cache_installed"] = "django_prisma.cache" in sys.modules and (
            QuerySet.with_cache.__module__ == "django_prisma.cache.queryset"
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {Item._meta.db_table}")
    print(json.dumps(report))
    """
)


def test_minimal_project_imports_only_what_it_uses(executor_server, tmp_path):
    table = f"t_imports_{uuid.uuid4().hex[:10]}"
    (tmp_path / "minapp").mkdir()
    (tmp_path / "minapp" / "__init__.py").write_text("")
    (tmp_path / "minapp" / "models.py").write_text(
        "from django.db import models\n\n\n"
        "class Item(models.Model):\n"
        "    name = models.TextField()\n\n"
        "    class Meta:\n"
        f"        db_table = {table!r}\n"
    )
    (tmp_path / "minsettings.py").write_text(
        "SECRET_KEY = 'x'\nUSE_TZ = True\n"
        f"DATABASES = {{'default': {{'ENGINE': 'django_prisma', 'URL': {executor_server.url!r}}}}}\n"
        "INSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', "
        "'django_prisma', 'minapp']\n"
        "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="minsettings", PYTHONPATH=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["after_setup"] == []
    assert report["first_query"] == ["a"]
    assert set(report["after_first_query"]) == {
        "django_prisma.dbapi.transport",
        "django_prisma.dbapi.http",
    }, report["after_first_query"]
    assert report["has_with_cache"] is True
    assert report["cached_query"] == ["a"]
    assert report["cache_installed"] is True
