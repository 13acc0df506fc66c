"""The best-overall proposal: solving the whole cycle's assignment, the committee's
adjustments to the draft (locks, bans, drops), and confirming it — every pair made
through `pairs.services.pairing.pair_create`."""

from __future__ import annotations

import logging

import numpy as np
from django.db import transaction
from django.utils import timezone

from arla_mentoring.paging import page_of, page_of_keys
from members.models import Cycle, Enrollment, User, search_words
from outbox.rendering import wording_read_once
from pairs.models import Offer, Pair, search_names
from pairs.services import offers, pairing

from ..assignment import AssignmentError, solve
from ..models import Proposal, ProposalBan, ProposalDrop, ProposalPair, ProposalStatus
from ..scoring import allowed_matrix, score
from .pool import load_pool
from .suggestions import PairingFacts, facts_from

log = logging.getLogger(__name__)


class ProposalError(Exception):
    """A proposal request that cannot be done; the message is for the committee."""


class ProposalAlreadyConfirmed(ProposalError):
    """The proposal was confirmed meanwhile (the button pressed twice): nothing more was done."""

    def __init__(self, proposal: Proposal):
        super().__init__("This proposal was confirmed already: nothing more was done.")
        self.proposal = proposal


def draft_for(cycle: Cycle) -> Proposal | None:
    return Proposal.objects.filter(cycle=cycle, status=ProposalStatus.DRAFT).first()


def last_confirmed(cycle: Cycle) -> Proposal | None:
    """The cycle's proposal confirmed last, with who confirmed it — unless a newer one was started."""
    latest = Proposal.objects.filter(cycle=cycle).select_related("confirmed_by").order_by("-created_at", "-pk").first()
    return latest if latest and latest.status == ProposalStatus.CONFIRMED else None


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
    totals = score(pool.mentees, pool.mentors, pool.weights, terms=pool.terms, questions=pool.questions).total
    allowed = allowed_matrix(pool.mentees, pool.mentors, pool.rules)
    capacity = np.maximum(np.array(pool.mentors.capacity_left, int), 0)
    try:
        result = solve(totals, allowed, capacity, locked=locked, banned=banned, dropped=dropped)
    except AssignmentError as e:
        mentor_ids = {pool.mentors.ids[j] for _, j in locked if capacity[j] < sum(1 for _, b in locked if b == j)}
        names = ", ".join(sorted(pool.names[m] for m in mentor_ids))
        raise ProposalError(f"{e} Unlock a pair of {names}, then solve again." if names else str(e)) from e
    locked_set = set(locked)
    proposal.pairs.all().delete()
    ProposalPair.objects.bulk_create(
        ProposalPair(
            proposal=proposal,
            mentee_id=pool.mentees.ids[i],
            mentor_id=pool.mentors.ids[j],
            score=int(totals[i, j]),
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
    if proposal.status == ProposalStatus.CONFIRMED:
        raise ProposalAlreadyConfirmed(proposal)
    if proposal.status != ProposalStatus.DRAFT:
        raise ProposalError("This proposal is no longer a draft: open the current one.")
    return proposal


@transaction.atomic
def proposal_lock(*, proposal: Proposal, item_id: int, locked: bool) -> None:
    proposal = _draft_locked(proposal)
    if not proposal.pairs.filter(pk=item_id).update(locked=locked):
        raise ProposalError("That pair is no longer in the draft: it was solved again meanwhile.")


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
        raise ProposalError("That pair is no longer in the draft: it was solved again meanwhile.")
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
        raise ProposalError("That mentee is not in this draft: reload the page.")
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
def proposal_confirm(*, proposal: Proposal, by: User) -> list[Pair | Offer]:
    """Make every pair of the draft (or, where the mentor accepts first, every offer), all or
    nothing, each through the pairs service."""
    proposal = _draft_locked(proposal)
    # What the suggestions saw, for every pair of the draft from one scoring of the cycle.
    pool = load_pool(proposal.cycle)
    rows, cols = pool.mentee_index(), pool.mentor_index()
    scores = score(pool.mentees, pool.mentors, pool.weights, terms=pool.terms, questions=pool.questions)
    allowed = allowed_matrix(pool.mentees, pool.mentors, pool.rules)
    items = list(proposal.pairs.select_related("mentee__member", "mentor__member").order_by("pk"))
    facts = [
        facts_from(scores, allowed, i, j) if i is not None and j is not None else PairingFacts([], None)
        for i, j in ((rows.get(item.mentee_id), cols.get(item.mentor_id)) for item in items)
    ]
    if proposal.cycle.mentor_accepts_first:
        # Each pair of the draft is offered to its mentor, who accepts before the introductions.
        liaisons = pairing.liaison_rota(proposal.cycle)
        made: list[Pair | Offer] = []
        with wording_read_once():  # the offers' wording, read once for the whole draft
            for item, fact in zip(items, facts, strict=True):
                try:
                    made.append(
                        offers.offer_create(
                            mentee_id=item.mentee_id,
                            mentor_id=item.mentor_id,
                            by=by,
                            liaison=next(liaisons),
                            match_reasons=fact.reasons,
                            suggestion_rank=fact.rank,
                            match_score=fact.score,
                        )
                    )
                except pairing.PairingError as e:
                    raise ProposalError(
                        f"Nothing was confirmed: {item.mentee.member} with {item.mentor.member} is no longer "
                        f"possible ({str(e).rstrip('.')}). Solve the proposal again."
                    ) from None
    else:
        requests = [
            pairing.PairRequest(
                mentee_id=item.mentee_id,
                mentor_id=item.mentor_id,
                match_reasons=fact.reasons,
                suggestion_rank=fact.rank,
                match_score=fact.score,
            )
            for item, fact in zip(items, facts, strict=True)
        ]
        try:
            # Each pair's liaison as pair_create would choose it (the loads read once); the
            # introductions' wording read once for the whole draft.
            with wording_read_once():
                made = pairing.pairs_create(requests, by=by)
        except pairing.PairingError as e:
            refused = next((item for item, r in zip(items, requests, strict=True) if r is e.request), None)
            which = f"{refused.mentee.member} with {refused.mentor.member}" if refused else "a pair of the draft"
            raise ProposalError(
                f"Nothing was confirmed: {which} is no longer possible ({str(e).rstrip('.')}). "
                "Solve the proposal again."
            ) from None
    if not made:
        raise ProposalError("The draft has no pair to confirm.")
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
