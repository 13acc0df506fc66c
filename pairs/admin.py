from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import Enrollment
from outbox.admin import CheckedFilters, LongList

from .models import (
    Certificate,
    CheckIn,
    Evaluation,
    Goal,
    Offer,
    Pair,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Topic,
)
from .services import pairing


class PairAddForm(forms.ModelForm):
    """Adding a pair in the admin goes through `services.pairing.pair_create`, like everywhere else.

    The service runs in `clean()` so that a refusal shows as a form error; the admin
    wraps the whole request in one transaction, so nothing is half-made.
    """

    # Two people whose pair ended are not suggested to each other again (matching's rule): here
    # too the committee is told, and pairs them again only by saying so.
    pair_again = forms.BooleanField(
        required=False,
        label="Pair them again",
        help_text="Only needed when these two were paired before: tick to pair them anyway.",
    )

    class Meta:
        model = Pair
        fields = ["mentee", "mentor", "liaison", "length_months"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentee"].queryset = Enrollment.objects.mentees().waiting().with_member()
        self.fields["mentor"].queryset = Enrollment.objects.mentors().taking_part().with_member()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        before = (
            Pair.objects.between(data["mentee"].member_id, data["mentor"].member_id)
            .select_related("cycle")
            .order_by("-starts_on", "-pk")
            .first()
        )
        if before and not data.get("pair_again"):
            raise ValidationError(_paired_before(data["mentee"], data["mentor"], before))
        try:
            self.instance = pairing.pair_create(
                mentee_id=data["mentee"].pk,
                mentor_id=data["mentor"].pk,
                liaison=data.get("liaison"),
                length_months=data.get("length_months"),
                by=self.request_user,
            )
        except pairing.PairingError as e:
            raise ValidationError(str(e)) from None
        return data

    def _post_clean(self):
        pass  # the service validated and saved the instance


def _paired_before(mentee: Enrollment, mentor: Enrollment, pair: Pair) -> str:
    if pair.is_active:
        how = "it is still active"
    else:
        why = f" ({pair.get_end_category_display()})" if pair.end_category else ""
        how = f"ended on {pair.over_on:%B %-d, %Y}{why}"
    return (
        f"{mentee.member} and {mentor.member} were paired before: their pair of {pair.cycle.name} {how}. "
        "Tick “Pair them again” to pair them anyway."
    )


class PairChangeForm(forms.ModelForm):
    """A made pair changes here only in its liaison, held to the rule `services.pair_create` keeps."""

    class Meta:
        model = Pair
        fields = ["liaison"]

    def clean_liaison(self):
        liaison = self.cleaned_data["liaison"]
        try:
            pairing.liaison_check(liaison)
        except pairing.PairingError as e:
            raise ValidationError(str(e)) from None
        return liaison


class CheckInInline(admin.TabularInline):
    model = CheckIn
    extra = 0
    # The notes are the pair's: only site admins (who see all data) get this inline at all.
    fields = ("met_on", "mode", "minutes", "logged_by")
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("logged_by")  # named on every row


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0
    fields = ("title", "status", "target_on", "completed_on")


@admin.register(Pair)
class PairAdmin(LongList, admin.ModelAdmin):
    list_display = ("__str__", "cycle", "status", "liaison", "starts_on", "ends_on", "created_by")
    # Only the committee members who liaise a pair: every member of the association is 10,000 links.
    list_filter = ("cycle", "status", ("liaison", admin.RelatedOnlyFieldListFilter))
    search_fields = (
        "mentor__member__last_name",
        "mentor__member__email",
        "mentee__member__last_name",
        "mentee__member__email",
    )
    list_select_related = ("cycle", "mentor__member", "mentee__member")
    # The liaison and who made the pair are a handful of people: read once each, not joined to
    # every row (eight tables joined took PostgreSQL 9 ms to plan for a page of 50 pairs).
    list_prefetch_related = ("liaison", "created_by")
    # What the list shows: the pair's names (str(pair)), its cycle's name, its own columns.
    list_only = (
        "cycle__name",
        "status",
        "starts_on",
        "ends_on",
        "liaison",
        "created_by",
        *Pair.LABEL_COLUMNS,
    )
    # Ids, not drop-downs: thousands of waiting mentees and mentors, ten thousand members.
    raw_id_fields = ("mentee", "mentor", "liaison")
    readonly_fields = (
        "cycle",
        "mentor",
        "mentee",
        "status",
        "starts_on",
        "ends_on",
        "length_months",
        "created_by",
        "created_at",
        "ended_at",
        "ended_by",
        "end_category",
        "end_reason",
        "first_contact_due_on",
        "first_contact_on",
        "first_contact_by",
        "no_contact_nudged_on",
        "no_contact_liaison_told_on",
    )
    fields = readonly_fields[:7] + ("liaison",) + readonly_fields[7:]
    inlines = [GoalInline, CheckInInline]
    date_hierarchy = "starts_on"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PairAddForm
            form = super().get_form(request, obj, **kwargs)
            form.request_user = request.user
            return form
        kwargs["form"] = PairChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return [*PairAddForm.Meta.fields, "pair_again"] if obj is None else self.fields

    def save_model(self, request, obj, form, change):
        if change:
            if "liaison" in form.changed_data:
                obj.liaison_assigned_at, obj.liaison_assigned_by = timezone.now(), request.user
            super().save_model(request, obj, form, change)
        # An added pair was saved by the service in the form's clean().

    def has_delete_permission(self, request, obj=None):
        # Pairs end (with a reason) rather than disappear: the history is the program's record.
        return request.user.is_superuser


@admin.register(Evaluation)
class EvaluationAdmin(LongList, admin.ModelAdmin):
    """Site admins see everything. The committee reads evaluations as on the evaluation summary
    and in the exports: the answers, without the pair, the author or the time they were given
    (which would point to them), in an order that follows the answers, filtered only as the
    summary is (cycle, form, side)."""

    list_display = ("pair", "role", "kind", "overall", "relationship", "goals_met", "would_recommend", "submitted_at")
    list_filter = ("kind", "role", "pair__cycle")
    list_select_related = ("pair__mentor__member", "pair__mentee__member")
    list_only = (
        "role",
        "kind",
        "overall",
        "relationship",
        "goals_met",
        "would_recommend",
        "submitted_at",
        *(f"pair__{column}" for column in Pair.LABEL_COLUMNS),
    )
    raw_id_fields = ("pair", "author")

    ANSWERS = ("kind", "role", "overall", "relationship", "goals_met", "would_recommend", "best", "improve")
    # The exports' order (matching/reports.py): by the answers, not by when (or by whom) they came.
    ANSWER_ORDER = ("kind", "role", "-overall", "-relationship", "-goals_met", "best", "improve")

    def get_list_display(self, request):
        return self.list_display if request.user.is_superuser else self.ANSWERS

    def get_list_display_links(self, request, list_display):
        # Each row is the whole evaluation: no link to a page whose address counts the evaluations in order.
        return super().get_list_display_links(request, list_display) if request.user.is_superuser else None

    def get_list_select_related(self, request):
        return self.list_select_related if request.user.is_superuser else ()

    def get_list_only(self, request):
        return self.list_only if request.user.is_superuser else ()  # the answers' texts too

    def get_ordering(self, request):
        return super().get_ordering(request) if request.user.is_superuser else self.ANSWER_ORDER

    def get_fields(self, request, obj=None):
        return super().get_fields(request, obj) if request.user.is_superuser else self.ANSWERS

    def get_readonly_fields(self, request, obj=None):
        # Moved to another pair or author, an evaluation would be read by people it is not theirs.
        return ("pair", "author") if obj else ()

    def lookup_allowed(self, lookup, value, request):
        if not request.user.is_superuser and not (
            lookup.split("__")[0] in self.ANSWERS or lookup.startswith("pair__cycle__")
        ):
            return False  # by pair, author or time: who wrote it
        return super().lookup_allowed(lookup, value, request)


@admin.register(CheckIn)
class CheckInAdmin(LongList, admin.ModelAdmin):
    """Site admins only: check-in notes are private to the pair (rule 5)."""

    list_display = ("pair", "met_on", "mode", "minutes", "topic_title", "edited_at")
    list_select_related = ("pair__mentor__member", "pair__mentee__member")
    # Not the notes: the list never shows them.
    list_only = (
        "met_on",
        "mode",
        "minutes",
        "topic_title",
        "edited_at",
        *(f"pair__{column}" for column in Pair.LABEL_COLUMNS),
    )
    raw_id_fields = ("pair", "logged_by", "topic")

    def get_readonly_fields(self, request, obj=None):
        # Moved to another pair, the notes would be read by that pair's members (rule 5).
        return ("pair", "logged_by") if obj else ()

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Offer)
class OfferAdmin(LongList, admin.ModelAdmin):
    """Offers to mentors (accept-first cycles), to read: they are made by pairing, answered by
    the mentor's signed link and withdrawn from the dashboard (pairs.services.offers), never here."""

    list_display = ("__str__", "cycle", "status", "created_at", "answer_by", "answered_at", "created_by")
    list_filter = ("cycle", "status")
    search_fields = (
        "mentor__member__last_name",
        "mentor__member__email",
        "mentee__member__last_name",
        "mentee__member__email",
    )
    list_select_related = ("cycle", "mentor__member", "mentee__member", "created_by")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Offer._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(CheckedFilters, admin.ModelAdmin):
    """The monthly topics (the committee writes them on Committee → Monthly topics)."""

    list_display = ("month", "title", "cycle", "updated_at", "updated_by")
    list_filter = (("cycle", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("cycle", "updated_by")
    search_fields = ("title",)
    ordering = ("cycle", "month")


@admin.register(Certificate)
class CertificateAdmin(LongList, admin.ModelAdmin):
    """Issued certificates, read only: what one says is fixed when it is issued; the committee
    reissues one from its page (a new code), never by editing it."""

    list_display = ("holder_name", "role", "cycle_name", "issued_at", "replaced_at")
    list_filter = ("role", "cycle_name")
    search_fields = ("holder_name", "holder__email")
    raw_id_fields = ("pair", "holder", "issued_by")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Certificate._meta.fields]


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0
    fields = ("order", "text", "kind", "audience", "required", "archived_at")
    ordering = ("order", "pk")

    def get_readonly_fields(self, request, obj=None):
        # Answered questions keep their kind (the site's Surveys page says so); here everything is
        # read-only but for the site admin, who may fix a typo.
        return ("kind",) if request.user.is_superuser else self.fields


@admin.register(Survey)
class SurveyAdmin(CheckedFilters, admin.ModelAdmin):
    """The surveys and their questions; the committee writes them on the site's Surveys pages
    (which keep an answered question's kind and archive it rather than delete it) and reads them here."""

    list_display = ("title", "kind", "cycle", "is_on", "opens_after_months", "updated_at")
    list_filter = ("kind", "cycle")
    list_select_related = ("cycle",)
    inlines = [SurveyQuestionInline]

    def get_readonly_fields(self, request, obj=None):
        # An answered survey keeps its cycle and kind, as an answered question keeps its survey:
        # its answers are its cycle's pairs' (program health counts them so, matching.survey_reports).
        if obj is not None and obj.responses.exists():
            return ("cycle", "kind")
        return ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.responses.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(CheckedFilters, admin.ModelAdmin):
    list_display = ("text", "survey", "kind", "audience", "required", "order", "archived_at")
    list_filter = ("survey__kind", "survey__cycle", "kind")
    search_fields = ("text",)
    list_select_related = ("survey__cycle",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.answers.exists():
            return ("survey", "kind", "choices")
        return ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.answers.exists():
            return False
        return super().has_delete_permission(request, obj)


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    extra = 0
    fields = ("question", "value", "number")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(LongList, admin.ModelAdmin):
    """A side's answers, as given: for site admins only (the committee reads them in aggregate,
    without names, on program health). Written only by the pair's side; never changed here."""

    list_display = ("pair", "kind", "role", "submitted_at")
    list_filter = ("kind", "role", "pair__cycle")
    list_select_related = ("pair__mentor__member", "pair__mentee__member")
    list_only = ("kind", "role", "submitted_at", *(f"pair__{column}" for column in Pair.LABEL_COLUMNS))
    raw_id_fields = ("pair", "author")
    readonly_fields = ("pair", "survey", "kind", "role", "author", "submitted_at")
    inlines = [SurveyAnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
