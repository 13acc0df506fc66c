"""The pair's kinds of email as the outbox needs them: to whom and when, whether each may be
switched off (and if not, why), its placeholders — each with what it becomes and a sample —
and its shipped wording, one file a kind in `wording/`."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from outbox import kinds
from outbox.kinds import ADDRESS, CONDITION, LINK, LIST, Kind, Placeholder
from outbox.models import EmailKind
from outbox.rendering import absolute

from .examples import (
    intro_example,
    liaison_example,
    liaison_examples,
    pair_examples,
    side_example,
    unresponsive_example,
)
from .values import day, partner_left_values, side_values, thanks_values, topic_example_values

# --- Placeholders -----------------------------------------------------------------------------

P = Placeholder
CYCLE = P("cycle_name", "The cycle's name.", "2026–27")
PAIR_URL = P("pair_url", "The address of the pair's page on this site.", "https://mentoring.example/pairs/12/", LINK)
LIAISON = (
    P("liaison_name", "The pair's liaison (nothing when the pair has none: the line is left out).", "Carol Chair"),
    P("liaison_email", "The liaison's email address.", "carol.chair@example.org", ADDRESS),
    P("if_no_liaison", "Condition: the line is sent only when the pair has no liaison.", False, CONDITION),
)
PAIR_DATES = (
    P("pair_months", "How many months the pair runs.", "10"),
    P("pair_starts", "The day the pair starts.", "October 5, 2026"),
    P("pair_ends", "The day the pair ends.", "August 5, 2027"),
)
ORIENTATION = (
    P("orientation", "The cycle's orientation: where and when (as written on the cycle).", "Hot Springs, Room B"),
    P("orientation_date", "The day the cycle starts with its orientation.", "October 5, 2026"),
    P(
        "if_orientation_ahead",
        "Condition: the line is sent only when the pair starts at the orientation (made before it).",
        True,
        CONDITION,
    ),
    P(
        "if_orientation_past",
        "Condition: the line is sent only when the pair was made after the orientation (it starts now).",
        False,
        CONDITION,
    ),
)
MATCH_REASONS = (
    P(
        "match_reasons",
        "What the committee's suggestion saw in common, a sentence each, never the scores (nothing for a pair made "
        "without suggestions). On a line of its own, a bulleted list.",
        ("Job titles agree on cataloging", "Both work in Cataloging and Acquisitions", "Same region"),
        LIST,
        can_hide=True,
    ),
    P(
        "if_match_reasons",
        "Condition: the line is sent only when there are reasons to give (and the committee has not turned them off).",
        True,
        CONDITION,
    ),
)
SIDE = (
    P("first_name", "The recipient's first name.", "Mina"),
    P("partner_name", "The other side of the pair: their full name.", "Sam Senior"),
    P("partner_first_name", "The other side's first name.", "Sam"),
    P("partner_email", "The other side's email address.", "sam.senior@example.org", ADDRESS),
    P("partner_role", "What the other side is: “mentor” or “mentee”.", "mentor"),
    P("if_mentee", "Condition: the line is sent only to the mentee.", True, CONDITION),
    P("if_mentor", "Condition: the line is sent only to the mentor.", False, CONDITION),
    CYCLE,
    PAIR_URL,
    *LIAISON,
)

# --- The shipped wording: one file a kind, pairs/emails/wording/<kind>.txt ------------------------------

WORDING = Path(__file__).resolve().parent / "wording"


def _wording(kind: str) -> dict[str, str]:
    subject, body = kinds.shipped(WORDING / f"{kind}.txt")
    return {"subject": subject, "body": body}


# --- The kinds -----------------------------------------------------------------------------------

INTRO_ALWAYS = (
    "it is how the two people of a pair get each other's contact details (rule 4 of the program: each exactly once)."
)

KINDS = (
    Kind(
        name=EmailKind.INTRO_MENTOR,
        plural="introductions",
        sent_to="The mentor, when the committee makes a pair: the mentee's contact details and goals.",
        **_wording("intro_mentor"),
        placeholders=(
            P("mentor_first_name", "The mentor's first name (the recipient).", "Sam"),
            P("mentee_name", "The mentee's full name.", "Mina Member"),
            P("mentee_first_name", "The mentee's first name.", "Mina"),
            P("mentee_email", "The mentee's email address.", "mina.member@example.org", ADDRESS),
            P("mentee_job_title", "The mentee's job title.", "Library Assistant"),
            P("mentee_institution", "The mentee's library or institution.", "Riverside Public Library"),
            P(
                "mentee_goals",
                "What the mentee hopes to gain, in their own words (from their opt-in).",
                "Learn to lead a team.",
            ),
            *MATCH_REASONS,
            CYCLE,
            *ORIENTATION,
            *PAIR_DATES,
            *LIAISON,
            PAIR_URL,
        ),
        always_because=INTRO_ALWAYS,
        per_cycle=True,
        examples=pair_examples("mentor"),
        example_values=intro_example("mentor"),
    ),
    Kind(
        name=EmailKind.INTRO_MENTEE,
        plural="introductions",
        sent_to="The mentee, when the committee makes a pair: the mentor's contact details.",
        **_wording("intro_mentee"),
        placeholders=(
            P("mentee_first_name", "The mentee's first name (the recipient).", "Mina"),
            P("mentor_name", "The mentor's full name.", "Sam Senior"),
            P("mentor_first_name", "The mentor's first name.", "Sam"),
            P("mentor_email", "The mentor's email address.", "sam.senior@example.org", ADDRESS),
            P(
                "mentor_phone",
                "The mentor's phone (nothing when they gave none: the line is left out).",
                "501-555-0142",
            ),
            P("mentor_job_title", "The mentor's job title.", "Cataloging Librarian"),
            P("mentor_institution", "The mentor's library or institution.", "State University Libraries"),
            *MATCH_REASONS,
            CYCLE,
            *ORIENTATION,
            *PAIR_DATES,
            *LIAISON,
            PAIR_URL,
        ),
        always_because=INTRO_ALWAYS,
        per_cycle=True,
        examples=pair_examples("mentee"),
        example_values=intro_example("mentee"),
    ),
    Kind(
        name=EmailKind.CHECKIN_REMINDER,
        plural="check-in reminders",
        sent_to="Both sides of a pair with no check-in logged for a while (once per quiet spell).",
        member_reads="When your pair has logged no check-in for a while (once per quiet spell).",
        **_wording("checkin_reminder"),
        placeholders=(*SIDE, P("quiet_days", "How many days without a check-in make a pair quiet.", "45")),
        optional=True,
        per_cycle=True,
        examples=pair_examples("mentor", "mentee"),
        example_values=side_example(lambda p, to: side_values(p, to, quiet_days=str(settings.CHECKIN_QUIET_DAYS))),
    ),
    Kind(
        name=EmailKind.LIAISON_DIGEST,
        plural="monthly digests of your pairs",
        sent_to="Each liaison, once a month: their active pairs and each one's last check-in.",
        member_reads="Once a month, the pairs you are liaison for, with their last check-ins.",
        **_wording("liaison_digest"),
        placeholders=(
            P("first_name", "The liaison's first name.", "Carol"),
            P("month", "The month of the digest.", "March 2027"),
            P("pair_count", "How many pairs, in words (“3 pairs”).", "2 pairs"),
            P("quiet_since", "The day before which a pair without a check-in needs attention.", "January 14, 2027"),
            P(
                "pairs",
                "The liaison's pairs, one line each: names, start, last check-in, needs attention or not, addresses, "
                "the pair's page.",
                (
                    (
                        "Sam Senior (mentor) & Mina Member (mentee): started Oct 5, 2026; last check-in: Feb 20, 2027; "
                        "check-ins: 5; write to sam.senior@example.org, mina.member@example.org",
                        "https://mentoring.example/pairs/12/",
                    ),
                    (
                        "Kit Kidd (mentor) & Wes Waiting (mentee) — NEEDS ATTENTION: started Oct 5, 2026; "
                        "last check-in: none yet; check-ins: 0; write to kit.kidd@example.org, wes.waiting@example.org",
                        "https://mentoring.example/pairs/13/",
                    ),
                ),
                LIST,
            ),
            P(
                "my_pairs_url",
                "The address of the liaison's “My pairs” page.",
                "https://mentoring.example/pairs/mine/",
                LINK,
            ),
        ),
        optional=True,
        examples=liaison_examples,
        example_values=liaison_example,
        example_label="a liaison",
        reaches=lambda member: member.may_liaise,
    ),
    Kind(
        name=EmailKind.UNRESPONSIVE,
        plural="reports of a partner gone quiet",
        sent_to="The pair's liaison (or, without one, the whole committee) when one side reports the other has gone "
        "quiet.",
        **_wording("unresponsive"),
        placeholders=(
            P("first_name", "The recipient's first name (the liaison, or a committee member).", "Carol"),
            P("reporter_name", "Who reported it: their full name.", "Mina Member"),
            P("reporter_first_name", "Who reported it: their first name.", "Mina"),
            P("reporter_role", "Who reported it: “mentor” or “mentee”.", "mentee"),
            P("reporter_email", "The reporter's email address.", "mina.member@example.org", ADDRESS),
            P("reporter_phone", "The reporter's phone (nothing when none).", "501-555-0177"),
            P("other_name", "Who has gone quiet: their full name.", "Sam Senior"),
            P("other_first_name", "Who has gone quiet: their first name.", "Sam"),
            P("other_role", "Who has gone quiet: “mentor” or “mentee”.", "mentor"),
            P("other_email", "Their email address.", "sam.senior@example.org", ADDRESS),
            P("other_phone", "Their phone (nothing when none).", "501-555-0142"),
            P("mentor_name", "The pair's mentor.", "Sam Senior"),
            P("mentee_name", "The pair's mentee.", "Mina Member"),
            P(
                "note",
                "The reporter's note, in their own words (nothing when they wrote none).",
                "No answer since October.",
            ),
            P("if_liaison", "Condition: the line is sent only to the pair's liaison.", True, CONDITION),
            P("if_no_liaison", "Condition: the line is sent only when the pair has no liaison.", False, CONDITION),
            PAIR_URL,
        ),
        always_because="a member asked the committee for help: the report must reach someone.",
        per_cycle=True,
        examples=pair_examples("mentee", "mentor"),
        example_values=unresponsive_example,
    ),
    Kind(
        name=EmailKind.EVALUATION,
        plural="invitations to the closing evaluation",
        sent_to="Both sides of a pair, a month before it ends: the closing evaluation is open.",
        member_reads="A month before your pair ends, when the closing evaluation opens.",
        **_wording("evaluation"),
        placeholders=(
            *SIDE,
            P("pair_ends", "The day the pair ends.", "August 5, 2027"),
            P(
                "evaluation_url",
                "The address of the closing evaluation.",
                "https://mentoring.example/pairs/12/evaluation/",
                LINK,
            ),
        ),
        optional=True,
        per_cycle=True,
        examples=pair_examples("mentor", "mentee"),
        example_values=side_example(
            lambda p, to: side_values(
                p,
                to,
                pair_ends=day(p.ends_on),
                evaluation_url=absolute(reverse("pairs:evaluation", args=[p.pk])),
            )
        ),
    ),
    Kind(
        name=EmailKind.THANKS,
        plural="thanks at the end of a mentoring year",
        sent_to="Both sides of a pair that completed its year; the mentee is invited to mentor.",
        member_reads="When your mentoring year is complete.",
        **_wording("thanks"),
        placeholders=(
            *SIDE,
            P("renew_url", "The address of the renewal form.", "https://mentoring.example/membership/renew/", LINK),
            P(
                "certificate_url",
                "The address of the recipient's certificate of completion (they sign in to see it).",
                "https://mentoring.example/pairs/12/certificate/mentee/",
                LINK,
            ),
        ),
        optional=True,
        per_cycle=True,
        examples=pair_examples("mentor", "mentee"),
        example_values=side_example(thanks_values),
    ),
    Kind(
        name=EmailKind.TOPIC,
        plural="monthly discussion topics",
        sent_to="Both sides of each active pair, once a month: the committee's discussion topic for that month of "
        "their year (Committee → Topics); nothing in a month without a topic.",
        member_reads="Once a month while your pair runs, the committee's suggestion of what to talk about.",
        **_wording("topic"),
        placeholders=(
            *SIDE,
            P("topic_month", "Which month of the pair's year it is (1: the month the pair started).", "3"),
            P("topic_title", "The topic's title.", "How the association is organized"),
            P(
                "topic_text",
                "The topic's text as the committee wrote it (its Markdown marks are sent as written).",
                "Talk about how the association is organized and how it functions.",
            ),
            P(
                "topic_resource_url",
                "The topic's resource link (nothing when it has none: the line is left out).",
                "https://example.org/reading",
                LINK,
            ),
        ),
        optional=True,
        per_cycle=True,
        examples=pair_examples("mentor", "mentee"),
        example_values=side_example(topic_example_values),
    ),
    Kind(
        name=EmailKind.PAIR_ENDED,
        plural="news that a pair has ended",
        sent_to="Both sides of a pair the committee ended early.",
        **_wording("pair_ended"),
        placeholders=(
            *SIDE,
            P(
                "if_back_to_pool",
                "Condition: the line is sent only to a mentee who goes back to the pool for a new mentor.",
                True,
                CONDITION,
            ),
        ),
        always_because="it tells a member their pair has ended: a change to their part in the program.",
        per_cycle=True,
        examples=pair_examples("mentor", "mentee"),
        example_values=side_example(lambda p, to: side_values(p, to, if_back_to_pool=False)),
    ),
    Kind(
        name=EmailKind.PARTNER_LEFT,
        plural="news that a partner has left",
        sent_to="The side who stays, when the other deletes their account (nothing about who left).",
        **_wording("partner_left"),
        placeholders=(
            P("first_name", "The recipient's first name.", "Mina"),
            P("partner_role", "What the person who left was: “mentor” or “mentee”.", "mentor"),
            P("if_mentee", "Condition: the line is sent only to a mentee (their mentor left).", True, CONDITION),
            P("if_mentor", "Condition: the line is sent only to a mentor (their mentee left).", False, CONDITION),
            CYCLE,
            PAIR_URL,
            *LIAISON,
        ),
        always_because="it tells a member their pair has ended: a change to their part in the program.",
        per_cycle=True,
        examples=pair_examples("mentee", "mentor"),
        example_values=side_example(partner_left_values),
    ),
)


def register() -> None:
    kinds.register(*KINDS)
