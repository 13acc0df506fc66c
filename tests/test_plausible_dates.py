"""Dates a program could really have (issue 15, item 2): a cycle's dates, and a goal's target
date, are refused with a message when they are typos such as year 0001 or 9999, and a
check-in is dated within the pair's own time (item 3)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Cycle, Role
from pairs.models import CheckIn, Goal, PairStatus
from pairs.services import pairing, year

from .factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory
from .test_cycles import cycle_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def long(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def page_text(response) -> str:
    return response.text.replace("&#x27;", "'")


# --- Cycles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["optin_opens", "optin_closes", "matchmaking_starts", "matchmaking_ends", "starts_on"]
)
@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_a_cycle_date_no_program_can_have_is_refused_with_the_dates_it_may_have(client_for, committee, field, day):
    response = client_for(committee).post(reverse("members:cycle-create"), cycle_data(**{field: day}))

    assert response.status_code == 200
    said = page_text(response)
    # Too early for matchmaking or the program's start: first of all, before the opt-ins.
    assert "Choose a date between January 1, 2000 and " in said or "cannot start before opt-ins" in said
    assert "nothing was saved" in said
    assert not Cycle.objects.exists()


def test_the_cycle_forms_date_pickers_offer_the_days_a_cycle_may_have(client_for, committee):
    page = client_for(committee).get(reverse("members:cycle-create")).text

    assert page.count('max="') >= 5 and page.count('min="2000-01-01"') == 5


def test_a_cycle_whose_program_starts_years_after_its_opt_ins_is_refused(client_for, committee):
    response = client_for(committee).post(reverse("members:cycle-create"), cycle_data(starts_on="2030-10-06"))

    assert "A cycle is one year of the program: it starts within two years of its opt-ins opening" in response.text
    assert not Cycle.objects.exists()


def test_the_admin_refuses_a_cycle_starting_in_year_9999_too(client_for, site_admin):
    data = {**cycle_data(starts_on="9999-12-31"), "is_open": ""}

    response = client_for(site_admin).post(reverse("admin:members_cycle_add"), data)

    assert response.status_code == 200
    assert "Choose a date between January 1, 2000 and " in response.text
    assert not Cycle.objects.exists()


def test_pairing_in_a_cycle_saved_with_year_9999_says_to_correct_the_cycle_instead_of_failing(committee):
    cycle = CycleFactory(starts_on=dt.date(9999, 12, 31))
    mentee = EnrollmentFactory(cycle=cycle)
    mentor = EnrollmentFactory(cycle=cycle, role=Role.MENTOR, member=UserFactory(seasoned=True))

    with pytest.raises(pairing.PairingError, match="starts on December 31, 9999: correct the cycle's dates first"):
        pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)


# --- Goals ------------------------------------------------------------------------------------


@pytest.fixture
def pair(cycle, member, seasoned_member):
    """An active pair that started 60 days ago."""
    return PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
    )


@pytest.mark.parametrize("target", ["1900-01-01", "9999-12-31"])
def test_a_goal_aimed_at_a_date_no_pair_can_have_is_refused_with_the_dates_it_may_have(
    client_for, pair, member, target
):
    response = client_for(member).post(
        reverse("pairs:goal-create", args=[pair.pk]),
        {"title": "Finish the grant", "status": "open", "target_on": target},
    )

    assert response.status_code == 200
    first, last = pair.goal_targets
    assert f"Choose a target date between {long(first)}, when the pair began, and {long(last)}" in page_text(response)
    assert not Goal.objects.exists()


def test_a_goal_may_aim_past_the_mentoring_year_and_the_date_picker_offers_the_days_allowed(client_for, pair, member):
    client = client_for(member)
    form = client.get(reverse("pairs:goal-create", args=[pair.pk])).text
    first, last = pair.goal_targets
    assert f'min="{first.isoformat()}"' in form and f'max="{last.isoformat()}"' in form

    target = pair.ends_on + dt.timedelta(days=100)
    client.post(
        reverse("pairs:goal-create", args=[pair.pk]),
        {"title": "Present at next year's conference", "status": "open", "target_on": target.isoformat()},
    )

    assert Goal.objects.get().target_on == target


def test_goal_save_refuses_a_target_in_year_9999_without_the_form(pair, member):
    goal = Goal(pair=pair, title="Someday", target_on=dt.date(9999, 12, 31))

    with pytest.raises(year.PairYearError, match="Choose a target date between"):
        year.goal_save(pair=pair, by=member, goal=goal)
    assert not Goal.objects.exists()


# --- Check-ins (item 3) --------------------------------------------------------------------------


def test_a_checkin_dated_before_the_pair_began_is_refused_and_first_contact_stays_to_do(client_for, pair, member):
    client = client_for(member)

    response = client.post(
        reverse("pairs:checkin-create", args=[pair.pk]), {"met_on": "2020-01-01", "mode": "phone", "minutes": "30"}
    )

    assert response.status_code == 200
    assert f"This pair began on {long(pair.began_on)}: a check-in cannot be dated before that." in response.text
    assert not CheckIn.objects.exists()
    page = client.get(pair.get_absolute_url()).text
    assert "Jan 1, 2020" not in page


def test_the_checkin_date_picker_offers_the_days_from_the_pairs_start_to_today(client_for, pair, member):
    page = client_for(member).get(pair.get_absolute_url()).text

    assert f'max="{TODAY.isoformat()}" min="{pair.began_on.isoformat()}"' in page
    assert f'value="{TODAY.isoformat()}"' in page  # today, filled in


def test_a_pair_made_in_the_summer_logs_its_first_contact_before_the_fall_conference(pair, member):
    """The pair began when it was made and introduced, before its official start date."""
    summer = TODAY - dt.timedelta(days=20)
    pair.starts_on, pair.created_at = TODAY + dt.timedelta(days=30), timezone.now() - dt.timedelta(days=25)
    pair.save()

    checkin, logged = year.checkin_log(
        pair=pair, by=member, met_on=summer, mode="phone", minutes=20, topics="", notes=""
    )

    assert logged and checkin.met_on == summer


def test_a_checkin_dated_after_the_pair_ended_is_refused_one_before_is_logged_late(pair, member):
    pair.status, pair.ended_at = PairStatus.ENDED, timezone.now() - dt.timedelta(days=10)
    pair.save()
    ended_on = TODAY - dt.timedelta(days=10)

    with pytest.raises(year.PairYearError, match=f"This pair ended on {long(ended_on)}"):
        year.checkin_log(
            pair=pair,
            by=member,
            met_on=ended_on + dt.timedelta(days=1),
            mode="phone",
            minutes=None,
            topics="",
            notes="",
        )
    _, logged = year.checkin_log(pair=pair, by=member, met_on=ended_on, mode="phone", minutes=None, topics="", notes="")

    assert logged and CheckIn.objects.get().met_on == ended_on
