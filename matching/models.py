"""The committee's matching decisions: weights per cycle, their own words for the model of
library work, and the draft proposal."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from members.models import Cycle, Enrollment, validate_one_line

from . import library_work
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


class TitleTermQuerySet(models.QuerySet):
    def as_terms(self) -> tuple[tuple[str, str, str], ...]:
        """The rows as scoring takes them: (kind, words, family or expansion), oldest first."""
        rows = self.order_by("pk").values_list("kind", "words", "family", "expansion")
        return tuple(
            (kind, words, family if kind == TitleTerm.Kind.SYNONYM else expansion)
            for kind, words, family, expansion in rows
        )


class TitleTerm(models.Model):
    """A committee member's addition to the model of library work (matching/library_work.toml):
    words that name a kind of work ("Bookmobile" → outreach), or an abbreviation and what it
    stands for ("YS" → "youth services"). Scores read them from the next page on; pairs
    already made keep the reasons they were made with."""

    class Kind(models.TextChoices):
        SYNONYM = "synonym", "Words for a kind of work"
        ABBREVIATION = "abbreviation", "An abbreviation"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SYNONYM)
    words = models.CharField(
        max_length=100,
        validators=[validate_one_line],
        help_text="As members write them in a job title: “Bookmobile”, “Makerspace”, “YS”. An abbreviation "
        "written in capitals (“ILL”) is read as one in members' other text only when written in capitals.",
    )
    family = models.CharField(
        "kind of work",
        max_length=40,
        blank=True,
        choices=library_work.family_choices,
        help_text="For words for a kind of work: which one.",
    )
    expansion = models.CharField(
        "stands for",
        max_length=200,
        blank=True,
        validators=[validate_one_line],
        help_text="For an abbreviation: the words in full, e.g. “youth services”.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = TitleTermQuerySet.as_manager()

    class Meta:
        ordering = ["words"]
        constraints = [
            models.UniqueConstraint(
                Lower("words"),
                "kind",
                name="titleterm_words_once",
                violation_error_message="These words are already in the list: change that row instead.",
            ),
            models.CheckConstraint(
                condition=Q(kind="synonym", family__gt="") | Q(kind="abbreviation", expansion__gt=""),
                name="titleterm_says_what_it_means",
                violation_error_message="Say which kind of work the words name, or what the abbreviation stands for.",
            ),
        ]

    def __str__(self) -> str:
        target = self.get_family_display() if self.kind == self.Kind.SYNONYM else self.expansion
        return f"{self.words} → {target}"

    def clean(self) -> None:
        self.words = " ".join(self.words.split())
        self.expansion = " ".join(self.expansion.split())
        if not any(c.isalnum() for c in self.words):
            raise ValidationError({"words": "Write the words as members would, with letters."})
        if self.kind == self.Kind.SYNONYM:
            if not self.family:
                raise ValidationError({"family": "Choose the kind of work these words name."})
            self.expansion = ""
        else:
            if not any(c.isalnum() for c in self.expansion):
                raise ValidationError({"expansion": "Write what the abbreviation stands for."})
            self.family = ""


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
