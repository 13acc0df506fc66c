"""The committee's matching decisions: weights per cycle, and the draft proposal."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from members.models import Cycle, Enrollment

from .scoring import Weights


class MatchSettings(models.Model):
    """How a cycle's suggestions are scored. Defaults favour job title and responsibilities."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="match_settings")
    weight_title = models.PositiveSmallIntegerField("job title", default=40, validators=[MaxValueValidator(100)])
    weight_responsibilities = models.PositiveSmallIntegerField(
        "responsibilities", default=30, validators=[MaxValueValidator(100)]
    )
    weight_library_type = models.PositiveSmallIntegerField(
        "library type", default=10, validators=[MaxValueValidator(100)]
    )
    weight_region = models.PositiveSmallIntegerField("region", default=10, validators=[MaxValueValidator(100)])
    weight_experience = models.PositiveSmallIntegerField(
        "experience gap", default=10, validators=[MaxValueValidator(100)]
    )
    exclude_same_institution = models.BooleanField(
        "never suggest a mentor from the mentee's own institution", default=True
    )

    class Meta:
        verbose_name_plural = "match settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_title__gt=0)
                | Q(weight_responsibilities__gt=0)
                | Q(weight_library_type__gt=0)
                | Q(weight_region__gt=0)
                | Q(weight_experience__gt=0),
                name="match_weights_not_all_zero",
                violation_error_message="At least one weight must be above zero.",
            )
        ]

    def __str__(self) -> str:
        return f"Match settings for {self.cycle}"

    @classmethod
    def for_cycle(cls, cycle: Cycle) -> MatchSettings:
        """The cycle's settings, or the defaults (unsaved) for a cycle whose weights were never
        changed: reading a page never writes."""
        return cls.objects.filter(cycle=cycle).first() or cls(cycle=cycle)

    def weights(self) -> Weights:
        return Weights(
            title=self.weight_title,
            responsibilities=self.weight_responsibilities,
            library_type=self.weight_library_type,
            region=self.weight_region,
            experience=self.weight_experience,
        )


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONFIRMED = "confirmed", "Confirmed"
    DISCARDED = "discarded", "Discarded"


class Proposal(models.Model):
    """A best-overall assignment for a cycle, for the committee to review, adjust and confirm."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="proposals")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    solved_at = models.DateTimeField(null=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total_score = models.FloatField(default=0)
    # The last solve's mentees left out, with why: [{"mentee": enrollment id, "reason": "..."}].
    unmatched = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"],
                condition=Q(status="draft"),
                name="one_draft_proposal_per_cycle",
                violation_error_message="This cycle has a draft proposal already.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} proposal for {self.cycle}"


class ProposalPair(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="pairs")
    mentee = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    locked = models.BooleanField(default=False, help_text="Kept as it is when the proposal is solved again.")

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "mentee"],
                name="proposal_mentee_once",
                violation_error_message="This mentee has a mentor in the proposal already.",
            )
        ]
        # A draft's pages (the committee's and the admin's): locked first, then the best,
        # read in order from the index instead of sorting thousands of pairs for 50.
        indexes = [models.Index(fields=["-proposal", "-locked", "-score", "id"], name="proposalpair_page_order")]

    def __str__(self) -> str:
        return f"{self.mentor_id} & {self.mentee_id} ({self.score:.0f})"


class ProposalBan(models.Model):
    """A pair the committee ruled out for this proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="bans")
    mentee = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "mentee", "mentor"],
                name="proposal_ban_once",
                violation_error_message="This pair is ruled out of the proposal already.",
            )
        ]

    def __str__(self) -> str:
        return f"not {self.mentor_id} & {self.mentee_id}"


class ProposalDrop(models.Model):
    """A mentee the committee left out of this proposal (to pair by hand, or later)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="drops")
    mentee = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "mentee"],
                name="proposal_drop_once",
                violation_error_message="This mentee is left out of the proposal already.",
            )
        ]

    def __str__(self) -> str:
        return f"without {self.mentee_id}"
