from __future__ import annotations

import logging

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import services
from .models import Email, EmailPreference, EmailTemplate, KindSetting

# --- The admin's lists, for every app's admin.py ------------------------------------------------
# Each list checks the dates in its address (CheckedFilters), and the lists that grow with the
# association are long lists (LongList). Here, at the bottom (the outbox imports only Django),
# so that every app's admin uses them: members, pairs and matching import them from here.

log = logging.getLogger(__name__)

# The parts of a date or a time a lookup in a list's address can name (`?created_at__year=…`).
DATE_PARTS = frozenset(
    ("year", "iso_year", "quarter", "month", "week", "week_day", "iso_week_day", "day", "hour", "minute", "second")
)


class CheckedChangeList(ChangeList):
    """An admin list whose address asks for a date no date holds (`?created_at__year=-5`, a year
    past 9999, a number too long for one, 30 February in the drill-down) answers as for any bad
    filter: the admin's "invalid filter" page, back to the list unfiltered. Django turns the date
    drill-down's year, month and day into a range outside its own check (ValueError,
    OverflowError), and a lookup's year only when the query runs: both were a 500.

    Only an address naming a date's part is answered so (and logged): any other error is left
    to raise, as a 500 with its traceback."""

    def has_date_parts(self) -> bool:
        return any(name.rpartition("__")[2] in DATE_PARTS for name in self.filter_params)

    def _bad_date(self, error: Exception) -> IncorrectLookupParameters:
        log.info("admin list %s: a date no date holds in its address (%s)", self.opts.label, error)
        return IncorrectLookupParameters(error)

    def get_filters(self, request: HttpRequest):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as e:
            if not self.has_date_parts():
                raise
            raise self._bad_date(e) from e

    def get_results(self, request: HttpRequest) -> None:
        try:
            super().get_results(request)
        except (ValueError, OverflowError) as e:
            if not self.has_date_parts():
                raise
            raise self._bad_date(e) from e


class CheckedFilters:
    """For every admin of the site (tests/test_admin_security.py tries each registered list with
    a date): its list is a `CheckedChangeList`."""

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return CheckedChangeList


class LongList(CheckedFilters):
    """For the admin's lists that grow with the association (emails, members, opt-ins,
    pairs…): 50 rows a page, and no second count of every row for "50 of 10,000" — the
    filtered count is enough, and the full one costs a scan of the table on each page. The
    rows are written by {% lean_result_list %} (templatetags/long_lists.py), each row's link
    from one reverse() a page, and a list that names its columns (`list_only`) reads only those."""

    list_per_page = 50
    show_full_result_count = False
    list_only: tuple[str, ...] = ()  # the columns the list reads, when not all (LongChangeList)
    list_prefetch_related: tuple[str, ...] = ()
    # Django's page, its rows written by {% lean_result_list %} (outbox/templatetags/long_lists.py).
    change_list_template = "admin/long_list.html"

    def get_list_only(self, request: HttpRequest) -> tuple[str, ...]:
        return self.list_only

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return LongChangeList

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


class LongChangeList(CheckedChangeList):
    """A long list's page (`LongList.get_changelist`): its rows with only the columns it shows.
    (Its rows, and their links, are written by {% lean_result_list %}.)"""

    def get_queryset(self, request: HttpRequest, exclude_parameters=None) -> QuerySet:
        """The list's rows with only the columns it shows (`get_list_only`), and the people it names
        once each (`list_prefetch_related`) — not every column of every joined row: a pair's two
        opt-ins and two members are four rows of every column, for three names."""
        qs = super().get_queryset(request, exclude_parameters)
        if prefetch := self.model_admin.list_prefetch_related:
            qs = qs.prefetch_related(*prefetch)
        if only := self.model_admin.get_list_only(request):
            qs = qs.only(*only)
        return qs


class _ListWithoutBodies(LongChangeList):
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
class EmailTemplateAdmin(CheckedFilters, admin.ModelAdmin):
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
class KindSettingAdmin(CheckedFilters, admin.ModelAdmin):
    list_display = ("kind", "sending", "hidden_placeholders", "changed_by", "changed_at")


@admin.register(EmailPreference)
class EmailPreferenceAdmin(LongList, admin.ModelAdmin):
    """Members' own choices: site admins only (a member changes theirs on My membership)."""

    list_display = ("member", "kind", "receives", "changed_how", "changed_at")
    list_filter = ("kind", "receives")
    raw_id_fields = ("member",)
    readonly_fields = ("changes",)
