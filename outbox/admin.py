from django.contrib import admin

from . import services
from .models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "kind", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state", "kind")
    search_fields = ("to", "subject", "key")
    readonly_fields = [f.name for f in Email._meta.fields]
    actions = ["resend"]
    # Ten thousand rows a year: 50 a page, and no second count of the whole table per page
    # (the same as members.admin.LongList, which this app, at the bottom, cannot import).
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send the selected emails again (unless sent)")
    def resend(self, request, queryset):
        done = 0
        for email in queryset.exclude(state="sent"):
            services.email_resend(email=email)
            done += 1
        self.message_user(request, f"{done} email(s) queued again.")
