"""The periodic emails that keep a pair's year alive: check-in reminders to quiet
pairs, the liaisons' monthly digest, the closing evaluation's invitation. Each is
safe to run twice and to run late (the outbox's keys, and the rows re-checked under lock)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from members.models import User
from outbox.models import EmailKind
from outbox.rendering import absolute
from outbox.services import email_write

from ..emails import digest_values, side_values
from ..models import Pair
from ._shared import each_locked, email_both_sides


def checkin_reminders_send(*, today: dt.date | None = None) -> int:
    """A friendly reminder to both sides of each pair quiet for CHECKIN_QUIET_DAYS: once per spell."""
    today = today or timezone.localdate()
    count = 0
    quiet = Pair.objects.quiet(today).filter(reminded_on__isnull=True)
    for pair in each_locked(list(quiet.values_list("pk", flat=True)), Pair.objects.filter(reminded_on__isnull=True)):
        pair.reminded_on = today
        pair.save(update_fields=["reminded_on"])
        email_both_sides(
            pair,
            kind=EmailKind.CHECKIN_REMINDER,
            key=f"reminder:{today}",
            values=lambda to, p=pair: side_values(p, to, quiet_days=str(settings.CHECKIN_QUIET_DAYS)),
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
    count = 0
    with transaction.atomic():
        for group in by_liaison.values():
            liaison = group[0].liaison
            if email_write(
                kind=EmailKind.LIAISON_DIGEST,
                key=f"digest:{liaison.pk}:{month}",
                to=liaison,
                values=digest_values(liaison, group, today=today),
            ):
                count += 1
    return count


def evaluation_invitations_send(*, today: dt.date | None = None) -> int:
    """Invite both sides of each pair whose closing evaluation has opened: once each."""
    today = today or timezone.localdate()
    count = 0
    candidates = Pair.objects.active().evaluation_open(today).with_people()
    with transaction.atomic():
        for pair in candidates:
            more = {
                "pair_ends": date_format(pair.ends_on, "F j, Y"),
                "evaluation_url": absolute(reverse("pairs:evaluation", args=[pair.pk])),
            }
            count += email_both_sides(
                pair,
                kind=EmailKind.EVALUATION,
                key="evaluation",
                values=lambda to, p=pair, m=more: side_values(p, to, **m),
            )
    return count
