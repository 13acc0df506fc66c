"""A member's own data: everything the site holds about them, as a download, and
deleting their account (anonymised; the pairs' shared history kept)."""

from __future__ import annotations

import logging
import re
from html import escape

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.models import TAKING_PART, Enrollment, EnrollmentStatus, Resource, Role, User
from outbox.models import Email, EmailKind, EmailPreference, EmailState
from outbox.services import email_write

from ..emails import partner_left_values
from ..models import (
    Certificate,
    CheckIn,
    Evaluation,
    Goal,
    Offer,
    OfferStatus,
    OrientationAttendance,
    Pair,
    PairEndReason,
    PairStatus,
    SurveyResponse,
)
from ._shared import end_pair

log = logging.getLogger(__name__)


class PrivacyError(Exception):
    """A request about a member's own data that cannot be done; the message is for them."""


FORMER_MEMBER = "Former member"


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
            "month_topic": c.topic_title,
            "logged_by": "you" if c.logged_by_id == user.pk else _name(c.logged_by),
            "logged_at": c.created_at,
            "edited_at": c.edited_at,
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

    statuses = dict(PairStatus.choices)

    return {
        "exported_at": timezone.now(),
        "site": settings.SITE_URL,
        "profile": {
            "email": user.email,
            **user.profile_shown(),
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
        # Offers made to me as a mentor (with my answer), and of me as a mentee (not the
        # mentor's reason: their words to the committee).
        "offers": [
            {
                "cycle": o.cycle.name,
                "my_role": "mentor" if o.mentor.member_id == user.pk else "mentee",
                "offered_to" if o.mentee.member_id == user.pk else "mentee": _name(
                    o.mentor.member if o.mentee.member_id == user.pk else o.mentee.member
                ),
                "status": o.get_status_display(),
                "made_at": o.created_at,
                "answer_by": o.answer_by,
                "answered_at": o.answered_at,
                **({"my_reason": o.decline_reason} if o.mentor.member_id == user.pk else {}),
            }
            # Not with_people(): its liaison and author are not read here, and their columns
            # were a third of the cost of building this query of a row or two.
            for o in Offer.objects.select_related("cycle", "mentor__member", "mentee__member")
            .filter(Q(mentor__member=user) | Q(mentee__member=user))
            .order_by("created_at")
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
        "certificates": [
            {
                "program": c.program_name,
                "cycle": c.cycle_name,
                "role": c.role,
                "name_on_it": c.holder_name,
                "code": c.printed_code,
                "issued_at": c.issued_at,
                "replaced_at": c.replaced_at,
            }
            for c in Certificate.objects.filter(holder=user).order_by("issued_at")
        ],
        "surveys": [
            {
                "cycle": response.pair.cycle.name,
                "survey": response.survey.title,
                "kind": response.get_kind_display(),
                "as": response.role,
                "answers": {a.question.text: a.value for a in response.answers.all()},
                "submitted_at": response.submitted_at,
            }
            for response in SurveyResponse.objects.filter(author=user)
            .select_related("pair__cycle", "survey")
            .prefetch_related("answers__question")
            .order_by("submitted_at")
        ],
        # A liaison's pairs grow with the years (155 for the bench's committee member): their
        # three columns, not each pair and its cycle as models (those were 40% of the download).
        "liaison_of": [
            {"cycle": cycle, "pair": pk, "status": statuses.get(status, status)}
            for pk, cycle, status in Pair.objects.filter(liaison=user)
            .order_by("pk")
            .values_list("pk", "cycle__name", "status")
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
        "emails_i_turned_off": [
            {"kind": p.get_kind_display(), "since": p.changed_at, "how": p.get_changed_how_display()}
            for p in EmailPreference.objects.filter(member=user, receives=False).order_by("kind")
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
      history, which the other side keeps; evaluations and survey answers stay without an author;
    - their completion certificates are deleted: they carry the name, and their codes
      then verify nothing;
    - the outbox keeps no text naming the person (`_emails_erase`).

    Refuses site admins (PrivacyError): an admin account is removed by another admin.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_superuser:
        raise PrivacyError(
            "A site admin's account cannot be deleted from this page: ask another site admin to do it "
            "in the administration, so that the site always keeps an admin."
        )
    if not user.is_active:
        raise PrivacyError("This account has already been deleted.")
    now = timezone.now()
    pair_ids = list(Pair.objects.involving(user).values_list("pk", flat=True))
    _emails_erase(user, pair_ids)

    my_enrollments = Enrollment.objects.filter(member=user)
    # Taken before the pairs end (ending one changes its opt-ins' status).
    taking_part = list(my_enrollments.filter(status__in=TAKING_PART).values_list("pk", flat=True))
    # Offers waiting on them, as mentor or mentee, are withdrawn: a mentee offered to them goes back to the pool.
    open_offers = Offer.objects.holding().filter(Q(mentor__member=user) | Q(mentee__member=user))
    offered = list(open_offers.filter(mentor__member=user).values_list("mentee_id", flat=True))
    open_offers.update(status=OfferStatus.WITHDRAWN, closed_at=now)
    Enrollment.objects.filter(pk__in=offered, status=EnrollmentStatus.OFFERED).update(status=EnrollmentStatus.WAITING)
    ended = list(Pair.objects.involving(user).active().select_for_update(of=("self",)).with_people().order_by("pk"))
    for pair in ended:
        other = pair.other_side(user)
        # A mentee keeps their place in the program: back to the pool for a new mentor.
        end_pair(
            pair,
            by=user,
            category=PairEndReason.ACCOUNT_DELETED,
            reason="",
            mentee_back_to_pool=other == pair.mentee.member,
            now=now,
        )
        email_write(
            kind=EmailKind.PARTNER_LEFT,
            key=f"pair:{pair.pk}:partner_left:{other.pk}",
            to=other,
            pair=pair,
            # Deliberately nothing about the person who left: their name is no longer ours to send.
            values=partner_left_values(pair, other),
        )
    Enrollment.objects.filter(pk__in=taking_part).update(status=EnrollmentStatus.WITHDRAWN, withdrawn_at=now)
    my_enrollments.update(
        job_title="", responsibilities=[], responsibilities_other="", goals="", interests="", meeting_modes=[]
    )

    Evaluation.objects.filter(author=user).update(author=None)
    Certificate.objects.filter(holder=user).delete()
    SurveyResponse.objects.filter(author=user).update(author=None)
    Pair.objects.filter(liaison=user).update(liaison=None)

    EmailAddress.objects.filter(user=user).delete()
    _sessions_delete(user)

    user.email = f"deleted-{user.pk}@invalid.example"
    user.profile_erase()
    user.first_name = FORMER_MEMBER
    user.member_since = user.renewed_on = user.expires_on = user.renewal_reminded_for = None
    user.last_login = None
    user.is_active = user.is_staff = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    log.info("account %s deleted by its member; %s active pairs ended", user.pk, len(ended))
    return user
