"""A small Django ASGI application served by uvicorn in a subprocess for ``test_asgi_load.py``:
async views (ORM through ``sync_to_async``) and sync views (run by Django in threads) on
django_prisma, against an ephemeral executor server the test starts."""
