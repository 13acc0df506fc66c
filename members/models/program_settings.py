"""The program's settings: one row the committee edits on *Committee → Program*.

Read through `members.program.program()` (cached per process, no query per page); written
only by `members.services.program.program_settings_save`, which checks what needs the
database and tells every process. Changing them never rewrites what was made: an opt-in
keeps the commitments it accepted, a cycle its own length and threshold, a pair its dates.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from ..presets.files import PAGE_KEYS, PROGRAM_KEYS
from .values import MembershipCategory, validate_one_line

# Every field the settings hold, as `members.program.Program` names them.
SETTINGS_FIELDS = PROGRAM_KEYS + tuple(PAGE_KEYS.values())

# The bounds of a pair's length (DESIGN.md rule 3, a check constraint on the pair): the
# settings choose the program's lengths within them.
PAIR_MONTHS = (9, 12)
MAX_COMMITMENTS = 12
MAX_REGIONS = 60
REGION_CODE = re.compile(r"[a-z0-9_]{1,16}")
PAGE_MAX_CHARS = 50_000


# An empty list is "blank" to Django, which runs no validator on it: clean() says why it is refused.
NO_CATEGORY = "Choose at least one membership category: with none, nobody could take part."
NO_REGION = "List at least one region: every member chooses one."


def validate_categories(value) -> None:
    if not isinstance(value, list) or any(c not in MembershipCategory.values for c in value):
        raise ValidationError("Choose membership categories from the list.")


def validate_commitments(value) -> None:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ValidationError("Write the commitments as a list of sentences.")
    if len(value) > MAX_COMMITMENTS:
        raise ValidationError(f"At most {MAX_COMMITMENTS} commitments: a participant ticks each one.")
    for text in value:
        if not text.strip():
            raise ValidationError("A commitment cannot be empty.")
        if len(text) > 300:
            raise ValidationError(f"Keep each commitment under 300 characters (“{text[:40]}…” is {len(text)}).")
        validate_one_line(text)
    if len(set(value)) != len(value):
        raise ValidationError("A commitment is listed twice.")


def validate_regions(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(r, list | tuple) and len(r) == 2 and all(isinstance(x, str) for x in r) for r in value
    ):
        raise ValidationError("Write the regions as a list of (code, name).")
    if len(value) > MAX_REGIONS:
        raise ValidationError(f"At most {MAX_REGIONS} regions.")
    for code, name in value:
        if not REGION_CODE.fullmatch(code):
            raise ValidationError(
                f"“{code}” cannot be a region's code: use up to 16 lower-case letters, digits and “_”."
            )
        if not name.strip() or len(name) > 100:
            raise ValidationError(f"Region “{code}” needs a name of 1 to 100 characters.")
        validate_one_line(name)
    codes = [code for code, _ in value]
    names = [name.casefold() for _, name in value]
    if len(set(codes)) != len(codes):
        raise ValidationError("Two regions have the same code.")
    if len(set(names)) != len(names):
        raise ValidationError("Two regions have the same name.")


def _months(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(PAIR_MONTHS[0]), MaxValueValidator(PAIR_MONTHS[1])]
    )


def _line(label: str, max_length: int, help_text: str = "") -> models.CharField:
    return models.CharField(label, max_length=max_length, validators=[validate_one_line], help_text=help_text)


class ProgramSettings(models.Model):
    """The program's names, conference and orientation, lengths, who may take part, the
    commitments, the regions and the program pages' texts. One row (id 1)."""

    ONE = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONE, editable=False)
    # Raised by each save: the number every process compares its copy with (members.program).
    version = models.PositiveIntegerField(default=0, editable=False)
    preset = models.CharField("preset last loaded", max_length=20, blank=True, editable=False)

    association_name = _line("association's name", 200, "Its full name, as the pages' headings show it.")
    association_short_name = _line("short name", 40, "Its abbreviation: the menu and short sentences use it.")
    program_name = _line("program's name", 200, "As the program page's title shows it.")
    committee_name = _line("committee's name", 200, "Who runs the program, as the pages and emails name it.")
    committee_chair = models.CharField(
        "committee chair",
        max_length=200,
        blank=True,
        validators=[validate_one_line],
        help_text="Who chairs the committee: the completion certificates are signed with this name. "
        "A certificate keeps the name it was issued with.",
    )
    email_sender_name = _line(
        "emails' sender name", 100, "The name the program's emails come from (the address is the operator's)."
    )
    conference_name = _line("conference", 200, 'Where the program year starts, as a sentence names it after "at the".')
    orientation_name = _line("orientation's name", 200, 'For example "Mentoring orientation".')
    orientation_month = models.PositiveSmallIntegerField(
        "usual month of the orientation", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    orientation_text = models.TextField(
        "about the orientation",
        blank=True,
        validators=[MaxLengthValidator(5000)],
        help_text="Shown on the program pages. Markdown: paragraphs, lists, **bold**, *italics*, links.",
    )
    default_length_months = _months("default pair length (months)")
    min_length_months = _months("shortest pair (months)")
    max_length_months = _months("longest pair (months)")
    mentee_categories = models.JSONField(
        "who may be a mentee", default=list, blank=True, validators=[validate_categories]
    )
    mentor_categories = models.JSONField(
        "who may be a mentor", default=list, blank=True, validators=[validate_categories]
    )
    mentor_min_years = models.PositiveSmallIntegerField(
        "mentors' minimum years of experience",
        validators=[MaxValueValidator(50)],
        help_text="What a new cycle starts with; each cycle keeps its own (Committee → Cycles).",
    )
    nonmember_may_apply = models.BooleanField(
        "non-members may apply if they agree to join",
        default=False,
        help_text="Opting in then asks a non-member to accept the agreement below, and records it.",
    )
    nonmember_agreement = models.CharField(
        "agreement a non-member accepts",
        max_length=500,
        blank=True,
        validators=[validate_one_line],
        help_text="For example “I am a member of the association, or I agree to become one if I am selected.”",
    )
    commitments = models.JSONField(default=list, blank=True, validators=[validate_commitments])
    regions = models.JSONField(default=list, blank=True, validators=[validate_regions])
    page_home = models.TextField("program page", validators=[MaxLengthValidator(PAGE_MAX_CHARS)])
    page_mentor = models.TextField("page for mentors", validators=[MaxLengthValidator(PAGE_MAX_CHARS)])
    page_mentee = models.TextField("page for mentees", validators=[MaxLengthValidator(PAGE_MAX_CHARS)])

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "program settings"
        verbose_name_plural = "program settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="program_settings_one_row",
                violation_error_message="The program has one set of settings: change them, do not add another.",
            ),
            models.CheckConstraint(
                condition=Q(min_length_months__gte=PAIR_MONTHS[0], max_length_months__lte=PAIR_MONTHS[1])
                & Q(min_length_months__lte=F("default_length_months"))
                & Q(default_length_months__lte=F("max_length_months")),
                name="program_lengths_in_order_9_to_12",
                violation_error_message=(
                    "Pair lengths run from 9 to 12 months, the shortest no longer than the usual length "
                    "and the usual no longer than the longest."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Settings of the {self.program_name}"

    def values(self) -> dict:
        return {name: getattr(self, name) for name in SETTINGS_FIELDS}

    def clean(self) -> None:
        errors = {}
        lengths = (self.min_length_months, self.default_length_months, self.max_length_months)
        if None not in lengths and not lengths[0] <= lengths[1] <= lengths[2]:
            errors["default_length_months"] = (
                f"The default length must lie between the shortest and the longest pair "
                f"({lengths[0]} to {lengths[2]} months)."
            )
        for name in ("mentee_categories", "mentor_categories"):
            if not getattr(self, name):
                errors[name] = NO_CATEGORY
        if not self.regions:
            errors["regions"] = NO_REGION
        if self.nonmember_may_apply and not (self.nonmember_agreement or "").strip():
            errors["nonmember_agreement"] = "Write the agreement a non-member accepts when applying."
        if errors:
            raise ValidationError(errors)
