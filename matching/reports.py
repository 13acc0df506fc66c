"""The program's health in numbers (the exports are in `exports`).

Every function reads with a fixed number of queries, however many pairs, check-ins,
months or cycles there are (grouped counts, conditional counts, one row per pair at
most), and returns plain values: dicts, lists, numbers, dates.

Check-in notes and topics are private to the pair (DESIGN.md, rule 5): nothing here
reads them, not even to count them.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from members.models import TAKING_PART, Area, Cycle, Enrollment, EnrollmentStatus, Role
from outbox.models import Email, EmailKind, EmailState
from pairs.models import (
    CheckIn,
    Evaluation,
    EvaluationKind,
    Offer,
    OfferStatus,
    Pair,
    PairEndReason,
    PairStatus,
    mentors_with_places_left,
)

STATUSES = [s.value for s in EnrollmentStatus]
ROLES = [Role.MENTEE.value, Role.MENTOR.value]
AREA_LABELS = dict(Area.choices)


def _rate(part: int, whole: int) -> float | None:
    """part ÷ whole as a fraction, or None when there is nothing to divide by."""
    return part / whole if whole else None


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def ended_on(ended_at: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(ended_at).date() if ended_at else None


# --- Tallies: one grouped query per table, for one cycle or every cycle ------------------------


def _enrollment_tallies(cycle: Cycle | None = None) -> list[dict]:
    """Opt-ins by cycle, role and status. One query.

    COUNT(*), not COUNT(id): the rows counted, the same number (id is never null), but then
    PostgreSQL reads the index on (cycle, role, status) alone instead of every opt-in's wide
    row (1 ms instead of 4 at 10,000 members)."""
    rows = Enrollment.objects.all() if cycle is None else Enrollment.objects.for_cycle(cycle)
    return list(rows.order_by().values("cycle", "role", "status").annotate(n=Count("*")))


def _checkin_tallies(cycle: Cycle | None = None) -> dict[int, dict[dt.date, int]]:
    """Check-ins by cycle and day: {cycle id: {day: how many}}. One query.

    By day, not by month: a few hundred days a cycle, where grouping by month in SQL would
    truncate every check-in's date first. COUNT(*), as the opt-ins' tallies: PostgreSQL reads
    the index on (pair, met_on) alone, not every check-in's row with its notes.
    """
    rows = CheckIn.objects.all() if cycle is None else CheckIn.objects.filter(pair__cycle=cycle)
    days: dict[int, dict[dt.date, int]] = {}
    for cycle_id, day, n in (
        rows.order_by().values("pair__cycle", "met_on").annotate(n=Count("*")).values_list("pair__cycle", "met_on", "n")
    ):
        days.setdefault(cycle_id, {})[day] = n
    return days


def _closing_tallies(cycle: Cycle | None = None) -> list[dict]:
    """Closing evaluations by cycle and side: how many, the sums of the ratings, how many
    recommend. Sums, not averages, so that both sides of a cycle add up. One query."""
    rows = Evaluation.objects.filter(kind=EvaluationKind.CLOSING)
    if cycle is not None:
        rows = rows.filter(pair__cycle=cycle)
    return list(
        rows.order_by()
        .values("pair__cycle", "role")
        .annotate(
            n=Count("pk"),
            overall=Sum("overall"),
            relationship=Sum("relationship"),
            goals_met=Sum("goals_met"),
            recommend=Count("pk", filter=Q(would_recommend=True)),
        )
    )


# What the numbers need of a pair, counted: pairs alike in all of it are one row (most pairs of a
# cycle start on its first day and run 9, 10 or 12 months). The day an ended pair ended is the
# local date, as `ended_on` makes it.
PAIR_ROW = ("starts_on", "ends_on", "status", "ended_day", "suggestion_rank")


def _counted_pairs(pairs: models.QuerySet, *by: str) -> models.QuerySet:
    """`pairs` as rows of `by` (fields that come first), PAIR_ROW and how many pairs each stands for.

    Counted by PostgreSQL rather than read a pair at a time: the health page read every pair of
    every cycle (1,639 rows at 10,000 members, more each year), where a few dozen say the same."""
    rows = pairs.annotate(ended_day=TruncDate("ended_at")).order_by().values_list(*by, *PAIR_ROW)
    return rows.annotate(n=Count("*"))


def _every_pair_rows() -> dict[int, list[tuple]]:
    """Every cycle's pairs as `_pair_rows` reads one cycle's, by cycle. One query."""
    rows: dict[int, list[tuple]] = {}
    for row in _counted_pairs(Pair.objects.all(), "cycle"):
        rows.setdefault(row[0], []).append(row[1:])
    return rows


@dataclass(frozen=True)
class Tallies:
    """Every cycle's opt-ins, check-ins and closing evaluations counted, and its pairs read, once
    (four queries): the health page reads its cycle's numbers and the year-over-year table from
    the same rows. Each function below reads only its own cycle's when called without them."""

    enrollments: list[dict]
    checkins: dict[int, dict[dt.date, int]]
    closing: list[dict]
    pairs: dict[int, list[tuple]]  # by cycle, as _pair_rows reads them
    # Each cycle's pair spans and monthly series, worked out once: the cycle's numbers and the
    # year-over-year table both need them.
    worked_out: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def read(cls) -> Tallies:
        return cls(_enrollment_tallies(), _checkin_tallies(), _closing_tallies(), _every_pair_rows())

    def spans_and_series(self, cycle: Cycle, today: dt.date) -> tuple[list, list[dict]]:
        """`_pair_spans` and `checkins_per_month` of `cycle`, from these tallies."""
        if (cycle.pk, today) not in self.worked_out:
            spans = _pair_spans(cycle, self.pairs.get(cycle.pk, []))
            self.worked_out[(cycle.pk, today)] = (spans, checkins_per_month(cycle, today, spans, self))
        return self.worked_out[(cycle.pk, today)]


# A mentee "with a mentor": in a pair now, or their pair completed. One whose pair ended early
# and who went back to the pool is waiting again, and counted so on every figure.
WITH_A_MENTOR = (EnrollmentStatus.PAIRED, EnrollmentStatus.COMPLETED)


def _taking_part(rows: list[dict]) -> tuple[int, int]:
    """(mentees enrolled, mentees with a mentor) of one cycle's enrollment tallies, as the table
    of statuses counts them: enrolled is every status but withdrawn; with a mentor, WITH_A_MENTOR."""
    mentees = [row for row in rows if row["role"] == Role.MENTEE]
    enrolled = sum(row["n"] for row in mentees if row["status"] != EnrollmentStatus.WITHDRAWN)
    return enrolled, sum(row["n"] for row in mentees if row["status"] in WITH_A_MENTOR)


# --- One cycle -------------------------------------------------------------------------------


def enrollment_counts(cycle: Cycle, tallies: Tallies | None = None) -> dict:
    """Enrollments by role and status, and the mentees' match rate. One query (none with
    `tallies` given).

    The same numbers as the table of statuses, so that no two figures of the page disagree:
    mentees enrolled are those who did not withdraw, mentees paired those with a mentor now
    or whose pair completed (WITH_A_MENTOR); one back in the pool after their pair ended is
    waiting. The match rate is the second ÷ the first.
    """
    rows = [
        row
        for row in (_enrollment_tallies(cycle) if tallies is None else tallies.enrollments)
        if row["cycle"] == cycle.pk
    ]
    by_role: dict[str, dict[str, int]] = {role: dict.fromkeys(STATUSES, 0) for role in ROLES}
    for row in rows:
        by_role.setdefault(row["role"], dict.fromkeys(STATUSES, 0))[row["status"]] = row["n"]
    for counts in by_role.values():
        counts["enrolled"] = sum(counts[s] for s in STATUSES if s != EnrollmentStatus.WITHDRAWN)
    taking_part, paired = _taking_part(rows)
    return {
        "by_role": by_role,
        "mentees_enrolled": taking_part,
        "mentees_paired": paired,
        "mentees_waiting": by_role[Role.MENTEE]["waiting"],
        "mentors_enrolled": by_role[Role.MENTOR]["enrolled"],
        "match_rate": _rate(paired, taking_part),
    }


def _pair_rows(cycle: Cycle) -> list[tuple]:
    """The cycle's pairs as (start, end, status, the day it ended, rank of its mentor among the
    suggestions, how many pairs): pairs alike in all five are one row. One query."""
    return list(_counted_pairs(Pair.objects.for_cycle(cycle)))


def _pair_spans(cycle: Cycle, rows: list[tuple] | None = None) -> list[tuple[dt.date, dt.date, str]]:
    """(first day, last day, status) of each pair: ended pairs stop the day they ended. One query (none
    with `rows`)."""
    spans = []
    for starts_on, ends_on, status, ended_day, _rank, n in _pair_rows(cycle) if rows is None else rows:
        last = ended_day if status == PairStatus.ENDED and ended_day else ends_on
        spans += [(starts_on, max(last, starts_on), status)] * n
    return spans


def suggestion_agreement(cycle: Cycle, rows: list[tuple] | None = None) -> dict:
    """How often the committee paired a mentee with the mentor the suggestions put first (or tied
    first), or with one of their first three, as they stood when the pair was made
    (`Pair.suggestion_rank`). Counts every pair of the cycle made with a rank — from the
    dashboard, the pairing page or a proposal, ended since or not; pairs made in the admin,
    or before ranks were recorded, have none and are counted apart. One query (none with `rows`)."""
    ranks = [(row[4], row[5]) for row in (_pair_rows(cycle) if rows is None else rows)]  # (rank, pairs)
    ranked = sum(n for r, n in ranks if r is not None)
    top = sum(n for r, n in ranks if r is not None and r == 1)
    top3 = sum(n for r, n in ranks if r is not None and r <= 3)
    return {
        "ranked": ranked,
        "unranked": sum(n for _r, n in ranks) - ranked,
        "top": top,
        "top3": top3,
        "top_rate": _rate(top, ranked),
        "top3_rate": _rate(top3, ranked),
    }


def checkins_per_month(
    cycle: Cycle, today: dt.date | None = None, spans: list | None = None, tallies: Tallies | None = None
) -> list[dict]:
    """The monthly series: check-ins logged in the month ÷ pairs active in the month.

    From the month the first pair started to this month (or the month the last pair
    ended, if earlier). A pair is active in a month when any day of the month falls
    between its start and its end (the day it ended, for a pair ended early).
    Two queries (one with `spans` or `tallies` given, none with both).
    """
    today = today or timezone.localdate()
    spans = _pair_spans(cycle) if spans is None else spans
    if not spans:
        return []
    starts = sorted(s for s, _e, _st in spans)
    ends = sorted(e for _s, e, _st in spans)
    first = _month_start(starts[0])
    last = _month_start(min(today, ends[-1]))
    after = _next_month(last)
    days = (_checkin_tallies(cycle) if tallies is None else tallies.checkins).get(cycle.pk, {})
    counted: dict[dt.date, int] = {}
    for day, n in days.items():
        if first <= day < after:
            month = day.replace(day=1)
            counted[month] = counted.get(month, 0) + n
    # Active in a month: started before the next one, and not ended before this one (a pair
    # ends on or after its start, so every pair ended before the month started before it).
    series = []
    month = first
    while month <= last:
        following = _next_month(month)
        active = bisect_left(starts, following) - bisect_left(ends, month)
        checkins = counted.get(month, 0)
        series.append(
            {
                "month": month,
                "checkins": checkins,
                "active_pairs": active,
                "per_pair": round(checkins / active, 2) if active else None,
            }
        )
        month = following
    return series


def pair_outcomes(cycle: Cycle, spans: list | None = None) -> dict:
    """Pairs by status and the completion rate: completed ÷ (completed + ended early)."""
    spans = _pair_spans(cycle) if spans is None else spans
    counts = dict.fromkeys(PairStatus.values, 0)
    for _s, _e, status in spans:
        counts[status] += 1
    finished = counts[PairStatus.COMPLETED] + counts[PairStatus.ENDED]
    return {
        "active": counts[PairStatus.ACTIVE],
        "completed": counts[PairStatus.COMPLETED],
        "ended": counts[PairStatus.ENDED],
        "all": len(spans),
        "completion_rate": _rate(counts[PairStatus.COMPLETED], finished),
    }


# The names of a pair's three people, read as columns: as models, each pair would be
# seven objects (itself, its cycle, two opt-ins with their JSON fields, three members).
PEOPLE = (
    "pk",
    "starts_on",
    "mentor__member__first_name",
    "mentor__member__last_name",
    "mentor__member__email",
    "mentee__member__first_name",
    "mentee__member__last_name",
    "mentee__member__email",
    "liaison__first_name",
    "liaison__last_name",
    "liaison__email",
)


def full_name(first: str | None, last: str | None) -> str:
    """A member's name as User.get_full_name() gives it ("" for nobody)."""
    return f"{first or ''} {last or ''}".strip()


def name_and_email(row: dict, who: str) -> list[str]:
    """[full name, email] of one person of a `.values(*PEOPLE)` row: `who` is
    "mentor__member__", "mentee__member__" or "liaison__" (empty strings for no liaison)."""
    return [full_name(row[f"{who}first_name"], row[f"{who}last_name"]), row[f"{who}email"] or ""]


def _people(row: dict) -> dict:
    """A pair's number, start and people, named as User.__str__ names them (the full name,
    else the email), from a row of `.values(*PEOPLE)`."""

    def named(who: str) -> str:
        name, email = name_and_email(row, who)
        return name or email

    return {
        "pk": row["pk"],
        "mentor": named("mentor__member__"),
        "mentee": named("mentee__member__"),
        "liaison": named("liaison__"),
        "starts_on": row["starts_on"],
    }


# The health page names the quietest pairs only; the pair list filtered on "needing
# attention" has them all, a page at a time.
ATTENTION_SHOWN = 10


def _quietest(cycle: Cycle, today: dt.date | None) -> list[tuple]:
    """The pairs needing attention as (id, last check-in, no first contact, start), the quietest
    first: never a check-in before an old one, then the earliest start. One query, a few hundred
    rows at most, put in order here (a window and a sort in the query cost more than they saved)."""
    found = list(
        Pair.objects.for_cycle(cycle)
        .needing_attention(today)
        .with_attention_reason(today)
        .order_by()
        .values_list("pk", "last_checkin_on", "no_first_contact", "starts_on")
    )
    found.sort(key=lambda row: (row[1] is not None, row[1] or dt.date.min, row[3], row[0]))
    return found


def _ended_early(cycle: Cycle) -> Q:
    return Q(cycle=cycle, status=PairStatus.ENDED)


def _named(pairs: Q) -> list[dict]:
    """The pairs `pairs` selects, with their people and, for one ended early, when and why: one
    query (joining the people to ten pairs, not to every pair needing attention)."""
    return list(
        Pair.objects.filter(pairs)
        .order_by("ended_at", "pk")
        .values(*PEOPLE, "cycle", "status", "ended_at", "end_category", "end_reason")
    )


def _attention(found: list[tuple], limit: int | None, named: list[dict]) -> dict:
    people = {row["pk"]: row for row in named}
    return {
        "count": len(found),
        "pairs": [
            {**_people(people[pk]), "last_checkin": last, "no_first_contact": silent}
            for pk, last, silent, _starts_on in found[:limit]
            if pk in people
        ],
    }


def _ended(cycle: Cycle, named: list[dict]) -> list[dict]:
    why = dict(PairEndReason.choices)
    return [
        {
            **_people(p),
            "ended_on": ended_on(p["ended_at"]),
            "category": why.get(p["end_category"], why[PairEndReason.OTHER]),
            "reason": p["end_reason"],
        }
        for p in named
        if p["cycle"] == cycle.pk and p["status"] == PairStatus.ENDED
    ]


def pairs_needing_attention(cycle: Cycle, today: dt.date | None = None, limit: int | None = None) -> dict:
    """Active pairs with no check-in lately (see `PairQuerySet.needing_attention`):
    {"count": how many, "pairs": the quietest `limit` of them (all when None)}.

    Two queries, however many there are: the pairs' ids and dates, then the people of the
    pairs named.
    """
    found = _quietest(cycle, today)
    return _attention(found, limit, _named(Q(pk__in=[row[0] for row in found[:limit]])))


def pairs_ended_early(cycle: Cycle) -> list[dict]:
    """Pairs ended early, with the day and why: the category (PairEndReason's words) and the
    committee's note. One query."""
    return _ended(cycle, _named(_ended_early(cycle)))


def evaluation_averages(cycle: Cycle, tallies: Tallies | None = None) -> dict:
    """Closing evaluations per side: how many, the average of each rating, how many recommend.
    One query (none with `tallies` given)."""
    by_role = {
        row["role"]: row
        for row in (_closing_tallies(cycle) if tallies is None else tallies.closing)
        if row["pair__cycle"] == cycle.pk
    }
    return {
        role: {
            "n": row["n"],
            "overall": row["overall"] / row["n"],
            "relationship": row["relationship"] / row["n"],
            "goals_met": row["goals_met"] / row["n"],
            "recommend": row["recommend"],
            "recommend_rate": _rate(row["recommend"], row["n"]),
        }
        if (row := by_role.get(role))
        else None
        for role in (Role.MENTOR, Role.MENTEE)
    }


def cycle_health(cycle: Cycle, today: dt.date | None = None, tallies: Tallies | None = None) -> dict:
    """Everything the health page shows for one cycle, in six queries (two with `tallies`)."""
    today = today or timezone.localdate()
    if tallies is None:
        rows = _pair_rows(cycle)
        spans = _pair_spans(cycle, rows)
        series = checkins_per_month(cycle, today, spans)
    else:
        rows = tallies.pairs.get(cycle.pk, [])
        spans, series = tallies.spans_and_series(cycle, today)
    quietest = _quietest(cycle, today)
    # The people the page names, of the quietest pairs and of the pairs ended early, in one query.
    named = _named(Q(pk__in=[row[0] for row in quietest[:ATTENTION_SHOWN]]) | _ended_early(cycle))
    ended = _ended(cycle, named)
    return {
        "enrollments": enrollment_counts(cycle, tallies),
        "pairs": pair_outcomes(cycle, spans),
        "checkins": series,
        "attention": _attention(quietest, ATTENTION_SHOWN, named),
        "ended_early": ended,
        "ended_why": sorted(Counter(p["category"] for p in ended).items()),  # (category, how many), by name
        "evaluations": evaluation_averages(cycle, tallies),
        "suggestions": suggestion_agreement(cycle, rows),
    }


def cycle_numbers(cycle: Cycle) -> dict[str, int]:
    """Waiting mentees, mentors with places left, pairs made, introductions pending or failed."""
    counts = Enrollment.objects.for_cycle(cycle).aggregate(
        waiting_mentees=Count("pk", filter=Q(role=Role.MENTEE, status=EnrollmentStatus.WAITING)),
        mentors=Count("pk", filter=Q(role=Role.MENTOR, status__in=TAKING_PART)),
    )
    pairs = Pair.objects.filter(cycle=cycle).aggregate(
        active=Count("pk", filter=Q(status=PairStatus.ACTIVE)), all=Count("pk")
    )
    # Rule 2's places: active pairs and offers holding one (pairs.models.mentors_with_places_left).
    with_room = mentors_with_places_left(Enrollment.objects.for_cycle(cycle).mentors().taking_part())
    intros = Email.objects.filter(cycle=cycle, kind__in=[EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE]).aggregate(
        pending=Count("pk", filter=Q(state=EmailState.PENDING)), failed=Count("pk", filter=Q(state=EmailState.FAILED))
    )
    return {
        **counts,
        "mentors_with_room": with_room.count(),
        "pairs_active": pairs["active"],
        "pairs_all": pairs["all"],
        "intros_pending": intros["pending"],
        "intros_failed": intros["failed"],
    }


def offer_numbers(cycle: Cycle) -> dict[str, int]:
    """The cycle's offers to mentors by what became of them (OfferStatus values), and "all". One query."""
    counts = Offer.objects.for_cycle(cycle).aggregate(
        all=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in OfferStatus.values}
    )
    return counts


# --- Every cycle -----------------------------------------------------------------------------


def year_over_year(
    tallies: Tallies | None = None, today: dt.date | None = None, cycles: list[Cycle] | None = None
) -> list[dict]:
    """The key numbers of every cycle but the archived ones, newest first: one row per cycle,
    in five queries (one with `tallies` given, none with `cycles` too: Cycle.objects.chosen()'s).
    Each number is counted as the health page of that cycle counts it: check-ins per pair per
    month are the chart's (its "All months")."""
    today = today or timezone.localdate()
    tallies = tallies or Tallies.read()
    if cycles is None:
        cycles = Cycle.objects.chosen()[0]  # the cycles of the menus, newest first: archived ones left out
    enrollments: dict[int, list[dict]] = {}
    for row in tallies.enrollments:
        enrollments.setdefault(row["cycle"], []).append(row)
    ratings: dict[int, dict] = {}
    for row in tallies.closing:
        r = ratings.setdefault(row["pair__cycle"], {"n": 0, "overall": 0, "recommend": 0})
        for key in r:
            r[key] += row[key]
    table = []
    for cycle in cycles:
        rows = enrollments.get(cycle.pk, [])
        mentees, mentees_paired = _taking_part(rows)
        mentors = sum(
            row["n"] for row in rows if row["role"] == Role.MENTOR and row["status"] != EnrollmentStatus.WITHDRAWN
        )
        # Every pair's dates and status: the months each pair was active in.
        spans, series = tallies.spans_and_series(cycle, today)
        p = pair_outcomes(cycle, spans)
        months = monthly_totals(series)
        r = ratings.get(cycle.pk)
        table.append(
            {
                "cycle": cycle,
                "mentees": mentees,
                "mentors": mentors,
                "mentees_paired": mentees_paired,
                "match_rate": _rate(mentees_paired, mentees),
                "pairs": p["all"],
                "completed": p["completed"],
                "ended": p["ended"],
                "completion_rate": p["completion_rate"],
                "checkins": months["checkins"],
                "pair_months": months["pair_months"],
                "checkins_per_pair_month": months["per_pair"],
                "evaluations": r["n"] if r else 0,
                "overall": r["overall"] / r["n"] if r else None,
                "recommend_rate": _rate(r["recommend"], r["n"]) if r else None,
            }
        )
    return table


def monthly_totals(series: list[dict]) -> dict:
    """The whole series in three numbers, for the last line of the table under the chart."""
    checkins = sum(p["checkins"] for p in series)
    pair_months = sum(p["active_pairs"] for p in series)
    return {"checkins": checkins, "pair_months": pair_months, "per_pair": _rate(checkins, pair_months)}
