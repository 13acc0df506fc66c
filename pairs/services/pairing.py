"""Making, ending and completing pairs.

`pair_create` is the one way a pair comes to exist: the committee's pages, the admin
and the matching app all call it. It keeps DESIGN.md's rules 1–4 with row locks and
database constraints, so that two committee members clicking at the same moment
cannot break them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from members.models import Cycle, Enrollment, EnrollmentStatus, Role, User, committee_group, typed_length
from outbox.models import EmailKind
from outbox.services import EmailToWrite, emails_write

from ..emails import intro_values, side_values, thanks_values
from ..models import (
    END_NOTE_MAX_CHARS,
    MAX_MONTHS,
    MIN_MONTHS,
    Offer,
    Pair,
    PairEndReason,
    PairStatus,
    add_months,
    places_taken,
)
from . import certificates
from ._shared import each_locked, email_both_sides, end_pair
from .surveys import exit_survey_send

log = logging.getLogger(__name__)


class PairingError(Exception):
    """A pairing request the rules refuse; the message is written for the committee."""

    request: PairRequest | None = None  # which of pairs_create's requests, when known


class PairingAlreadyDone(PairingError):
    """What was asked is done already (a button pressed twice): nothing more was done."""


def committee_members() -> list[User]:
    return list(User.objects.liaisons().order_by("pk"))


def liaison_rota(cycle: Cycle) -> Iterator[User | None]:
    """The liaison of each next pair of the cycle: the committee member liaising the fewest active
    pairs of the cycle (ties: the longest-serving), counting the pairs handed out before. One
    query for as many pairs as the caller makes in its transaction (a proposal's hundreds)."""
    members = list(
        User.objects.liaisons().annotate(
            load=Count("liaison_pairs", filter=Q(liaison_pairs__cycle=cycle, liaison_pairs__status=PairStatus.ACTIVE))
        )
    )
    queue = [(member.load, member.pk, member) for member in members]
    heapq.heapify(queue)
    while True:
        if not queue:
            yield None
            continue
        load, pk, member = heapq.heappop(queue)
        yield member
        heapq.heappush(queue, (load + 1, pk, member))


def liaison_with_fewest_pairs(cycle: Cycle) -> User | None:
    """The committee member liaising the fewest active pairs of the cycle (ties: the longest-serving)."""
    return next(liaison_rota(cycle))


def liaison_check(liaison: User | None) -> None:
    """Refuse (PairingError) a liaison who may not liaise a pair (User.objects.liaisons); None
    is no liaison, or the automatic choice."""
    if liaison is not None and not liaison.may_liaise:
        raise PairingError(f"{liaison} is not on the Mentoring Committee, so cannot be a liaison.")


@transaction.atomic
def committee_remove(*, user: User) -> list[Pair]:
    """Take `user` off the Mentoring Committee (and out of the admin, unless a site admin), and
    hand each of their active pairs to the committee member with the fewest pairs of its cycle,
    or to nobody when no one is left. Returns those pairs, with their new liaison.

    Their finished pairs keep naming them: a record of who liaised, which gives no rights.
    """
    user.groups.remove(committee_group())
    user.__dict__.pop("_perm_cache", None)  # the permissions read before are stale now
    if user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    handed = list(Pair.objects.select_for_update(of=("self",)).active().filter(liaison=user).order_by("pk"))
    now = timezone.now()
    for pair in handed:
        pair.liaison = liaison_with_fewest_pairs(pair.cycle)
        pair.liaison_assigned_at, pair.liaison_assigned_by = now, None
        pair.save(update_fields=["liaison", "liaison_assigned_at", "liaison_assigned_by"])
    log.info("user %s left the committee; %s active pairs handed on", user.pk, len(handed))
    return handed


@dataclass(frozen=True)
class PairRequest:
    """One pair to make (`pairs_create`): the two opt-ins, the liaison (None: the committee
    member with the fewest pairs), and what matching saw (`pair_create`)."""

    mentee_id: int
    mentor_id: int
    liaison: User | None = None
    match_reasons: Sequence[str] = ()
    suggestion_rank: int | None = None
    match_score: int | None = None


def _locked(enrollment_ids: set[int]) -> dict[int, Enrollment]:
    """The opt-ins, locked always in the same order (by id) so that two concurrent pairings or
    offers wait for each other instead of deadlocking."""
    return {
        e.pk: e
        for e in Enrollment.objects.select_for_update(of=("self",))
        .select_related("member", "cycle")
        .filter(pk__in=enrollment_ids)
        .order_by("pk")
    }


def sides_locked(mentee_id: int, mentor_id: int) -> tuple[Enrollment, Enrollment]:
    """The mentee's and the mentor's opt-ins, locked (`_locked`)."""
    locked = _locked({mentee_id, mentor_id})
    mentee, mentor = locked.get(mentee_id), locked.get(mentor_id)
    if mentee is None or mentor is None:
        raise PairingError("That opt-in no longer exists: reload the page.")
    return mentee, mentor


def _rules_check(
    mentee: Enrollment,
    mentor: Enrollment,
    *,
    mentee_paired: bool,
    taken: tuple[int, int],
    length_months: int | None,
    liaison: User | None,
    accepting: Offer | None,
) -> int:
    """Rules 1–3 on the locked opt-ins and what is counted of them: whether the mentee is in an
    active pair, and the mentor's (active pairs, offers holding a place). Returns the length."""
    if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
        raise PairingError("Choose a mentee's opt-in and a mentor's opt-in.")
    if mentee.member_id == mentor.member_id:
        raise PairingError(f"{mentee.member} cannot be their own mentor.")
    if mentee.cycle_id != mentor.cycle_id:
        raise PairingError(f"{mentee.member} and {mentor.member} opted in to different cycles.")
    for side in (mentee, mentor):
        if not side.is_taking_part:
            raise PairingError(f"{side.member}'s opt-in is {side.get_status_display().lower()}.")
    if mentee_paired:
        raise PairingError(f"{mentee.member} has been paired meanwhile: reload the page to see the pair.")
    if mentee.status == EnrollmentStatus.OFFERED and (accepting is None or accepting.mentee_id != mentee.pk):
        raise PairingError(
            f"{mentee.member} is offered to a mentor, who has yet to answer: wait for the answer, or withdraw the "
            "offer on the dashboard first."
        )
    pairs, offers = taken
    if pairs + offers >= mentor.capacity:
        waiting = f" (counting {offers} offer{'s' if offers != 1 else ''} waiting for their answer)" if offers else ""
        raise PairingError(
            f"{mentor.member} already mentors {pairs + offers} of the {mentor.capacity} "
            f"mentee{'s' if mentor.capacity != 1 else ''} they offered to take{waiting}."
        )
    length = length_months or mentee.cycle.default_length_months
    if not MIN_MONTHS <= length <= MAX_MONTHS:
        raise PairingError(f"A pair runs {MIN_MONTHS} to {MAX_MONTHS} months, not {length}.")
    liaison_check(liaison)
    return length


def pairing_check(
    mentee: Enrollment,
    mentor: Enrollment,
    *,
    length_months: int | None,
    liaison: User | None,
    accepting: Offer | None = None,
) -> int:
    """Refuse (PairingError) what rules 1–3 refuse of pairing — or offering — the locked
    `mentee` and `mentor`; returns the pair's length. Rule 2 counts the mentor's active pairs
    and the offers holding a place (`places_taken`), all but `accepting`, the offer whose
    acceptance makes this pair (which holds the mentee too)."""
    return _rules_check(
        mentee,
        mentor,
        mentee_paired=Pair.objects.active().filter(mentee=mentee).exists(),
        taken=places_taken([mentor.pk], but_offer=accepting.pk if accepting else None).get(mentor.pk, (0, 0)),
        length_months=length_months,
        liaison=liaison,
        accepting=accepting,
    )


@transaction.atomic
def pair_create(
    *,
    mentee_id: int,
    mentor_id: int,
    by: User | None,
    liaison: User | None = None,
    length_months: int | None = None,
    match_reasons: Sequence[str] = (),
    suggestion_rank: int | None = None,
    match_score: int | None = None,
    today: dt.date | None = None,
    accepting: Offer | None = None,
) -> Pair:
    """Pair a mentee enrollment with a mentor enrollment, and write both introductions.

    Refuses (PairingError, nothing written) when the mentee is already paired (or offered to
    a mentor), the mentor is at capacity, the two are the same person or of different cycles,
    or the length is not 9–12 months. The pair and its two pending emails are one
    transaction; the emails are handed to Celery only after it commits.

    `match_reasons` (sentences, no scores), `suggestion_rank` (1 = the top suggestion) and
    `match_score` record what matching saw when the committee chose; pairs made elsewhere have none.
    `accepting`: the offer whose acceptance makes the pair (pairs.services.offers; `by` is
    then who made the offer, None when their account is gone).
    """
    request = PairRequest(mentee_id, mentor_id, liaison, match_reasons, suggestion_rank, match_score)
    return pairs_create([request], by=by, length_months=length_months, today=today, accepting=accepting)[0]


@transaction.atomic
def pairs_create(
    requests: Sequence[PairRequest],
    *,
    by: User | None,
    length_months: int | None = None,
    today: dt.date | None = None,
    accepting: Offer | None = None,
) -> list[Pair]:
    """Make each pair of `requests`, in order, as `pair_create` makes one — the same rules,
    each checked against the pairs made before it — all or nothing: a PairingError names the
    request it refuses (`error.request`). A proposal's hundreds of pairs are read, locked and
    written a few queries for all of them, not a dozen a pair."""
    today = today or timezone.localdate()
    locked = _locked({pk for r in requests for pk in (r.mentee_id, r.mentor_id)})
    paired = set(
        Pair.objects.active().filter(mentee__in=[r.mentee_id for r in requests]).values_list("mentee_id", flat=True)
    )
    # Rule 2's count per mentor: active pairs and offers holding a place (but the one accepted).
    taken = {
        pk: list(counts)
        for pk, counts in places_taken(
            [r.mentor_id for r in requests], but_offer=accepting.pk if accepting else None
        ).items()
    }
    rotas: dict[int, Iterator[User | None]] = {}
    now = timezone.now()
    pairs = []
    for request in requests:
        try:
            pair = _pair_checked(
                request, locked, paired, taken, by=by, length_months=length_months, today=today, accepting=accepting
            )
        except PairingError as e:
            e.request = request
            raise
        if pair.liaison is None:
            rota = rotas.get(pair.cycle.pk) or rotas.setdefault(pair.cycle.pk, liaison_rota(pair.cycle))
            pair.liaison = next(rota)
        pair.liaison_assigned_at = now
        pairs.append(pair)
    try:
        with transaction.atomic():
            Pair.objects.bulk_create(pairs)
    except IntegrityError:
        # The constraint caught what the lock could not (e.g. a mentee row unlocked by a withdrawn pair).
        error = PairingError(
            f"{pairs[0].mentee.member} has been paired meanwhile: reload the page to see the pair."
            if len(pairs) == 1
            else "One of these mentees has been paired meanwhile: reload the page to see the pairs."
        )
        error.request = requests[0] if len(pairs) == 1 else None
        raise error from None
    Enrollment.objects.filter(pk__in={pk for r in requests for pk in (r.mentee_id, r.mentor_id)}).update(
        status=EnrollmentStatus.PAIRED
    )
    emails_write(
        [
            EmailToWrite(
                kind=EmailKind.INTRO_MENTOR if side == "mentor" else EmailKind.INTRO_MENTEE,
                key=f"pair:{pair.pk}:intro_{side}",
                to=enrollment.member,
                pair=pair,
                values=intro_values(pair, side),
            )
            for pair in pairs
            for side, enrollment in (("mentor", pair.mentor), ("mentee", pair.mentee))
        ]
    )
    for pair in pairs:
        log.info(
            "pair %s made by %s: mentor enrollment %s, mentee enrollment %s",
            pair.pk,
            getattr(by, "pk", None),
            pair.mentor_id,
            pair.mentee_id,
        )
    return pairs


def _pair_checked(
    request: PairRequest,
    locked: dict[int, Enrollment],
    paired: set[int],
    taken: dict[int, list[int]],
    *,
    by: User | None,
    length_months: int | None,
    today: dt.date,
    accepting: Offer | None,
) -> Pair:
    """The pair `request` asks for, unsaved, if the rules allow it now (PairingError if not);
    `paired` and `taken` then count it."""
    mentee, mentor = locked.get(request.mentee_id), locked.get(request.mentor_id)
    if mentee is None or mentor is None:
        raise PairingError("That opt-in no longer exists: reload the page.")
    counts = taken.setdefault(mentor.pk, [0, 0])
    length = _rules_check(
        mentee,
        mentor,
        mentee_paired=mentee.pk in paired,
        taken=(counts[0], counts[1]),
        length_months=length_months,
        liaison=request.liaison,
        accepting=accepting,
    )
    cycle = mentee.cycle
    # Pairs made before the conference where the year starts start there; a late pair starts today.
    starts_on = max(cycle.starts_on, today)
    try:
        ends_on = add_months(starts_on, length)
    except ValueError:
        # A cycle saved before its dates were checked (Cycle.clean), e.g. starting in year 9999.
        raise PairingError(
            f"The {cycle.name} cycle starts on {cycle.starts_on:%B %-d, %Y}: correct the cycle's dates first."
        ) from None
    paired.add(mentee.pk)
    counts[0] += 1
    mentee.status = mentor.status = EnrollmentStatus.PAIRED
    return Pair(
        cycle=cycle,
        mentor=mentor,
        mentee=mentee,
        liaison=request.liaison,
        starts_on=starts_on,
        length_months=length,
        ends_on=ends_on,
        created_by=by,
        liaison_assigned_by=by,
        match_reasons=list(request.match_reasons),
        suggestion_rank=request.suggestion_rank,
        match_score=request.match_score,
        first_contact_due_on=today + dt.timedelta(days=cycle.first_contact_days),
    )


@dataclass(frozen=True)
class LiaisonChange:
    """What pairs_liaison_assign did: the pairs it gave the liaison, those that had them
    already, and those that have ended (whose liaison stays, a record of who liaised)."""

    given: list[Pair]
    already: list[Pair]
    ended: list[Pair]


@transaction.atomic
def pairs_liaison_assign(*, pair_ids: Sequence[int], liaison: User | None, by: User) -> LiaisonChange:
    """Make `liaison` the liaison of each active pair of `pair_ids`, recording who did it and
    when. Safe to press twice: a pair that has them already is left as it is (and counted)."""
    if liaison is None:
        raise PairingError("Choose the committee member who will liaise these pairs.")
    liaison_check(liaison)
    pairs = list(Pair.objects.select_for_update(of=("self",)).filter(pk__in=list(pair_ids)).order_by("pk"))
    if not pairs:
        raise PairingError("Choose at least one pair.")
    given = [p for p in pairs if p.is_active and p.liaison_id != liaison.pk]
    already = [p for p in pairs if p.is_active and p.liaison_id == liaison.pk]
    ended = [p for p in pairs if not p.is_active]
    now = timezone.now()
    Pair.objects.filter(pk__in=[p.pk for p in given]).update(
        liaison=liaison, liaison_assigned_at=now, liaison_assigned_by=by
    )
    log.info(
        "liaison %s given %s pairs by %s (%s had them already, %s ended)",
        liaison.pk,
        len(given),
        by.pk,
        len(already),
        len(ended),
    )
    return LiaisonChange(given=given, already=already, ended=ended)


@transaction.atomic
def pair_end(
    *, pair: Pair, by: User, reason: str = "", category: str = PairEndReason.OTHER, back_to_pool: bool = False
) -> Pair:
    """End an active pair early, saying why: a category the reports count (PairEndReason) and a
    note (`reason`; needed for "Other"). The mentee may go back to the pool for a new mentor."""
    pair = Pair.objects.select_for_update(of=("self",)).with_people().get(pk=pair.pk)
    if not pair.is_active:
        raise PairingAlreadyDone(
            f"This pair ended already{f' on {pair.over_on:%B %-d, %Y}' if pair.over_on else ''}: nothing more was done."
        )
    if category not in PairEndReason.values or category == PairEndReason.ACCOUNT_DELETED:
        raise PairingError("Choose why the pair ends: the committee's reports count the reasons.")
    if category == PairEndReason.OTHER and not reason.strip():
        raise PairingError("Say in a few words why the pair ends.")
    if typed_length(reason.strip()) > END_NOTE_MAX_CHARS:
        raise PairingError(f"Keep the note to {END_NOTE_MAX_CHARS:,} characters.")
    end_pair(
        pair, by=by, category=category, reason=reason.strip(), mentee_back_to_pool=back_to_pool, now=timezone.now()
    )
    email_both_sides(
        pair,
        kind=EmailKind.PAIR_ENDED,
        key="ended",
        values=lambda to: side_values(pair, to, if_back_to_pool=back_to_pool and to == pair.mentee.member),
    )
    # Today an early end is a survey of its own: both sides are asked why, in the same transaction.
    exit_survey_send(pair)
    log.info("pair %s ended by %s (back to pool: %s)", pair.pk, by.pk, back_to_pool)
    return pair


def pair_complete_due(*, today: dt.date | None = None) -> int:
    """Complete every active pair whose end date has come; thank both sides and
    invite the mentee to mentor next cycle. Safe to run twice or late."""
    today = today or timezone.localdate()
    done = 0
    due = Pair.objects.active().filter(ends_on__lte=today).values_list("pk", flat=True)
    for pair in each_locked(list(due), Pair.objects.active()):
        pair.status = PairStatus.COMPLETED
        pair.save(update_fields=["status"])
        Enrollment.objects.filter(pk__in=[pair.mentor_id, pair.mentee_id]).update(status=EnrollmentStatus.COMPLETED)
        for role in ("mentor", "mentee"):
            # Issued with the pair's completion, so that the thanks can link it.
            certificates.certificate_of(pair=pair, role=role)
        email_both_sides(pair, kind=EmailKind.THANKS, key="thanks", values=lambda to, p=pair: thanks_values(p, to))
        done += 1
    return done
