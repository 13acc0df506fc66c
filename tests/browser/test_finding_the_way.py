"""Where people land and how they find their way, in Chromium (issue 15, item 13): a committee
member logs in and starts on the committee's work; a paired member goes from My membership
to the pair; "Pair a mentee" offers only mentors with a place left."""

import re

import pytest
from playwright.sync_api import Page, expect

from members.models import Role
from tests.factories import EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def test_a_committee_member_logs_in_and_lands_on_the_matching_dashboard(
    page: Page, site, shot, log_in, committee, cycle
):
    page.set_viewport_size(WIDE)
    log_in(page, committee)

    expect(page).to_have_url(re.compile(rf"/matching/{cycle.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matching")
    shot(page, "155-committee-lands-on-matching-1280")


def test_a_paired_member_goes_from_my_membership_to_the_pair(page: Page, site, shot, log_in, cycle, member):
    pair = PairFactory(
        cycle=cycle,
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
        mentor=EnrollmentFactory(
            cycle=cycle,
            role=Role.MENTOR,
            status="paired",
            member=UserFactory(seasoned=True, first_name="Sam", last_name="Senior"),
        ),
    )
    for size, name in ((WIDE, "1280"), (PHONE, "390")):
        page.context.clear_cookies()
        page.set_viewport_size(WIDE)
        log_in(page, member)
        page.set_viewport_size(size)
        expect(page).to_have_url(re.compile(r"/me/$"))
        shot(page, f"156-profile-paired-link-{name}")
    page.get_by_role("link", name="Your pair: the timeline, goals and check-ins").click()
    page.get_by_role("link", name="Sam Senior & Mina Member").click()
    expect(page).to_have_url(re.compile(rf"/pairs/{pair.pk}/$"))


def test_pair_a_mentee_offers_no_mentor_without_a_place_left(page: Page, site, shot, log_in, committee, cycle):
    EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Wes", last_name="Waiting"))
    full = EnrollmentFactory(
        cycle=cycle, role=Role.MENTOR, member=UserFactory(seasoned=True, first_name="Fay", last_name="Full")
    )
    PairFactory(cycle=cycle, mentor=full)
    EnrollmentFactory(
        cycle=cycle, role=Role.MENTOR, capacity=2, member=UserFactory(seasoned=True, first_name="Hal", last_name="Half")
    )

    page.set_viewport_size(WIDE)
    log_in(page, committee)
    for size, name in ((WIDE, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.goto(site(f"/matching/pair/?cycle={cycle.pk}"))
        mentors = page.locator("#id_mentor")
        expect(mentors).to_contain_text("Hal Half")
        expect(mentors).to_contain_text("2 of 2 places left")
        expect(mentors).not_to_contain_text("Fay Full")
        shot(page, f"157-pair-a-mentee-{name}")
