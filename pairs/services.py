"""Making and ending pairs, and the program's email outbox.

`pair_create` is the one way a pair comes to exist: the committee's pages, the
admin and the matching app all call it. It keeps DESIGN.md's rules 1–4 with row
locks and database constraints, so that two committee members clicking at the same
moment cannot break them.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from members.emails import absolute, render
from members.models import COMMITTEE_GROUP, Cycle, Enrollment, EnrollmentStatus, Role, User

from .models import (
    MAX_MONTHS,
    MIN_MONTHS,
    CheckIn,
    Email,
    EmailKind,
    EmailState,
    Evaluation,
    EvaluationKind,
    Goal,
    GoalStatus,
    Pair,
    PairStatus,
    add_months,
)

log = logging.getLogger(__name__)


class PairingError(Exception):
    """A pairing request the rules refuse; the message is written for the committee."""


# --- Making and ending pairs -----------------------------------------------------------


def committee_members() -> list[User]:
    return list(User.objects.filter(groups__name=COMMITTEE_GROUP, is_active=True).order_by("pk"))


def liaison_with_fewest_pairs(cycle: Cycle) -> User | None:
    """The committee member liaising the fewest active pairs of the cycle (ties: the longest-serving)."""
    return (
        User.objects.filter(groups__name=COMMITTEE_GROUP, is_active=True)
        .annotate(
            load=Count("liaison_pairs", filter=Q(liaison_pairs__cycle=cycle, liaison_pairs__status=PairStatus.ACTIVE))
        )
        .order_by("load", "pk")
        .first()
    )


@transaction.atomic
def pair_create(
    *,
    mentee_id: int,
    mentor_id: int,
    by: User,
    liaison: User | None = None,
    length_months: int | None = None,
    today: dt.date | None = None,
) -> Pair:
    """Pair a mentee enrollment with a mentor enrollment, and write both introductions.

    Refuses (PairingError, nothing written) when the mentee is already paired, the
    mentor is at capacity, the two are the same person or of different cycles, or
    the length is not 9–12 months. The pair and its two pending emails are one
    transaction; the emails are handed to Celery only after it commits.
    """
    today = today or timezone.localdate()
    # Lock both enrollments, always in the same order (by id) so that two
    # concurrent pairings wait for each other instead of deadlocking.
    locked = {
        e.pk: e
        for e in Enrollment.objects.select_for_update(of=("self",))
        .select_related("member", "cycle")
        .filter(pk__in=[mentee_id, mentor_id])
        .order_by("pk")
    }
    mentee, mentor = locked.get(mentee_id), locked.get(mentor_id)
    if mentee is None or mentor is None:
        raise PairingError("That opt-in no longer exists: reload the page.")
    if mentee.role != Role.MENTEE or mentor.role != Role.MENTOR:
        raise PairingError("Choose a mentee's opt-in and a mentor's opt-in.")
    if mentee.member_id == mentor.member_id:
        raise PairingError(f"{mentee.member} cannot be their own mentor.")
    if mentee.cycle_id != mentor.cycle_id:
        raise PairingError(f"{mentee.member} and {mentor.member} opted in to different cycles.")
    for side in (mentee, mentor):
        if side.status in (EnrollmentStatus.WITHDRAWN, EnrollmentStatus.COMPLETED):
            raise PairingError(f"{side.member}'s opt-in is {side.get_status_display().lower()}.")
    if Pair.objects.active().filter(mentee=mentee).exists():
        raise PairingError(f"{mentee.member} has been paired meanwhile: reload the page to see the pair.")
    active = Pair.objects.active().filter(mentor=mentor).count()
    if active >= mentor.capacity:
        raise PairingError(
            f"{mentor.member} already mentors {active} of the {mentor.capacity} "
            f"mentee{'s' if mentor.capacity != 1 else ''} they offered to take."
        )
    cycle = mentee.cycle
    length = length_months or cycle.default_length_months
    if not MIN_MONTHS <= length <= MAX_MONTHS:
        raise PairingError(f"A pair runs {MIN_MONTHS} to {MAX_MONTHS} months, not {length}.")
    if liaison is not None and not (liaison.is_committee or liaison.is_superuser):
        raise PairingError(f"{liaison} is not on the Mentoring Committee, so cannot be a liaison.")
    liaison = liaison or liaison_with_fewest_pairs(cycle)

    # Pairs made before the fall conference start there; a late pair starts today.
    starts_on = max(cycle.starts_on, today)
    pair = Pair(
        cycle=cycle,
        mentor=mentor,
        mentee=mentee,
        liaison=liaison,
        starts_on=starts_on,
        length_months=length,
        ends_on=add_months(starts_on, length),
        created_by=by,
    )
    try:
        with transaction.atomic():
            pair.save()
    except IntegrityError:
        # The constraint caught what the lock could not (e.g. a mentee row unlocked by a withdrawn pair).
        raise PairingError(f"{mentee.member} has been paired meanwhile: reload the page to see the pair.") from None
    Enrollment.objects.filter(pk__in=[mentee.pk, mentor.pk]).update(status=EnrollmentStatus.PAIRED)
    mentee.status = mentor.status = EnrollmentStatus.PAIRED

    context = {"pair": pair, "mentor": mentor.member, "mentee": mentee.member, "cycle": cycle}
    context["pair_url"] = absolute(pair.get_absolute_url())
    email_write(
        kind=EmailKind.INTRO_MENTOR, key=f"pair:{pair.pk}:intro_mentor", to=mentor.member, pair=pair, context=context
    )
    email_write(
        kind=EmailKind.INTRO_MENTEE, key=f"pair:{pair.pk}:intro_mentee", to=mentee.member, pair=pair, context=context
    )
    log.info("pair %s made by %s: mentor enrollment %s, mentee enrollment %s", pair.pk, by.pk, mentor.pk, mentee.pk)
    return pair


@transaction.atomic
def pair_end(*, pair: Pair, by: User, reason: str, back_to_pool: bool = False) -> Pair:
    """End an active pair early. The mentee may go back to the pool for a new mentor."""
    pair = Pair.objects.select_for_update(of=("self",)).with_people().get(pk=pair.pk)
    if not pair.is_active:
        raise PairingError("This pair has already ended.")
    if not reason.strip():
        raise PairingError("Say why the pair ends: the committee's reports count the reasons.")
    pair.status = PairStatus.ENDED
    pair.ended_at = timezone.now()
    pair.ended_by = by
    pair.end_reason = reason.strip()
    pair.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    mentee_status = EnrollmentStatus.WAITING if back_to_pool else EnrollmentStatus.WITHDRAWN
    Enrollment.objects.filter(pk=pair.mentee_id).update(status=mentee_status)
    if not Pair.objects.active().filter(mentor_id=pair.mentor_id).exists():
        # A mentor with no pair left is free for another mentee, this cycle.
        Enrollment.objects.filter(pk=pair.mentor_id).update(status=EnrollmentStatus.WAITING)
    context = {"pair": pair, "back_to_pool": back_to_pool}
    for side in (pair.mentor.member, pair.mentee.member):
        email_write(
            kind=EmailKind.PAIR_ENDED, key=f"pair:{pair.pk}:ended:{side.pk}", to=side, pair=pair, context=context
        )
    log.info("pair %s ended by %s (back to pool: %s)", pair.pk, by.pk, back_to_pool)
    return pair


def pair_complete_due(*, today: dt.date | None = None) -> int:
    """Complete every active pair whose end date has come; thank both sides and
    invite the mentee to mentor next cycle. Safe to run twice or late."""
    today = today or timezone.localdate()
    done = 0
    for pk in Pair.objects.active().filter(ends_on__lte=today).values_list("pk", flat=True):
        with transaction.atomic():
            pair = (
                Pair.objects.select_for_update(skip_locked=True, of=("self",))
                .with_people()
                .filter(pk=pk, status=PairStatus.ACTIVE)
                .first()
            )
            if pair is None:
                continue
            pair.status = PairStatus.COMPLETED
            pair.save(update_fields=["status"])
            Enrollment.objects.filter(pk__in=[pair.mentor_id, pair.mentee_id]).update(status=EnrollmentStatus.COMPLETED)
            context = {"pair": pair, "renew_url": absolute(reverse("members:membership-renew"))}
            for side in (pair.mentor.member, pair.mentee.member):
                email_write(
                    kind=EmailKind.THANKS, key=f"pair:{pair.pk}:thanks:{side.pk}", to=side, pair=pair, context=context
                )
            done += 1
    return done


@transaction.atomic
def pair_report_unresponsive(*, pair: Pair, by: User, note: str = "") -> None:
    """One side tells the liaison (or the committee) that the other side went quiet."""
    pair = Pair.objects.select_for_update(of=("self",)).with_people().get(pk=pair.pk)
    if not pair.is_active:
        raise PairingError("This pair has ended.")
    pair.unresponsive_reported_at = timezone.now()
    pair.unresponsive_reported_by = by
    pair.save(update_fields=["unresponsive_reported_at", "unresponsive_reported_by"])
    recipients = [pair.liaison] if pair.liaison else committee_members()
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


# --- The pair's year: check-ins, goals, evaluations -----------------------------------------


def _require_member(pair: Pair, user: User) -> None:
    if not pair.has_member(user):
        raise PairingError("Only the mentor and the mentee of this pair can do that.")


def checkin_log(
    *, pair: Pair, by: User, met_on: dt.date, mode: str, minutes: int | None, topics: str, notes: str
) -> CheckIn:
    _require_member(pair, by)
    if met_on > timezone.localdate():
        raise PairingError("A check-in is logged after it happened: the date is in the future.")
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
        raise PairingError(f"The closing evaluation opens on {pair.evaluation_opens_on:%B %-d, %Y}.")
    evaluation.pair, evaluation.author, evaluation.role, evaluation.kind = pair, by, pair.role_of(by), kind
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        raise PairingError("You have already filled in this evaluation. Thank you!") from None
    return evaluation


# --- Periodic: keeping the year alive ---------------------------------------------------


def checkin_reminders_send(*, today: dt.date | None = None) -> int:
    """A friendly reminder to both sides of each pair quiet for CHECKIN_QUIET_DAYS: once per spell."""
    today = today or timezone.localdate()
    count = 0
    for pk in Pair.objects.needing_attention(today).filter(reminded_on__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            pair = (
                Pair.objects.select_for_update(skip_locked=True, of=("self",))
                .with_people()
                .filter(pk=pk, reminded_on__isnull=True)
                .first()
            )
            if pair is None:
                continue
            pair.reminded_on = today
            pair.save(update_fields=["reminded_on"])
            context = {"pair": pair, "days": settings.CHECKIN_QUIET_DAYS, "pair_url": absolute(pair.get_absolute_url())}
            for side in (pair.mentor.member, pair.mentee.member):
                email_write(
                    kind=EmailKind.CHECKIN_REMINDER,
                    key=f"pair:{pair.pk}:reminder:{today}:{side.pk}",
                    to=side,
                    pair=pair,
                    context=context,
                )
            count += 1
    return count


def liaison_digests_send(*, today: dt.date | None = None) -> int:
    """The monthly check-in email to each liaison: their active pairs and each one's last check-in."""
    today = today or timezone.localdate()
    month = today.strftime("%Y-%m")
    pairs = list(
        Pair.objects.active().filter(liaison__isnull=False).with_people().with_last_checkin().order_by("liaison", "pk")
    )
    by_liaison: dict[int, list[Pair]] = {}
    for p in pairs:
        by_liaison.setdefault(p.liaison_id, []).append(p)
    quiet_cutoff = today - dt.timedelta(days=settings.CHECKIN_QUIET_DAYS)
    count = 0
    with transaction.atomic():
        for group in by_liaison.values():
            liaison = group[0].liaison
            context = {
                "liaison": liaison,
                "pairs": group,
                "quiet_cutoff": quiet_cutoff,
                "month": today,
                "site_url": settings.SITE_URL,
            }
            if email_write(
                kind=EmailKind.LIAISON_DIGEST, key=f"digest:{liaison.pk}:{month}", to=liaison, context=context
            ):
                count += 1
    return count


def evaluation_invitations_send(*, today: dt.date | None = None) -> int:
    """Invite both sides of each pair whose closing evaluation has opened: once each."""
    today = today or timezone.localdate()
    count = 0
    candidates = Pair.objects.active().with_people().filter(ends_on__lte=add_months(today, 1))
    with transaction.atomic():
        for pair in candidates:
            context = {"pair": pair, "evaluation_url": absolute(reverse("pairs:evaluation", args=[pair.pk]))}
            for side in (pair.mentor.member, pair.mentee.member):
                if email_write(
                    kind=EmailKind.EVALUATION,
                    key=f"pair:{pair.pk}:evaluation:{side.pk}",
                    to=side,
                    pair=pair,
                    context=context,
                ):
                    count += 1
    return count


# --- The outbox ---------------------------------------------------------------------------


class TransientEmailError(Exception):
    """Sending failed in a way worth retrying (the mail server refused or was unreachable)."""


def email_write(*, kind: str, key: str, to: User, context: dict, pair: Pair | None = None) -> Email | None:
    """Write one pending email (unless `key` was written before) and ring the doorbell after commit.

    Returns the new row, or None when it existed already: callers that run twice
    write nothing twice.
    """
    if Email.objects.filter(key=key).exists():
        return None
    rendered = render(kind, {"recipient": to, **context})
    email = Email.objects.create(
        kind=kind,
        key=key,
        to=to.email,
        recipient=to,
        pair=pair,
        cycle=pair.cycle if pair else None,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
    )
    transaction.on_commit(lambda: email_enqueue(email.pk))
    return email


# When the broker last refused us (monotonic seconds). While it is recent, requests do
# not wait for a broker that just timed out: the rows stay pending for the sweep.
_broker_down_since: float | None = None
BROKER_BACKOFF_SECONDS = 30.0


def email_enqueue(email_id: int, *, wait_for_broker: bool = False) -> None:
    """Hand a row to Celery. If the broker is down, the row stays pending for the sweep.

    Web requests skip the broker for a while after it failed (wait_for_broker=False),
    so that a hung Redis costs one timeout, not one per email; the sweep always tries.
    """
    global _broker_down_since
    from .tasks import send_email

    recently_down = _broker_down_since is not None and time.monotonic() - _broker_down_since < BROKER_BACKOFF_SECONDS
    if recently_down and not wait_for_broker:
        log.info("email %s: broker was down moments ago; left for the outbox sweep", email_id)
        return
    try:
        send_email.delay(email_id)
    except Exception as e:  # kombu/redis errors, timeouts: never fail the request over a doorbell
        _broker_down_since = time.monotonic()
        log.warning("email %s: could not queue (%s); the outbox sweep will retry", email_id, e)
    else:
        _broker_down_since = None


def email_send(*, email_id: int) -> str:
    """Send one outbox row, at most once. Returns the row's state afterwards.

    A row lock (skip_locked) keeps two workers from sending the same row; a row that
    is no longer pending is left alone. On a transient failure the attempt is
    recorded and TransientEmailError raised for the task to retry; after
    EMAIL_MAX_ATTEMPTS the row is marked failed for the committee to resend.
    """
    error: Exception | None = None
    with transaction.atomic():
        email = Email.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
        if email is None:
            return "locked"
        if email.state != EmailState.PENDING:
            return email.state
        message = EmailMultiAlternatives(email.subject, email.body_text, to=[email.to])
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as e:
            error = e
            email.last_error = f"{type(e).__name__}: {e}"[:2000]
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                email.state = EmailState.FAILED
            email.queued_at = timezone.now()
            log.warning("email %s: attempt %s failed: %s", email.pk, email.attempts, email.last_error)
        else:
            email.state = EmailState.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
        email.save(update_fields=["attempts", "state", "sent_at", "last_error", "queued_at"])
    if error is not None and email.state == EmailState.PENDING:
        raise TransientEmailError(str(error)) from error
    return email.state


def email_resend(*, email: Email) -> Email:
    """The committee's resend: a failed (or stuck) row goes back to pending and is queued."""
    with transaction.atomic():
        email = Email.objects.select_for_update().get(pk=email.pk)
        if email.state == EmailState.SENT:
            raise PairingError(f"This email was sent on {timezone.localtime(email.sent_at):%B %-d, %Y at %H:%M}.")
        email.state = EmailState.PENDING
        email.attempts = 0
        email.queued_at = timezone.now()
        email.save(update_fields=["state", "attempts", "queued_at"])
        transaction.on_commit(lambda: email_enqueue(email.pk))
    return email


def outbox_sweep(*, older_than: dt.timedelta | None = None) -> int:
    """Re-queue pending rows whose task was lost (broker down at commit, worker died)."""
    if older_than is None:  # not `or`: a zero timedelta is falsy
        older_than = dt.timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    ids = list(Email.objects.stale_pending(older_than).values_list("pk", flat=True)[:500])
    Email.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    for pk in ids:
        email_enqueue(pk, wait_for_broker=True)
    return len(ids)
