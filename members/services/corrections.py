"""The committee's corrections to a member's account: a bounced email address, a profile.

A new address is one the member has not confirmed: it is written unverified, and the
addresses the member did confirm stay, so that a password-reset link still goes only to an
address the member proved to read (members.accounts.ResetPasswordForm). Someone on the
committee who typed an address of their own could not take the account over, and so read
the pair's check-in notes (DESIGN.md, rule 5). Each correction is recorded in the member's
history in the admin, with who made it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction

from ..models import PROFILE_FIELDS, EnrollmentStatus, User

log = logging.getLogger(__name__)


class CorrectionError(Exception):
    """A correction the rules refuse; the message is written for the committee."""


@dataclass(frozen=True)
class Correction:
    member: User
    changed: list[str]  # the fields' names, "email" first when it changed
    old_email: str


def correction_refusal(member: User) -> str | None:
    """Why the committee may not correct `member`'s account here, or None."""
    # runs_program: the committee and site admins (who have every permission); is_staff: the admin's users.
    if member.runs_program or member.is_staff:
        return f"{member} runs the program or the site: a site admin corrects their account."
    if not member.is_active:
        return f"{member}'s account is closed."
    return None


def _address_refusal(member: User, email: str) -> str | None:
    if User.objects.exclude(pk=member.pk).filter(email__iexact=email).exists() or (
        EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(user=member).exists()
    ):
        return f"{email} is the address of another account: each member has an address of their own."
    # Nothing the member confirmed could stand in for the new address; and once in a pair,
    # the account opens the pair's notes: a site admin makes that change, not the committee.
    confirmed = EmailAddress.objects.filter(user=member, verified=True).exists()
    in_a_pair = member.enrollments.filter(status__in=[EnrollmentStatus.PAIRED, EnrollmentStatus.COMPLETED]).exists()
    if not confirmed and in_a_pair:
        return (
            f"{member} has never confirmed an address and has been in a pair: whoever reads the new address could "
            "take the account over and read the pair's notes. Ask a site admin to change it."
        )
    return None


@transaction.atomic
def member_correct(*, member: User, email: str, profile: dict, by: User) -> Correction:
    """Correct `member`'s email address and profile, as the committee: the new address is
    unverified (the member confirms it), the ones they confirmed stay, and the correction is
    recorded in the member's admin history. Refuses (CorrectionError, nothing written)."""
    member = User.objects.select_for_update().get(pk=member.pk)
    if refusal := correction_refusal(member):
        raise CorrectionError(refusal)
    email = email.strip().lower()
    old_email = member.email
    changed = [name for name in PROFILE_FIELDS if name in profile and getattr(member, name) != profile[name]]
    if email != old_email.lower():
        if refusal := _address_refusal(member, email):
            raise CorrectionError(refusal)
        changed.insert(0, "email")
        EmailAddress.objects.filter(user=member, verified=False).exclude(email=email).delete()
        EmailAddress.objects.filter(user=member).update(primary=False)
        EmailAddress.objects.update_or_create(user=member, email=email, defaults={"primary": True, "verified": False})
        member.email = email
    for name in changed:
        if name != "email":
            setattr(member, name, profile[name])
    if not changed:
        return Correction(member, [], old_email)
    member.save()
    what = ", ".join(User._meta.get_field(n).verbose_name for n in changed)
    message = f"Corrected by the committee: {what}" + (f" (email {old_email} → {email})" if "email" in changed else "")
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[member], action_flag=CHANGE, change_message=message, single_object=True
    )
    log.info("member %s corrected by %s: %s", member.pk, by.pk, ", ".join(changed))
    return Correction(member, changed, old_email)
