from django.urls import path

from . import views

urlpatterns = [
    path("sync/<str:op>/<str:arg>", views.sync_view),
    path("async/<str:op>/<str:arg>", views.async_view),
    path("observed", views.observed_view),
]
