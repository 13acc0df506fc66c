"""Yearly reconfirmation: at renewal, last year's mentor is asked "are you still in?",
with last year's answers filled in."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Enrollment

from .factories import CycleFactory, EnrollmentFactory
from .test_membership import COMMITMENTS

pytestmark = pytest.mark.django_db

LAST_YEARS_GOALS = "Share what fifteen years of cataloging taught me."
LAST_YEARS_TOPICS = "RDA, authority control, leading a small team"


def earlier_cycle(name: str, years_ago: int):
    """A closed cycle that started `years_ago` years before today."""
    start = timezone.localdate() - dt.timedelta(days=365 * years_ago)
    return CycleFactory(
        name=name,
        is_open=False,
        optin_opens=start - dt.timedelta(days=150),
        optin_closes=start - dt.timedelta(days=90),
        matchmaking_starts=start - dt.timedelta(days=80),
        matchmaking_ends=start - dt.timedelta(days=20),
        starts_on=start,
    )


@pytest.fixture
def open_cycle(db):
    return CycleFactory(name="2026–27")


@pytest.fixture
def last_year(db):
    return earlier_cycle("2025–26", years_ago=1)


@pytest.fixture
def past_mentor(seasoned_member, last_year):
    """Mentored two mentees in 2025–26 and has not opted in for 2026–27 yet."""
    EnrollmentFactory(
        member=seasoned_member,
        cycle=last_year,
        role="mentor",
        status="completed",
        goals=LAST_YEARS_GOALS,
        interests=LAST_YEARS_TOPICS,
        capacity=2,
        meeting_modes=["in_person", "video"],
    )
    return seasoned_member


def as_posted(*forms) -> dict:
    """What the browser sends back for these forms when the member changes nothing."""
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False or value == "":
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def renewal_page(client):
    response = client.get(reverse("members:membership-renew"))
    assert response.status_code == 200
    return response


def test_past_mentor_is_asked_to_stay_in_with_last_years_answers_filled_in(client_for, past_mentor, open_cycle):
    response = renewal_page(client_for(past_mentor))
    page = response.text

    assert "You mentored in 2025–26. Are you still in for 2026–27?" in page
    assert (
        "Your answers from last year are filled in: change anything, tick “I would like to be a mentor”, and renew."
        in (page)
    )
    assert f">\n{LAST_YEARS_GOALS}</textarea>" in page
    assert f">\n{LAST_YEARS_TOPICS}</textarea>" in page
    assert '<option value="2" selected>2</option>' in page
    assert 'value="in_person"' in page and 'value="video"' in page
    assert response.context["optin_form"]["meeting_modes"].value() == ["in_person", "video"]
    # Staying in is the member's decision: the tickbox is left for them.
    tickbox = re.search(r'<input[^>]*id="id_wants_to_mentor"[^>]*>', page).group(0)
    assert "checked" not in tickbox


def test_past_mentor_ticks_renews_and_mentors_again_with_last_years_answers(client_for, past_mentor, open_cycle):
    client = client_for(past_mentor)
    page = renewal_page(client)
    data = as_posted(page.context["profile_form"], page.context["optin_form"])
    data.update({"wants_to_mentor": "on", **COMMITMENTS})

    response = client.post(reverse("members:membership-renew"), data, follow=True)

    assert "Your membership is renewed. You are signed up as a mentor for the 2026–27 cycle." in response.text
    again = Enrollment.objects.get(member=past_mentor, cycle=open_cycle)
    assert (again.role, again.status, again.capacity) == ("mentor", "waiting", 2)
    assert (again.goals, again.interests, again.meeting_modes) == (
        LAST_YEARS_GOALS,
        LAST_YEARS_TOPICS,
        ["in_person", "video"],
    )
    assert Enrollment.objects.filter(member=past_mentor).count() == 2  # last year's stays as it was


def test_past_mentor_may_change_last_years_answers_before_renewing(client_for, past_mentor, open_cycle):
    client = client_for(past_mentor)
    page = renewal_page(client)
    data = as_posted(page.context["profile_form"], page.context["optin_form"])
    data.update({"wants_to_mentor": "on", "capacity": "1", "meeting_modes": ["phone"], **COMMITMENTS})

    client.post(reverse("members:membership-renew"), data)

    again = Enrollment.objects.get(member=past_mentor, cycle=open_cycle)
    assert (again.capacity, again.meeting_modes, again.goals) == (1, ["phone"], LAST_YEARS_GOALS)


def test_past_mentor_who_does_not_tick_renews_without_mentoring(client_for, past_mentor, open_cycle):
    client = client_for(past_mentor)
    page = renewal_page(client)
    data = as_posted(page.context["profile_form"], page.context["optin_form"])

    response = client.post(reverse("members:membership-renew"), data, follow=True)

    assert "Your membership is renewed." in response.text
    assert not Enrollment.objects.filter(cycle=open_cycle).exists()


def test_the_most_recent_earlier_cycle_is_the_one_filled_in(client_for, past_mentor, open_cycle):
    EnrollmentFactory(
        member=past_mentor,
        cycle=earlier_cycle("2024–25", years_ago=2),
        role="mentor",
        status="completed",
        goals="Two years ago's goals.",
    )

    page = renewal_page(client_for(past_mentor)).text

    assert "You mentored in 2025–26." in page
    assert LAST_YEARS_GOALS in page and "Two years ago's goals." not in page


def test_a_mentor_whose_pair_still_runs_is_not_asked_if_they_are_still_in(
    client_for, seasoned_member, last_year, open_cycle
):
    """Issue 15, item 12: "You mentored in 2026–27. Are you still in…" to a mentor still mentoring."""
    EnrollmentFactory(member=seasoned_member, cycle=last_year, role="mentor", status="paired", goals=LAST_YEARS_GOALS)

    page = renewal_page(client_for(seasoned_member)).text

    assert "You mentored in" not in page and "Are you still in" not in page
    assert f"You are mentoring in {last_year.name}, and your pair is still running. Would you mentor in " in page
    assert LAST_YEARS_GOALS in page


def test_mentor_who_was_never_paired_is_told_they_offered_to_mentor(client_for, seasoned_member, last_year, open_cycle):
    EnrollmentFactory(member=seasoned_member, cycle=last_year, role="mentor", status="waiting", goals=LAST_YEARS_GOALS)

    page = renewal_page(client_for(seasoned_member)).text

    assert "You offered to mentor in 2025–26. Are you still in for 2026–27?" in page
    assert LAST_YEARS_GOALS in page


def test_mentor_who_opted_in_for_the_open_cycle_already_is_not_asked_again(client_for, past_mentor, open_cycle):
    EnrollmentFactory(member=past_mentor, cycle=open_cycle, role="mentor", goals="This year's goals.")

    page = renewal_page(client_for(past_mentor)).text

    assert "Are you still in" not in page
    assert LAST_YEARS_GOALS not in page


@pytest.mark.parametrize(("role", "status"), [("mentee", "completed"), ("mentor", "withdrawn")])
def test_member_who_did_not_mentor_last_year_is_not_asked(
    client_for, seasoned_member, last_year, open_cycle, role, status
):
    EnrollmentFactory(member=seasoned_member, cycle=last_year, role=role, status=status, goals=LAST_YEARS_GOALS)

    page = renewal_page(client_for(seasoned_member)).text

    assert "Are you still in" not in page
    assert LAST_YEARS_GOALS not in page


def test_past_mentor_is_not_asked_while_opt_ins_are_closed(client_for, past_mentor):
    page = renewal_page(client_for(past_mentor)).text

    assert "No program cycle is open for opt-ins right now." in page
    assert "Are you still in" not in page
