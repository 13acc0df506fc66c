"""Accept first: in a cycle where the mentor accepts before the introduction, pairing offers
the mentee to the mentor (`offer_create`), and the pair — with its introductions — is made
only when the mentor accepts from the emailed link (`offer_accept`). Declining sends the
mentee back to the pool and tells the committee; an offer not answered in time is reminded
once at half-time, then the committee is told and may withdraw it (`offers_follow_up`).

While an offer is open it holds the mentee (their opt-in is "offered") and one of the
mentor's places (rule 2 counts it: `pairs.models.places_taken`). `pair_or_offer` is what the
committee's pages call: it pairs, or offers, as the cycle says.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Enrollment, EnrollmentStatus, User, nul_refused
from outbox.models import EmailKind
from outbox.services import email_write

from ..emails import offer_news_values, offer_values
from ..models import DECLINE_REASON_MAX_CHARS, Offer, OfferStatus, Pair
from .pairing import (
    PairingError,
    committee_members,
    liaison_with_fewest_pairs,
    pair_create,
    pairing_check,
    sides_locked,
)

log = logging.getLogger(__name__)


class OfferError(PairingError):
    """An offer the rules refuse, or a link that can do nothing; the message says why."""


class OfferAlreadyAnswered(OfferError):
    """The offer was answered, withdrawn or has expired: the message says what happened, nothing was done."""


def pair_or_offer(
    *,
    mentee_id: int,
    mentor_id: int,
    by: User,
    liaison: User | None = None,
    length_months: int | None = None,
    match_reasons: Sequence[str] = (),
    suggestion_rank: int | None = None,
    match_score: int | None = None,
) -> Pair | Offer:
    """Pair the two (`pair_create`), or, in a cycle where the mentor accepts first, offer the
    mentee to the mentor (`offer_create`). Raises PairingError (nothing written)."""
    cycle = Enrollment.objects.filter(pk=mentee_id).values_list("cycle__mentor_accepts_first", flat=True).first()
    make = offer_create if cycle else pair_create
    return make(
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        by=by,
        liaison=liaison,
        length_months=length_months,
        match_reasons=match_reasons,
        suggestion_rank=suggestion_rank,
        match_score=match_score,
    )


@transaction.atomic
def offer_create(
    *,
    mentee_id: int,
    mentor_id: int,
    by: User,
    liaison: User | None = None,
    length_months: int | None = None,
    match_reasons: Sequence[str] = (),
    suggestion_rank: int | None = None,
    match_score: int | None = None,
    today: dt.date | None = None,
) -> Offer:
    """Offer a waiting mentee to a mentor, and write the mentor's offer email (Accept / Decline).

    Refuses what `pair_create` refuses (the same check, under the same locks); the offer
    holds the mentee and one of the mentor's places until it is answered or withdrawn.
    """
    today = today or timezone.localdate()
    mentee, mentor = sides_locked(mentee_id, mentor_id)
    length = pairing_check(mentee, mentor, length_months=length_months, liaison=liaison)
    cycle = mentee.cycle
    offer = Offer(
        cycle=cycle,
        mentor=mentor,
        mentee=mentee,
        liaison=liaison or liaison_with_fewest_pairs(cycle),
        length_months=length,
        match_reasons=list(match_reasons),
        suggestion_rank=suggestion_rank,
        match_score=match_score,
        created_by=by,
        answer_by=today + dt.timedelta(days=cycle.offer_answer_days),
    )
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        raise OfferError(f"{mentee.member} has been offered to a mentor meanwhile: reload the page.") from None
    Enrollment.objects.filter(pk=mentee.pk).update(status=EnrollmentStatus.OFFERED)
    mentee.status = EnrollmentStatus.OFFERED
    email_write(
        kind=EmailKind.OFFER, key=f"offer:{offer.pk}", to=mentor.member, cycle=cycle, values=offer_values(offer)
    )
    log.info("offer %s made by %s: mentor enrollment %s, mentee enrollment %s", offer.pk, by.pk, mentor.pk, mentee.pk)
    return offer


def _offer_locked(offer_id: int, member_id: int | None = None) -> Offer:
    offer = Offer.objects.select_for_update(of=("self",)).with_people().filter(pk=offer_id).first()
    if offer is None or (member_id is not None and offer.mentor.member_id != member_id):
        raise OfferError("This offer no longer exists. Reply to the email with any question: the committee will help.")
    return offer


def offer_state(offer: Offer, today: dt.date | None = None) -> str | None:
    """What has become of an offer that can no longer be answered, in a sentence for the
    mentor; None while it waits for the answer. The one rule of "can it be answered"."""
    today = today or timezone.localdate()
    mentee = offer.mentee.member
    if offer.status == OfferStatus.ACCEPTED:
        when = timezone.localtime(offer.answered_at)
        return (
            f"You accepted to mentor {mentee} on {when:%B %-d, %Y}: the introductions have gone to you both. "
            "Nothing more was done."
        )
    if offer.status == OfferStatus.DECLINED:
        when = timezone.localtime(offer.answered_at)
        return f"You declined to mentor {mentee} on {when:%B %-d, %Y}. Nothing more was done."
    if offer.status == OfferStatus.WITHDRAWN:
        return f"The committee has withdrawn this offer: {mentee} is no longer waiting for your answer."
    if offer.status == OfferStatus.EXPIRED or today > offer.answer_by:
        return (
            f"This offer waited for an answer until {offer.answer_by:%B %-d, %Y}, and the committee has been told. "
            "Reply to the email if you would still like to mentor."
        )
    return None


@transaction.atomic
def offer_accept(*, offer_id: int, member_id: int, today: dt.date | None = None) -> Pair:
    """The mentor accepts: the pair is made through `pair_create`, with both introductions.
    Works once: an offer answered, withdrawn or expired raises OfferAlreadyAnswered."""
    offer = _offer_locked(offer_id, member_id)
    if (what := offer_state(offer, today)) is not None:
        raise OfferAlreadyAnswered(what)
    liaison = offer.liaison if offer.liaison is not None and offer.liaison.may_liaise else None
    try:
        pair = pair_create(
            mentee_id=offer.mentee_id,
            mentor_id=offer.mentor_id,
            by=offer.created_by,
            liaison=liaison,
            length_months=offer.length_months,
            match_reasons=offer.match_reasons,
            suggestion_rank=offer.suggestion_rank,
            match_score=offer.match_score,
            today=today,
            accepting=offer,
        )
    except PairingError as e:
        raise OfferError(f"The pair cannot be made: {e} Reply to the email: the committee will help.") from None
    offer.status, offer.answered_at, offer.pair = OfferStatus.ACCEPTED, timezone.now(), pair
    offer.save(update_fields=["status", "answered_at", "pair"])
    log.info("offer %s accepted: pair %s", offer.pk, pair.pk)
    return pair


def _tell_committee(offer: Offer, *, kind: str) -> None:
    """The news of an offer (declined, unanswered) to the committee member who made it, or to
    the whole committee when they are no longer on it."""
    maker = offer.created_by
    recipients = [maker] if maker is not None and maker.may_liaise else committee_members()
    for r in recipients:
        values = offer_news_values(offer, r)
        email_write(kind=kind, key=f"offer:{offer.pk}:{kind}:{r.pk}", to=r, cycle=offer.cycle, values=values)


def _mentee_back_to_pool(offer: Offer) -> None:
    Enrollment.objects.filter(pk=offer.mentee_id, status=EnrollmentStatus.OFFERED).update(
        status=EnrollmentStatus.WAITING
    )


@transaction.atomic
def offer_decline(*, offer_id: int, member_id: int, reason: str = "", today: dt.date | None = None) -> Offer:
    """The mentor declines (with a reason, if they give one): the mentee goes back to the pool,
    the committee is told. Works once, as `offer_accept`."""
    reason = reason.strip()
    if why := nul_refused(reason):  # the link's page posts its text as it is
        raise OfferError(why)
    try:
        Offer._meta.get_field("decline_reason").run_validators(reason)
    except ValidationError:
        raise OfferError(f"Keep the reason to {DECLINE_REASON_MAX_CHARS:,} characters.") from None
    offer = _offer_locked(offer_id, member_id)
    if (what := offer_state(offer, today)) is not None:
        raise OfferAlreadyAnswered(what)
    offer.status, offer.answered_at, offer.decline_reason = OfferStatus.DECLINED, timezone.now(), reason
    offer.save(update_fields=["status", "answered_at", "decline_reason"])
    _mentee_back_to_pool(offer)
    _tell_committee(offer, kind=EmailKind.OFFER_DECLINED)
    log.info("offer %s declined", offer.pk)
    return offer


@transaction.atomic
def offer_withdraw(*, offer_id: int, by: User) -> Offer:
    """The committee withdraws an offer still waiting, or not answered in time: the mentee goes
    back to the pool, the mentor's place is free. Safe to press twice (OfferAlreadyAnswered)."""
    offer = _offer_locked(offer_id)
    if not offer.is_holding:
        raise OfferAlreadyAnswered(
            f"This offer was {offer.get_status_display().lower()} already: nothing more was done."
        )
    offer.status, offer.closed_at, offer.withdrawn_by = OfferStatus.WITHDRAWN, timezone.now(), by
    offer.save(update_fields=["status", "closed_at", "withdrawn_by"])
    _mentee_back_to_pool(offer)
    log.info("offer %s withdrawn by %s", offer.pk, by.pk)
    return offer


def offers_follow_up(*, today: dt.date | None = None) -> tuple[int, int]:
    """The daily round of the offers waiting: the one reminder at half-time, then, past the
    answer day, the offer expires and the committee is told. Safe to run twice or late (the
    offer re-read under its lock, the outbox's keys). Returns (reminded, expired)."""
    today = today or timezone.localdate()
    reminded = expired = 0
    waiting = list(Offer.objects.filter(status=OfferStatus.WAITING).values_list("pk", flat=True))
    for pk in waiting:
        with transaction.atomic():
            offer = (
                Offer.objects.select_for_update(skip_locked=True, of=("self",))
                .with_people()
                .filter(pk=pk, status=OfferStatus.WAITING)
                .first()
            )
            if offer is None:
                continue
            if today > offer.answer_by:
                offer.status, offer.closed_at = OfferStatus.EXPIRED, timezone.now()
                offer.save(update_fields=["status", "closed_at"])
                _tell_committee(offer, kind=EmailKind.OFFER_EXPIRED)
                expired += 1
            elif offer.reminded_on is None and today >= offer.remind_on:
                offer.reminded_on = today
                offer.save(update_fields=["reminded_on"])
                email_write(
                    kind=EmailKind.OFFER_REMINDER,
                    key=f"offer:{offer.pk}:reminder",
                    to=offer.mentor.member,
                    cycle=offer.cycle,
                    values=offer_values(offer),
                )
                reminded += 1
    return reminded, expired
