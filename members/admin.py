from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from outbox.admin import CheckedFilters, LongList

from .models import Answer, Cycle, CycleQuestion, Enrollment, EnrollmentStatus, Resource, ResourceStatus, User
from .program import program


class RegionFilter(admin.SimpleListFilter):
    """The program's regions by their names (the settings list them; the column holds codes)."""

    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return program().region_choices

    def queryset(self, request, queryset):
        return queryset.filter(region=self.value()) if self.value() else queryset


@admin.register(User)
class UserAdmin(LongList, DjangoUserAdmin):
    list_display = (
        "email",
        "first_name",
        "last_name",
        "job_title",
        "institution",
        "membership_category",
        "expires_on",
        "is_staff",
    )
    list_filter = (
        "membership_category",
        "library_type",
        RegionFilter,
        "is_staff",
        "is_superuser",
        "is_active",
        "groups",
    )
    search_fields = ("email", "first_name", "last_name", "job_title", "institution")
    ordering = ("last_name", "first_name", "email")
    date_hierarchy = "expires_on"
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name and contact", {"fields": ("first_name", "last_name", "phone")}),
        (
            "Library and work",
            {
                "fields": (
                    "institution",
                    "library_type",
                    "region",
                    "membership_category",
                    "job_title",
                    "responsibilities",
                    "responsibilities_other",
                    "years_experience",
                )
            },
        ),
        ("Membership term", {"fields": ("member_since", "renewed_on", "expires_on")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "region":
            # The program's regions, as on the profile form.
            return forms.ChoiceField(
                label="Region", required=False, choices=[("", "---------"), *program().region_choices]
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Cycle)
class CycleAdmin(CheckedFilters, admin.ModelAdmin):
    list_display = (
        "name",
        "is_open",
        "optin_opens",
        "optin_closes",
        "starts_on",
        "default_length_months",
        "mentor_min_years",
    )
    list_filter = ("is_open",)
    search_fields = ("name",)
    ordering = ("-starts_on",)


class OptInDate(admin.DateFieldListFilter):
    """Django's date filter (today, the past 7 days, this month, this year) under the words the
    committee uses: "By opt-in date", not the column's name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "opt-in date"


@admin.register(Enrollment)
class EnrollmentAdmin(LongList, admin.ModelAdmin):
    """An opt-in is its member's, for one cycle in one role, from the moment it is made: whoever
    held it would be the pair's mentor or mentee, with its check-in notes (rule 5). Pairing and
    completing belong to the pairs service, so a matched opt-in is shown here, not changed."""

    list_display = ("member", "role", "cycle", "status", "job_title", "capacity", "created_at")
    # When opted in: today, the past 7 days, this month, this year — links, no query. Not Django's
    # drill-down by year, month and day (`date_hierarchy`): it reads the day of every opt-in ever
    # made, in the site's time zone, on every page of the list (18 ms at 20,000 opt-ins, a fifth
    # of the page, and growing with each cycle).
    list_filter = ("cycle", "role", "status", ("created_at", OptInDate))
    search_fields = ("member__email", "member__first_name", "member__last_name", "job_title", "member__institution")
    list_select_related = ("member", "cycle")
    # What the list shows, not every column of the opt-in (its answers, its JSON) and of its member.
    list_only = (
        "member__first_name",
        "member__last_name",
        "member__email",
        "role",
        "cycle__name",
        "status",
        "job_title",
        "capacity",
        "created_at",
    )
    # The newest opt-ins first, read off the primary key's index: the model's ordering (by
    # the cycle's start, then role) sorts every opt-in of every cycle for each page.
    ordering = ("-pk",)
    autocomplete_fields = ("member",)
    # What the member accepted, as worded then: a record, never edited.
    readonly_fields = (
        "created_at",
        "updated_at",
        "withdrawn_at",
        "commitments",
        "commitments_accepted_at",
        "nonmember_agreement",
    )

    def get_readonly_fields(self, request, obj=None):
        fixed = ("member", "cycle", "role") if obj else ()
        return fixed + self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_matched:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # "Paired" and "completed" are written by the pairs service with the pair itself.
            kwargs["choices"] = [(s.value, s.label) for s in (EnrollmentStatus.WAITING, EnrollmentStatus.WITHDRAWN)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(CycleQuestion)
class CycleQuestionAdmin(CheckedFilters, admin.ModelAdmin):
    """A cycle's opt-in questions; the cycle's Questions page is where the committee writes them.
    Once anybody answered a question, its cycle, kind and choices are fixed here (the answers
    say what they meant), and it is archived rather than deleted."""

    list_display = ("text", "cycle", "audience", "kind", "required", "match_on", "order", "archived_at")
    list_filter = ("cycle", "audience", "kind")
    search_fields = ("text",)
    list_select_related = ("cycle",)
    ordering = ("cycle", "order", "pk")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.answers.exists():
            return ("cycle", "kind", "choices")
        return ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.answers.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Answer)
class AnswerAdmin(LongList, admin.ModelAdmin):
    """What members answered, as they answered it: read here, written only by their opt-in."""

    list_display = ("enrollment", "question", "value", "answered_at")
    list_filter = ("question__cycle",)
    list_select_related = ("enrollment__member", "enrollment__cycle", "question")
    search_fields = ("question__text", "enrollment__member__email", "enrollment__member__last_name")
    ordering = ("-pk",)
    readonly_fields = ("enrollment", "question", "value", "answered_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Resource)
class ResourceAdmin(LongList, admin.ModelAdmin):
    list_display = ("title", "status", "tags", "suggested_by", "reviewed_by", "reviewed_at", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "description", "tags", "url", "suggested_by__email", "suggested_by__last_name")
    list_select_related = ("suggested_by", "reviewed_by")
    autocomplete_fields = ("suggested_by", "reviewed_by")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        # A decision made here is recorded like one made on the review page.
        if "status" in form.changed_data and obj.status != ResourceStatus.SUGGESTED:
            obj.reviewed_by = request.user
            obj.reviewed_at = timezone.now()
        super().save_model(request, obj, form, change)


# allauth's own admin of email addresses, lighter: one address per member is ten thousand rows.
admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(LongList, AllauthEmailAddressAdmin):
    list_select_related = ("user",)
