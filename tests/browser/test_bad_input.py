"""Bad input as the committee and a member typed it in Chromium (issue 15, items 2, 3 and 4):
each gets a sentence saying what is accepted, and nothing is saved."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import MatchSettings
from members.models import Cycle, Role
from pairs.models import CheckIn, Goal
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def both_widths(page: Page, shot, name: str) -> None:
    for size, width in ((PHONE, "390"), (WIDE, "1280")):
        page.set_viewport_size(size)
        shot(page, f"{name}-{width}")


@pytest.fixture
def pair(committee):
    cycle = CycleFactory()
    return PairFactory(
        cycle=cycle,
        liaison=committee,
        mentor=EnrollmentFactory(cycle=cycle, role=Role.MENTOR, status="paired", member=UserFactory(seasoned=True)),
        mentee=EnrollmentFactory(
            cycle=cycle, status="paired", member=UserFactory(first_name="Mina", last_name="Member")
        ),
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )


def test_a_cycle_starting_in_year_9999_is_refused_with_the_dates_a_cycle_may_have(
    page: Page, site, shot, log_in, committee
):
    page.set_viewport_size(WIDE)
    log_in(page, committee)
    page.goto(site("/committee/cycles/new/"))
    page.get_by_label("Name").fill("2027–28")
    for label, day in (
        ("Opt-ins open", "2027-01-15"),
        ("Opt-ins close", "2027-07-15"),
        ("Matchmaking starts", "2027-06-01"),
        ("Matchmaking ends", "2027-08-31"),
        ("Program starts", "9999-12-31"),
    ):
        page.get_by_label(label).fill(day)
    page.get_by_role("button", name="Create cycle").click()

    expect(page.get_by_text("Choose a date between January 1, 2000 and")).to_be_visible()
    both_widths(page, shot, "174-cycle-form-year-9999")
    assert not Cycle.objects.filter(name="2027–28").exists()


def test_a_checkin_dated_before_the_pair_began_or_of_0_minutes_is_refused_in_words(
    page: Page, site, shot, log_in, pair
):
    log_in(page, pair.mentee.member)
    page.goto(site(f"/pairs/{pair.pk}/check-ins/new/"))
    page.get_by_label("Date").fill("2020-01-01")
    page.get_by_label("How you met").select_option(label="Phone")
    page.get_by_label("Length (minutes)").fill("0")
    page.get_by_role("button", name="Log check-in").click()

    began = pair.began_on
    expect(
        page.get_by_text(
            f"This pair began on {began:%B} {began.day}, {began.year}: a check-in cannot be dated before that."
        )
    ).to_be_visible()
    expect(page.get_by_text("A check-in lasts 1 to 600 minutes (10 hours)")).to_be_visible()
    expect(page.get_by_text("Constraint")).to_have_count(0)
    both_widths(page, shot, "175-checkin-form-refused")
    assert not CheckIn.objects.exists()
    page.goto(site(f"/pairs/{pair.pk}/"))
    expect(page.get_by_role("region", name="Timeline")).not_to_contain_text("Jan 1, 2020")


def test_a_goal_aimed_at_year_9999_is_refused_with_the_dates_it_may_have(page: Page, site, shot, log_in, pair):
    log_in(page, pair.mentee.member)
    page.goto(site(f"/pairs/{pair.pk}/goals/new/"))
    page.get_by_label("Title").fill("Finish the grant")
    page.get_by_label("Target date").fill("9999-12-31")
    page.get_by_role("button", name="Save goal").click()

    expect(page.get_by_text("Choose a target date between")).to_be_visible()
    both_widths(page, shot, "176-goal-form-year-9999")
    assert not Goal.objects.exists()


def test_all_weights_at_zero_are_refused_in_one_sentence(page: Page, site, shot, log_in, committee):
    cycle = CycleFactory()
    page.set_viewport_size(WIDE)
    log_in(page, committee)
    page.goto(site(f"/matching/{cycle.pk}/"))
    weights = page.get_by_role("region", name="How suggestions are scored")
    for field in weights.locator("input[type=number]").all():
        field.fill("0")
    weights.get_by_role("button", name="Save weights").click()

    alert = page.get_by_role("alert")
    expect(alert).to_have_text("The weights were not changed: At least one weight must be above zero.")
    shot(page, "177-weights-all-zero-1280")
    assert not MatchSettings.objects.exists()
