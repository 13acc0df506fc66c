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
) -> list[Milestone]:
    """Introduction, first contact, orientation, goals, midpoint, evaluation, end — in date order.

    `orientation` is what the program calls it ("Mentoring orientation at the ArLA fall
    conference"). `orientation_done_on` is the orientation's date when the committee marked
    both sides as present, else None: an orientation that has passed without them is overdue.
    """
    rows = [
        ("introduction-sent", "Introduction sent", created_on, introduction_sent_on),
        ("first-contact", "First contact", created_on + FIRST_CONTACT_WITHIN, first_checkin_on),
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
    result = [Milestone(name, due, done, _state(due, done, today), key) for key, name, due, done in rows]
    return sorted(result, key=lambda m: m.due_on)
