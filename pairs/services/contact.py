"""First contact: the introductions carry a one-click "We have been in touch" for each side
(`first_contact_confirm`, from a signed link); a check-in logged counts too. A pair with
neither by its day of first contact (the cycle's days after the introduction, kept on the
pair) is nudged, both sides; a week later, still nothing, its liaison is told
(`no_contact_follow_up`). Until then it shows as needing attention: "no first contact".
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from outbox.models import EmailKind
from outbox.services import email_write

from ..emails import no_contact_liaison_values, nudge_values
from ..models import CheckIn, Pair
from ._shared import each_locked, email_both_sides
from .pairing import committee_members

log = logging.getLogger(__name__)

# After the nudge, how long both sides have before the liaison is told.
LIAISON_TOLD_AFTER = dt.timedelta(days=7)


class ContactError(Exception):
    """A "We have been in touch" that can do nothing; the message says why."""


class ContactAlreadyConfirmed(ContactError):
    """First contact was confirmed already (or a check-in counts): nothing more was done."""


def first_contact_state(pair: Pair) -> str | None:
    """What is already known of the pair's first contact, in a sentence for its members; None
    when nothing is (the link can still confirm it). The first check-in counts too."""
    if pair.first_contact_on:
        who = pair.first_contact_by
        by = f" by {who}" if who is not None else ""
        return f"First contact was confirmed{by} on {pair.first_contact_on:%B %-d, %Y}: nothing more was done."
    first = CheckIn.objects.filter(pair=pair).order_by("met_on").values_list("met_on", flat=True).first()
    if first is not None:
        return f"Your first check-in, on {first:%B %-d, %Y}, already counts as first contact: nothing more was done."
    return None


@transaction.atomic
def first_contact_confirm(*, pair_id: int, member_id: int, today: dt.date | None = None) -> Pair:
    """One side of the pair says "We have been in touch": the timeline's first contact is
    done today. Works once for the pair (ContactAlreadyConfirmed after either side did)."""
    pair = Pair.objects.select_for_update(of=("self",)).with_people().filter(pk=pair_id).first()
    if pair is None or member_id not in pair.member_ids():
        raise ContactError("This pair no longer exists. Sign in to see your pairs.")
    if (known := first_contact_state(pair)) is not None:
        raise ContactAlreadyConfirmed(known)
    if not pair.is_active:
        raise ContactError("This pair has ended: there is nothing to confirm.")
    pair.first_contact_on = today or timezone.localdate()
    pair.first_contact_by_id = member_id
    pair.save(update_fields=["first_contact_on", "first_contact_by"])
    log.info("pair %s: first contact confirmed by %s", pair.pk, member_id)
    return pair


def no_contact_follow_up(*, today: dt.date | None = None) -> tuple[int, int]:
    """The daily round of the pairs with no first contact by its day: a nudge to both sides
    (once), then, LIAISON_TOLD_AFTER later and still nothing, the liaison is told (or, with
    none, the committee). Safe to run twice or late. Returns (nudged, told)."""
    today = today or timezone.localdate()
    silent = Pair.objects.without_first_contact(today)
    nudged = told = 0
    to_nudge = silent.filter(no_contact_nudged_on__isnull=True)
    for pair in each_locked(list(to_nudge.values_list("pk", flat=True)), to_nudge):
        pair.no_contact_nudged_on = today
        pair.save(update_fields=["no_contact_nudged_on"])
        email_both_sides(
            pair,
            kind=EmailKind.NO_CONTACT_NUDGE,
            key="no-contact-nudge",
            values=lambda to, p=pair: nudge_values(p, to),
        )
        nudged += 1
    due = silent.filter(no_contact_nudged_on__lte=today - LIAISON_TOLD_AFTER, no_contact_liaison_told_on__isnull=True)
    for pair in each_locked(list(due.values_list("pk", flat=True)), due):
        pair.no_contact_liaison_told_on = today
        pair.save(update_fields=["no_contact_liaison_told_on"])
        recipients = [pair.liaison] if pair.liaison and pair.liaison.may_liaise else committee_members()
        for r in recipients:
            email_write(
                kind=EmailKind.NO_CONTACT_LIAISON,
                key=f"pair:{pair.pk}:no-contact-liaison:{r.pk}",
                to=r,
                pair=pair,
                values=no_contact_liaison_values(pair, r),
            )
        told += 1
    return nudged, told
