from django.contrib import admin

from .models import Pet, User

admin.site.register(User)
admin.site.register(Pet)
