"""Suggestions for one waiting mentee: the mentors ranked with their reasons, those
left out with why, and one mentor compared side by side. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from members.models import Area, Enrollment

from ..scoring import Person, Reason, allowed_matrix, exclusion, explain, rank, score, shared_rank
from .pool import load_pool

AREA_LABELS = dict(Area.choices)


class SuggestionError(Exception):
    """Suggestions that cannot be given (the mentee or mentor left the pool); the message is for the committee."""


@dataclass(frozen=True)
class Suggestion:
    mentor: Person
    name: str
    score: int
    reasons: list[Reason]
    rank: int  # 1 + how many allowed mentors score more: mentors with the same score share it
    tied: int  # how many other suggested mentors have the same score

    @property
    def counted(self) -> list[Reason]:
        """The reasons that gave points, and always what the job titles say."""
        return [r for r in self.reasons if r.points or r.part == "work"]

    @property
    def uncounted(self) -> list[Reason]:
        """The other comparisons, which gave nothing: the page shows them on one line."""
        return [r for r in self.reasons if not r.points and r.part != "work"]


@dataclass(frozen=True)
class LeftOut:
    mentor: Person
    name: str
    reason: str


def suggestions_for(mentee: Enrollment, *, limit: int = 20) -> tuple[list[Suggestion], list[LeftOut]]:
    """The mentors for one waiting mentee, best first with their reasons, and those left out with why."""
    pool = load_pool(mentee.cycle, mentee_ids=[mentee.pk])
    if not pool.mentees:
        raise SuggestionError(f"{mentee.member} is not waiting for a mentor.")
    scores = score(pool.mentees, pool.mentors, pool.weights, terms=pool.terms, questions=pool.questions)
    allowed = allowed_matrix(pool.mentees, pool.mentors, pool.rules)[0]
    totals = scores.total[0]
    # How many allowed mentors have each score: a tie is shown as a tie, not as 1, 2, 3.
    values, counts = np.unique(totals[allowed], return_counts=True)
    same = dict(zip(values.tolist(), counts.tolist(), strict=True))
    ranked = [
        Suggestion(
            pool.mentors[j],
            pool.names[pool.mentors[j].id],
            int(totals[j]),
            explain(scores, 0, j, AREA_LABELS),
            shared_rank(totals, allowed, j),
            same[int(totals[j])] - 1,
        )
        for j in rank(scores, 0, allowed, limit)
    ]
    mentee = pool.mentees[0]
    left_out = [
        LeftOut(m, pool.names[m.id], exclusion(mentee, m, pool.rules))
        for m in (pool.mentors[j] for j in np.flatnonzero(~allowed))
    ]
    return ranked, left_out


def compare(mentee: Enrollment, mentor: Enrollment) -> tuple[int, list[Reason], str | None]:
    """The score of one mentor for one mentee, its reasons, and what would keep them apart."""
    pool = load_pool(mentee.cycle, mentee_ids=[mentee.pk])
    index = pool.mentor_index()
    if not pool.mentees or mentor.pk not in index:
        raise SuggestionError("One of the two is no longer in the pool: reload the dashboard.")
    scores = score(pool.mentees, pool.mentors, pool.weights, terms=pool.terms, questions=pool.questions)
    j = index[mentor.pk]
    return (
        int(scores.total[0, j]),
        explain(scores, 0, j, AREA_LABELS),
        exclusion(pool.mentees[0], pool.mentors[j], pool.rules),
    )


@dataclass(frozen=True)
class PairingFacts:
    """What the suggestions saw when the committee paired a mentee with a mentor."""

    reasons: list[str]  # what the two have in common, a sentence each, no points
    rank: int | None  # 1 = the top suggestion (mentors with the same score share a rank); None: not suggested
    score: int | None = None  # the pair's score then (whole points); None: either had left the pool


def reasons_in_words(reasons: list[Reason]) -> list[str]:
    """The reasons that count for the pair, as the members may read them (the introductions
    quote them): the sentences that gave points, never the points."""
    return [r.text for r in reasons if r.points > 0]


def facts_from(scores, allowed: np.ndarray, i: int, j: int) -> PairingFacts:
    """PairingFacts of mentee row i and mentor column j of one scoring."""
    rank = shared_rank(scores.total[i], allowed[i], j) if allowed[i, j] else None
    return PairingFacts(reasons_in_words(explain(scores, i, j, AREA_LABELS)), rank, int(scores.total[i, j]))


def pairing_facts(mentee: Enrollment, mentor: Enrollment) -> PairingFacts:
    """The reasons and the rank of `mentor` among the suggestions for `mentee`, as they are now
    (nothing when either has left the pool)."""
    pool = load_pool(mentee.cycle, mentee_ids=[mentee.pk])
    index = pool.mentor_index()
    if not pool.mentees or mentor.pk not in index:
        return PairingFacts([], None)
    scores = score(pool.mentees, pool.mentors, pool.weights, terms=pool.terms, questions=pool.questions)
    allowed = allowed_matrix(pool.mentees, pool.mentors, pool.rules)
    return facts_from(scores, allowed, 0, index[mentor.pk])
