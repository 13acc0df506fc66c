"""The committee's decision layer: loading a cycle's pool, suggestions, the proposal.

Reads are plain values handed to the pure code in `scoring` and `assignment`;
every pair is made by `pairs.services.pair_create`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, F, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from arla_mentoring.paging import page_of, page_of_keys
from members.models import MENTOR_CATEGORIES, Area, Cycle, Enrollment, EnrollmentStatus, Role, User, search_words
from outbox.models import Email, EmailKind, EmailState
from pairs.models import Pair, PairStatus, search_names
from pairs.services import pairing

from .assignment import AssignmentError, solve
from .models import MatchSettings, Proposal, ProposalBan, ProposalDrop, ProposalPair, ProposalStatus
from .scoring import Group, Person, Reason, Rules, Weights, allowed_matrix, exclusion, explain, rank, score

log = logging.getLogger(__name__)
AREA_LABELS = dict(Area.choices)

FIELDS = (
    "pk",
    "member_id",
    "job_title",
    "areas_json",
    "member__library_type",
    "member__region",
    "member__years_experience",
    "member__institution",
    "capacity",
    "member__first_name",
    "member__last_name",
    "member__expires_on",
    "member__membership_category",
)


class MatchingError(Exception):
    """A matching request that cannot be done; the message is for the committee."""


@dataclass
class Pool:
    """A cycle's waiting mentees and its mentors, as plain values for scoring."""

    cycle: Cycle
    mentees: Group
    mentors: Group
    names: dict[int, str]  # enrollment id -> member's name
    rules: Rules
    titles: dict[str, int]  # every title in the pool, with how many hold it: what title concepts are weighted by
    weights: Weights

    def mentee_index(self) -> dict[int, int]:
        return {pk: i for i, pk in enumerate(self.mentees.ids)}

    def mentor_index(self) -> dict[int, int]:
        return {pk: j for j, pk in enumerate(self.mentors.ids)}


def _columns(queryset) -> list[list]:
    """The FIELDS of the rows as columns (one list per field), with the areas decoded by
    one json.loads for all rows: decoding the JSON column row by row, and building an
    object per row, were most of a 5,000-mentor suggestions page."""
    rows = list(queryset.annotate(areas_json=Cast("responsibilities", TextField())).values_list(*FIELDS).order_by("pk"))
    if not rows:
        return [[] for _ in FIELDS]
    columns = [list(c) for c in zip(*rows, strict=True)]
    columns[3] = json.loads("[" + ",".join(a or "[]" for a in columns[3]) + "]")
    return columns


def _group(columns: list[list], capacity_left: list[int]) -> Group:
    pk, member_id, title, areas, library_type, region, years, institution = columns[:8]
    return Group(
        pk,
        member_id,
        title,
        areas,
        [x or "" for x in library_type],
        [x or "" for x in region],
        [x or 0 for x in years],
        [x or "" for x in institution],
        capacity_left,
    )


def _mentor_ineligibility(
    years: int | None, expires_on: dt.date | None, category: str, cycle: Cycle, today: dt.date
) -> str | None:
    years = years or 0
    if expires_on is None or expires_on < today:
        return "membership not current"
    if category not in MENTOR_CATEGORIES:
        return "membership category cannot mentor"
    if years < cycle.mentor_min_years:
        return f"{years} years of experience (the cycle asks {cycle.mentor_min_years})"
    return None


def load_pool(cycle: Cycle, *, mentee_ids: list[int] | None = None, today: dt.date | None = None) -> Pool:
    """Load the cycle's waiting mentees (or only `mentee_ids`) and all its active mentors.

    A fixed handful of queries, whatever the size of the cycle.
    """
    today = today or timezone.localdate()
    base = Enrollment.objects.for_cycle(cycle)
    mentor_cols = _columns(base.mentors().exclude(status__in=[EnrollmentStatus.WITHDRAWN, EnrollmentStatus.COMPLETED]))
    active = dict(
        Pair.objects.filter(cycle=cycle, status=PairStatus.ACTIVE)
        .values_list("mentor_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    waiting = base.mentees().waiting()
    mentee_cols = _columns(waiting.filter(pk__in=mentee_ids) if mentee_ids is not None else waiting)
    mentees = _group(mentee_cols, [1] * len(mentee_cols[0]))
    mentors = _group(mentor_cols, [c - active.get(pk, 0) for pk, c in zip(mentor_cols[0], mentor_cols[8], strict=True)])
    ineligible = {
        pk: why
        for pk, years, expires_on, category in zip(
            mentor_cols[0], mentor_cols[6], mentor_cols[11], mentor_cols[12], strict=True
        )
        if (why := _mentor_ineligibility(years, expires_on, category, cycle, today))
    }
    paired_before = frozenset(
        Pair.objects.filter(mentee__member_id__in=mentees.member_ids).values_list(
            "mentee__member_id", "mentor__member_id"
        )
    )
    settings = MatchSettings.for_cycle(cycle)
    # Title frequencies over everyone who can still be matched in the cycle, so that a
    # suggestion for one mentee scores exactly as in the whole-cycle proposal.
    titles = Counter(mentor_cols[2])
    for title, count in waiting.values_list("job_title").annotate(n=Count("pk")).order_by():
        titles[title] += count
    names = {
        pk: f"{first} {last}".strip()
        for cols in (mentee_cols, mentor_cols)
        for pk, first, last in zip(cols[0], cols[9], cols[10], strict=True)
    }
    rules = Rules(
        exclude_same_institution=settings.exclude_same_institution, paired_before=paired_before, ineligible=ineligible
    )
    return Pool(
        cycle=cycle,
        mentees=mentees,
        mentors=mentors,
        names=names,
        rules=rules,
        titles=titles,
        weights=settings.weights(),
    )


@dataclass(frozen=True)
class Suggestion:
    mentor: Person
    name: str
    score: float
    reasons: list[Reason]


@dataclass(frozen=True)
class LeftOut:
    mentor: Person
    name: str
    reason: str


def suggestions_for(mentee: Enrollment, *, limit: int = 20) -> tuple[list[Suggestion], list[LeftOut]]:
    """The mentors for one waiting mentee, best first with their reasons, and those left out with why."""
    pool = load_pool(mentee.cycle, mentee_ids=[mentee.pk])
    if not pool.mentees:
        raise MatchingError(f"{mentee.member} is not waiting for a mentor.")
    scores = score(pool.mentees, pool.mentors, pool.weights, pool_titles=pool.titles)
    allowed = allowed_matrix(pool.mentees, pool.mentors, pool.rules)[0]
    totals = scores.total[0]
    ranked = [
        Suggestion(
            pool.mentors[j], pool.names[pool.mentors[j].id], float(totals[j]), explain(scores, 0, j, AREA_LABELS)
        )
        for j in rank(scores, 0, allowed, limit)
    ]
    mentee = pool.mentees[0]
    left_out = [
        LeftOut(m, pool.names[m.id], exclusion(mentee, m, pool.rules))
        for m in (pool.mentors[j] for j in np.flatnonzero(~allowed))
    ]
    return ranked, left_out


def compare(mentee: Enrollment, mentor: Enrollment) -> tuple[float, list[Reason], str | None]:
    """The score of one mentor for one mentee, its reasons, and what would keep them apart."""
    pool = load_pool(mentee.cycle, mentee_ids=[mentee.pk])
    index = pool.mentor_index()
    if not pool.mentees or mentor.pk not in index:
        raise MatchingError("One of the two is no longer in the pool: reload the dashboard.")
    scores = score(pool.mentees, pool.mentors, pool.weights, pool_titles=pool.titles)
    j = index[mentor.pk]
    return (
        float(scores.total[0, j]),
        explain(scores, 0, j, AREA_LABELS),
        exclusion(pool.mentees[0], pool.mentors[j], pool.rules),
    )


# --- The best-overall proposal --------------------------------------------------------------


def draft_for(cycle: Cycle) -> Proposal | None:
    return Proposal.objects.filter(cycle=cycle, status=ProposalStatus.DRAFT).first()


def draft_pages(draft: Proposal, *, q: str = "", page=None, left=None, per_page: int = 50) -> dict:
    """What the committee reads of a draft, a page at a time: a page of its pairs (locked
    first, then the best) and a page of the mentees it left unmatched, with their reasons
    and whether the committee dropped them, both narrowed by the search `q` (a name, or
    for the unmatched also an email, job title or institution), and the draft's totals."""
    items = draft.pairs.select_related("mentee__member", "mentor__member").order_by("-locked", "-score", "pk")
    pairs = page_of(search_names(items, q), per_page, page)
    count = draft.pairs.count() if search_words(q) else pairs.paginator.count
    reasons = {u["mentee"]: u["reason"] for u in draft.unmatched}
    unmatched_ids = list(reasons)
    if search_words(q):  # the search finds a mentee whether the draft pairs them or not
        found = set(Enrollment.objects.filter(pk__in=unmatched_ids).search(q).values_list("pk", flat=True))
        unmatched_ids = [pk for pk in unmatched_ids if pk in found]
    left_page = page_of_keys(unmatched_ids, per_page, left, Enrollment.objects.with_member())
    return {
        "page": pairs,
        "count": count,
        "average": (draft.total_score / count) if count else 0,
        "unmatched_count": len(reasons),
        "left_page": left_page,
        "unmatched": [(mentee, reasons[mentee.pk]) for mentee in left_page],
        "bans": list(draft.bans.select_related("mentee__member", "mentor__member")),
        "dropped_ids": set(draft.drops.filter(mentee__in=left_page.object_list).values_list("mentee_id", flat=True)),
    }


@transaction.atomic
def proposal_solve(*, cycle: Cycle, by: User) -> Proposal:
    """Compute (again) the best overall assignment, keeping the draft's locks, bans and drops."""
    proposal = Proposal.objects.select_for_update().filter(cycle=cycle, status=ProposalStatus.DRAFT).first()
    if proposal is None:
        proposal = Proposal.objects.create(cycle=cycle, created_by=by)
    pool = load_pool(cycle)
    rows, cols = pool.mentee_index(), pool.mentor_index()
    locked = []
    for item in proposal.pairs.filter(locked=True):
        if item.mentee_id in rows and item.mentor_id in cols:
            locked.append((rows[item.mentee_id], cols[item.mentor_id]))
    banned = {
        (rows[b.mentee_id], cols[b.mentor_id])
        for b in proposal.bans.all()
        if b.mentee_id in rows and b.mentor_id in cols
    }
    dropped = {rows[d.mentee_id] for d in proposal.drops.all() if d.mentee_id in rows}
    scores = score(pool.mentees, pool.mentors, pool.weights, pool_titles=pool.titles)
    totals = scores.total
    allowed = allowed_matrix(pool.mentees, pool.mentors, pool.rules)
    capacity = np.maximum(np.array(pool.mentors.capacity_left, int), 0)
    try:
        result = solve(totals, allowed, capacity, locked=locked, banned=banned, dropped=dropped)
    except AssignmentError as e:
        mentor_ids = {pool.mentors.ids[j] for _, j in locked if capacity[j] < sum(1 for _, b in locked if b == j)}
        names = ", ".join(sorted(pool.names[m] for m in mentor_ids))
        raise MatchingError(f"{e} Unlock a pair of {names}, then solve again." if names else str(e)) from e
    locked_set = set(locked)
    proposal.pairs.all().delete()
    ProposalPair.objects.bulk_create(
        ProposalPair(
            proposal=proposal,
            mentee_id=pool.mentees.ids[i],
            mentor_id=pool.mentors.ids[j],
            score=float(totals[i, j]),
            locked=(i, j) in locked_set,
        )
        for i, j in result.pairs
    )
    proposal.unmatched = [{"mentee": pool.mentees.ids[i], "reason": why} for i, why in sorted(result.unmatched.items())]
    proposal.total_score = result.total
    proposal.solved_at = timezone.now()
    proposal.save(update_fields=["unmatched", "total_score", "solved_at"])
    log.info(
        "proposal %s for %s solved: %s pairs, %s unmatched",
        proposal.pk,
        cycle,
        len(result.pairs),
        len(result.unmatched),
    )
    return proposal


def _draft_locked(proposal: Proposal) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.DRAFT:
        raise MatchingError("This proposal is no longer a draft: open the current one.")
    return proposal


@transaction.atomic
def proposal_lock(*, proposal: Proposal, item_id: int, locked: bool) -> None:
    proposal = _draft_locked(proposal)
    if not proposal.pairs.filter(pk=item_id).update(locked=locked):
        raise MatchingError("That pair is no longer in the draft: it was solved again meanwhile.")


def _set_unmatched(proposal: Proposal, mentee_id: int, reason: str | None) -> None:
    """Keep the draft's list of unmatched mentees true between solves."""
    proposal.unmatched = [u for u in proposal.unmatched if u["mentee"] != mentee_id]
    if reason:
        proposal.unmatched.append({"mentee": mentee_id, "reason": reason})


@transaction.atomic
def proposal_ban(*, proposal: Proposal, item_id: int) -> None:
    """Rule the pair out of this proposal; the next solve finds the mentee another mentor."""
    proposal = _draft_locked(proposal)
    item = proposal.pairs.filter(pk=item_id).first()
    if item is None:
        raise MatchingError("That pair is no longer in the draft: it was solved again meanwhile.")
    ProposalBan.objects.get_or_create(proposal=proposal, mentee_id=item.mentee_id, mentor_id=item.mentor_id)
    item.delete()
    proposal.total_score -= item.score
    _set_unmatched(proposal, item.mentee_id, "their pair was ruled out: solve again to find them another mentor")
    proposal.save(update_fields=["total_score", "unmatched"])


@transaction.atomic
def proposal_drop(*, proposal: Proposal, mentee_id: int, dropped: bool = True) -> None:
    """Leave a mentee out of the proposal (or bring them back)."""
    proposal = _draft_locked(proposal)
    if not Enrollment.objects.for_cycle(proposal.cycle).mentees().filter(pk=mentee_id).exists():
        raise MatchingError("That mentee is not in this draft: reload the page.")
    if dropped:
        ProposalDrop.objects.get_or_create(proposal=proposal, mentee_id=mentee_id)
        item = proposal.pairs.filter(mentee_id=mentee_id).first()
        if item:
            item.delete()
            proposal.total_score -= item.score
        _set_unmatched(proposal, mentee_id, "dropped from the draft")
    else:
        proposal.drops.filter(mentee_id=mentee_id).delete()
        _set_unmatched(proposal, mentee_id, "back in the draft: solve again to find them a mentor")
    proposal.save(update_fields=["total_score", "unmatched"])


@transaction.atomic
def proposal_unban(*, proposal: Proposal, ban_id: int) -> None:
    proposal = _draft_locked(proposal)
    proposal.bans.filter(pk=ban_id).delete()


@transaction.atomic
def proposal_confirm(*, proposal: Proposal, by: User) -> list[Pair]:
    """Make every pair of the draft, all or nothing, each through the pairs service."""
    proposal = _draft_locked(proposal)
    made = []
    for item in proposal.pairs.select_related("mentee__member", "mentor__member").order_by("pk"):
        try:
            made.append(pairing.pair_create(mentee_id=item.mentee_id, mentor_id=item.mentor_id, by=by))
        except pairing.PairingError as e:
            raise MatchingError(
                f"Nothing was confirmed: {item.mentee.member} with {item.mentor.member} is no longer possible ({e}). "
                "Solve the proposal again."
            ) from None
    if not made:
        raise MatchingError("The draft has no pair to confirm.")
    proposal.status = ProposalStatus.CONFIRMED
    proposal.confirmed_at = timezone.now()
    proposal.confirmed_by = by
    proposal.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    log.info("proposal %s confirmed by %s: %s pairs", proposal.pk, by.pk, len(made))
    return made


@transaction.atomic
def proposal_discard(*, proposal: Proposal) -> None:
    proposal = _draft_locked(proposal)
    proposal.status = ProposalStatus.DISCARDED
    proposal.save(update_fields=["status"])


# --- The dashboard's numbers --------------------------------------------------------------------


def cycle_numbers(cycle: Cycle) -> dict[str, int]:
    """Waiting mentees, mentors with places left, pairs made, introductions pending or failed."""
    counts = Enrollment.objects.for_cycle(cycle).aggregate(
        waiting_mentees=Count("pk", filter=Q(role=Role.MENTEE, status=EnrollmentStatus.WAITING)),
        mentors=Count(
            "pk", filter=Q(role=Role.MENTOR) & ~Q(status__in=[EnrollmentStatus.WITHDRAWN, EnrollmentStatus.COMPLETED])
        ),
    )
    pairs = Pair.objects.filter(cycle=cycle).aggregate(
        active=Count("pk", filter=Q(status=PairStatus.ACTIVE)), all=Count("pk")
    )
    places = (
        Enrollment.objects.for_cycle(cycle)
        .mentors()
        .exclude(status__in=[EnrollmentStatus.WITHDRAWN, EnrollmentStatus.COMPLETED])
        .annotate(active=Count("pairs_as_mentor", filter=Q(pairs_as_mentor__status=PairStatus.ACTIVE)))
    )
    with_room = places.filter(capacity__gt=F("active"))
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
