"""A cycle's pool for matching, read as plain values: its waiting mentees and the
mentors still taking part, with what scoring needs and who the rules keep apart.

A fixed handful of queries, whatever the size of the cycle; the rows are read as
named columns (no model per row: that was most of a 5,000-mentor suggestions page).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from members.models import Answer, Cycle, CycleQuestion, EligibilityRules, Enrollment, Role, eligibility_of
from pairs.models import Pair, PairStatus

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
    m = _columns(base.mentors().taking_part())
    active = dict(
        Pair.objects.filter(cycle=cycle, status=PairStatus.ACTIVE)
        .values_list("mentor_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
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
    paired_before = frozenset(
        Pair.objects.filter(mentee__member_id__in=mentees.member_ids).values_list(
            "mentee__member_id", "mentor__member_id"
        )
    )
    settings = MatchSettings.for_cycle(cycle)
    names = {
        pk: f"{first} {last}".strip()
        for c in (e, m)
        for pk, first, last in zip(c["pk"], c["first_name"], c["last_name"], strict=True)
    }
    rules = Rules(
        exclude_same_institution=settings.exclude_same_institution, paired_before=paired_before, ineligible=ineligible
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
