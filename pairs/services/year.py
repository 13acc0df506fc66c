"""The pair's year, written by its two members: check-ins, goals, the evaluation, and
telling the liaison that the other side went quiet."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import User
from outbox.models import EmailKind
from outbox.services import email_write

from ..emails import unresponsive_values
from ..models import (
    TOPIC_MONTHS,
    CheckIn,
    Evaluation,
    EvaluationKind,
    Goal,
    GoalStatus,
    Pair,
    Topic,
    pair_month,
    validate_report_note,
)
from .pairing import committee_members


class PairYearError(Exception):
    """Something a pair's member asked that the rules refuse; the message is for them."""


class PairYearAlreadyDone(PairYearError):
    """What was asked is done already (a button pressed twice): nothing more was done."""


def _require_member(pair: Pair, user: User) -> None:
    if not pair.has_member(user):
        raise PairYearError("Only the mentor and the mentee of this pair can do that.")


def _topic_check(pair: Pair, topic: Topic | None) -> None:
    if topic is not None and topic.pk not in {t.pk for t in topics_so_far(pair)}:
        raise PairYearError("Choose one of the topics of your pair's year so far, or none.")


def topics_so_far(pair: Pair, today: dt.date | None = None) -> list[Topic]:
    """The topics a check-in of the pair may be tagged with: its schedule's, up to this month
    (all of them once the pair is over), this month's first."""
    schedule = Topic.objects.schedule_of(pair.cycle_id)
    month = pair_month(pair, today)
    last = month if month is not None else (0 if pair.is_active else TOPIC_MONTHS)
    return [schedule[m] for m in sorted(schedule, reverse=True) if m <= last]


@transaction.atomic
def checkin_log(
    *,
    pair: Pair,
    by: User,
    met_on: dt.date,
    mode: str,
    minutes: int | None,
    topics: str,
    notes: str,
    topic: Topic | None = None,
) -> tuple[CheckIn, bool]:
    """Log a check-in: (it, True); or (the one logged before, False) when `by` already logged
    this very check-in — the button pressed twice, or the form sent again — which the
    statistics must count once. `topic`: the month's topic they talked about, if any."""
    _require_member(pair, by)
    _topic_check(pair, topic)
    fields = {"met_on": met_on, "mode": mode, "minutes": minutes, "topics": topics, "notes": notes, "topic": topic}
    try:
        # The model's own checks: the date within the pair's time, the length, the texts' limits.
        CheckIn(pair=pair, logged_by=by, **fields).full_clean(exclude=["pair", "logged_by"])
    except ValidationError as e:
        raise PairYearError(" ".join(e.messages)) from None
    # The presses of a double click arrive together: one at a time per pair, so that the
    # second sees the first's check-in.
    list(Pair.objects.select_for_update().filter(pk=pair.pk).values_list("pk"))
    same = CheckIn.objects.filter(pair=pair, logged_by=by, **fields).order_by("created_at").first()
    if same is not None:
        return same, False
    checkin = CheckIn.objects.create(pair=pair, logged_by=by, topic_title=topic.title if topic else "", **fields)
    Pair.objects.filter(pk=pair.pk).update(reminded_on=None)  # a new quiet spell starts now
    return checkin, True


def _own_checkin(pair: Pair, checkin_id: int, by: User) -> CheckIn:
    """The check-in, locked, if `by` may still change it; else PairYearError (or AlreadyDone when it is gone)."""
    _require_member(pair, by)
    checkin = CheckIn.objects.select_for_update().filter(pk=checkin_id, pair=pair).first()
    if checkin is None:
        raise PairYearAlreadyDone("This check-in is no longer there: it was deleted.")
    if refusal := checkin.change_refusal(by):
        raise PairYearError(refusal)
    return checkin


@transaction.atomic
def checkin_edit(
    *,
    pair: Pair,
    checkin_id: int,
    by: User,
    met_on: dt.date,
    mode: str,
    minutes: int | None,
    topics: str,
    notes: str,
    topic: Topic | None = None,
) -> tuple[CheckIn, bool]:
    """Its author corrects a check-in, within CHECKIN_EDITABLE of logging it: (it, True), or
    (it, False) when nothing changed (the form sent twice). The other side sees that it was edited."""
    checkin = _own_checkin(pair, checkin_id, by)
    fields = {"met_on": met_on, "mode": mode, "minutes": minutes, "topics": topics, "notes": notes}
    if topic is not None and topic.pk != checkin.topic_id:
        _topic_check(pair, topic)
    if all(getattr(checkin, k) == v for k, v in fields.items()) and (topic.pk if topic else None) == checkin.topic_id:
        return checkin, False
    for k, v in fields.items():
        setattr(checkin, k, v)
    if (topic.pk if topic else None) != checkin.topic_id:
        checkin.topic, checkin.topic_title = topic, topic.title if topic else ""
    try:
        checkin.full_clean(exclude=["pair", "logged_by", "topic"])
    except ValidationError as e:
        raise PairYearError(" ".join(e.messages)) from None
    checkin.edited_at = timezone.now()
    checkin.save()
    return checkin, True


@transaction.atomic
def checkin_delete(*, pair: Pair, checkin_id: int, by: User) -> CheckIn:
    """Its author deletes a check-in, within CHECKIN_EDITABLE of logging it. A second press
    raises PairYearAlreadyDone: it is gone already."""
    checkin = _own_checkin(pair, checkin_id, by)
    checkin.delete()
    return checkin


def goal_save(*, pair: Pair, by: User, goal: Goal) -> Goal:
    """Add or update a goal of an active pair; an ended pair's goals stay as they were."""
    _require_member(pair, by)
    if not pair.is_active:
        raise PairYearError("This pair has ended: its goals stay as they were.")
    goal.pair = pair
    try:
        # The member's fields: the title's and the description's limits, the target date (Goal.clean).
        goal.full_clean(exclude=["pair", "created_by", "completed_on"])
    except ValidationError as e:
        raise PairYearError(" ".join(e.messages)) from None
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
    if kind == EvaluationKind.CLOSING and not pair.evaluation_is_open():
        raise PairYearError(f"The closing evaluation opens on {pair.evaluation_opens_on:%B %-d, %Y}.")
    evaluation.pair, evaluation.author, evaluation.role, evaluation.kind = pair, by, pair.role_of(by), kind
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        raise PairYearAlreadyDone("Your evaluation is in already: your first answers are kept. Thank you!") from None
    return evaluation


@transaction.atomic
def pair_report_unresponsive(*, pair: Pair, by: User, note: str = "") -> tuple[dt.datetime, bool]:
    """One side tells the liaison (or the committee) that the other side went quiet: (when, True).

    Once per side while the report stands (REPORT_STANDS): a report made again before then
    — the button pressed twice, or a worried member a week later — is not sent, and
    (when the standing report was made, False) is returned.
    """
    pair = Pair.objects.select_for_update(of=("self",)).with_people().get(pk=pair.pk)
    if not pair.is_active:
        raise PairYearError("This pair has ended.")
    _require_member(pair, by)
    note = note.strip()
    try:
        validate_report_note(note)
    except ValidationError as e:
        raise PairYearError(e.messages[0]) from None
    role = pair.role_of(by)
    now = timezone.now()
    standing = pair.standing_report_at(role, now)
    if standing is not None:
        return standing, False
    field = f"{role}_reported_unresponsive_at"
    setattr(pair, field, now)
    pair.save(update_fields=[field])
    recipients = [pair.liaison] if pair.liaison and pair.liaison.may_liaise else committee_members()
    for r in recipients:
        email_write(
            kind=EmailKind.UNRESPONSIVE,
            key=f"pair:{pair.pk}:unresponsive:{role}:{now:%Y%m%d%H%M%S%f}:{r.pk}",
            to=r,
            pair=pair,
            values=unresponsive_values(pair, reporter=by, to=r, note=note),
        )
    return now, True
