"""The pair's timeline: seven milestones derived from dates alone (no database)."""

import datetime as dt

import pytest

from pairs.models import add_months
from pairs.timeline import milestones

TODAY = dt.date(2030, 3, 1)
NAMES = [
    "Introduction sent",
    "First contact",
    "Mentoring orientation at the ArLA fall conference",
    "Goals set",
    "Midpoint review",
    "Closing evaluation",
    "End of the mentoring year",
]


def timeline_args(**changes) -> dict:
    """A pair made 20 days ago (introductions sent that day), starting at a fall conference
    a month from now, nothing logged yet."""
    starts_on = TODAY + dt.timedelta(days=30)
    ends_on = add_months(starts_on, 10)
    args = {
        "created_on": TODAY - dt.timedelta(days=20),
        "orientation_on": starts_on,
        "orientation_done_on": None,
        "starts_on": starts_on,
        "midpoint_on": starts_on + (ends_on - starts_on) / 2,
        "ends_on": ends_on,
        "introduction_sent_on": TODAY - dt.timedelta(days=20),
        "first_checkin_on": None,
        "first_goal_on": None,
        "midpoint_checkin_on": None,
        "evaluation_done_on": None,
        "ended_on": None,
        "today": TODAY,
        "orientation": "Mentoring orientation at the ArLA fall conference",  # the program's name for it
    }
    return {**args, **changes}


def timeline(**changes) -> dict:
    """The milestones by name."""
    return {m.name: m for m in milestones(**timeline_args(**changes))}


def test_timeline_lists_the_seven_milestones_in_date_order():
    result = milestones(**timeline_args())

    assert [m.name for m in result] == NAMES
    assert [m.due_on for m in result] == sorted(m.due_on for m in result)


def test_pair_without_a_checkin_20_days_after_creation_has_first_contact_overdue():
    m = timeline()

    assert m["Introduction sent"].state == "done"
    assert m["First contact"].due_on == TODAY - dt.timedelta(days=6)
    assert m["First contact"].state == "overdue"
    assert m["First contact"].css == "danger"


def test_introductions_not_yet_sent_20_days_on_are_overdue():
    assert timeline(introduction_sent_on=None)["Introduction sent"].state == "overdue"


def test_a_checkin_marks_first_contact_done_on_its_date():
    met_on = TODAY - dt.timedelta(days=10)

    m = timeline(first_checkin_on=met_on)

    assert m["First contact"].state == "done"
    assert m["First contact"].done_on == met_on
    assert m["First contact"].css == "success"


def test_an_orientation_a_month_away_is_upcoming_and_the_later_milestones_too():
    m = timeline()

    for name in NAMES[2:]:
        assert m[name].state == "upcoming", name
    assert m["Mentoring orientation at the ArLA fall conference"].css == "secondary"


@pytest.mark.parametrize(
    ("days_away", "state"),
    [(-1, "overdue"), (0, "due"), (10, "due"), (14, "due"), (15, "upcoming")],
)
def test_a_milestone_due_within_two_weeks_is_due_and_one_past_is_overdue(days_away, state):
    m = timeline(created_on=TODAY + dt.timedelta(days=days_away) - dt.timedelta(days=14))

    assert m["First contact"].state == state


def test_orientation_is_done_on_its_day_when_both_sides_were_marked_present():
    orientation = TODAY - dt.timedelta(days=3)

    m = timeline(orientation_on=orientation, orientation_done_on=orientation, starts_on=orientation)

    assert m["Mentoring orientation at the ArLA fall conference"].state == "done"
    assert m["Mentoring orientation at the ArLA fall conference"].done_on == orientation


def test_an_orientation_past_without_both_sides_marked_present_is_overdue():
    orientation = TODAY - dt.timedelta(days=3)

    m = timeline(orientation_on=orientation, orientation_done_on=None, starts_on=orientation)

    assert m["Mentoring orientation at the ArLA fall conference"].state == "overdue"
    assert m["Mentoring orientation at the ArLA fall conference"].done_on is None


def test_goals_set_is_due_a_month_after_the_start_and_done_with_the_first_goal():
    m = timeline()
    assert m["Goals set"].due_on == TODAY + dt.timedelta(days=60)
    assert m["Goals set"].state == "upcoming"

    assert timeline(first_goal_on=TODAY)["Goals set"].state == "done"


def test_a_pair_ended_early_has_its_end_done_on_the_day_it_ended():
    m = timeline(ended_on=TODAY)

    assert m["End of the mentoring year"].state == "done"
    assert m["End of the mentoring year"].done_on == TODAY


def test_a_pair_ended_early_reaches_nothing_more_and_its_evaluation_is_open():
    """Issue 15, item 5: an ended pair's timeline showed "Upcoming" midpoint and evaluation, and
    a red "Overdue" for what nobody can do any more."""
    m = timeline(ended_on=TODAY)

    assert m["Midpoint review"].state == m["Goals set"].state == "not_reached"
    assert m["Midpoint review"].label == "Not reached"
    assert (m["Closing evaluation"].state, m["Closing evaluation"].due_on) == ("open", TODAY)
    assert m["First contact"].state == "missed"  # due before the end, never done: said, not red
    assert m["First contact"].css == "secondary"
    assert not [name for name, milestone in m.items() if milestone.state in ("upcoming", "overdue", "due")]


def test_the_pair_reads_a_passed_orientation_nobody_marked_as_not_recorded_the_committee_as_overdue():
    """Issue 15, item 6: only the committee marks attendance; the pair cannot act on a red badge."""
    orientation = TODAY - dt.timedelta(days=3)
    args = {"orientation_on": orientation, "orientation_done_on": None, "starts_on": orientation}

    assert timeline(**args)["Mentoring orientation at the ArLA fall conference"].state == "overdue"
    as_the_pair = {m.name: m for m in milestones(**timeline_args(**args), for_the_pair=True)}
    assert as_the_pair["Mentoring orientation at the ArLA fall conference"].state == "not_recorded"
    assert as_the_pair["Mentoring orientation at the ArLA fall conference"].css == "secondary"


def test_the_timeline_reads_in_the_order_of_the_dates_it_shows():
    """Issue 15, item 6: sorted by due date, a late first contact read before an earlier orientation."""
    orientation = TODAY - dt.timedelta(days=20)
    result = milestones(
        **timeline_args(
            created_on=TODAY - dt.timedelta(days=60),
            introduction_sent_on=TODAY - dt.timedelta(days=60),
            orientation_on=orientation,
            orientation_done_on=orientation,
            starts_on=orientation,
            first_checkin_on=TODAY - dt.timedelta(days=5),  # due 46 days ago, done late
        )
    )

    assert [m.name for m in result][:3] == [
        "Introduction sent",
        "Mentoring orientation at the ArLA fall conference",
        "First contact",
    ]
    assert [m.shown_on for m in result] == sorted(m.shown_on for m in result)


def test_a_pair_past_its_end_date_shows_the_end_done_and_a_missing_evaluation_overdue():
    starts_on = TODAY - dt.timedelta(days=320)
    ends_on = TODAY - dt.timedelta(days=2)

    m = timeline(
        created_on=starts_on - dt.timedelta(days=30),
        orientation_on=starts_on,
        starts_on=starts_on,
        midpoint_on=starts_on + (ends_on - starts_on) / 2,
        ends_on=ends_on,
        first_checkin_on=starts_on,
        first_goal_on=starts_on,
        midpoint_checkin_on=starts_on + dt.timedelta(days=170),
    )

    assert m["End of the mentoring year"].state == "done"
    assert m["Closing evaluation"].state == "overdue"
    assert m["Midpoint review"].state == "done"


def test_a_pair_made_after_the_conference_lists_the_orientation_first():
    orientation = TODAY - dt.timedelta(days=40)

    result = milestones(
        **timeline_args(orientation_on=orientation, starts_on=TODAY, created_on=TODAY, introduction_sent_on=None)
    )

    assert [m.name for m in result][:2] == ["Mentoring orientation at the ArLA fall conference", "Introduction sent"]
    assert [m.due_on for m in result] == sorted(m.due_on for m in result)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2030, 1, 31), 1, dt.date(2030, 2, 28)),
        (dt.date(2032, 1, 31), 1, dt.date(2032, 2, 29)),  # a leap year
        (dt.date(2030, 8, 31), 1, dt.date(2030, 9, 30)),
        (dt.date(2030, 3, 15), 12, dt.date(2031, 3, 15)),
        (dt.date(2030, 10, 31), 10, dt.date(2031, 8, 31)),
        (dt.date(2030, 2, 28), 12, dt.date(2031, 2, 28)),
        (dt.date(2032, 2, 29), 12, dt.date(2033, 2, 28)),
        (dt.date(2030, 3, 31), -1, dt.date(2030, 2, 28)),
        (dt.date(2030, 1, 15), -1, dt.date(2029, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_or_falls_back_to_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected
