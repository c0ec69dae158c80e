from django.contrib import admin

from .models import Pet, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "created_at"]
    search_fields = ["email", "name"]


@admin.register(Pet)
class PetAdmin(admin.ModelAdmin):
    list_display = ["name", "species", "owner", "born"]
    list_filter = ["species"]
    list_select_related = ["owner"]
