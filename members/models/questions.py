"""Questions the committee writes: the kinds of answer, and what every question has.

The opt-in form's questions (CycleQuestion) and the surveys' questions build on
QuestionBase; members.questions turns any of them into a form field and an answer back
into words. An answer is kept as JSON in the kind's own shape (see members.questions).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from .values import ONE_LINE, one_line, validate_one_line

# A choice question offers at most this many choices, each at most this long: they are
# radio buttons and spreadsheet cells, not paragraphs.
MAX_CHOICES = 30
CHOICE_LENGTH = 200


class QuestionKind(models.TextChoices):
    SHORT = "short", "Short text"
    LONG = "long", "Long text"
    ONE = "one", "One choice"
    SEVERAL = "several", "Several choices"
    YES_NO = "yes_no", "Yes or no"
    SCALE = "scale", "A scale of 1 to 5"

    @classmethod
    def with_choices(cls) -> tuple[str, ...]:
        """The kinds whose answer is picked from the question's choices."""
        return (cls.ONE, cls.SEVERAL)


# The presets' files name the kinds in words a person writes; each is one of the kinds.
PRESET_KINDS = {
    "short_text": QuestionKind.SHORT,
    "long_text": QuestionKind.LONG,
    "choice": QuestionKind.ONE,
    "one_choice": QuestionKind.ONE,
    "choices": QuestionKind.SEVERAL,
    "several_choices": QuestionKind.SEVERAL,
    **{kind.value: kind for kind in QuestionKind},
}

NEEDS_TEXT = "Write the question: it has no text."
NEEDS_CHOICES = "A choice question needs at least two different choices, one a line."
NO_CHOICES_HERE = "Only a choice question has choices: remove them, or make it a choice question."


def clean_choices(choices) -> list[str]:
    """The choices as they are kept: each stripped, blank ones dropped."""
    if not isinstance(choices, list | tuple):
        return []
    return [str(c).strip() for c in choices if str(c).strip()]


class QuestionBase(models.Model):
    """A question the committee writes: its words, its kind of answer, its place in the form."""

    text = models.CharField("question", max_length=300, validators=[validate_one_line])
    help_text = models.CharField(
        "help text", max_length=500, blank=True, help_text="Shown under the question, in smaller type."
    )
    kind = models.CharField("kind of answer", max_length=10, choices=QuestionKind, default=QuestionKind.SHORT)
    choices = models.JSONField(
        default=list, blank=True, help_text="For a choice question: what one may pick, one a line."
    )
    required = models.BooleanField("an answer is required", default=False)
    order = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="An archived question is no longer asked; its answers are kept."
    )

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in QuestionKind.with_choices()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def clean(self) -> None:
        super().clean()
        self.text = (self.text or "").strip()
        errors: dict[str, list[str]] = {}
        if not self.text:
            errors["text"] = [NEEDS_TEXT]
        raw = self.choices if isinstance(self.choices, list | tuple) else []
        choices = clean_choices(raw)
        if self.has_choices:
            if any(one_line(c) != c for c in choices):
                errors["choices"] = [ONE_LINE]
            elif len(set(choices)) < 2:
                errors["choices"] = [NEEDS_CHOICES]
            elif len(set(choices)) != len(choices):
                errors["choices"] = ["Each choice once: some are written twice."]
            elif len(choices) > MAX_CHOICES:
                errors["choices"] = [f"At most {MAX_CHOICES} choices."]
            elif any(len(c) > CHOICE_LENGTH for c in choices):
                errors["choices"] = [f"Keep each choice to {CHOICE_LENGTH} characters."]
            self.choices = choices
        elif choices:
            errors["choices"] = [NO_CHOICES_HERE]
        else:
            self.choices = []
        if errors:
            raise ValidationError(errors)


class Audience(models.TextChoices):
    """Who a cycle's question is asked of: its values are the roles' (Role), and "both"."""

    MENTEES = "mentee", "Mentees"
    MENTORS = "mentor", "Mentors"
    BOTH = "both", "Mentees and mentors"

    @classmethod
    def of(cls, role: str) -> tuple[str, str]:
        """The audiences whose questions a member opting in as `role` answers."""
        return (role, cls.BOTH)


class CycleQuestionQuerySet(models.QuerySet):
    def for_cycle(self, cycle) -> CycleQuestionQuerySet:
        return self.filter(cycle=cycle)

    def defaults(self) -> CycleQuestionQuerySet:
        """The program's default questions (no cycle): what a new cycle starts with."""
        return self.filter(cycle__isnull=True)

    def asked(self) -> CycleQuestionQuerySet:
        """The questions the opt-in form asks now (not archived), in their order."""
        return self.filter(archived_at__isnull=True).order_by("order", "pk")

    def for_role(self, role: str) -> CycleQuestionQuerySet:
        return self.filter(audience__in=Audience.of(role))

    def matched_on(self) -> CycleQuestionQuerySet:
        """The questions that count in matching: "match on this", one choice, still asked."""
        return self.asked().filter(match_on=True, kind=QuestionKind.ONE)


class CycleQuestion(QuestionBase):
    """A question of one cycle's opt-in form, asked of mentees, mentors or both. Without a
    cycle, it is one of the program's default questions (from its preset), which every new
    cycle starts with a copy of."""

    cycle = models.ForeignKey(
        "members.Cycle",
        on_delete=models.CASCADE,
        related_name="questions",
        null=True,
        blank=True,
        help_text="Empty: one of the program's default questions, copied into each new cycle.",
    )
    audience = models.CharField("asked of", max_length=6, choices=Audience, default=Audience.BOTH)
    match_on = models.BooleanField(
        "match on this",
        default=False,
        help_text="Mentees and mentors who give the same answer score higher as a pair. One-choice questions only.",
    )

    match_weight = models.PositiveSmallIntegerField(
        "weight in matching",
        default=10,
        validators=[MaxValueValidator(100)],
        help_text="Set on the matching dashboard, with the other weights.",
    )

    objects = CycleQuestionQuerySet.as_manager()

    class Meta(QuestionBase.Meta):
        verbose_name = "opt-in question"
        indexes = [models.Index(fields=["cycle", "order"], name="cyclequestion_cycle_order")]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        try:
            super().clean()
        except ValidationError as e:
            errors = e.message_dict
        if self.match_on and self.kind != QuestionKind.ONE:
            errors.setdefault("match_on", []).append(
                "Only a one-choice question can be matched on: the same choice is what counts."
            )
        if errors:
            raise ValidationError(errors)


class Answer(models.Model):
    """A member's answer to one of the cycle's questions, in their opt-in (see members.questions)."""

    enrollment = models.ForeignKey("members.Enrollment", on_delete=models.CASCADE, related_name="answers")
    # RESTRICT: an answered question is archived, never deleted (its cycle may still go, answers and all).
    question = models.ForeignKey(CycleQuestion, on_delete=models.RESTRICT, related_name="answers")
    value = models.JSONField()
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        # No default ordering: the pages and exports read thousands of answers at once and put
        # them in the form's order themselves (members.services.questions.answers_of).
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "question"],
                name="one_answer_per_enrollment_question",
                violation_error_message="This opt-in has an answer to this question already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.question}"
