"""The values of one occasion, made from the pair: what each placeholder of the pair's
emails becomes (plain strings, lists of sentences, conditions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils.dateformat import format as date_format

from members.models import User
from outbox.rendering import absolute

from ..models import Pair, Topic, pair_month


def day(day: dt.date) -> str:
    return date_format(day, "F j, Y")


def first_name(user: User) -> str:
    return user.first_name or str(user)


def _liaison(pair: Pair) -> dict:
    liaison = pair.liaison
    return {
        "liaison_name": str(liaison) if liaison else "",
        "liaison_email": liaison.email if liaison else "",
        "if_no_liaison": liaison is None,
    }


def _pair_common(pair: Pair) -> dict:
    return {"cycle_name": pair.cycle.name, "pair_url": absolute(pair.get_absolute_url()), **_liaison(pair)}


def intro_values(pair: Pair, side: str) -> dict:
    """The values of the introduction to the pair's `side` ("mentor" or "mentee")."""
    cycle = pair.cycle
    mentor, mentee = pair.mentor.member, pair.mentee.member
    ahead = pair.starts_on == cycle.starts_on
    values = {
        **_pair_common(pair),
        "pair_months": str(pair.length_months),
        "pair_starts": day(pair.starts_on),
        "pair_ends": day(pair.ends_on),
        "orientation": cycle.orientation,
        "orientation_date": day(cycle.starts_on),
        "if_orientation_ahead": ahead,
        "if_orientation_past": not ahead,
        "match_reasons": list(pair.match_reasons or []),
        "if_match_reasons": bool(pair.match_reasons),
    }
    if side == "mentor":
        return values | {
            "mentor_first_name": first_name(mentor),
            "mentee_name": str(mentee),
            "mentee_first_name": first_name(mentee),
            "mentee_email": mentee.email,
            "mentee_job_title": mentee.job_title or pair.mentee.job_title,
            "mentee_institution": mentee.institution,
            "mentee_goals": pair.mentee.goals,
        }
    return values | {
        "mentee_first_name": first_name(mentee),
        "mentor_name": str(mentor),
        "mentor_first_name": first_name(mentor),
        "mentor_email": mentor.email,
        "mentor_phone": mentor.phone,
        "mentor_job_title": mentor.job_title or pair.mentor.job_title,
        "mentor_institution": mentor.institution,
    }


def side_values(pair: Pair, to: User, **more) -> dict:
    """The values of an email to one side of the pair (a reminder, the evaluation, thanks…)."""
    other = pair.other_side(to)
    role = pair.role_of(to)
    return {
        **_pair_common(pair),
        "first_name": first_name(to),
        "partner_name": str(other),
        "partner_first_name": first_name(other),
        "partner_email": other.email,
        "partner_role": "mentee" if role == "mentor" else "mentor",
        "if_mentee": role == "mentee",
        "if_mentor": role == "mentor",
        **more,
    }


def partner_left_values(pair: Pair, to: User) -> dict:
    """To the side who stays: nothing about the person who left (their name is no longer ours to send)."""
    role = pair.role_of(to)
    return {
        **_pair_common(pair),
        "first_name": first_name(to),
        "partner_role": "mentee" if role == "mentor" else "mentor",
        "if_mentee": role == "mentee",
        "if_mentor": role == "mentor",
    }


def unresponsive_values(pair: Pair, *, reporter: User, to: User, note: str) -> dict:
    other = pair.other_side(reporter)
    liaised = pair.liaison_id is not None and pair.liaison_id == to.pk
    return {
        "first_name": first_name(to),
        "reporter_name": str(reporter),
        "reporter_first_name": first_name(reporter),
        "reporter_role": pair.role_of(reporter) or "",
        "reporter_email": reporter.email,
        "reporter_phone": reporter.phone,
        "other_name": str(other),
        "other_first_name": first_name(other),
        "other_role": pair.role_of(other) or "",
        "other_email": other.email,
        "other_phone": other.phone,
        "mentor_name": str(pair.mentor.member),
        "mentee_name": str(pair.mentee.member),
        "note": note,
        "if_liaison": liaised,
        "if_no_liaison": not liaised,
        "pair_url": absolute(pair.get_absolute_url()),
    }


def _digest_line(p: Pair, quiet_cutoff: dt.date) -> tuple[str, str]:
    last = p.last_checkin_on
    attention = (last <= quiet_cutoff) if last else (p.starts_on <= quiet_cutoff)
    words = (
        f"{p.mentor.member} (mentor) & {p.mentee.member} (mentee)"
        f"{' — NEEDS ATTENTION' if attention else ''}: started {date_format(p.starts_on, 'M j, Y')}; "
        f"last check-in: {date_format(last, 'M j, Y') if last else 'none yet'}; "
        f"check-ins: {p.checkin_count or 0}; write to {p.mentor.member.email}, {p.mentee.member.email}"
    )
    return words, absolute(p.get_absolute_url())


def digest_values(liaison: User, pairs: Sequence[Pair], *, today: dt.date) -> dict:
    """A liaison's monthly digest: `pairs` with `with_people()` and `with_last_checkin()`."""
    quiet_cutoff = today - dt.timedelta(days=settings.CHECKIN_QUIET_DAYS)
    return {
        "first_name": first_name(liaison),
        "month": date_format(today, "F Y"),
        "pair_count": f"{len(pairs)} pair{'s' if len(pairs) != 1 else ''}",
        "quiet_since": day(quiet_cutoff),
        "pairs": [_digest_line(p, quiet_cutoff) for p in pairs],
        "my_pairs_url": absolute(reverse("pairs:pair-mine")),
    }


def thanks_values(pair: Pair, to: User) -> dict:
    """The thanks at completion: the renewal form, and the recipient's own certificate."""
    role = pair.role_of(to)
    return side_values(
        pair,
        to,
        renew_url=absolute(reverse("members:membership-renew")),
        certificate_url=absolute(reverse("pairs:certificate", args=[pair.pk, role])),
    )


def topic_values(pair: Pair, to: User, *, topic: Topic, month: int) -> dict:
    """The month's discussion topic, to one side of the pair."""
    return side_values(
        pair,
        to,
        topic_month=str(month),
        topic_title=topic.title,
        topic_text=topic.text,
        topic_resource_url=topic.resource_url,
    )


def topic_example_values(pair: Pair, to: User) -> dict:
    """For the committee's preview: the pair's topic this month, else its schedule's first one."""
    schedule = Topic.objects.schedule_of(pair.cycle_id)
    month = pair_month(pair) or (min(schedule) if schedule else 1)
    topic = schedule.get(month) or Topic(
        month=month, title="(No topic for this month yet)", text="(The committee writes it on Committee → Topics.)"
    )
    return topic_values(pair, to, topic=topic, month=month)
