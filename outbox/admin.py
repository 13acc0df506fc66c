from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import services
from .models import Email, EmailPreference, EmailTemplate, KindSetting


class LongList:
    """For the admin's lists that grow with the association (emails, members, opt-ins,
    pairs…): 50 rows a page, and no second count of every row for "50 of 10,000" — the
    filtered count is enough, and the full one costs a scan of the table on each page.
    Here, at the bottom, so that the outbox's list has it too (members, pairs and matching
    import it from here)."""

    list_per_page = 50
    show_full_result_count = False

    def action_checkbox(self, obj) -> str:
        """Django's checkbox of a row, the same markup, written out: through the form renderer's
        templates, 50 of them were a fifth of a page (46 ms -> 36 for the opt-ins at 10,000 members)."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class _ListWithoutBodies(ChangeList):
    """The list of emails without their bodies and the mail server's answers: 50 rows of
    every column read two texts of kilobytes each that the list never shows."""

    def apply_select_related(self, qs):
        return super().apply_select_related(qs).defer(*EmailAdmin.BODIES, *EmailAdmin.RAW)


@admin.register(Email)
class EmailAdmin(LongList, admin.ModelAdmin):
    list_display = ("subject", "to", "kind", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state", "kind", "is_test")
    search_fields = ("to", "subject", "key")
    readonly_fields = [f.name for f in Email._meta.fields] + ["answer_in_words"]
    actions = ["resend"]

    # An account email's body holds a confirmation key or a password-reset link
    # (Email.body_is_secret): the committee, which reads this admin, never sees it.
    BODIES = ("body_text", "body_html")
    # The mail server's answer as Python gave it is for site admins; the committee reads it
    # in plain words (`answer_in_words`).
    RAW = ("last_error",)

    def has_add_permission(self, request):
        return False

    def get_changelist(self, request, **kwargs):
        return _ListWithoutBodies

    @admin.display(description="The mail server's answer")
    def answer_in_words(self, obj):
        return obj.answer_in_words or "—"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        hidden = self.RAW + (self.BODIES if obj is not None and obj.body_is_secret else ())
        return [f for f in fields if f not in hidden]

    def lookup_allowed(self, lookup, value, request):
        if lookup.split("__")[0] in self.BODIES + self.RAW and not request.user.is_superuser:
            # `?body_text__contains=…` would say which rows' body holds some text: a reset
            # link, a few letters at a time.
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.action(description="Send the selected emails again (unless sent)")
    def resend(self, request, queryset):
        done = services.email_requeue(email_ids=list(queryset.exclude(state="sent").values_list("pk", flat=True)))
        self.message_user(request, f"{done} email(s) queued again.")


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    """The committee's versions of each wording, as a record: they are written on the site
    (Committee → Emails) and never changed, so here they are only read."""

    list_display = ("kind", "cycle", "version", "follows_default", "saved_by", "saved_at")
    list_filter = ("kind", "follows_default")
    search_fields = ("subject", "body")
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an email may point at any version


@admin.register(KindSetting)
class KindSettingAdmin(admin.ModelAdmin):
    list_display = ("kind", "sending", "hidden_placeholders", "changed_by", "changed_at")


@admin.register(EmailPreference)
class EmailPreferenceAdmin(LongList, admin.ModelAdmin):
    """Members' own choices: site admins only (a member changes theirs on My membership)."""

    list_display = ("member", "kind", "receives", "changed_how", "changed_at")
    list_filter = ("kind", "receives")
    raw_id_fields = ("member",)
    readonly_fields = ("changes",)
