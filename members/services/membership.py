"""Joining, renewing, opting in (and editing or withdrawing an opt-in), and the renewal reminders."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import EmailKind
from outbox.services import email_write

from ..emails import renewal_values
from ..models import (
    PROFILE_FIELDS,
    Cycle,
    Enrollment,
    EnrollmentStatus,
    Role,
    User,
    eligibility,
)
from ..program import program
from .questions import answers_save

log = logging.getLogger(__name__)


class MembershipError(Exception):
    """A request the rules refuse; the message is written for the member."""


@dataclass(frozen=True)
class OptIn:
    """One opt-in as the forms collect it, with the commitments the member was shown and
    accepted (and a non-member's agreement to join), in their words."""

    role: str
    goals: str
    interests: str = ""
    meeting_modes: list[str] = field(default_factory=list)
    capacity: int = 1
    commitments: tuple[str, ...] = ()
    nonmember_agreement: str = ""
    # The cycle's questions answered: question id -> value (members.questions), None for none.
    answers: dict = field(default_factory=dict)


def _locked_member(member: User) -> User:
    # A fresh, locked copy: the caller's object (often request.user) stays as it
    # was if the service refuses, and two tabs submitting at once queue up.
    return User.objects.select_for_update().get(pk=member.pk)


def _apply_profile(member: User, profile: dict) -> None:
    for name in PROFILE_FIELDS:
        if name in profile:
            setattr(member, name, profile[name])


def _open_cycle_for(optins: list[OptIn], today: dt.date) -> Cycle | None:
    if not optins:
        return None
    cycle = Cycle.objects.open_for_optins().first()
    if cycle is None:
        raise MembershipError("No program cycle is open for opt-ins right now.")
    reason = cycle.optin_window_state(today)
    if reason:
        raise MembershipError(reason)
    return cycle


def _enroll(member: User, cycle: Cycle, optin: OptIn, today: dt.date) -> Enrollment:
    settings = program()
    if tuple(optin.commitments) != settings.commitments:
        # The form showed other words than the program asks now: accepting them would record
        # a commitment the member never read.
        raise MembershipError(
            "The program's commitments changed while you were filling in the form: please read them again."
        )
    agreement = "" if member.is_current_member(today) else optin.nonmember_agreement
    if agreement and agreement != settings.nonmember_agreement:
        raise MembershipError("The agreement to join changed while you were filling in the form: please read it again.")
    verdict = eligibility(member, cycle, optin.role, today, agrees_to_join=bool(agreement))
    if not verdict.ok:
        raise MembershipError(verdict.reason)
    role_label = Role(optin.role).label.lower()
    existing = Enrollment.objects.select_for_update().filter(member=member, cycle=cycle, role=optin.role).first()
    if existing and existing.status != EnrollmentStatus.WITHDRAWN:
        raise MembershipError(f"You have already opted in as a {role_label} for the {cycle.name} cycle.")
    enrollment = existing or Enrollment(member=member, cycle=cycle, role=optin.role)
    enrollment.status = EnrollmentStatus.WAITING
    enrollment.withdrawn_at = None
    enrollment.job_title = member.job_title
    enrollment.responsibilities = list(member.responsibilities)
    enrollment.responsibilities_other = member.responsibilities_other
    enrollment.goals = optin.goals
    enrollment.interests = optin.interests
    enrollment.meeting_modes = list(optin.meeting_modes)
    enrollment.capacity = optin.capacity if optin.role == Role.MENTOR else 1
    enrollment.commitments = list(optin.commitments)
    enrollment.commitments_accepted_at = timezone.now()
    enrollment.nonmember_agreement = agreement
    try:
        # A savepoint, so that a concurrent duplicate (the unique constraint)
        # becomes a message instead of breaking the surrounding transaction.
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        raise MembershipError(f"You have already opted in as a {role_label} for the {cycle.name} cycle.") from None
    answers_save(enrollment=enrollment, answers=optin.answers)
    log.info("enrollment %s: %s opted in as %s for %s", enrollment.pk, member.pk, optin.role, cycle)
    return enrollment


@transaction.atomic
def membership_join(
    *, member: User, profile: dict, optins: list[OptIn], today: dt.date | None = None
) -> list[Enrollment]:
    """The membership form: save the profile, start the term, record the opt-ins."""
    today = today or timezone.localdate()
    member = _locked_member(member)
    if member.is_current_member(today):
        raise MembershipError("You are already a member: use the renewal form to extend your membership.")
    cycle = _open_cycle_for(optins, today)
    _apply_profile(member, profile)
    member.start_term(today)
    member.save()
    return [_enroll(member, cycle, o, today) for o in optins]


@transaction.atomic
def membership_renew(
    *, member: User, profile: dict, optins: list[OptIn], today: dt.date | None = None
) -> list[Enrollment]:
    """The renewal form: update the profile, add a year, record the opt-ins."""
    today = today or timezone.localdate()
    member = _locked_member(member)
    if not member.has_joined:
        raise MembershipError("You have not joined yet: please fill in the membership form first.")
    cycle = _open_cycle_for(optins, today)
    _apply_profile(member, profile)
    member.renew_term(today)
    member.save()
    return [_enroll(member, cycle, o, today) for o in optins]


@transaction.atomic
def enrollment_create(*, member: User, optins: list[OptIn], today: dt.date | None = None) -> list[Enrollment]:
    """Opt in during a membership term, without renewing."""
    today = today or timezone.localdate()
    if not optins:
        raise MembershipError('Tick "I would like a mentor" or "I would like to be a mentor".')
    member = _locked_member(member)
    cycle = _open_cycle_for(optins, today)
    return [_enroll(member, cycle, o, today) for o in optins]


@transaction.atomic
def enrollment_update(
    *,
    enrollment: Enrollment,
    goals: str,
    interests: str,
    meeting_modes: list[str],
    capacity: int | None = None,
    answers: dict | None = None,
) -> Enrollment:
    """Change what a waiting opt-in says, and take the job title and responsibilities
    afresh from the profile. Matched opt-ins are the committee's to change."""
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("member").get(pk=enrollment.pk)
    if not enrollment.is_editable:
        raise MembershipError(f"This opt-in has been matched already: ask the {program().committee_name} to change it.")
    enrollment.job_title = enrollment.member.job_title
    enrollment.responsibilities = list(enrollment.member.responsibilities)
    enrollment.responsibilities_other = enrollment.member.responsibilities_other
    enrollment.goals = goals
    enrollment.interests = interests
    enrollment.meeting_modes = list(meeting_modes)
    if enrollment.role == Role.MENTOR and capacity is not None:
        enrollment.capacity = capacity
    enrollment.save()
    if answers:
        answers_save(enrollment=enrollment, answers=answers)
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment) -> Enrollment:
    """Withdraw a waiting opt-in. A paired one ends through the pair instead."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if not enrollment.is_editable:
        raise MembershipError(
            f"This opt-in has been matched already: ask the {program().committee_name} to end the pair."
        )
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_at = timezone.now()
    enrollment.save(update_fields=["status", "withdrawn_at", "updated_at"])
    log.info("enrollment %s withdrawn by its member", enrollment.pk)
    return enrollment


def renewal_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind members whose term ends soon, once per term. Safe to run twice or late.

    Each reminder is an outbox row, written with the member's mark: a mail server that
    refuses one address fails that email alone (on the Outbox page), and delays no one.
    """
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.RENEWAL_REMINDER_DAYS)
    due = User.objects.filter(is_active=True, expires_on__gte=today, expires_on__lte=horizon).exclude(
        renewal_reminded_for=F("expires_on")
    )
    written = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            # skip_locked: a second run at the same moment leaves this member to the first.
            member = User.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if member is None or member.renewal_reminded_for == member.expires_on:
                continue
            email_write(
                kind=EmailKind.RENEWAL_REMINDER,
                key=f"renewal:{member.pk}:{member.expires_on}",
                to=member,
                values=renewal_values(member),
            )
            member.renewal_reminded_for = member.expires_on
            member.save(update_fields=["renewal_reminded_for"])
            written += 1
    return written
