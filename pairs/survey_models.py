"""Surveys: the committee's questions to a pair's two sides at the midpoint, at the close and
after an early end, and each side's answers (imported by `pairs.models`).

A survey belongs to a cycle, or — with no cycle — is the program's default, which a cycle
follows until the committee writes the cycle's own (`pairs.services.surveys.survey_adopt`
copies the default then). The closing evaluation keeps its core ratings (`Evaluation`: they
feed program health and year over year); its survey holds the committee's questions asked
with them. The midpoint and the exit survey are wholly the committee's questions.

An answer points at the question it answered and keeps its value as given: editing a
survey never rewrites it, and a question answered is archived, never deleted (PROTECT)
nor given another kind (the service refuses).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from members.models import Audience, Cycle, MaxTypedLength, QuestionBase, QuestionKind

SURVEY_INTRO_MAX_CHARS = 2000
# A reminder goes once, this long after the survey opened, to a side that has not answered.
REMINDER_AFTER = dt.timedelta(days=14)


class SurveyKind(models.TextChoices):
    MIDPOINT = "midpoint", "Midpoint survey"
    CLOSING = "closing", "Closing evaluation"
    EXIT = "exit", "Exit survey"


class SurveyQuerySet(models.QuerySet):
    def program_default(self) -> SurveyQuerySet:
        return self.filter(cycle__isnull=True)

    def in_use_for(self, cycle_ids) -> dict[tuple[int, str], Survey]:
        """{(cycle id, kind): the survey the cycle uses} — its own, else the program's default —
        for each of `cycle_ids` and each kind that has one. One query."""
        # In no order (the dict is the same either way): the default one joins every cycle.
        rows = list(self.filter(Q(cycle__in=list(cycle_ids)) | Q(cycle__isnull=True)).order_by())
        defaults = {s.kind: s for s in rows if s.cycle_id is None}
        used = {}
        for cycle_id in cycle_ids:
            for kind, default in defaults.items():
                used[(cycle_id, kind)] = default
        for s in rows:
            if s.cycle_id is not None:
                used[(s.cycle_id, s.kind)] = s
        return used

    def in_use(self, cycle: Cycle, kind: str) -> Survey | None:
        """The survey `cycle` uses for `kind`: its own, else the program's default (None: no such survey)."""
        return (
            self.filter(Q(cycle=cycle) | Q(cycle__isnull=True), kind=kind)
            .order_by(models.F("cycle").asc(nulls_last=True))
            .first()
        )


class Survey(models.Model):
    """One cycle's (or the program's default) midpoint, closing or exit survey."""

    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="surveys",
        help_text="Empty: the program's default, which a cycle follows until it has its own.",
    )
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    title = models.CharField(max_length=200)
    intro = models.TextField(
        "introduction",
        blank=True,
        validators=[MaxTypedLength(SURVEY_INTRO_MAX_CHARS)],
        help_text="Shown above the questions (Markdown: **bold**, *italics*, lists, links).",
    )
    is_on = models.BooleanField(
        "send it", default=True, help_text="Off: the survey is neither sent nor shown to the pairs."
    )
    # Midpoint only: when it opens, in months after the pair starts (empty: halfway through the pair's year).
    opens_after_months = models.PositiveSmallIntegerField(
        "opens after (months)",
        null=True,
        blank=True,
        help_text="Months after the pair starts. Leave it empty to open it halfway through each pair's year.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "kind"],
                condition=Q(cycle__isnull=False),
                name="one_survey_per_cycle_and_kind",
                violation_error_message="This cycle has this survey already.",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(cycle__isnull=True),
                name="one_default_survey_per_kind",
                violation_error_message="The program has a default survey of this kind already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.cycle.name if self.cycle_id else 'program default'})"

    def opens_on(self, pair) -> dt.date | None:
        """The day the survey opens for `pair` (None: not for this pair, e.g. an exit survey of a pair
        that did not end early)."""
        from .models import PairStatus

        if self.kind == SurveyKind.MIDPOINT:
            return self.midpoint_opens_on(pair.starts_on, pair.ends_on)
        if self.kind == SurveyKind.CLOSING:
            return pair.evaluation_opens_on
        return pair.over_on if pair.status == PairStatus.ENDED else None

    def midpoint_opens_on(self, starts_on: dt.date, ends_on: dt.date) -> dt.date:
        """The day a midpoint survey opens for a pair of these dates: `opens_after_months` after
        the start, or halfway through (the same day as `Pair.midpoint_on`)."""
        from .models import add_months

        if self.opens_after_months:
            return add_months(starts_on, self.opens_after_months)
        return starts_on + (ends_on - starts_on) / 2

    def is_open_for(self, pair, today: dt.date | None = None) -> bool:
        """Whether `pair`'s sides may answer it today: it is on, it has opened, and (midpoint) the pair is not over."""
        from django.utils import timezone

        opens = self.opens_on(pair)
        if not self.is_on or opens is None:
            return False
        if self.kind == SurveyKind.CLOSING:
            return pair.evaluation_is_open(today)
        if self.kind == SurveyKind.MIDPOINT and not pair.is_active:
            return False
        return (today or timezone.localdate()) >= opens


class SurveyQuestionQuerySet(models.QuerySet):
    def live(self) -> SurveyQuestionQuerySet:
        return self.filter(archived_at__isnull=True)

    def for_role(self, role: str) -> SurveyQuestionQuerySet:
        return self.filter(audience__in=Audience.of(role))


class SurveyQuestion(QuestionBase):
    """A question of a survey, for mentors, mentees or both."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    audience = models.CharField("asked of", max_length=6, choices=Audience.choices, default=Audience.BOTH)

    objects = SurveyQuestionQuerySet.as_manager()

    class Meta(QuestionBase.Meta):
        verbose_name = "survey question"

    @property
    def counts_as_number(self) -> bool:
        """A scale's value or yes/no (1/0): what the reports average and compare year over year."""
        return self.kind in (QuestionKind.SCALE, QuestionKind.YES_NO)


class SurveyResponse(models.Model):
    """One side's answers to one survey of their pair (at most one per side and kind)."""

    pair = models.ForeignKey("pairs.Pair", on_delete=models.CASCADE, related_name="survey_responses")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(max_length=10, choices=SurveyKind.choices)
    role = models.CharField(max_length=8)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "role", "kind"],
                name="one_survey_response_per_side_and_kind",
                violation_error_message="This side of the pair has answered this survey already.",
            ),
        ]

    def __str__(self) -> str:
        # Without the pair's names: the committee reads answers without knowing whose they are.
        return f"{self.get_kind_display()} by a {self.role}"


class SurveyAnswer(models.Model):
    """One answer, as given: `value` as `members.questions.answer_value` made it; `number` the
    scale's value or yes/no as 1/0, for the reports' averages."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                name="one_answer_per_question",
                violation_error_message="This question is answered already.",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to “{self.question}”"
