"""A cycle's pool for matching, read as plain values: its waiting mentees and the
mentors still taking part, with what scoring needs and who the rules keep apart.

A fixed handful of queries, whatever the size of the cycle; the rows are read as
named columns (no model per row: that was most of a 5,000-mentor suggestions page).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from django.db import connection
from django.db.models import BigIntegerField, Count, Func, Q, Sum, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from members.models import Answer, Cycle, CycleQuestion, EligibilityRules, Enrollment, Role, eligibility_of
from pairs.models import Offer, OfferStatus, Pair, PairStatus

from ..models import MatchSettings, TitleTerm
from ..scoring import Group, Rules, Weights

# What is read of each opt-in, by name: the opt-in's snapshot, then its member's profile.
COLUMNS = {
    "pk": "pk",
    "member_id": "member_id",
    "job_title": "job_title",
    "areas": "areas_json",
    "library_type": "member__library_type",
    "region": "member__region",
    "years": "member__years_experience",
    "institution": "member__institution",
    "capacity": "capacity",
    "first_name": "member__first_name",
    "last_name": "member__last_name",
    "expires_on": "member__expires_on",
    "category": "member__membership_category",
    "profile_job_title": "member__job_title",
    "agreed_to_join": "agreed_to_join",
    "other": "responsibilities_other",
    "goals": "goals",
    "interests": "interests",
}


@dataclass
class Pool:
    """A cycle's waiting mentees and its mentors, as plain values for scoring."""

    cycle: Cycle
    mentees: Group
    mentors: Group
    names: dict[int, str]  # enrollment id -> member's name
    rules: Rules
    terms: tuple[tuple[str, str, str], ...]  # the committee's own words for the model of library work
    weights: Weights
    questions: tuple[str, ...] = ()  # the "match on this" questions counted (their words), as score() takes them

    def mentee_index(self) -> dict[int, int]:
        return {pk: i for i, pk in enumerate(self.mentees.ids)}

    def mentor_index(self) -> dict[int, int]:
        return {pk: j for j, pk in enumerate(self.mentors.ids)}


def _columns(queryset) -> dict[str, list]:
    """The rows as columns, one list per name of COLUMNS, with the areas decoded by one
    json.loads for all rows (decoding the JSON column row by row was slow)."""
    rows = list(
        queryset.annotate(
            areas_json=Cast("responsibilities", TextField()),
            agreed_to_join=~Q(nonmember_agreement=""),
        )
        .values_list(*COLUMNS.values())
        .order_by("pk")
    )
    columns = {name: [] for name in COLUMNS}
    if rows:
        columns = dict(zip(COLUMNS, (list(c) for c in zip(*rows, strict=True)), strict=True))
    columns["areas"] = json.loads("[" + ",".join(a or "[]" for a in columns["areas"]) + "]")
    return columns


# A cycle's mentor rows, held by this process between requests while PostgreSQL says that none of
# them changed: (database, cycle) -> (the rows' version, their columns). Reading 5,000 mentors
# was half of a suggestions page; asking whether they changed costs a quarter of that.
_held: dict[tuple[str, int], tuple[tuple, dict[str, list]]] = {}
_HELD_CYCLES = 4


class _RowVersion(Func):
    """Which version of the row `expression` is read from: PostgreSQL's hash of where the row
    is stored (ctid), seeded with the transaction that wrote it (xmin)."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        table = compiler.quote_name(self.source_expressions[0].alias)
        return f"hashtidextended({table}.ctid, {table}.xmin::text::bigint)", []


def _version(rows) -> tuple | None:
    """Which versions of the opt-ins in `rows` and of their members' rows the database holds, or
    None where it cannot say (SQLite). PostgreSQL writes every change to a row — through a page,
    the admin, a bulk update, psql — as a new version of it, at a new place in its table (ctid),
    stamped with the transaction that wrote it (xmin); a row added or gone changes the count. So
    the sums of those stamps change with any change to the rows, whoever made it (and two
    different sets of rows give the same sums once in 2^64). hashtidextended is PostgreSQL's
    own hash of a row's place (15 and later, as Django 6.1 needs)."""
    if connection.vendor != "postgresql":
        return None
    found = rows.order_by().aggregate(
        n=Count("pk"),
        enrollments=Sum(_RowVersion("pk")),
        members=Sum(_RowVersion("member__last_name")),  # a column of the member's own row: joins it
    )
    return (found["n"], found["enrollments"], found["members"])


def _mentor_columns(cycle: Cycle, rows) -> dict[str, list]:
    """`_columns(rows)` for the cycle's mentors, read again only when one of their rows changed
    since this process last read them. The lists are shared between requests: read them only."""
    version = _version(rows)
    if version is None:
        return _columns(rows)
    key = (connection.settings_dict["NAME"], cycle.pk)
    held = _held.pop(key, None)  # put back last: the dict's order is the cycles' last use
    if held is None or held[0] != version:
        held = (version, _columns(rows))
        while len(_held) >= _HELD_CYCLES:
            _held.pop(next(iter(_held), None), None)  # the cycle used longest ago
    _held[key] = held
    return held[1]


def _group(c: dict[str, list], capacity_left: list[int]) -> Group:
    return Group(
        c["pk"],
        c["member_id"],
        c["job_title"],
        c["areas"],
        [x or "" for x in c["library_type"]],
        [x or "" for x in c["region"]],
        [x or 0 for x in c["years"]],
        [x or "" for x in c["institution"]],
        capacity_left,
        c["other"],
        c["goals"],
        c["interests"],
    )


def load_pool(cycle: Cycle, *, mentee_ids: list[int] | None = None, today: dt.date | None = None) -> Pool:
    """Load the cycle's waiting mentees (or only `mentee_ids`) and all its mentors still taking part.

    A fixed handful of queries, whatever the size of the cycle. Reads only: a cycle
    whose weights were never changed is scored with the defaults, nothing is written.
    """
    today = today or timezone.localdate()
    base = Enrollment.objects.for_cycle(cycle)
    m = _mentor_columns(cycle, base.mentors().taking_part())
    # Rule 2's places taken: active pairs, and offers holding a place (pairs.models.places_taken).
    # One query: the two counts per mentor, as one list.
    per_mentor = [
        rows.values_list("mentor_id").annotate(n=Count("pk")).order_by()
        for rows in (
            Pair.objects.filter(cycle=cycle, status=PairStatus.ACTIVE),
            Offer.objects.for_cycle(cycle).holding(),
        )
    ]
    active: dict[int, int] = {}
    for mentor_id, n in per_mentor[0].union(per_mentor[1], all=True).order_by():
        active[mentor_id] = active.get(mentor_id, 0) + n
    waiting = base.mentees().waiting()
    e = _columns(waiting.filter(pk__in=mentee_ids) if mentee_ids is not None else waiting)
    mentees = _group(e, [1] * len(e["pk"]))
    mentors = _group(m, [c - active.get(pk, 0) for pk, c in zip(m["pk"], m["capacity"], strict=True)])
    # The rule of who may mentor (members.models.eligibility_of), asked of every mentor row
    # as an opt-in already made is held to it (not the categories it passed when made).
    ineligible = {}
    eligibility_rules = EligibilityRules.of(cycle).for_optins_made()
    for pk, expires_on, category, years, job_title, agreed in zip(
        m["pk"], m["expires_on"], m["category"], m["years"], m["profile_job_title"], m["agreed_to_join"], strict=True
    ):
        verdict = eligibility_of(
            role=Role.MENTOR,
            rules=eligibility_rules,
            expires_on=expires_on,
            category=category,
            years=years,
            job_title=job_title,
            today=today,
            agrees_to_join=agreed,
        )
        if not verdict.ok:
            ineligible[pk] = verdict.short
    # Who was paired with whom before, and which mentor declined which mentee (not suggested
    # for them again): one query.
    sides = ("mentee__member_id", "mentor__member_id")
    met_rows = (
        Pair.objects.filter(mentee__member_id__in=mentees.member_ids)
        .annotate(declined=Value(False))
        .values_list(*sides, "declined")
        .order_by()
        .union(
            Offer.objects.filter(status=OfferStatus.DECLINED, mentee__member_id__in=mentees.member_ids)
            .annotate(declined=Value(True))
            .values_list(*sides, "declined")
            .order_by(),
            all=True,
        )
    )
    met = list(met_rows.order_by())
    paired_before = frozenset((a, b) for a, b, declined in met if not declined)
    declined = frozenset((a, b) for a, b, was_declined in met if was_declined)
    settings = MatchSettings.for_cycle(cycle)
    names = {
        pk: f"{first} {last}".strip()
        for c in (e, m)
        for pk, first, last in zip(c["pk"], c["first_name"], c["last_name"], strict=True)
    }
    rules = Rules(
        exclude_same_institution=settings.exclude_same_institution,
        paired_before=paired_before,
        ineligible=ineligible,
        declined=declined,
    )
    questions = _matched_on(cycle, mentees, mentors)
    return Pool(
        cycle=cycle,
        mentees=mentees,
        mentors=mentors,
        names=names,
        rules=rules,
        terms=TitleTerm.objects.as_terms(),
        weights=replace(settings.weights(), questions=tuple(weight for _, weight in questions)),
        questions=tuple(text for text, _ in questions),
    )


def _matched_on(cycle: Cycle, mentees: Group, mentors: Group) -> list[tuple[str, int]]:
    """The cycle's "match on this" questions that weigh something, (words, weight) each, and
    every person's answers to them put on the groups: two queries (one without such questions)."""
    questions = list(
        CycleQuestion.objects.for_cycle(cycle)
        .matched_on()
        .filter(match_weight__gt=0)
        .values_list("pk", "text", "match_weight")
    )
    if not questions:
        return []
    given: dict[int, dict[int, str]] = {}
    for enrollment_id, question_id, value in Answer.objects.filter(
        question_id__in=[pk for pk, _, _ in questions]
    ).values_list("enrollment_id", "question_id", "value"):
        given.setdefault(enrollment_id, {})[question_id] = value if isinstance(value, str) else ""
    for group in (mentees, mentors):
        group.answers = [tuple(given.get(pk, {}).get(q, "") for q, _, _ in questions) for pk in group.ids]
    return [(text, weight) for _, text, weight in questions]
