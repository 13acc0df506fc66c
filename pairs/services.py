"""Making and ending pairs, the program's email outbox, the orientation's attendance,
and a member's own data (download, account deletion).

`pair_create` is the one way a pair comes to exist: the committee's pages, the
admin and the matching app all call it. It keeps DESIGN.md's rules 1–4 with row
locks and database constraints, so that two committee members clicking at the same
moment cannot break them.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
import time
from collections.abc import Iterable
from html import escape

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from arla_mentoring.paging import page_of, page_of_keys
from members.emails import absolute, render
from members.models import (
    Cycle,
    Enrollment,
    EnrollmentStatus,
    Resource,
    Role,
    User,
    committee_group,
    every_word_in,
    search_words,
)

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
    OrientationAttendance,
    Pair,
    PairStatus,
    add_months,
    validate_report_note,
)

log = logging.getLogger(__name__)


class PairingError(Exception):
    """A pairing request the rules refuse; the message is written for the committee."""


# --- Making and ending pairs -----------------------------------------------------------


def committee_members() -> list[User]:
    return list(User.objects.liaisons().order_by("pk"))


def liaison_with_fewest_pairs(cycle: Cycle) -> User | None:
    """The committee member liaising the fewest active pairs of the cycle (ties: the longest-serving)."""
    return (
        User.objects.liaisons()
        .annotate(
            load=Count("liaison_pairs", filter=Q(liaison_pairs__cycle=cycle, liaison_pairs__status=PairStatus.ACTIVE))
        )
        .order_by("load", "pk")
        .first()
    )


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
    user.__dict__.pop("_is_committee", None)  # User.is_committee's cached answer is stale now
    if user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    handed = list(Pair.objects.select_for_update(of=("self",)).active().filter(liaison=user).order_by("pk"))
    for pair in handed:
        pair.liaison = liaison_with_fewest_pairs(pair.cycle)
        pair.save(update_fields=["liaison"])
    log.info("user %s left the committee; %s active pairs handed on", user.pk, len(handed))
    return handed


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
    liaison_check(liaison)
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
def pair_report_unresponsive(*, pair: Pair, by: User, note: str = "") -> tuple[dt.datetime, bool]:
    """One side tells the liaison (or the committee) that the other side went quiet: (when, True).

    Once per side while the report stands (REPORT_STANDS): a report made again before then
    — the button pressed twice, or a worried member a week later — is not sent, and
    (when the standing report was made, False) is returned.
    """
    pair = Pair.objects.select_for_update(of=("self",)).with_people().get(pk=pair.pk)
    if not pair.is_active:
        raise PairingError("This pair has ended.")
    _require_member(pair, by)
    note = note.strip()
    try:
        validate_report_note(note)
    except ValidationError as e:
        raise PairingError(e.messages[0]) from None
    role = pair.role_of(by)
    now = timezone.now()
    standing = pair.standing_report_at(role, now)
    if standing is not None:
        return standing, False
    field = f"{role}_reported_unresponsive_at"
    setattr(pair, field, now)
    pair.save(update_fields=[field])
    recipients = [pair.liaison] if pair.liaison and pair.liaison.may_liaise else committee_members()
    context = {
        "pair": pair,
        "reporter": by,
        "other": pair.other_side(by),
        "note": note,
        "pair_url": absolute(pair.get_absolute_url()),
    }
    for r in recipients:
        email_write(
            kind=EmailKind.UNRESPONSIVE,
            key=f"pair:{pair.pk}:unresponsive:{role}:{now:%Y%m%d%H%M%S%f}:{r.pk}",
            to=r,
            pair=pair,
            context=context,
        )
    return now, True


# --- The pair's year: check-ins, goals, evaluations -----------------------------------------


def _require_member(pair: Pair, user: User) -> None:
    if not pair.has_member(user):
        raise PairingError("Only the mentor and the mentee of this pair can do that.")


@transaction.atomic
def checkin_log(
    *, pair: Pair, by: User, met_on: dt.date, mode: str, minutes: int | None, topics: str, notes: str
) -> tuple[CheckIn, bool]:
    """Log a check-in: (it, True); or (the one logged before, False) when `by` already logged
    this very check-in — the button pressed twice, or the form sent again — which the
    statistics must count once."""
    _require_member(pair, by)
    if met_on > timezone.localdate():
        raise PairingError("A check-in is logged after it happened: the date is in the future.")
    # The presses of a double click arrive together: one at a time per pair, so that the
    # second sees the first's check-in.
    list(Pair.objects.select_for_update().filter(pk=pair.pk).values_list("pk"))
    fields = {"met_on": met_on, "mode": mode, "minutes": minutes, "topics": topics, "notes": notes}
    same = CheckIn.objects.filter(pair=pair, logged_by=by, **fields).order_by("created_at").first()
    if same is not None:
        return same, False
    checkin = CheckIn.objects.create(pair=pair, logged_by=by, **fields)
    Pair.objects.filter(pk=pair.pk).update(reminded_on=None)  # a new quiet spell starts now
    return checkin, True


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
        Pair.objects.active()
        .filter(liaison__in=User.objects.liaisons())
        .with_people()
        .with_last_checkin()
        .order_by("liaison", "pk")
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


def _smtp_permanent(error: Exception) -> bool:
    """The mail server refused the recipient for good (5xx: no such mailbox): asking
    again will not help until somebody fixes the address, so the committee should see
    the failure now rather than after a quarter of an hour of retries.

    Only a refused recipient: a 5xx about our credentials or our sending (a password
    being rotated, a provider's quota answered with 554) concerns every email and may
    clear by itself, so those are retried like any other failure."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return False


def email_send(*, email_id: int) -> str:
    """Send one outbox row, at most once. Returns the row's state afterwards.

    A row lock (skip_locked) keeps two workers from sending the same row; a row that
    is no longer pending is left alone. On a transient failure the attempt is
    recorded and TransientEmailError raised for the task to retry; after
    EMAIL_MAX_ATTEMPTS, or at once when the server refuses the recipient for good, the
    row is marked failed for the committee to resend.
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
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS or _smtp_permanent(e):
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


# --- The orientation at the fall conference ---------------------------------------------------


def orientation_pairs(cycle: Cycle):
    """The pairs whose members are expected at the cycle's orientation: active and completed ones."""
    return Pair.objects.for_cycle(cycle).filter(status__in=[PairStatus.ACTIVE, PairStatus.COMPLETED])


def orientation_member_ids(cycle: Cycle) -> set[int]:
    return {
        member_id
        for pair in orientation_pairs(cycle).values_list("mentor__member_id", "mentee__member_id")
        for member_id in pair
    }


def orientation_sheet(cycle: Cycle, *, q: str = "", page=None, per_page: int = 50) -> dict:
    """One page of the cycle's attendance sheet: its members (searched by name or email)
    with their roles, partners and mark, and the whole sheet's totals. Seven queries
    however large the cycle (eight with a search, which is counted)."""
    marks = OrientationAttendance.objects.for_cycle(cycle).order_by()
    # The members' ids in one pass over the pairs (two columns of a few thousand rows),
    # rather than counting users through two IN-subqueries, which PostgreSQL plans poorly.
    member_ids = orientation_member_ids(cycle)
    marked = {m: came for m, came in marks.values_list("member_id", "attended") if m in member_ids}
    members = every_word_in(User.objects.filter(pk__in=member_ids), q, ("first_name", "last_name", "email"))
    with_mark = User.objects.annotate(mark=Subquery(marks.filter(member=OuterRef("pk")).values("attended")[:1]))
    # The count is known already without a search: not counted again. The page's members
    # are loaded by their keys alone, not through the list of every member's id again.
    count = None if search_words(q) else len(member_ids)
    sheet = page_of(members.order_by("last_name", "first_name", "pk"), per_page, page, count=count, load=with_mark)
    rows = {m.pk: {"member": m, "roles": [], "partners": [], "mark": m.mark} for m in sheet}
    # Through the page's members' opt-ins, read first: an OR across two joins would scan
    # every pair's, and as a subquery PostgreSQL guesses a thousand pairs and joins them all.
    their_optins = list(Enrollment.objects.filter(cycle=cycle, member_id__in=rows).values_list("pk", flat=True))
    their_pairs = (
        orientation_pairs(cycle)
        .filter(Q(mentor__in=their_optins) | Q(mentee__in=their_optins))
        .with_people()
        .order_by("mentee__member__last_name", "mentee__member__first_name", "pk")
    )
    for pair in their_pairs:
        for role, member, partner in (
            ("Mentor", pair.mentor.member, pair.mentee.member),
            ("Mentee", pair.mentee.member, pair.mentor.member),
        ):
            if (row := rows.get(member.pk)) is not None:
                if role not in row["roles"]:
                    row["roles"].append(role)
                row["partners"].append(partner)
    return {
        "page": sheet,
        "rows": list(rows.values()),
        "everyone": len(member_ids),
        "present": sum(marked.values()),
        "unmarked": len(member_ids) - len(marked),
    }


def orientation_absent(cycle: Cycle, *, page=1, per_page: int = 50):
    """A page of the cycle's pairs with someone not marked present; each pair carries
    `absent`, the members of it who did not come. Three queries.

    Who came is a set of ids and each pair two member ids: which pairs had someone absent
    is decided here, over a few thousand pairs, rather than by PostgreSQL joining every
    opt-in of every cycle to test each pair's two members, once to count, once for a page.
    """
    came = set(OrientationAttendance.objects.for_cycle(cycle).attended().values_list("member_id", flat=True))
    absent_ids = [
        pk
        for pk, mentor, mentee in orientation_pairs(cycle)
        .order_by("mentee__member__last_name", "mentee__member__first_name", "pk")
        .values_list("pk", "mentor__member_id", "mentee__member_id")
        if not (mentor in came and mentee in came)
    ]
    absent_page = page_of_keys(absent_ids, per_page, page, Pair.objects.with_people())
    for pair in absent_page:
        pair.absent = [member for member in (pair.mentor.member, pair.mentee.member) if member.pk not in came]
    return absent_page


@transaction.atomic
def orientation_mark(
    *,
    cycle: Cycle,
    attended_ids: Iterable[int],
    by: User,
    on_sheet: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> int:
    """Record the attendance sheet of the cycle's orientation: the members in
    `attended_ids` came, every other member on the sheet did not. The sheet is every
    member of the cycle's pairs, or only the members in `on_sheet` when the page sent
    showed some of them (one page of the sheet, a search's answer): the marks of the
    members it did not show stay as they are.

    Idempotent: saving the same sheet again changes nothing (who marked and when
    included). Refuses, changing nothing, before the orientation's day, and when the
    sheet ticks someone who is not in a pair of the cycle (a stale page). Returns
    how many marks were written or changed.
    """
    today = today or timezone.localdate()
    # Two committee members saving the sheet at the same moment queue up on the cycle.
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if today < cycle.starts_on:
        raise PairingError(
            f"The orientation is on {cycle.starts_on:%B %-d, %Y}: attendance can be marked from that day."
        )
    expected = orientation_member_ids(cycle)
    attended = set(attended_ids)
    if attended - expected:
        raise PairingError(
            f"Someone ticked on this sheet is no longer in a pair of the {cycle.name} cycle: "
            "reload the page and mark again. Nothing was saved."
        )
    sheet = expected if on_sheet is None else (expected & set(on_sheet)) | attended
    existing = {
        row.member_id: row for row in OrientationAttendance.objects.for_cycle(cycle).filter(member_id__in=sheet)
    }
    now = timezone.now()
    new, changed = [], []
    for member_id in sorted(sheet):
        present = member_id in attended
        row = existing.get(member_id)
        if row is None:
            new.append(
                OrientationAttendance(cycle=cycle, member_id=member_id, attended=present, marked_by=by, marked_at=now)
            )
        elif row.attended != present:
            row.attended, row.marked_by, row.marked_at = present, by, now
            changed.append(row)
    OrientationAttendance.objects.bulk_create(new)
    OrientationAttendance.objects.bulk_update(changed, ["attended", "marked_by", "marked_at"])
    log.info(
        "orientation of %s marked by %s: %s present, %s marks changed",
        cycle,
        by.pk,
        len(attended),
        len(new) + len(changed),
    )
    return len(new) + len(changed)


# --- A member's own data: download and account deletion ---------------------------------------

FORMER_MEMBER = "Former member"
ACCOUNT_DELETED_REASON = "account deleted"
ERASED_EMAIL_TEXT = "(The text of this email was erased when a member of the program deleted their account.)"


def _name(user: User | None) -> str | None:
    """A person's name for somebody else's eyes: never their email address (which `str(user)` falls back to)."""
    if user is None:
        return None
    return user.get_full_name() or "(no name given)"


def member_data(*, user: User) -> dict:
    """Everything the site holds about `user`, as plain values for a JSON download.

    The other side of each pair appears by name only, never with their contact details.
    """
    pairs = list(
        Pair.objects.involving(user)
        .with_people()
        .prefetch_related("checkins__logged_by", "goals")
        .order_by("starts_on", "pk")
    )

    def checkin(c: CheckIn) -> dict:
        return {
            "date": c.met_on,
            "how": c.get_mode_display(),
            "minutes": c.minutes,
            "topics": c.topics,
            "notes": c.notes,
            "logged_by": "you" if c.logged_by_id == user.pk else _name(c.logged_by),
            "logged_at": c.created_at,
        }

    def goal(g: Goal) -> dict:
        return {
            "title": g.title,
            "description": g.description,
            "status": g.get_status_display(),
            "target_date": g.target_on,
            "completed_on": g.completed_on,
            "added_by": "you" if g.created_by_id == user.pk else ("the other side" if g.created_by_id else None),
        }

    return {
        "exported_at": timezone.now(),
        "site": settings.SITE_URL,
        "profile": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "institution": user.institution,
            "library_type": user.get_library_type_display(),
            "region": user.get_region_display(),
            "membership_category": user.get_membership_category_display(),
            "job_title": user.job_title,
            "responsibilities": user.responsibility_labels(),
            "other_responsibilities": user.responsibilities_other,
            "years_of_library_experience": user.years_experience,
            "account_created": user.date_joined,
            "last_login": user.last_login,
        },
        "membership": {"joined": user.member_since, "renewed": user.renewed_on, "expires": user.expires_on},
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "opt_ins": [
            {
                "cycle": e.cycle.name,
                "role": e.get_role_display(),
                "status": e.get_status_display(),
                "job_title": e.job_title,
                "responsibilities": e.responsibility_labels(),
                "other_responsibilities": e.responsibilities_other,
                "goals": e.goals,
                "interests": e.interests,
                "ways_to_meet": e.meeting_mode_labels(),
                "how_many_mentees": e.capacity if e.role == Role.MENTOR else None,
                "commitments_accepted_at": e.commitments_accepted_at,
                "opted_in_at": e.created_at,
                "withdrawn_at": e.withdrawn_at,
            }
            for e in Enrollment.objects.of_member(user)
        ],
        "orientation": [
            {"cycle": a.cycle.name, "date": a.cycle.starts_on, "attended": a.attended, "marked_at": a.marked_at}
            for a in OrientationAttendance.objects.filter(member=user).select_related("cycle")
        ],
        "pairs": [
            {
                "cycle": p.cycle.name,
                "my_role": p.role_of(user),
                "mentor" if p.role_of(user) == "mentee" else "mentee": _name(p.other_side(user)),
                "liaison": _name(p.liaison),
                "status": p.get_status_display(),
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
                "ended_at": p.ended_at,
                "check_ins": [checkin(c) for c in p.checkins.all()],
                "goals": [goal(g) for g in p.goals.all()],
            }
            for p in pairs
        ],
        "evaluations": [
            {
                "cycle": ev.pair.cycle.name,
                "kind": ev.get_kind_display(),
                "as": ev.role,
                "overall": ev.overall,
                "relationship": ev.relationship,
                "goals_met": ev.goals_met,
                "would_recommend": ev.would_recommend,
                "what_worked_best": ev.best,
                "what_to_improve": ev.improve,
                "submitted_at": ev.submitted_at,
            }
            for ev in Evaluation.objects.filter(author=user).select_related("pair__cycle").order_by("submitted_at")
        ],
        "liaison_of": [
            {"cycle": p.cycle.name, "pair": p.pk, "status": p.get_status_display()}
            for p in Pair.objects.filter(liaison=user).select_related("cycle").order_by("pk")
        ],
        "resources_suggested": [
            {"title": r.title, "link": r.url, "file": r.filename, "status": r.get_status_display(), "at": r.created_at}
            for r in Resource.objects.filter(suggested_by=user).order_by("created_at")
        ],
        "emails_sent_to_me": [
            {
                "subject": m.subject,
                "kind": m.get_kind_display(),
                "state": m.get_state_display(),
                "written_at": m.created_at,
                "sent_at": m.sent_at,
            }
            for m in Email.objects.filter(recipient=user).order_by("created_at")
        ],
    }


def _sessions_delete(user: User) -> int:
    """Delete the rows of the user's sessions (other browsers, other devices).

    Sessions are not indexed by user, so this reads the unexpired ones; account
    deletion is rare. It is belt and braces: the unusable password already changes
    the session hash, which logs every other session out at its next request.
    """
    if not settings.SESSION_ENGINE.endswith((".db", ".cached_db")):
        return 0
    mine = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(session_key__in=mine).delete()
    return len(mine)


def _emails_erase(user: User, pair_ids: list[int]) -> None:
    """Take the person's personal data out of the outbox.

    Emails to them or about their pairs (introductions carry contact details): those
    not yet sent are dropped — they would carry the data, or go nowhere —, those sent
    keep their kind, state and dates, the committee's record, with the text erased.
    Any other email naming them (a liaison's digest) keeps its text with their name
    and address replaced by "Former member". A name is only looked for in full
    (first and last), so that a short one cannot match other people's emails.
    """
    full_name = user.get_full_name() if user.first_name and user.last_name else ""
    names = {s for s in (full_name, escape(full_name), user.email) if s}
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)), re.IGNORECASE)

    def replaced(text: str) -> str:
        return pattern.sub(FORMER_MEMBER, text)

    theirs = Q(recipient=user) | Q(to__iexact=user.email) | Q(pair_id__in=pair_ids)
    Email.objects.filter(theirs).exclude(state=EmailState.SENT).delete()
    sent = list(Email.objects.filter(theirs))
    for email in sent:
        email.subject = replaced(email.subject)
        email.body_text, email.body_html, email.last_error = ERASED_EMAIL_TEXT, "", ""
        if email.recipient_id == user.pk or email.to.lower() == user.email.lower():
            email.to = f"deleted-{user.pk}@invalid.example"
    naming = Q()
    for name in names:
        naming |= Q(subject__icontains=name) | Q(body_text__icontains=name) | Q(body_html__icontains=name)
    others = list(Email.objects.filter(naming).exclude(theirs))
    for email in others:
        email.subject, email.body_text, email.body_html = (
            replaced(email.subject),
            replaced(email.body_text),
            replaced(email.body_html),
        )
    Email.objects.bulk_update([*sent, *others], ["subject", "body_text", "body_html", "last_error", "to"])


@transaction.atomic
def account_delete(*, user: User) -> User:
    """Erase a member's personal data and close the account; keep the pairs' shared history.

    - the profile, membership term, email addresses, login and sessions are erased;
      the row stays, named "Former member", so that the pairs keep their shape;
    - opt-ins are withdrawn and what they said (job title, goals, interests) erased;
    - active pairs end early ("account deleted"), the other side is told by email,
      and a mentee left without a mentor goes back to the pool;
    - check-ins (with their notes) and goals stay: they are the pair's shared
      history, which the other side keeps; evaluations stay without an author;
    - the outbox keeps no text naming the person (`_emails_erase`).

    Refuses site admins (PairingError): an admin account is removed by another admin.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_superuser:
        raise PairingError(
            "A site admin's account cannot be deleted from this page: ask another site admin to do it "
            "in the administration, so that the site always keeps an admin."
        )
    if not user.is_active:
        raise PairingError("This account has already been deleted.")
    now = timezone.now()
    pair_ids = list(Pair.objects.involving(user).values_list("pk", flat=True))
    _emails_erase(user, pair_ids)

    ended = list(Pair.objects.involving(user).active().select_for_update(of=("self",)).with_people().order_by("pk"))
    for pair in ended:
        pair.status, pair.ended_at, pair.ended_by, pair.end_reason = PairStatus.ENDED, now, user, ACCOUNT_DELETED_REASON
        pair.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    my_enrollments = Enrollment.objects.filter(member=user)
    # Withdraw before freeing the other sides, so "no active pair left" below sees the ended pairs.
    my_enrollments.filter(status__in=[EnrollmentStatus.WAITING, EnrollmentStatus.PAIRED]).update(
        status=EnrollmentStatus.WITHDRAWN, withdrawn_at=now
    )
    my_enrollments.update(
        job_title="", responsibilities=[], responsibilities_other="", goals="", interests="", meeting_modes=[]
    )
    for pair in ended:
        other = pair.other_side(user)
        if other.pk == pair.mentee.member_id:
            # The mentee keeps their place in the program: back to the pool for a new mentor.
            Enrollment.objects.filter(pk=pair.mentee_id).update(status=EnrollmentStatus.WAITING)
        elif not Pair.objects.active().filter(mentor_id=pair.mentor_id).exists():
            Enrollment.objects.filter(pk=pair.mentor_id).update(status=EnrollmentStatus.WAITING)
        email_write(
            kind=EmailKind.PARTNER_LEFT,
            key=f"pair:{pair.pk}:partner_left:{other.pk}",
            to=other,
            pair=pair,
            # Deliberately nothing about the person who left: their name is no longer ours to send.
            context={"pair": pair, "other_role": pair.role_of(other), "site_url": settings.SITE_URL},
        )

    Evaluation.objects.filter(author=user).update(author=None)
    Pair.objects.filter(liaison=user).update(liaison=None)

    EmailAddress.objects.filter(user=user).delete()
    _sessions_delete(user)

    user.email = f"deleted-{user.pk}@invalid.example"
    user.first_name, user.last_name = FORMER_MEMBER, ""
    for field in ("phone", "institution", "library_type", "region", "membership_category", "job_title"):
        setattr(user, field, "")
    user.responsibilities, user.responsibilities_other, user.years_experience = [], "", None
    user.member_since = user.renewed_on = user.expires_on = user.renewal_reminded_for = None
    user.last_login = None
    user.is_active = user.is_staff = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    log.info("account %s deleted by its member; %s active pairs ended", user.pk, len(ended))
    return user
