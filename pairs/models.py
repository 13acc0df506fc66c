"""Pairs: the pair and its year (its emails are rows of the outbox)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from members.models import Cycle, Enrollment, MaxTypedLength, MeetingMode, User, every_word_in, typed_length
from outbox.models import Email, EmailKind, EmailState

MIN_MONTHS, MAX_MONTHS = 9, 12

# "My partner has gone quiet": a side's report stands this long. A second report in that
# time tells the liaison nothing new, so it is not sent again.
REPORT_STANDS = dt.timedelta(days=14)
REPORT_NOTE_MAX_CHARS = 1000
# The pairs' free texts: enough for what a meeting or a goal needs, not a page of 10,000
# characters that makes every list showing it thousands of pixels long.
CHECKIN_NOTES_MAX_CHARS = 2000
GOAL_DESCRIPTION_MAX_CHARS = 1000
END_NOTE_MAX_CHARS = 1000
CHECKIN_MAX_MINUTES = 600
# Its author may correct or delete a check-in this long after logging it; after that it is the
# pair's record, as the liaison and the reports have read it.
CHECKIN_EDITABLE = dt.timedelta(days=14)
CHECKIN_MINUTES_MESSAGE = (
    f"A check-in lasts 1 to {CHECKIN_MAX_MINUTES} minutes ({CHECKIN_MAX_MINUTES // 60} hours): "
    "leave the length empty if you did not count."
)
# A goal may aim past the mentoring year (a certification, a conference next year), not further.
GOAL_TARGET_AFTER_END_MONTHS = 12


def validate_report_note(note: str) -> None:
    # Counted as the browser's maxlength counts: a line break is one character (it sends two).
    length = typed_length(note)
    if length > REPORT_NOTE_MAX_CHARS:
        raise ValidationError(f"Keep the note to {REPORT_NOTE_MAX_CHARS:,} characters (it has {length:,}).")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"{months} months from {day} is beyond the calendar.")
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


class PairStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended early"


class PairEndReason(models.TextChoices):
    """Why a pair ended early, as the committee's reports count it (with a note in words)."""

    MOVED = "moved", "Moved or changed job"
    WORKLOAD = "workload", "Workload"
    NOT_A_MATCH = "not_a_match", "Not a good match"
    NO_CONTACT = "no_contact", "No contact"
    ACCOUNT_DELETED = "account_deleted", "Account deleted"
    OTHER = "other", "Other"


def search_names(qs: models.QuerySet, text: str) -> models.QuerySet:
    """Rows of `qs` (pairs, or a proposal's draft pairs: same mentee and mentor fields)
    where every word of `text` is in the mentee's or the mentor's first or last name."""
    names = ("member__first_name", "member__last_name")
    return every_word_in(qs, text, [f"{side}__{name}" for side in ("mentee", "mentor") for name in names])


class PairQuerySet(models.QuerySet):
    def search(self, text: str) -> PairQuerySet:
        """Every word of `text` in the mentee's or the mentor's name."""
        return search_names(self, text)

    def active(self) -> PairQuerySet:
        return self.filter(status=PairStatus.ACTIVE)

    def for_cycle(self, cycle: Cycle) -> PairQuerySet:
        return self.filter(cycle=cycle)

    def between(self, mentee_member_id: int, mentor_member_id: int) -> PairQuerySet:
        """The pairs, of any cycle and whatever became of them, in which the first member was the
        mentee and the second the mentor: matching does not suggest them again ("paired with this
        mentee before"), and the admin asks before making another."""
        return self.filter(mentee__member_id=mentee_member_id, mentor__member_id=mentor_member_id)

    def involving(self, user: User) -> PairQuerySet:
        """Pairs in which `user` is the mentor or the mentee (reads the user's opt-ins at once)."""
        # The user's own opt-ins (a handful) read first, as a list: given them as a
        # subquery, PostgreSQL guesses a thousand matching pairs and joins every opt-in
        # of every cycle to find the one or two (4 ms instead of a few index reads).
        own = list(Enrollment.objects.filter(member=user).values_list("pk", flat=True))
        return self.filter(Q(mentor__in=own) | Q(mentee__in=own))

    def visible_to(self, user: User) -> PairQuerySet:
        """What `user` may open: their own pairs, the pairs they liaise, or all for the committee."""
        if user.runs_program:
            return self.all()
        own = Enrollment.objects.filter(member=user).values("pk")
        return self.filter(Q(mentor__in=own) | Q(mentee__in=own) | _liaised_by(user))

    def liaised_by(self, user: User) -> PairQuerySet:
        """The pairs `user` liaises — none once they are off the committee, though the pairs may still name them."""
        return self.filter(_liaised_by(user))

    def evaluation_open(self, today: dt.date | None = None) -> PairQuerySet:
        """The pairs whose closing evaluation takes answers (Pair.evaluation_is_open, as a query)."""
        opens_by = add_months(today or timezone.localdate(), 1)  # opens a month before the end
        return self.filter(~Q(status=PairStatus.ACTIVE) | Q(ends_on__lte=opens_by))

    def with_people(self) -> PairQuerySet:
        return self.with_sides().select_related("liaison")

    def with_sides(self) -> PairQuerySet:
        """The cycle and the two sides with their members, without the liaison: a member's row is
        wide, and Django's building of a query grows with its columns (a pair's forms 2.2–2.5× the
        layout floor with it left out, 2.3–2.7× with it, alternated in `make bench`)."""
        return self.select_related("cycle", "mentor__member", "mentee__member")

    def with_members(self) -> PairQuerySet:
        """The two members' names only, and the pair's first contact, for the signed link's
        page: Django's cost of building a query grows with its columns, and the enrollments'
        and members' others were most of the page's time. Anything else read is a query more
        (tests/test_first_contact.py counts the page's)."""
        names = ("first_name", "last_name", "email")  # User.__str__ and the page's first names
        return self.select_related("mentor__member", "mentee__member").only(
            "status",
            "first_contact_on",
            "first_contact_by",
            *(f"{side}__member__{name}" for side in ("mentor", "mentee") for name in names),
        )

    def with_last_checkin(self) -> PairQuerySet:
        # Subqueries, not a join: joined check-ins make PostgreSQL group every pair's
        # selected columns (and multiply any other joined count) before a page takes 25.
        return self.annotate(last_checkin_on=_last_checkin(), checkin_count=_count_per_pair(CheckIn.objects.all()))

    def with_pending_introductions(self) -> PairQuerySet:
        """`intro_pending`: how many of the pair's two introductions are not sent yet."""
        unsent = Email.objects.filter(kind__in=[EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE]).exclude(
            state=EmailState.SENT
        )
        return self.annotate(intro_pending=_count_per_pair(unsent))

    def quiet(self, today: dt.date | None = None) -> PairQuerySet:
        """Active pairs with no check-in for CHECKIN_QUIET_DAYS (counted from the start when none yet)."""
        return self.filter(_quiet(today))

    def without_first_contact(self, today: dt.date | None = None) -> PairQuerySet:
        """Active pairs past their day of first contact with none confirmed and no check-in logged."""
        return self.filter(_no_first_contact(today))

    def needing_attention(self, today: dt.date | None = None) -> PairQuerySet:
        """Active pairs that are quiet, or have had no first contact by its day."""
        return self.filter(_quiet(today) | _no_first_contact(today))

    def with_attention(self, today: dt.date | None = None) -> PairQuerySet:
        """`needs_attention` on each pair: True when `needing_attention` would list it; and
        `no_first_contact`: True when that is the reason."""
        return self.annotate(
            needs_attention=ExpressionWrapper(_quiet(today) | _no_first_contact(today), output_field=BooleanField()),
            no_first_contact=ExpressionWrapper(_no_first_contact(today), output_field=BooleanField()),
        )

    def with_attention_reason(self, today: dt.date | None = None) -> PairQuerySet:
        """Why `needing_attention` lists a pair, and nothing more: `last_checkin_on` and
        `no_first_contact` (the health page's list: building the other annotations of
        `with_last_checkin` and `with_attention` cost it a millisecond)."""
        no_first_contact = _no_first_contact(today, no_checkin=Q(last_checkin_on__isnull=True))
        return self.annotate(last_checkin_on=_last_checkin()).annotate(
            no_first_contact=ExpressionWrapper(no_first_contact, output_field=BooleanField())
        )


def mentors_with_places_left(mentors: models.QuerySet) -> models.QuerySet:
    """The mentor opt-ins of `mentors` with fewer places taken (`places_taken`) than the mentees
    they offered to take, each with `places_left`: whom a pair may still be made with
    (pair_create checks it again under a lock)."""

    def per_mentor(rows: models.QuerySet) -> Coalesce:
        n = rows.filter(mentor=OuterRef("pk")).order_by().values("mentor").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(n), 0)

    taken = per_mentor(Pair.objects.active()) + per_mentor(Offer.objects.holding())
    return mentors.annotate(places_left=models.F("capacity") - taken).filter(places_left__gt=0)


def places_taken(mentor_ids: list[int], *, but_offer: int | None = None) -> dict[int, tuple[int, int]]:
    """Rule 2's count, per mentor opt-in: (their active pairs, the offers holding a place —
    waiting for their answer, or unanswered until the committee withdraws them), all but the
    offer `but_offer` (the one being accepted). One query, however many mentors."""

    def per_mentor(rows: models.QuerySet, kind: int) -> models.QuerySet:
        counted = (
            rows.filter(mentor__in=mentor_ids).values_list("mentor").annotate(n=Count("pk"), kind=models.Value(kind))
        )
        return counted.order_by()

    offers = Offer.objects.holding().exclude(pk=but_offer)
    taken: dict[int, list[int]] = {}
    # One query: both counts, as one list (pair_create runs it for every pair of a proposal).
    for mentor_id, n, kind in per_mentor(Pair.objects.active(), 0).union(per_mentor(offers, 1), all=True).order_by():
        taken.setdefault(mentor_id, [0, 0])[kind] = n
    return {pk: (pairs, held) for pk, (pairs, held) in taken.items()}


def _liaised_by(user: User) -> Q:
    # A pair's liaison field is a record of who was asked; the rights are User.objects.liaisons()'s.
    return Q(liaison=user, liaison__in=User.objects.liaisons())


def _quiet(today: dt.date | None = None) -> Q:
    """An active pair, started before the cutoff, with no check-in after it.

    "No check-in after the cutoff" rather than "the last check-in on or before it":
    the same pairs, but PostgreSQL answers it with one anti-join over the recent
    check-ins instead of looking up every pair's latest check-in twice.
    """
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=settings.CHECKIN_QUIET_DAYS)
    recent = CheckIn.objects.filter(pair=OuterRef("pk"), met_on__gt=cutoff)
    return Q(status=PairStatus.ACTIVE, starts_on__lte=cutoff) & ~Exists(recent)


def _no_first_contact(today: dt.date | None = None, *, no_checkin: Q | None = None) -> Q:
    """An active pair whose day of first contact has passed with neither side confirming
    it and no check-in logged (pairs made before the day was kept have none: never).

    `no_checkin` says how to tell "no check-in logged" on a query that knows it already
    (`last_checkin_on` is null: a look-up for each pair listed, where the default scans
    every check-in)."""
    if no_checkin is None:
        no_checkin = ~Exists(CheckIn.objects.filter(pair=OuterRef("pk")))
    return (
        Q(
            status=PairStatus.ACTIVE,
            first_contact_on__isnull=True,
            first_contact_due_on__lte=today or timezone.localdate(),
        )
        & no_checkin
    )


def _last_checkin() -> Subquery:
    """The date of the pair's latest check-in (None when there is none), for an annotation."""
    return Subquery(CheckIn.objects.filter(pair=OuterRef("pk")).order_by("-met_on").values("met_on")[:1])


def _count_per_pair(rows: models.QuerySet) -> Coalesce:
    """How many of `rows` (check-ins, emails: anything with a `pair`) belong to the pair,
    as a subquery: joining them would group every pair's columns before a page takes 25,
    and multiply any other joined count."""
    per_pair = rows.filter(pair=OuterRef("pk")).order_by().values("pair").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_pair), 0)


class Pair(models.Model):
    """One mentor and one mentee of the same cycle, for 9 to 12 months.

    Made only by `pairs.services.pairing.pair_create`, which keeps DESIGN.md's rules 1–4.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="pairs")
    mentor = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="pairs_as_mentor")
    mentee = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="pairs_as_mentee")
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_pairs",
        help_text="The committee member who keeps in touch with this pair.",
    )
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.ACTIVE)
    starts_on = models.DateField()
    length_months = models.PositiveSmallIntegerField(default=10)
    ends_on = models.DateField()

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    # What the committee's suggestion saw when the pair was made (matching passes them to
    # pair_create): the reasons in words, never the scores, for the introductions; and
    # where the chosen mentor stood among the suggestions (1 = the top one), for the
    # committee's own measure of the suggestions; and the score the suggestions gave the two
    # then (for the committee's export, never shown to members). Empty / None when made without them.
    match_reasons = models.JSONField(default=list, blank=True, editable=False)
    suggestion_rank = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    match_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why it ended early: a category the reports count, and a note in words (pairs ended before
    # the categories keep their note, under "Other").
    end_category = models.CharField("why it ended", max_length=16, choices=PairEndReason.choices, blank=True)
    end_reason = models.TextField("note", blank=True, validators=[MaxTypedLength(END_NOTE_MAX_CHARS)])
    # Who gave the pair its liaison, and when (pair_create, pairs_liaison_assign, committee_remove:
    # None by = the site itself, when the liaison left the committee).
    liaison_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    liaison_assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # The day the last "no check-in lately" reminder went out: one per quiet spell.
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    # When each side last told the liaison that the other had gone quiet (pair_report_unresponsive).
    mentor_reported_unresponsive_at = models.DateTimeField(null=True, blank=True)
    mentee_reported_unresponsive_at = models.DateTimeField(null=True, blank=True)
    # First contact: the day it is due (the cycle's days after the introduction, kept on the pair
    # so that a change of the setting never moves it), the day one side confirmed it ("We have
    # been in touch", pairs.services.contact) and who; and when both sides were nudged and the
    # liaison told that none came.
    first_contact_due_on = models.DateField(null=True, blank=True, editable=False)
    first_contact_on = models.DateField(null=True, blank=True)
    first_contact_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    no_contact_nudged_on = models.DateField(null=True, blank=True, editable=False)
    no_contact_liaison_told_on = models.DateField(null=True, blank=True, editable=False)

    objects = PairQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Rule 1: a mentee enrollment is in at most one active pair.
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status="active"),
                name="one_active_pair_per_mentee",
                violation_error_message="This mentee is in an active pair already.",
            ),
            # Rule 3: 9 to 12 months, and the two sides are different enrollments.
            models.CheckConstraint(
                condition=Q(length_months__gte=MIN_MONTHS, length_months__lte=MAX_MONTHS),
                name="pair_length_9_to_12",
                violation_error_message=f"A pair runs {MIN_MONTHS} to {MAX_MONTHS} months.",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="pair_two_enrollments",
                violation_error_message="A pair is two opt-ins: a mentor's and a mentee's.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="pair_ends_after_start",
                violation_error_message="A pair ends after it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            # The default ordering: the admin's list of pairs reads the newest first.
            models.Index(fields=["-created_at"], name="pair_newest_first"),
        ]

    def __str__(self) -> str:
        return self.label(str(self.mentor.member), str(self.mentee.member))

    def get_absolute_url(self) -> str:
        return reverse("pairs:pair-detail", args=[self.pk])

    @staticmethod
    def label(mentor: str, mentee: str) -> str:
        """A pair as the site names it, from its two people's names (str(pair))."""
        return f"{mentor} & {mentee}"

    # The columns str(pair) reads: the mentor's, then the mentee's name and address (each side's
    # three as members.models.person_label takes them), for lists that read columns, not models.
    LABEL_COLUMNS = tuple(
        f"{side}__member__{name}" for side in ("mentor", "mentee") for name in ("first_name", "last_name", "email")
    )

    def member_ids(self) -> set[int]:
        return {self.mentor.member_id, self.mentee.member_id}

    def has_member(self, user: User) -> bool:
        return user.is_authenticated and user.pk in self.member_ids()

    def other_side(self, user: User) -> User:
        return self.mentee.member if user.pk == self.mentor.member_id else self.mentor.member

    def role_of(self, user: User) -> str | None:
        if user.pk == self.mentor.member_id:
            return "mentor"
        if user.pk == self.mentee.member_id:
            return "mentee"
        return None

    def standing_report_at(self, role: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
        """When `role` ("mentor", "mentee") reported the other side gone quiet, if that report
        still stands (REPORT_STANDS): a report made again before then is not sent."""
        if role not in ("mentor", "mentee"):
            return None
        reported_at = getattr(self, f"{role}_reported_unresponsive_at")
        if reported_at and (now or timezone.now()) - reported_at < REPORT_STANDS:
            return reported_at
        return None

    @property
    def midpoint_on(self) -> dt.date:
        return self.starts_on + (self.ends_on - self.starts_on) / 2

    @property
    def evaluation_opens_on(self) -> dt.date:
        """The closing evaluation opens a month before the end."""
        return add_months(self.ends_on, -1)

    def evaluation_is_open(self, today: dt.date | None = None) -> bool:
        """The closing evaluation takes answers from a month before the end, and once the
        pair is over (completed, or ended early): the one rule the pair page, the form and
        the service ask."""
        return not self.is_active or (today or timezone.localdate()) >= self.evaluation_opens_on

    @property
    def is_active(self) -> bool:
        return self.status == PairStatus.ACTIVE

    @property
    def began_on(self) -> dt.date:
        """The day the pair began: the day it was made (its introductions), or its start date
        when that is earlier. A pair made in the summer meets before the fall conference."""
        made_on = timezone.localtime(self.created_at).date() if self.created_at else self.starts_on
        return min(made_on, self.starts_on)

    @property
    def over_on(self) -> dt.date | None:
        """The day the pair ended: early (when it was ended) or at its end date; None while active."""
        if self.status == PairStatus.ENDED and self.ended_at:
            return timezone.localtime(self.ended_at).date()
        if self.status == PairStatus.COMPLETED:
            return self.ends_on
        return None

    def checkin_date_refusal(self, met_on: dt.date, today: dt.date | None = None) -> str | None:
        """Why a check-in cannot be dated `met_on` (in the future, before the pair began, after it
        ended), or None: the one rule the form, the admin and the service ask."""
        if met_on > (today or timezone.localdate()):
            return "Log a check-in after it happened: this date is in the future."
        if met_on < self.began_on:
            return f"This pair began on {self.began_on:%B %-d, %Y}: a check-in cannot be dated before that."
        if (over_on := self.over_on) and met_on > over_on:
            return f"This pair ended on {over_on:%B %-d, %Y}: a check-in cannot be dated after that."
        return None

    @property
    def goal_targets(self) -> tuple[dt.date, dt.date]:
        """The target dates a goal of the pair may have: from the day it began to a year after its end."""
        return self.began_on, add_months(self.ends_on, GOAL_TARGET_AFTER_END_MONTHS)

    def goal_target_refusal(self, target_on: dt.date | None) -> str | None:
        """Why a goal of the pair cannot aim at `target_on`, or None (no date is fine)."""
        first, last = self.goal_targets
        if target_on is not None and not first <= target_on <= last:
            return (
                f"Choose a target date between {first:%B %-d, %Y}, when the pair began, and "
                f"{last:%B %-d, %Y}, a year after its end."
            )
        return None


class OfferStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the mentor"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Not answered in time"
    WITHDRAWN = "withdrawn", "Withdrawn"


# An offer holds the mentor's place and the mentee while it waits, and once unanswered in
# time until the committee withdraws it (rule 2 counts them).
OFFER_HOLDING = (OfferStatus.WAITING, OfferStatus.EXPIRED)
DECLINE_REASON_MAX_CHARS = 1000


class OfferQuerySet(models.QuerySet):
    def holding(self) -> OfferQuerySet:
        return self.filter(status__in=OFFER_HOLDING)

    def for_cycle(self, cycle: Cycle) -> OfferQuerySet:
        return self.filter(cycle=cycle)

    def with_people(self) -> OfferQuerySet:
        return self.select_related("cycle", "mentor__member", "mentee__member", "created_by", "liaison")

    def with_mentee(self) -> OfferQuerySet:
        """What the mentor's answer page shows: the cycle and the mentee. Not with_people():
        Django's cost of building a query grows with its columns, and three more users'
        columns made the one-row query most of the page's time."""
        return self.select_related("cycle", "mentee__member")


class Offer(models.Model):
    """A mentee offered to a mentor, in a cycle where the mentor accepts before the
    introduction: waiting → accepted (the pair is made, with its introductions) | declined
    (the mentee goes back to the pool) | expired (no answer in time; the committee may
    withdraw it) | withdrawn. Written only by `pairs.services.offers`.

    What the pair will be (liaison, length, the suggestion's reasons) is chosen when the
    offer is made, and given to `pair_create` on acceptance.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="offers")
    mentor = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="offers_as_mentor")
    mentee = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="offers_as_mentee")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.WAITING)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    length_months = models.PositiveSmallIntegerField(default=10)
    match_reasons = models.JSONField(default=list, blank=True, editable=False)
    suggestion_rank = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    match_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)  # the pair's, once accepted
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The last day the mentor may answer (the cycle's days to answer, kept on the offer).
    answer_by = models.DateField()
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    decline_reason = models.TextField(
        "why not", blank=True, validators=[MaxTypedLength(DECLINE_REASON_MAX_CHARS)], editable=False
    )
    # Expired, or withdrawn: when, and who withdrew it.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    pair = models.OneToOneField(
        "Pair", on_delete=models.SET_NULL, null=True, blank=True, related_name="offer", editable=False
    )

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Like rule 1: a mentee is offered to one mentor at a time.
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status__in=["waiting", "expired"]),
                name="one_open_offer_per_mentee",
                violation_error_message="This mentee is offered to a mentor already.",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="offer_two_enrollments",
                violation_error_message="An offer is two opt-ins: a mentor's and a mentee's.",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"{self.mentee.member} offered to {self.mentor.member}"

    @property
    def made_on(self) -> dt.date:
        return timezone.localtime(self.created_at).date()

    @property
    def remind_on(self) -> dt.date:
        """Half-time: the day the one reminder goes, if no answer came."""
        return self.made_on + (self.answer_by - self.made_on) / 2

    @property
    def is_holding(self) -> bool:
        return self.status in OFFER_HOLDING


class CheckIn(models.Model):
    """A meeting logged by either side. The notes are for the pair's two members only."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="checkins")
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    met_on = models.DateField("date")
    mode = models.CharField("how you met", max_length=12, choices=MeetingMode.choices)
    minutes = models.PositiveSmallIntegerField("length (minutes)", null=True, blank=True)
    topics = models.CharField(max_length=300, blank=True)
    notes = models.TextField(
        blank=True,
        validators=[MaxTypedLength(CHECKIN_NOTES_MAX_CHARS)],
        help_text="Private to the two of you: the liaison and the committee never see it.",
    )
    # The month's discussion topic they talked about, if they say so; its title is kept with
    # the check-in, so that the committee rewording or deleting the topic rewrites nothing.
    topic = models.ForeignKey(
        "Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="checkins", verbose_name="topic"
    )
    topic_title = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its author last changed it (the other side sees that it was edited).
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-met_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=CHECKIN_MAX_MINUTES) | Q(minutes__isnull=True),
                name="checkin_minutes_range",
                violation_error_message=CHECKIN_MINUTES_MESSAGE,
            )
        ]
        indexes = [
            # The default ordering: the admin's list of check-ins reads the latest first.
            models.Index(fields=["-met_on", "-created_at"], name="checkin_latest_first"),
            # A pair's latest check-in (lists, reminders) and its check-ins after a day
            # (who needs attention): one index probe per pair instead of reading and
            # sorting all its check-ins.
            models.Index(fields=["pair", "-met_on"], name="checkin_pair_latest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} on {self.met_on}"

    def clean(self) -> None:
        if self.pair_id and self.met_on and (refusal := self.pair.checkin_date_refusal(self.met_on)):
            raise ValidationError({"met_on": refusal})

    @property
    def editable_until(self) -> dt.datetime:
        """Its author may change or delete it until then (CHECKIN_EDITABLE after logging it)."""
        return (self.created_at or timezone.now()) + CHECKIN_EDITABLE

    def change_refusal(self, user: User, now: dt.datetime | None = None) -> str | None:
        """Why `user` may not edit or delete this check-in now, or None: the one rule the
        page's links, the forms and the service ask."""
        if not user.is_authenticated or user.pk != self.logged_by_id:
            return "Only the person who logged a check-in can change or delete it."
        if (now or timezone.now()) > self.editable_until:
            return (
                f"A check-in can be changed or deleted for {CHECKIN_EDITABLE.days} days after it was logged: "
                f"this one was logged on {timezone.localtime(self.created_at):%B %-d, %Y}. "
                "Log a new check-in instead, or ask your liaison."
            )
        return None


class GoalStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class GoalQuerySet(models.QuerySet):
    def in_display_order(self) -> GoalQuerySet:
        """What is still to do first (by target date), what is done last."""
        done_last = models.Case(models.When(status=GoalStatus.DONE, then=models.Value(1)), default=models.Value(0))
        return self.order_by(done_last, models.F("target_on").asc(nulls_last=True), "created_at")


class Goal(models.Model):
    """A project the pair develops and works on together."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, validators=[MaxTypedLength(GOAL_DESCRIPTION_MAX_CHARS)])
    status = models.CharField(max_length=12, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    target_on = models.DateField("target date", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_on = models.DateField(null=True, blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.pair_id and (refusal := self.pair.goal_target_refusal(self.target_on)):
            raise ValidationError({"target_on": refusal})


class EvaluationKind(models.TextChoices):
    MIDPOINT = "midpoint", "Midpoint review"
    CLOSING = "closing", "Closing evaluation"


class Evaluation(models.Model):
    """One side's answers to the midpoint or closing form."""

    RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="evaluations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    role = models.CharField(max_length=8)
    kind = models.CharField(max_length=10, choices=EvaluationKind.choices, default=EvaluationKind.CLOSING)
    overall = models.PositiveSmallIntegerField("overall, the program was worthwhile", choices=RATING_CHOICES)
    relationship = models.PositiveSmallIntegerField("we worked well together", choices=RATING_CHOICES)
    goals_met = models.PositiveSmallIntegerField("we reached the goals we set", choices=RATING_CHOICES)
    would_recommend = models.BooleanField("I would recommend the program to a colleague")
    best = models.TextField("what worked best", blank=True)
    improve = models.TextField("what the committee could improve", blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "role", "kind"],
                name="one_evaluation_per_side_and_kind",
                violation_error_message="This side of the pair has filled in this evaluation already.",
            ),
            models.CheckConstraint(
                condition=Q(overall__range=(1, 5), relationship__range=(1, 5), goals_met__range=(1, 5)),
                name="evaluation_ratings_1_to_5",
                violation_error_message="Each rating is from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        # Without the pair's names: the committee reads evaluations without knowing whose they are.
        return f"{self.get_kind_display()} by a {self.role}"


# A milestone's state, as its badge says it, and the badge's colour. "not reached": the pair
# ended early first; "missed": due before it ended, and not done. "not recorded": the
# orientation has passed without both sides marked present, as the pair's members read it —
# the committee marks it, they cannot.
MILESTONE_STATES = {
    "done": ("Done", "success"),
    "overdue": ("Overdue", "danger"),
    "due": ("Due soon", "warning"),
    "open": ("Open", "warning"),
    "upcoming": ("Upcoming", "secondary"),
    "not_reached": ("Not reached", "secondary"),
    "missed": ("Not done", "secondary"),
    "not_recorded": ("Not recorded", "secondary"),
}


@dataclass(frozen=True)
class Milestone:
    name: str
    due_on: dt.date
    done_on: dt.date | None
    state: str  # a key of MILESTONE_STATES
    # What the milestone is, whatever the program calls it: calendars key their events on it.
    key: str = ""

    @property
    def label(self) -> str:
        return MILESTONE_STATES[self.state][0]

    @property
    def css(self) -> str:
        return MILESTONE_STATES[self.state][1]

    @property
    def shown_on(self) -> dt.date:
        """The date the timeline shows for it, and reads in order: when it was done, else when it is due."""
        return self.done_on or self.due_on


class OrientationAttendanceQuerySet(models.QuerySet):
    def for_cycle(self, cycle: Cycle) -> OrientationAttendanceQuerySet:
        return self.filter(cycle=cycle)

    def attended(self) -> OrientationAttendanceQuerySet:
        return self.filter(attended=True)


class OrientationAttendance(models.Model):
    """Whether a member came to their cycle's orientation (where the year starts), as the committee marked it.

    The event itself is the cycle's: its date (`Cycle.starts_on`) and place
    (`Cycle.orientation`). Written only by `pairs.services.orientation_mark`.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="orientation_attendance")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attended = models.BooleanField(default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    objects = OrientationAttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "member"],
                name="one_orientation_mark_per_member_and_cycle",
                violation_error_message="This member's attendance at the cycle's orientation is marked already.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {'attended' if self.attended else 'did not attend'} the {self.cycle} orientation"


# --- Topics: the committee's discussion topic for each month of a pair's year ------------------

TOPIC_TEXT_MAX_CHARS = 2000
TOPIC_MONTHS = 12  # a pair runs 9 to 12 months


class TopicQuerySet(models.QuerySet):
    def for_cycle(self, cycle: Cycle | int | None) -> TopicQuerySet:
        """The schedule `cycle` keeps itself (None: the program's, which every cycle follows)."""
        return self.filter(cycle=cycle)

    def schedule_of(self, cycle_id: int | None) -> dict[int, Topic]:
        """month -> topic as a pair of the cycle reads it: the cycle's own topic for a month, else the
        program's. One query."""
        rows = self.filter(Q(cycle__isnull=True) | Q(cycle_id=cycle_id)).order_by(
            models.F("cycle_id").asc(nulls_first=True)
        )
        return {t.month: t for t in rows}  # the cycle's own come last, and win


class Topic(models.Model):
    """The committee's discussion topic for a month of a pair's year (month 1: the month the pair
    starts, for most pairs the month of the orientation). A schedule is the program's (cycle
    empty: every cycle follows it, what the presets load) or one cycle's own, which replaces the
    program's topic month by month."""

    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topics",
        help_text="Empty: the program's schedule, which every cycle follows where it has no topic of its own.",
    )
    month = models.PositiveSmallIntegerField(
        "month of the pair's year",
        help_text="1 is the month a pair starts (for most pairs, the month of the orientation).",
    )
    title = models.CharField(max_length=200)
    text = models.TextField(
        "what to talk about",
        validators=[MaxTypedLength(TOPIC_TEXT_MAX_CHARS)],
        help_text="A short text. Markdown: paragraphs, lists, **bold**, *italics*, [a link](https://…).",
    )
    resource_url = models.URLField("resource link", max_length=500, blank=True, help_text="Optional.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "month"],
                name="one_topic_per_cycle_month",
                violation_error_message="This cycle has a topic for that month already: change that one.",
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(cycle__isnull=True),
                name="one_program_topic_per_month",
                violation_error_message="The program's schedule has a topic for that month already: change that one.",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=TOPIC_MONTHS),
                name="topic_month_1_to_12",
                violation_error_message=f"A pair's year has months 1 to {TOPIC_MONTHS}.",
            ),
        ]

    def __str__(self) -> str:
        return f"Month {self.month}: {self.title}"


def pair_month(pair: Pair, today: dt.date | None = None) -> int | None:
    """Which month of its year the pair is in (1: the month it starts), or None before it starts
    and once it is over."""
    today = today or timezone.localdate()
    if not pair.is_active or today < pair.starts_on or today > pair.ends_on:
        return None
    n = (today.year - pair.starts_on.year) * 12 + today.month - pair.starts_on.month + 1
    return n if 1 <= n <= TOPIC_MONTHS else None


# --- Certificates: issued at completion, verified by a code -----------------------------------


class CertificateQuerySet(models.QuerySet):
    def current(self) -> CertificateQuerySet:
        return self.filter(replaced_at__isnull=True)


class Certificate(models.Model):
    """A completion certificate for one side of a completed pair. What it says is written on it
    when it is issued (rule 9: changing the settings never rewrites a certificate); the committee
    reissues one with a new code, and the old code then no longer verifies."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="certificates")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    role = models.CharField(max_length=8)  # "mentor" or "mentee"
    # Random and unguessable (secrets), stored without its dashes; printed in groups of four.
    code = models.CharField(max_length=32, unique=True, editable=False)
    holder_name = models.CharField(max_length=300)
    association_name = models.CharField(max_length=200)
    program_name = models.CharField(max_length=200)
    committee_name = models.CharField(max_length=200)
    chair_name = models.CharField(max_length=200, blank=True)
    cycle_name = models.CharField(max_length=100)
    starts_on = models.DateField()
    ends_on = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "role"],
                condition=Q(replaced_at__isnull=True),
                name="one_current_certificate_per_side",
                violation_error_message="This side of the pair has a certificate already: reissue it instead.",
            ),
        ]

    def __str__(self) -> str:
        return f"Certificate of {self.holder_name} ({self.role}, {self.cycle_name})"

    @property
    def printed_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None


# The surveys' models live in their own module (one concept a file); Django finds them here.
from .survey_models import (  # noqa: E402, F401
    REMINDER_AFTER,
    SURVEY_INTRO_MAX_CHARS,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
)
