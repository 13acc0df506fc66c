"""Completion certificates: issued to each side of a completed pair, reissued by the committee,
verified by anyone who has the code printed on one."""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import User
from members.program import program

from ..models import Certificate, Pair, PairStatus

# 16 characters of an alphabet without look-alikes (no 0/O, 1/I/L): 80 random bits, typed
# from paper in four groups of four.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
_SEPARATORS = re.compile(r"[\s\-]+")


class CertificateError(Exception):
    """A certificate the rules refuse; the message is for the person who asked."""


class CertificateAlreadyDone(CertificateError):
    """What was asked is done already (a button pressed twice): nothing more was done."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalized_code(typed: str) -> str:
    """A code as someone typed it (dashes, spaces, lower case) as it is stored; "" when it
    holds anything a code never has."""
    code = _SEPARATORS.sub("", typed or "").upper()[:64]
    return code if all(c in CODE_ALPHABET for c in code) else ""


def _issue(pair: Pair, role: str, *, by: User | None) -> Certificate:
    holder = pair.mentor.member if role == "mentor" else pair.mentee.member
    settings = program()
    return Certificate.objects.create(
        pair=pair,
        holder=holder,
        role=role,
        code=new_code(),
        holder_name=holder.get_full_name() or str(holder),
        association_name=settings.association_name,
        program_name=settings.program_name,
        committee_name=settings.committee_name,
        chair_name=settings.committee_chair,
        cycle_name=pair.cycle.name,
        starts_on=pair.starts_on,
        ends_on=pair.ends_on,
        issued_by=by,
    )


def certificate_of(*, pair: Pair, role: str, by: User | None = None) -> Certificate:
    """The current certificate of the pair's `role` side, issued now if it has none yet (pairs
    completed before certificates existed get theirs when first asked)."""
    if role not in ("mentor", "mentee"):
        raise CertificateError("A certificate is the mentor's or the mentee's.")
    if pair.status != PairStatus.COMPLETED:
        raise CertificateError("A certificate is issued when the pair completes its year.")
    found = Certificate.objects.current().filter(pair=pair, role=role).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return _issue(pair, role, by=by)
    except IntegrityError:  # issued at the same moment by another request: that one stands
        return Certificate.objects.current().get(pair=pair, role=role)


@transaction.atomic
def certificate_reissue(*, certificate_id: int, by: User) -> Certificate:
    """Replace a current certificate with a new one (a new code; the settings as they are now,
    for a corrected name or chair). The old code then verifies no more, and says so.

    Only the current certificate can be reissued: a second press of the button (its form names
    the certificate it reissues) raises CertificateAlreadyDone instead of reissuing again."""
    old = Certificate.objects.select_for_update().select_related("pair").filter(pk=certificate_id).first()
    if old is None:
        raise CertificateError("There is no such certificate.")
    if not old.is_current:
        raise CertificateAlreadyDone(
            f"This certificate was reissued on {timezone.localtime(old.replaced_at):%B %-d, %Y}: nothing more was done."
        )
    old.replaced_at = timezone.now()
    old.save(update_fields=["replaced_at"])
    pair = Pair.objects.with_people().get(pk=old.pair_id)
    return _issue(pair, old.role, by=by)


def certificate_found(typed: str) -> Certificate | None:
    """The certificate with this code, current or replaced (None: no certificate has it)."""
    code = normalized_code(typed)
    if len(code) != CODE_LENGTH:
        return None
    return Certificate.objects.filter(code=code).first()
