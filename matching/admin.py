from django.contrib import admin
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html

from outbox.admin import CheckedFilters, LongList

from .models import MatchSettings, Proposal, ProposalBan, ProposalDrop, ProposalPair, TitleTerm


@admin.register(MatchSettings)
class MatchSettingsAdmin(CheckedFilters, admin.ModelAdmin):
    list_display = (
        "cycle",
        "weight_title",
        "weight_responsibilities",
        "weight_library_type",
        "weight_region",
        "weight_experience",
        "exclude_same_institution",
    )
    list_select_related = ("cycle",)


@admin.register(TitleTerm)
class TitleTermAdmin(CheckedFilters, admin.ModelAdmin):
    """The committee's own words for the model of library work: each row extends the shipped
    list (matching/library_work.toml) for every score computed after it is saved."""

    list_display = ("words", "kind", "family", "expansion", "added_by", "added_at")
    list_filter = ("kind", "family")
    list_select_related = ("added_by",)
    search_fields = ("words", "expansion")
    fields = ("kind", "words", "family", "expansion")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnly:
    """A record of what was proposed: the committee's pages change proposals, the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProposalPair)
class ProposalPairAdmin(ReadOnly, LongList, admin.ModelAdmin):
    """A proposal's pairs, 50 a page: a draft for a large cycle holds thousands, too many
    for one page (as an inline of the proposal: 2,515 rows, 3.3 MB, 2.3 s)."""

    list_display = ("mentee_name", "mentor_name", "rounded_score", "locked", "proposal")
    list_filter = ("locked",)
    # Each row names two members and the proposal (its cycle).
    list_select_related = ("proposal__cycle", "mentee__member", "mentor__member")
    # What the rows show, not every column of the two opt-ins (their answers), the two members
    # and the cycle: the names, the score, the lock, the proposal's status and cycle's name.
    list_only = (
        "score",
        "locked",
        "proposal__status",
        "proposal__cycle__name",
        *(f"{side}__member__{name}" for side in ("mentee", "mentor") for name in ("first_name", "last_name", "email")),
    )
    search_fields = (
        "mentee__member__first_name",
        "mentee__member__last_name",
        "mentor__member__first_name",
        "mentor__member__last_name",
    )
    # The newest proposal first, as its index reads them (by "proposal" would sort on its date).
    ordering = ("-proposal_id", "-locked", "-score", "id")

    # The members' names alone: an opt-in's full name repeats its role and cycle on every row.
    @admin.display(description="mentee", ordering="mentee__member__last_name")
    def mentee_name(self, item):
        return str(item.mentee.member)

    @admin.display(description="mentor", ordering="mentor__member__last_name")
    def mentor_name(self, item):
        return str(item.mentor.member)

    @admin.display(description="score", ordering="score")
    def rounded_score(self, item):
        return f"{item.score:.1f}"


class ProposalBanInline(ReadOnly, admin.TabularInline):
    model = ProposalBan
    extra = 0
    readonly_fields = ("mentee", "mentor")
    can_delete = False


class ProposalDropInline(ReadOnly, admin.TabularInline):
    model = ProposalDrop
    extra = 0
    readonly_fields = ("mentee",)
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(CheckedFilters, admin.ModelAdmin):
    """A record of what was proposed and confirmed; the dashboard is where proposals are made."""

    list_display = ("cycle", "status", "total", "created_by", "created_at", "confirmed_at")
    list_filter = ("status", "cycle")
    list_select_related = ("cycle", "created_by")
    readonly_fields = (
        "cycle",
        "status",
        "created_by",
        "solved_at",
        "confirmed_at",
        "confirmed_by",
        "total",
        "its_pairs",
        "unmatched",
    )
    fields = readonly_fields  # these, in this order (shown read-only, every model field would appear)
    inlines = [ProposalBanInline, ProposalDropInline]

    @admin.display(description="total score", ordering="total_score")
    def total(self, proposal):
        return f"{proposal.total_score:,.1f}"

    @admin.display(description="pairs")
    def its_pairs(self, proposal):
        url = reverse("admin:matching_proposalpair_changelist") + f"?proposal__id__exact={proposal.pk}"
        count = proposal.pairs.count()
        return format_html('<a href="{}">{} pair{}, 50 a page</a>', url, count, pluralize(count))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record: shown, not edited (a stale draft may still be deleted)
