from django.contrib import admin
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html

from members.admin import LongList

from .models import MatchSettings, Proposal, ProposalBan, ProposalDrop, ProposalPair


@admin.register(MatchSettings)
class MatchSettingsAdmin(admin.ModelAdmin):
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

    list_display = ("mentee", "mentor", "score", "locked", "proposal")
    list_filter = ("locked",)
    # Each row names two opt-ins (member and cycle) and the proposal (its cycle).
    list_select_related = ("proposal__cycle", "mentee__member", "mentee__cycle", "mentor__member", "mentor__cycle")
    search_fields = (
        "mentee__member__first_name",
        "mentee__member__last_name",
        "mentor__member__first_name",
        "mentor__member__last_name",
    )
    # The newest proposal first, as its index reads them (by "proposal" would sort on its date).
    ordering = ("-proposal_id", "-locked", "-score", "id")


class ProposalBanInline(admin.TabularInline):
    model = ProposalBan
    extra = 0
    readonly_fields = ("mentee", "mentor")
    can_delete = False


class ProposalDropInline(admin.TabularInline):
    model = ProposalDrop
    extra = 0
    readonly_fields = ("mentee",)
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """A record of what was proposed and confirmed; the dashboard is where proposals are made."""

    list_display = ("cycle", "status", "total_score", "created_by", "created_at", "confirmed_at")
    list_filter = ("status", "cycle")
    list_select_related = ("cycle", "created_by")
    readonly_fields = (
        "cycle",
        "status",
        "created_by",
        "solved_at",
        "confirmed_at",
        "confirmed_by",
        "total_score",
        "its_pairs",
        "unmatched",
    )
    exclude = ()
    inlines = [ProposalBanInline, ProposalDropInline]

    @admin.display(description="pairs")
    def its_pairs(self, proposal):
        url = reverse("admin:matching_proposalpair_changelist") + f"?proposal__id__exact={proposal.pk}"
        count = proposal.pairs.count()
        return format_html('<a href="{}">{} pair{}, 50 a page</a>', url, count, pluralize(count))

    def has_add_permission(self, request):
        return False
