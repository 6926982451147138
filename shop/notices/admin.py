from django.contrib import admin

from shop.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """What went out to whom, and what the provider said (read only)."""

    list_display = ("key", "kind", "phone", "sent_at", "error")
    list_filter = ("kind", "channel")
    search_fields = ("key", "order__number")
    readonly_fields = [field.name for field in Notice._meta.fields]

    def has_add_permission(self, request):
        return False
