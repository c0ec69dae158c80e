"""A page that runs cached, uncached and transactional queries, with django-debug-toolbar."""

from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path

from django_prisma import CacheStrategy
from tests.testapp.models import User

USERS = CacheStrategy(ttl=600, tags=["users"])


def page(request):
    cached = list(User.objects.with_cache(USERS).order_by("id").values_list("email", flat=True))
    total = User.objects.count()  # no strategy
    with transaction.atomic():
        User.objects.create(email=f"visit{total}@example.com")
        # a strategy inside a transaction is ignored: the read must see the write
        inside = User.objects.with_cache(USERS).filter(email__startswith="visit").count()
    after = User.objects.filter(email__startswith="visit").exists()
    body = f"<html><body><p>{len(cached)} {total} {inside} {after}</p></body></html>"
    return HttpResponse(body)


def show_toolbar(request):
    return True


urlpatterns = [
    path("page/", page),
    path("__debug__/", include("debug_toolbar.urls")),
]
