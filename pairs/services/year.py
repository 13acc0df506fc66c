"""The pair's year, written by its two members: check-ins, goals, the evaluation, and
telling the liaison that the other side went quiet."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import User
from outbox.models import EmailKind
from outbox.rendering import absolute
from outbox.services import email_write

from ..models import CheckIn, Evaluation, EvaluationKind, Goal, GoalStatus, Pair
from .pairing import committee_members


class PairYearError(Exception):
    """Something a pair's member asked that the rules refuse; the message is for them."""


def _require_member(pair: Pair, user: User) -> None:
    if not pair.has_member(user):
        raise PairYearError("Only the mentor and the mentee of this pair can do that.")


def checkin_log(
    *, pair: Pair, by: User, met_on: dt.date, mode: str, minutes: int | None, topics: str, notes: str
) -> CheckIn:
    _require_member(pair, by)
    if met_on > timezone.localdate():
        raise PairYearError("A check-in is logged after it happened: the date is in the future.")
    checkin = CheckIn.objects.create(
        pair=pair, logged_by=by, met_on=met_on, mode=mode, minutes=minutes, topics=topics, notes=notes
    )
    Pair.objects.filter(pk=pair.pk).update(reminded_on=None)  # a new quiet spell starts now
    return checkin


def goal_save(*, pair: Pair, by: User, goal: Goal) -> Goal:
    _require_member(pair, by)
    goal.pair = pair
    if goal.pk is None:
        goal.created_by = by
    if goal.status == GoalStatus.DONE and goal.completed_on is None:
        goal.completed_on = timezone.localdate()
    elif goal.status != GoalStatus.DONE:
        goal.completed_on = None
    goal.save()
    return goal


def evaluation_submit(
    *, pair: Pair, by: User, evaluation: Evaluation, kind: str = EvaluationKind.CLOSING
) -> Evaluation:
    _require_member(pair, by)
    if kind == EvaluationKind.CLOSING and timezone.localdate() < pair.evaluation_opens_on and pair.is_active:
        raise PairYearError(f"The closing evaluation opens on {pair.evaluation_opens_on:%B %-d, %Y}.")
    evaluation.pair, evaluation.author, evaluation.role, evaluation.kind = pair, by, pair.role_of(by), kind
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        raise PairYearError("You have already filled in this evaluation. Thank you!") from None
    return evaluation


@transaction.atomic
def pair_report_unresponsive(*, pair: Pair, by: User, note: str = "") -> None:
    """One side tells the liaison (or the committee) that the other side went quiet."""
    pair = Pair.objects.select_for_update(of=("self",)).with_people().get(pk=pair.pk)
    if not pair.is_active:
        raise PairYearError("This pair has ended.")
    pair.unresponsive_reported_at = timezone.now()
    pair.unresponsive_reported_by = by
    pair.save(update_fields=["unresponsive_reported_at", "unresponsive_reported_by"])
    recipients = [pair.liaison] if pair.liaison and pair.liaison.may_liaise else committee_members()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    context = {
        "pair": pair,
        "reporter": by,
        "other": pair.other_side(by),
        "note": note.strip(),
        "pair_url": absolute(pair.get_absolute_url()),
    }
    for r in recipients:
        email_write(
            kind=EmailKind.UNRESPONSIVE,
            key=f"pair:{pair.pk}:unresponsive:{stamp}:{r.pk}",
            to=r,
            pair=pair,
            context=context,
        )
