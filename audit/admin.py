from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Superusers read the trail; nobody adds, changes or deletes it."""

    list_display = ["at", "actor", "action", "requests", "detail"]
    list_filter = ["action", "at", "actor"]
    search_fields = ["actor"]
    date_hierarchy = "at"
    actions = None

    def get_search_results(self, request, queryset, search_term):
        """A number, or #number, finds the entries about that request."""
        number = search_term.strip().lstrip("#")
        if number.isascii() and number.isdigit() and len(number) < 19:
            return queryset.about_request(number), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Requests")
    def requests(self, entry):
        return ", ".join(f"#{n}" for n in entry.numbers)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
