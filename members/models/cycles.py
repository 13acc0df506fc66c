"""A cycle: one year of the program, from opt-ins through matchmaking to the last pair's end."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The dates a program can really have: none before 2000, none more than five years ahead
# (cycles are planned a year or two out), and one cycle — from its opt-ins opening to its
# program year starting — within two years. Beyond them a date is a typo (year 0001,
# 9999), and the pairs' dates computed from it would leave the calendar.
EARLIEST_PROGRAM_DATE = dt.date(2000, 1, 1)
PLANNED_AHEAD_YEARS = 5
CYCLE_SPAN_DAYS = 2 * 365
# What "days to answer an offer" and "days to first contact" may be: a reminder at half-time
# needs two days at least; past a month the silence is the answer.
OFFER_ANSWER_DAYS = (2, 30)
FIRST_CONTACT_DAYS = (3, 60)
CYCLE_DATES = ("optin_opens", "optin_closes", "matchmaking_starts", "matchmaking_ends", "starts_on")


def _years_later(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def program_dates(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and the last day a cycle's dates may fall on (Cycle.clean; the date pickers)."""
    return EARLIEST_PROGRAM_DATE, _years_later(today or timezone.localdate(), PLANNED_AHEAD_YEARS)


class CycleQuerySet(models.QuerySet):
    def open_for_optins(self) -> CycleQuerySet:
        return self.filter(is_open=True)

    def chosen(self, asked: str | None = None, *, prefer: str = "open", today: dt.date | None = None):
        """Every cycle (newest start first, for the page's menu) and the one a page shows: the
        cycle `asked` for (its id, from the address), else by default the cycle taking opt-ins
        ("open": opt-ins, matching, pairing) or the program year under way ("running": the
        newest that has started, for pages about pairs), each falling back on the other and
        then on the newest. The one rule of "which cycle" for every page, and of the cycle
        menus: archived cycles are in none."""
        # Archived cycles (tests, mistakes) are in no menu and never the default: the cycles
        # list is where they are found again, and restored.
        cycles = list(self.filter(archived_at__isnull=True).order_by("-starts_on", "-pk"))
        today = today or timezone.localdate()
        running = next((c for c in cycles if c.starts_on <= today), None)
        is_open = next((c for c in cycles if c.is_open), None)
        default = (is_open or running) if prefer == "open" else (running or is_open)
        chosen = next((c for c in cycles if str(c.pk) == asked), None)
        return cycles, chosen or default or (cycles[0] if cycles else None)


class Cycle(models.Model):
    """One year of the program, from opt-ins through matchmaking to the last pair's end."""

    name = models.CharField(max_length=40, unique=True, help_text='For example "2026–27".')
    optin_opens = models.DateField("opt-ins open")
    optin_closes = models.DateField("opt-ins close")
    matchmaking_starts = models.DateField()
    matchmaking_ends = models.DateField()
    starts_on = models.DateField(
        "program starts", help_text="The conference where the program year starts, when the orientation is held."
    )
    orientation = models.CharField(
        max_length=300, blank=True, help_text="Where and when the orientation at the conference takes place."
    )
    default_length_months = models.PositiveSmallIntegerField(
        "default pair length (months)",
        default=10,
        validators=[MinValueValidator(9), MaxValueValidator(12)],
    )
    mentor_min_years = models.PositiveSmallIntegerField(
        "mentors' minimum years of experience",
        default=5,
        help_text="Mentors are seasoned professionals: how many years of library experience that means.",
    )
    # Accept first (off by default: the program's own flow is unchanged): pairing offers the
    # mentee to the mentor, and the introductions wait for the mentor's answer.
    mentor_accepts_first = models.BooleanField(
        "mentor accepts before the introduction",
        default=False,
        help_text="Pairing sends the mentor an offer with Accept and Decline links; the introductions go out when "
        "they accept.",
    )
    offer_answer_days = models.PositiveSmallIntegerField(
        "days to answer an offer",
        default=7,
        validators=[MinValueValidator(OFFER_ANSWER_DAYS[0]), MaxValueValidator(OFFER_ANSWER_DAYS[1])],
        help_text="A reminder goes at half-time; with no answer by then the committee is told.",
    )
    first_contact_days = models.PositiveSmallIntegerField(
        "days to first contact",
        default=14,
        validators=[MinValueValidator(FIRST_CONTACT_DAYS[0]), MaxValueValidator(FIRST_CONTACT_DAYS[1])],
        help_text="With no first contact this many days after the introduction, both sides are nudged, then the "
        "liaison is told.",
    )
    is_open = models.BooleanField(
        "open for opt-ins", default=False, help_text="Exactly one cycle at a time can be open for opt-ins."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Archived by the committee (members.services.cycles.cycle_archive): out of every menu, restorable.
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_open"],
                condition=Q(is_open=True),
                name="one_cycle_open_for_optins",
                violation_error_message="Another cycle is open for opt-ins; close it first.",
            ),
            models.CheckConstraint(
                condition=Q(default_length_months__gte=9, default_length_months__lte=12),
                name="cycle_length_9_to_12_months",
                violation_error_message="A pair runs 9 to 12 months: choose a default length between them.",
            ),
            models.CheckConstraint(
                condition=Q(offer_answer_days__gte=OFFER_ANSWER_DAYS[0], offer_answer_days__lte=OFFER_ANSWER_DAYS[1]),
                name="cycle_offer_answer_days_range",
                violation_error_message=f"An offer waits {OFFER_ANSWER_DAYS[0]} to {OFFER_ANSWER_DAYS[1]} days for "
                "the mentor's answer.",
            ),
            models.CheckConstraint(
                condition=Q(
                    first_contact_days__gte=FIRST_CONTACT_DAYS[0], first_contact_days__lte=FIRST_CONTACT_DAYS[1]
                ),
                name="cycle_first_contact_days_range",
                violation_error_message=f"First contact is expected {FIRST_CONTACT_DAYS[0]} to "
                f"{FIRST_CONTACT_DAYS[1]} days after the introduction.",
            ),
            models.CheckConstraint(
                condition=Q(optin_closes__gte=models.F("optin_opens")),
                name="optin_window_order",
                violation_error_message="Opt-ins must close after they open.",
            ),
            models.CheckConstraint(
                condition=Q(matchmaking_ends__gte=models.F("matchmaking_starts")),
                name="matchmaking_window_order",
                violation_error_message="Matchmaking must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        first, last = program_dates()
        for name in CYCLE_DATES:
            day = getattr(self, name)
            if day and not first <= day <= last:
                errors[name] = f"Choose a date between {first:%B %-d, %Y} and {last:%B %-d, %Y}."
        if errors:
            raise ValidationError(errors)
        if self.optin_opens and self.starts_on and (self.starts_on - self.optin_opens).days > CYCLE_SPAN_DAYS:
            errors["starts_on"] = (
                "A cycle is one year of the program: it starts within two years of its opt-ins opening "
                f"({self.optin_opens:%B %-d, %Y})."
            )
        if self.optin_opens and self.optin_closes and self.optin_closes < self.optin_opens:
            errors["optin_closes"] = "Opt-ins must close after they open."
        if self.matchmaking_starts and self.matchmaking_ends and self.matchmaking_ends < self.matchmaking_starts:
            errors["matchmaking_ends"] = "Matchmaking must end after it starts."
        if self.is_open and Cycle.objects.filter(is_open=True).exclude(pk=self.pk).exists():
            errors["is_open"] = "Another cycle is open for opt-ins; close it first."
        if errors:
            raise ValidationError(errors)

    def optin_window_state(self, today: dt.date | None = None) -> str | None:
        """None when opt-ins are accepted today, else a sentence saying why not."""
        today = today or timezone.localdate()
        if not self.is_open:
            return f"Opt-ins for the {self.name} cycle are closed."
        if today < self.optin_opens:
            return f"Opt-ins for the {self.name} cycle open on {self.optin_opens:%B %-d, %Y}."
        if today > self.optin_closes:
            return f"Opt-ins for the {self.name} cycle closed on {self.optin_closes:%B %-d, %Y}."
        return None
