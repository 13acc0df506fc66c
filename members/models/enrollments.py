"""Opt-ins (enrollments): who may take part (the eligibility rule), and a member's opt-in to a
cycle in one role, frozen as it was at opt-in time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from ..program import program
from .cycles import Cycle
from .people import User
from .values import (
    Area,
    EnrollmentStatus,
    MeetingMode,
    MembershipCategory,
    Role,
    every_word_in,
    validate_areas,
    validate_meeting_modes,
    validate_one_line,
)


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str = ""  # for the member: a sentence saying why not, and what to do
    short: str = ""  # for the committee's lists: a few words


ELIGIBLE = Eligibility(True)


@dataclass(frozen=True)
class EligibilityRules:
    """What the eligibility rule asks, as plain values: the program's settings (who may be
    a mentee, a mentor, whether non-members may apply) and the cycle's experience threshold."""

    cycle_name: str
    mentee_categories: frozenset[str]
    mentor_categories: frozenset[str]
    mentor_min_years: int
    nonmember_may_apply: bool = False
    program_name: str = "the program"

    @classmethod
    def of(cls, cycle: Cycle, settings=None) -> EligibilityRules:
        """The rules of `cycle` under the program's settings (members.program.Program; now's by default)."""
        settings = settings or program()
        return cls(
            cycle_name=cycle.name,
            mentee_categories=frozenset(settings.mentee_categories),
            mentor_categories=frozenset(settings.mentor_categories),
            mentor_min_years=cycle.mentor_min_years,
            nonmember_may_apply=settings.nonmember_may_apply,
            program_name=settings.program_name,
        )

    def for_optins_made(self) -> EligibilityRules:
        """The rules an opt-in already accepted is held to: what can change about its member
        (a membership that lapsed without an agreement to join, experience under the cycle's
        threshold, no job title) — not the categories or the non-member rule, which it passed
        when it was made (a change of settings never rewrites an opt-in)."""
        return replace(
            self,
            mentee_categories=frozenset(MembershipCategory.values),
            mentor_categories=frozenset(MembershipCategory.values),
            nonmember_may_apply=True,
        )


def _category_label(category: str) -> str:
    return dict(MembershipCategory.choices).get(category, "none")


def eligibility_of(
    *,
    role: str,
    rules: EligibilityRules,
    expires_on: dt.date | None,
    category: str,
    years: int | None,
    job_title: str,
    today: dt.date,
    agrees_to_join: bool = False,
) -> Eligibility:
    """The one rule of who may take part, on plain values (the opt-in forms ask it of
    one member, matching of thousands of mentor rows at once, the settings page of every
    kind of member at once).

    Mentees are current members in one of the program's mentee categories; mentors are
    current members in one of its mentor categories, with the cycle's experience threshold.
    Where the program lets non-members apply, agreeing to join stands for membership.
    Everyone needs a job title: matching depends on it.
    """
    if expires_on is None or expires_on < today:
        if not rules.nonmember_may_apply:
            return Eligibility(
                False,
                "Only current members can take part: please renew your membership first.",
                "membership not current",
            )
        if not agrees_to_join:
            return Eligibility(
                False,
                "You are not a current member: to apply, accept the agreement to join.",
                "membership not current",
            )
    if not job_title:
        return Eligibility(
            False, "Please add your job title to your profile first: matching depends on it.", "no job title"
        )
    if role == Role.MENTEE:
        if category not in rules.mentee_categories:
            allowed = [c.label for c in MembershipCategory if c in rules.mentee_categories]
            label = _category_label(category)
            return Eligibility(
                False,
                f"Mentees in the {rules.program_name} come from these membership categories: "
                f"{'; '.join(allowed)}. Yours ({label}) is not one of them: if it has changed, update your profile.",
                "membership category cannot be a mentee",
            )
        return ELIGIBLE
    if category not in rules.mentor_categories:
        allowed = [c.label for c in MembershipCategory if c in rules.mentor_categories]
        label = _category_label(category)
        return Eligibility(
            False,
            f"Mentors in the {rules.program_name} come from these membership categories: "
            f"{'; '.join(allowed)}. Yours ({label}) is not one of them: if it has changed, update your profile.",
            "membership category cannot mentor",
        )
    years = years or 0
    if years < rules.mentor_min_years:
        return Eligibility(
            False,
            f"Mentors in the {rules.cycle_name} cycle have at least {rules.mentor_min_years} "
            f"year{pluralize(rules.mentor_min_years)} of library experience (your profile says {years}).",
            f"{years} year{pluralize(years)} of experience (the cycle asks {rules.mentor_min_years})",
        )
    return ELIGIBLE


def eligibility(
    member: User,
    cycle: Cycle,
    role: str,
    today: dt.date | None = None,
    *,
    rules: EligibilityRules | None = None,
    agrees_to_join: bool = False,
) -> Eligibility:
    """Whether `member` may opt in to `cycle` as `role` (under the program's settings now,
    unless `rules` says otherwise), and if not, why (in words)."""
    return eligibility_of(
        role=role,
        rules=rules or EligibilityRules.of(cycle),
        expires_on=member.expires_on,
        category=member.membership_category,
        years=member.years_experience,
        job_title=member.job_title,
        today=today or timezone.localdate(),
        agrees_to_join=agrees_to_join,
    )


# Waiting for a match, offered to a mentor, or paired: what "still taking part" means, for every page and service.
TAKING_PART = (EnrollmentStatus.WAITING, EnrollmentStatus.OFFERED, EnrollmentStatus.PAIRED)


class EnrollmentQuerySet(models.QuerySet):
    def for_cycle(self, cycle: Cycle) -> EnrollmentQuerySet:
        return self.filter(cycle=cycle)

    def mentors(self) -> EnrollmentQuerySet:
        return self.filter(role=Role.MENTOR)

    def mentees(self) -> EnrollmentQuerySet:
        return self.filter(role=Role.MENTEE)

    def active(self) -> EnrollmentQuerySet:
        """Not withdrawn: still taking part in (or finished with) the cycle."""
        return self.exclude(status=EnrollmentStatus.WITHDRAWN)

    def waiting(self) -> EnrollmentQuerySet:
        return self.filter(status=EnrollmentStatus.WAITING)

    def taking_part(self) -> EnrollmentQuerySet:
        """Still in the cycle's game: waiting for a match, offered to a mentor, or paired — not withdrawn, not
        completed. A mentor taking part can be offered (and given) another mentee."""
        return self.filter(status__in=TAKING_PART)

    def of_member(self, member: User) -> EnrollmentQuerySet:
        return self.filter(member=member).select_related("cycle").order_by("-cycle__starts_on", "role")

    def with_member(self) -> EnrollmentQuerySet:
        return self.select_related("member", "cycle")

    SORTS = {
        "name": ("member__last_name", "member__first_name"),
        "-name": ("-member__last_name", "-member__first_name"),
        "job": ("job_title",),
        "-job": ("-job_title",),
        "date": ("created_at",),
        "-date": ("-created_at",),
    }

    def sorted_by(self, key: str, default: str = "-date") -> EnrollmentQuerySet:
        """Order by one of SORTS' keys (a column the committee clicked), then by id for stable pages."""
        return self.order_by(*self.SORTS.get(key, self.SORTS[default]), "pk")

    def search(self, text: str) -> EnrollmentQuerySet:
        """Every word must appear in the name, email, job title or institution."""
        return every_word_in(
            self,
            text,
            ("member__first_name", "member__last_name", "member__email", "job_title", "member__institution"),
        )


class Enrollment(models.Model):
    """A member's opt-in to one cycle in one role, frozen as it was at opt-in time."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="enrollments")
    role = models.CharField(max_length=8, choices=Role.choices)
    status = models.CharField(max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.WAITING)

    # Snapshot at opt-in time: matching compares what the member said then, even if
    # the profile changes later in the year.
    job_title = models.CharField(max_length=200, validators=[validate_one_line])
    responsibilities = models.JSONField(default=list, blank=True, validators=[validate_areas])
    responsibilities_other = models.CharField(max_length=500, blank=True)

    goals = models.TextField(help_text="What you hope to get from (or give to) the program.")
    interests = models.TextField(blank=True, help_text="Topics you would like to talk about.")
    meeting_modes = models.JSONField(
        "preferred ways to meet", default=list, blank=True, validators=[validate_meeting_modes]
    )
    capacity = models.PositiveSmallIntegerField(
        "how many mentees", default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # The program's commitments, accepted together, as they were worded then: the settings
    # may change their wording later, never what this member accepted.
    commitments = models.JSONField("commitments accepted", default=list, blank=True)
    commitments_accepted_at = models.DateTimeField()
    # Where the program lets non-members apply: the agreement to join a non-member accepted,
    # as worded then. Empty for a current member.
    nonmember_agreement = models.CharField("agreement to join", max_length=500, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "role", "created_at"]
        constraints = [
            # A withdrawn opt-in is reactivated rather than duplicated.
            models.UniqueConstraint(
                fields=["member", "cycle", "role"],
                name="one_enrollment_per_member_cycle_role",
                violation_error_message="This member has opted in to this cycle in this role already.",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=5),
                name="enrollment_capacity_1_to_5",
                violation_error_message="A mentor takes 1 to 5 mentees.",
            ),
            models.CheckConstraint(
                condition=Q(role="mentor") | Q(capacity=1),
                name="mentee_enrollment_capacity_is_one",
                violation_error_message="A mentee's opt-in is for one mentor: its number of mentees stays 1.",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "role", "status"]),
            # The committee's list of a cycle's opt-ins, newest first: read a page off the
            # index instead of sorting the whole cycle.
            models.Index(fields=["cycle", "-created_at", "id"], name="enrollment_cycle_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_role_display().lower()}, {self.cycle}"

    @property
    def is_taking_part(self) -> bool:
        return self.status in TAKING_PART

    @property
    def is_editable(self) -> bool:
        """A member may change or withdraw an opt-in until it is matched."""
        return self.status == EnrollmentStatus.WAITING

    @property
    def is_matched(self) -> bool:
        """In a pair, or was until the pair completed: from here on its status is the pairs service's."""
        return self.status in (EnrollmentStatus.PAIRED, EnrollmentStatus.COMPLETED)

    def responsibility_labels(self) -> list[str]:
        return [Area(a).label for a in self.responsibilities if a in Area.values]

    def meeting_mode_labels(self) -> list[str]:
        return [MeetingMode(m).label for m in self.meeting_modes if m in MeetingMode.values]
