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

    # An account email's body holds a confirmation key or a password-reset link
    # (Email.body_is_secret): the committee, which reads this admin, never sees it.
    BODIES = ("body_text", "body_html")

    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.body_is_secret and not request.user.is_superuser:
            return [f for f in fields if f not in self.BODIES]
        return fields

    def lookup_allowed(self, lookup, value, request):
        if lookup.split("__")[0] in self.BODIES and not request.user.is_superuser:
            # `?body_text__contains=…` would say which rows' body holds some text: a reset
            # link, a few letters at a time.
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.action(description="Send the selected emails again (unless sent)")
    def resend(self, request, queryset):
        done = 0
        for email in queryset.exclude(state="sent"):
            services.email_resend(email=email)
            done += 1
        self.message_user(request, f"{done} email(s) queued again.")
