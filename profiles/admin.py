"""The Django admin, for national administrators (is_staff, MFA enforced by middleware)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from profiles.models import (
    AdministrativeUnit,
    CitizenProfile,
    Membership,
    Organization,
    RegionalAdminScope,
    User,
)
from profiles.phone import phone_lookup_key


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "preferred_language", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "public_id"]
    readonly_fields = ["public_id", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id", "preferred_language")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    list_filter = ["is_staff", "is_active", "preferred_language"]


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "residence_ward", "national_id_last4"]
    search_fields = ["full_name", "user__email", "phone"]
    raw_id_fields = ["user", "residence_ward"]
    readonly_fields = ["national_id_last4"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CitizenProfile], search_term: str
    ) -> tuple[QuerySet[CitizenProfile], bool]:
        """Also find a profile by its phone typed in any accepted form ("0912 345 678")."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        e164 = phone_lookup_key(search_term) if search_term.strip() else None
        if e164 is not None:
            results = results | queryset.filter(phone=e164)
        return results, may_have_duplicates


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["search_text", "name", "code"]
    raw_id_fields = ["parent"]


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ward", "is_approved"]
    list_filter = ["kind", "is_approved"]
    search_fields = ["name", "slug"]
    raw_id_fields = ["ward"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(RegionalAdminScope)
class RegionalAdminScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "unit"]
    raw_id_fields = ["user", "unit"]
