"""Writes that touch several rows of members: joining, renewing, opting in, resources.

Each service is atomic: it either does everything asked or raises
`MembershipError` and changes nothing, so a view can show the message and the
member can correct the form.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from outbox.models import EmailKind
from outbox.rendering import absolute
from outbox.services import email_write

from .models import (
    PROFILE_FIELDS,
    Cycle,
    Enrollment,
    EnrollmentStatus,
    Resource,
    ResourceStatus,
    Role,
    User,
    eligibility,
)

log = logging.getLogger(__name__)


class MembershipError(Exception):
    """A request the rules refuse; the message is written for the member."""


@dataclass(frozen=True)
class OptIn:
    """One opt-in as the forms collect it."""

    role: str
    goals: str
    interests: str = ""
    meeting_modes: list[str] = field(default_factory=list)
    capacity: int = 1


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
    verdict = eligibility(member, cycle, optin.role, today)
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
    enrollment.commitments_accepted_at = timezone.now()
    try:
        # A savepoint, so that a concurrent duplicate (the unique constraint)
        # becomes a message instead of breaking the surrounding transaction.
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        raise MembershipError(f"You have already opted in as a {role_label} for the {cycle.name} cycle.") from None
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
    *, enrollment: Enrollment, goals: str, interests: str, meeting_modes: list[str], capacity: int | None = None
) -> Enrollment:
    """Change what a waiting opt-in says, and take the job title and responsibilities
    afresh from the profile. Matched opt-ins are the committee's to change."""
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("member").get(pk=enrollment.pk)
    if not enrollment.is_editable:
        raise MembershipError("This opt-in has been matched already: ask the Mentoring Committee to change it.")
    enrollment.job_title = enrollment.member.job_title
    enrollment.responsibilities = list(enrollment.member.responsibilities)
    enrollment.responsibilities_other = enrollment.member.responsibilities_other
    enrollment.goals = goals
    enrollment.interests = interests
    enrollment.meeting_modes = list(meeting_modes)
    if enrollment.role == Role.MENTOR and capacity is not None:
        enrollment.capacity = capacity
    enrollment.save()
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment) -> Enrollment:
    """Withdraw a waiting opt-in. A paired one ends through the pair instead."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if not enrollment.is_editable:
        raise MembershipError("This opt-in has been matched already: ask the Mentoring Committee to end the pair.")
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
                context={"member": member, "renew_url": absolute(reverse("members:membership-renew"))},
            )
            member.renewal_reminded_for = member.expires_on
            member.save(update_fields=["renewal_reminded_for"])
            written += 1
    return written


def _locked_cycles(cycle: Cycle) -> Cycle:
    # Lock every cycle, in key order, before switching: two committee members
    # opening different cycles at the same moment queue up instead of both
    # passing the "one open at a time" check. There is one cycle a year, so
    # locking them all is cheap. Returns a fresh copy of `cycle`.
    locked = {c.pk: c for c in Cycle.objects.select_for_update().order_by("pk")}
    if cycle.pk not in locked:
        raise MembershipError("This cycle no longer exists.")
    return locked[cycle.pk]


@transaction.atomic
def cycle_open_optins(*, cycle: Cycle) -> list[Cycle]:
    """Open `cycle` for opt-ins and close whichever cycle was open, in one transaction:
    exactly one cycle takes opt-ins at a time. Returns the cycles it closed."""
    cycle = _locked_cycles(cycle)
    if cycle.is_open:
        raise MembershipError(f"The {cycle.name} cycle is already open for opt-ins.")
    closed = list(Cycle.objects.open_for_optins())
    Cycle.objects.filter(pk__in=[c.pk for c in closed]).update(is_open=False)
    cycle.is_open = True
    cycle.save(update_fields=["is_open"])
    log.info("cycle %s opened for opt-ins; closed %s", cycle, ", ".join(map(str, closed)) or "none")
    return closed


@transaction.atomic
def cycle_close_optins(*, cycle: Cycle) -> Cycle:
    """Stop taking opt-ins for `cycle`. Opt-ins already made stay as they are."""
    cycle = _locked_cycles(cycle)
    if not cycle.is_open:
        raise MembershipError(f"Opt-ins for the {cycle.name} cycle are already closed.")
    cycle.is_open = False
    cycle.save(update_fields=["is_open"])
    log.info("cycle %s closed for opt-ins", cycle)
    return cycle


def _may_review(user: User) -> bool:
    return user.runs_program


@transaction.atomic
def resource_suggest(
    *,
    by: User,
    title: str,
    description: str,
    url: str = "",
    file: File | None = None,
    tags: str = "",
) -> Resource:
    """A member suggests a resource for the committee to review. The committee's own
    additions need no review: they are approved at once, by the one who added them."""
    resource = Resource(title=title, description=description, url=url, file=file or "", tags=tags, suggested_by=by)
    if _may_review(by):
        resource.status = ResourceStatus.APPROVED
        resource.reviewed_by = by
        resource.reviewed_at = timezone.now()
    try:
        resource.full_clean()
    except ValidationError as e:
        raise MembershipError(" ".join(e.messages)) from None
    resource.save()
    log.info("resource %s %s by %s", resource.pk, resource.status, by.pk)
    return resource


@transaction.atomic
def resource_decide(*, resource: Resource, approve: bool, by: User, reason: str = "") -> Resource:
    """Approve or decline a suggested resource. A suggestion somebody has decided
    meanwhile (a stale review page) is refused and stays as it is."""
    if not _may_review(by):
        raise MembershipError("Only the Mentoring Committee reviews resources.")
    resource = Resource.objects.select_for_update().filter(pk=resource.pk).first()
    if resource is None:
        raise MembershipError("This suggestion no longer exists.")
    if resource.status != ResourceStatus.SUGGESTED:
        raise MembershipError(
            f"“{resource.title}” was already {resource.get_status_display().lower()}"
            f"{f' by {resource.reviewed_by}' if resource.reviewed_by else ''}: nothing was changed."
        )
    resource.status = ResourceStatus.APPROVED if approve else ResourceStatus.DECLINED
    resource.reviewed_by = by
    resource.reviewed_at = timezone.now()
    resource.decline_reason = "" if approve else reason.strip()
    resource.save(update_fields=["status", "reviewed_by", "reviewed_at", "decline_reason"])
    log.info("resource %s %s by %s", resource.pk, resource.status, by.pk)
    return resource
