"""Writing and sending the program's emails.

`email_write` is the one way an email comes to exist (`email_write_rendered` for one
rendered elsewhere, django-allauth's): it writes a pending row in the caller's
transaction and rings the doorbell (a Celery task) after the commit. The row
is the truth; a lost doorbell is found by `outbox_sweep`, and `email_send` sends a row
at most once. An email the member (or the committee, for the program) turned off is
written as skipped, with why, and checked again when it is sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.utils import timezone

from .. import kinds
from ..kinds import Value
from ..models import SECRET_BODY_ERASED, Email, EmailState, why_not_sent
from ..rendering import Rendered, render, with_unsubscribe_footer
from .preferences import unsubscribe_url

log = logging.getLogger(__name__)


class OutboxError(Exception):
    """A request about an email that cannot be done; the message is for the committee."""


class TransientEmailError(Exception):
    """Sending failed in a way worth retrying (the mail server refused or was unreachable)."""


def email_write(
    *,
    kind: str,
    key: str,
    to: Any,
    values: Mapping[str, Value],
    pair: models.Model | None = None,
    cycle: models.Model | None = None,
) -> Email | None:
    """Write one email of `kind` to the member `to` (unless `key` was written before),
    rendered now from the wording in use with `values` (the kind's placeholders), and ring
    the doorbell after commit. `pair` and `cycle` say what the email is about (the pair's
    cycle when only the pair is given; a cycle may have its own wording).

    Returns the new row — pending, or skipped when the member or the committee turned
    this kind off —, or None when it existed already: callers that run twice write
    nothing twice.
    """
    cycle_id = cycle.pk if cycle is not None else getattr(pair, "cycle_id", None)
    return _email_row_write(
        kind=kind,
        key=key,
        to=to.email,
        recipient=to,
        pair=pair,
        cycle_id=cycle_id,
        rendering=lambda: render(kind, values, cycle_id=cycle_id),
    )


@dataclass(frozen=True)
class EmailToWrite:
    """One email of `emails_write`: what `email_write` takes."""

    kind: str
    key: str
    to: Any
    values: Mapping[str, Value]
    pair: models.Model | None = None
    cycle: models.Model | None = None


def emails_write(emails: Sequence[EmailToWrite]) -> list[Email | None]:
    """Many emails, each as `email_write` writes it (None for a key written before, or twice
    in `emails`), in one go: the keys looked up in one query, the rows inserted in one,
    and handed to Celery together after the commit. A proposal's hundreds of introductions."""
    written = set(Email.objects.filter(key__in=[e.key for e in emails]).values_list("key", flat=True))
    rows: list[Email | None] = []
    for e in emails:
        if e.key in written:
            rows.append(None)
            continue
        written.add(e.key)
        cycle_id = e.cycle.pk if e.cycle is not None else getattr(e.pair, "cycle_id", None)
        rows.append(
            _email_row(
                kind=e.kind,
                key=e.key,
                to=e.to.email,
                recipient=e.to,
                pair=e.pair,
                cycle_id=cycle_id,
                rendered=render(e.kind, e.values, cycle_id=cycle_id),
            )
        )
    new = Email.objects.bulk_create([row for row in rows if row is not None])
    for row in new:
        if row.skip_reason:
            log.info("email %s (%s) skipped: %s", row.pk, row.kind, row.skip_reason)
    pending = [row.pk for row in new if not row.skip_reason]
    if pending:
        transaction.on_commit(lambda: emails_enqueue(pending))
    return rows


def email_write_rendered(
    *, kind: str, key: str, to: str, recipient: models.Model | None, subject: str, text: str, html: str = ""
) -> Email | None:
    """Write one pending email rendered elsewhere (django-allauth's, from its own
    templates) to the address `to`, as `email_write` does: unless `key` was written
    before, and sent after commit. `recipient` is the account the address names, if any.
    """
    return _email_row_write(
        kind=kind,
        key=key,
        to=to,
        recipient=recipient,
        rendering=lambda: Rendered(subject=subject, text=text, html=html),
    )


def _sender() -> str:
    """The From line: the program's sender name (the committee's to choose) on DEFAULT_FROM_EMAIL's address."""
    name, address = kinds.sender_name(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return formataddr((name, address)) if name and address else settings.DEFAULT_FROM_EMAIL


def _email_row_write(
    *,
    kind: str,
    key: str,
    to: str,
    recipient: models.Model | None,
    rendering: Callable[[], Rendered],
    pair: models.Model | None = None,
    cycle_id: int | None = None,
    is_test: bool = False,
) -> Email | None:
    # `rendering` is called only for a new key: a periodic task that runs again
    # renders nothing again.
    if Email.objects.filter(key=key).exists():
        return None
    email = _email_row(
        kind=kind,
        key=key,
        to=to,
        recipient=recipient,
        rendered=rendering(),
        pair=pair,
        cycle_id=cycle_id,
        is_test=is_test,
    )
    email.save(force_insert=True)
    if email.skip_reason:
        log.info("email %s (%s) skipped: %s", email.pk, kind, email.skip_reason)
    else:
        transaction.on_commit(lambda: email_enqueue(email.pk))
    return email


def _email_row(
    *,
    kind: str,
    key: str,
    to: str,
    recipient: models.Model | None,
    rendered: Rendered,
    pair: models.Model | None = None,
    cycle_id: int | None = None,
    is_test: bool = False,
) -> Email:
    """The row of a new email, unsaved: pending, or skipped when the member or the committee
    turned its kind off; an optional kind's footer added."""
    declared = kinds.get(kind)
    unsubscribe = ""
    if declared is not None and declared.optional and recipient is not None:
        unsubscribe = unsubscribe_url(member_id=recipient.pk, kind=kind)
        rendered = with_unsubscribe_footer(rendered, declared, unsubscribe_url=unsubscribe)
    # A test goes to the committee member who asked for it, whatever the switches say.
    skip = "" if is_test else why_not_sent(kind=kind, member_id=recipient.pk if recipient is not None else None)
    return Email(
        kind=kind,
        key=key,
        to=to,
        recipient=recipient,
        pair=pair,
        cycle_id=cycle_id,
        template=rendered.template,
        is_test=is_test,
        sender=_sender(),
        unsubscribe_url=unsubscribe,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        state=EmailState.SKIPPED if skip else EmailState.PENDING,
        skip_reason=skip,
    )


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
    # The task module imports this one: imported here, where it is used, to keep one direction.
    from ..tasks import send_email

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


def emails_enqueue(email_ids: Sequence[int]) -> None:
    """Hand many rows to Celery as one message (the worker's `send_emails` rings each row's
    doorbell), with `email_enqueue`'s care for a broker that is down."""
    global _broker_down_since
    from ..tasks import send_emails

    if len(email_ids) == 1:
        email_enqueue(email_ids[0])
        return
    recently_down = _broker_down_since is not None and time.monotonic() - _broker_down_since < BROKER_BACKOFF_SECONDS
    if recently_down:
        log.info("%s emails: broker was down moments ago; left for the outbox sweep", len(email_ids))
        return
    try:
        send_emails.delay(list(email_ids))
    except Exception as e:  # kombu/redis errors, timeouts: never fail the request over a doorbell
        _broker_down_since = time.monotonic()
        log.warning("%s emails: could not queue (%s); the outbox sweep will retry", len(email_ids), e)
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
        skip = "" if email.is_test else why_not_sent(kind=email.kind, member_id=email.recipient_id)
        if skip:
            # Turned off after it was written (it waited for a worker, or failed and was resent).
            email.state, email.skip_reason = EmailState.SKIPPED, skip
            email.save(update_fields=["state", "skip_reason"])
            log.info("email %s skipped when sent: %s", email.pk, skip)
            return email.state
        headers = {}
        if email.unsubscribe_url:
            # RFC 8058: a mail program's own "Unsubscribe" button POSTs to the link, no login.
            headers = {
                "List-Unsubscribe": f"<{email.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        message = EmailMultiAlternatives(
            email.subject,
            email.body_text,
            from_email=email.sender or settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers=headers,
        )
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
        fields = ["attempts", "state", "sent_at", "last_error", "queued_at"]
        if email.state == EmailState.SENT and email.body_is_secret:
            # Its link has reached its owner: the row keeps what the committee sees (kind,
            # recipient, subject, state, dates). Until now the body had to stay, because
            # sending a pending or failed row again needs it (the key cannot be made again
            # outside the request). That window is acceptable: only site admins can read the
            # body meanwhile, and the link dies by itself in days (allauth's confirmation
            # and Django's reset timeouts) or once used.
            email.body_text, email.body_html = SECRET_BODY_ERASED, ""
            fields += ["body_text", "body_html"]
        email.save(update_fields=fields)
    if error is not None and email.state == EmailState.PENDING:
        raise TransientEmailError(str(error)) from error
    return email.state


def _back_to_pending(email_id: int) -> Email:
    """A row that was not sent, pending again with its attempts counted afresh (OutboxError if sent)."""
    email = Email.objects.select_for_update().filter(pk=email_id).first()
    if email is None:
        raise OutboxError("This email no longer exists.")
    if email.state == EmailState.SENT:
        raise OutboxError(f"This email was sent on {timezone.localtime(email.sent_at):%B %-d, %Y at %H:%M}.")
    email.state, email.attempts, email.queued_at, email.skip_reason = EmailState.PENDING, 0, timezone.now(), ""
    email.save(update_fields=["state", "attempts", "queued_at", "skip_reason"])
    return email


def email_resend(*, email_id: int) -> Email:
    """The committee's "Send again" of one email: back to pending, and one attempt now, so
    that the page can say whether it went. Returns the row after that attempt: sent,
    failed (the server refused it for good), skipped (turned off meanwhile), or pending
    with the server's answer, handed to a worker to try again with its backoff."""
    with transaction.atomic():
        _back_to_pending(email_id)
    try:
        email_send(email_id=email_id)
    except TransientEmailError:
        email_enqueue(email_id)
    return Email.objects.get(pk=email_id)


def email_requeue(*, email_ids: list[int]) -> int:
    """The admin's bulk "send again": each row not sent goes back to pending and to a
    worker after commit. Returns how many."""
    done = 0
    with transaction.atomic():
        for pk in email_ids:
            try:
                email = _back_to_pending(pk)
            except OutboxError:
                continue
            transaction.on_commit(lambda pk=email.pk: email_enqueue(pk))
            done += 1
    return done


def outbox_sweep(*, older_than: dt.timedelta | None = None) -> int:
    """Re-queue pending rows whose task was lost (broker down at commit, worker died)."""
    if older_than is None:  # not `or`: a zero timedelta is falsy
        older_than = dt.timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    ids = list(Email.objects.stale_pending(older_than).values_list("pk", flat=True)[:500])
    Email.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    for pk in ids:
        email_enqueue(pk, wait_for_broker=True)
    return len(ids)
