"""The pair's milestones, derived from its dates and what has happened. Pure: no database."""

from __future__ import annotations

import datetime as dt

from .models import Milestone

DUE_SOON = dt.timedelta(days=14)
FIRST_CONTACT_WITHIN = dt.timedelta(days=14)
ORIENTATION = "orientation-at-the-fall-conference"


def _state(due_on: dt.date, done_on: dt.date | None, today: dt.date) -> str:
    if done_on:
        return "done"
    if due_on < today:
        return "overdue"
    if due_on <= today + DUE_SOON:
        return "due"
    return "upcoming"


def milestones(
    *,
    created_on: dt.date,
    orientation_on: dt.date,
    orientation_done_on: dt.date | None,
    starts_on: dt.date,
    midpoint_on: dt.date,
    ends_on: dt.date,
    introduction_sent_on: dt.date | None,
    first_checkin_on: dt.date | None,
    first_goal_on: dt.date | None,
    midpoint_checkin_on: dt.date | None,
    evaluation_done_on: dt.date | None,
    ended_on: dt.date | None,
    today: dt.date,
    orientation: str = "Orientation",
    for_the_pair: bool = False,
    first_contact_on: dt.date | None = None,
    first_contact_due_on: dt.date | None = None,
) -> list[Milestone]:
    """Introduction, first contact, orientation, goals, midpoint, evaluation, end — in the
    order of the dates shown: when each was done, else when it is due.

    `orientation` is what the program calls it ("Mentoring orientation at the fall
    conference"). `orientation_done_on` is the orientation's date when the committee marked
    both sides as present, else None: an orientation that has passed without them is overdue
    to the committee, and "not recorded" to the pair's members (`for_the_pair`), who
    cannot mark it. A pair ended early (`ended_on`) reaches nothing more: what was due
    after its end is "not reached", what was due before and not done "missed" (not
    overdue: nobody can do it now), and the closing evaluation stays open to its members.

    First contact is done when either side confirmed it ("We have been in touch",
    `first_contact_on`) or with the first check-in, whichever came first; it is due on the
    pair's own day (`first_contact_due_on`, the cycle's days after the introduction), or
    FIRST_CONTACT_WITHIN after it for pairs made before that day was kept.
    """
    contacts = [d for d in (first_contact_on, first_checkin_on) if d is not None]
    rows = [
        ("introduction-sent", "Introduction sent", created_on, introduction_sent_on),
        (
            "first-contact",
            "First contact",
            first_contact_due_on or created_on + FIRST_CONTACT_WITHIN,
            min(contacts) if contacts else None,
        ),
        # The key is the name this milestone had before programs named it: calendars imported then stay in step.
        (ORIENTATION, orientation, orientation_on, orientation_done_on),
        ("goals-set", "Goals set", starts_on + dt.timedelta(days=30), first_goal_on),
        ("midpoint-review", "Midpoint review", midpoint_on, midpoint_checkin_on),
        ("closing-evaluation", "Closing evaluation", ends_on, evaluation_done_on),
        (
            "end-of-the-mentoring-year",
            "End of the mentoring year",
            ends_on,
            ended_on or (ends_on if ends_on <= today else None),
        ),
    ]
    result = []
    for key, name, due, done in rows:
        state = _state(due, done, today)
        if ended_on and state != "done" and key == "closing-evaluation":
            due, state = ended_on, "open"
        elif ended_on and state != "done" and due > ended_on:
            state = "not_reached"
        elif key == ORIENTATION and state == "overdue" and for_the_pair:
            state = "not_recorded"
        elif ended_on and state == "overdue":
            state = "missed"  # nobody can do it any more: said, not flagged
        result.append(Milestone(name, due, done, state, key))
    return sorted(result, key=lambda m: m.shown_on)
