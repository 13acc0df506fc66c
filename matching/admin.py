from django.contrib import admin

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


class ProposalPairInline(admin.TabularInline):
    model = ProposalPair
    extra = 0
    fields = ("mentee", "mentor", "score", "locked")
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        # Each row names two opt-ins (member and cycle): without this, four queries a row.
        return (
            super()
            .get_queryset(request)
            .select_related("mentee__member", "mentee__cycle", "mentor__member", "mentor__cycle")
        )


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
        "unmatched",
    )
    exclude = ()
    inlines = [ProposalPairInline, ProposalBanInline, ProposalDropInline]

    def has_add_permission(self, request):
        return False
