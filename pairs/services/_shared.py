"""What several of the pair services do the same way: ending a pair, emailing both
sides, and working through a batch of pairs one locked row at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction
from django.db.models import QuerySet

from members.models import Enrollment, EnrollmentStatus, User
from outbox.services import email_write

from ..models import Pair, PairStatus


def each_locked(pks: Iterable[int], rows: QuerySet[Pair]) -> Iterator[Pair]:
    """Each pair of `pks` that still belongs to `rows`, locked, in a transaction of its
    own: what the caller does with it is committed with it.

    skip_locked: a second run at the same moment (beat twice, a retry) leaves a pair to
    the first instead of waiting for it, and `rows`' filter — checked again under the
    lock — stops it from doing the same thing twice.
    """
    for pk in pks:
        with transaction.atomic():
            pair = rows.select_for_update(skip_locked=True, of=("self",)).with_people().filter(pk=pk).first()
            if pair is not None:
                yield pair


def email_both_sides(pair: Pair, *, kind: str, key: str, values: Callable[[User], dict]) -> int:
    """Write the same kind of email to the pair's mentor and mentee, once each, with the
    values `values(side)` (e.g. `pairs.emails.side_values`): `key` names the occasion
    ("thanks", "reminder:2027-03-01") and is completed per person. Returns how many were
    written (0 when both existed)."""
    written = 0
    for side in (pair.mentor.member, pair.mentee.member):
        if email_write(kind=kind, key=f"pair:{pair.pk}:{key}:{side.pk}", to=side, pair=pair, values=values(side)):
            written += 1
    return written


def end_pair(pair: Pair, *, by: User, category: str, reason: str, mentee_back_to_pool: bool, now: dt.datetime) -> None:
    """Close a locked, active pair early: record who ended it, when and why (a PairEndReason
    and a note); send the mentee back to the pool or withdraw them; free the mentor if no
    pair is left."""
    pair.status, pair.ended_at, pair.ended_by = PairStatus.ENDED, now, by
    pair.end_category, pair.end_reason = category, reason
    pair.save(update_fields=["status", "ended_at", "ended_by", "end_category", "end_reason"])
    mentee_status = EnrollmentStatus.WAITING if mentee_back_to_pool else EnrollmentStatus.WITHDRAWN
    Enrollment.objects.filter(pk=pair.mentee_id).update(status=mentee_status)
    if not Pair.objects.active().filter(mentor_id=pair.mentor_id).exists():
        # A mentor with no pair left is free for another mentee, this cycle.
        Enrollment.objects.filter(pk=pair.mentor_id).update(status=EnrollmentStatus.WAITING)
