"""The committee's bulk actions in Chromium (issue 15, item 19): another liaison for many pairs
from the pair list, and several suggested resources approved in one step."""

import re

import pytest
from playwright.sync_api import Page, expect

from members.models import Resource, committee_group
from pairs.models import Pair
from tests.browser.test_accessibility import AXE_SCRIPT, assert_accessible
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def test_committee_gives_the_pairs_of_a_page_another_liaison_after_confirming(
    page: Page, site, shot, log_in, committee
):
    cycle = CycleFactory()
    cleo = UserFactory(seasoned=True, first_name="Cleo", last_name="Colleague", is_staff=True)
    cleo.groups.add(committee_group())
    for first, last in (("Ann", "Able"), ("Bo", "Baker"), ("Cy", "Cole")):
        PairFactory(
            cycle=cycle,
            liaison=committee,
            mentee=EnrollmentFactory(
                cycle=cycle, status="paired", member=UserFactory(first_name=first, last_name=last)
            ),
        )

    page.set_viewport_size(WIDE)
    log_in(page, committee)
    page.goto(site(f"/pairs/?cycle={cycle.pk}"))
    page.get_by_label("Choose every pair on this page").check()  # the header's box ticks them all
    page.get_by_label(re.compile(r"Choose .* & Cy Cole")).uncheck()
    page.get_by_label("New liaison").select_option(label="Cleo Colleague")
    shot(page, "167-pair-list-liaison-1280")
    page.set_viewport_size(PHONE)
    shot(page, "167-pair-list-liaison-390")
    page.set_viewport_size(WIDE)
    page.get_by_role("button", name="Change the liaison…").click()

    expect(page.get_by_role("heading", name="Make Cleo Colleague the liaison of 2 pairs?")).to_be_visible()
    page.evaluate(AXE_SCRIPT)  # the confirmation is the answer to a POST: checked here, not in test_accessibility
    assert_accessible(page)
    shot(page, "168-liaison-confirm-1280")
    page.set_viewport_size(PHONE)
    shot(page, "168-liaison-confirm-390")
    page.set_viewport_size(WIDE)
    page.get_by_role("button", name="Make Cleo Colleague their liaison").click()

    expect(page).to_have_url(re.compile(rf"/pairs/\?cycle={cycle.pk}$"))
    expect(page.get_by_role("alert")).to_contain_text("Cleo Colleague is now the liaison of 2 pairs.")
    assert sorted(Pair.objects.filter(liaison=cleo).values_list("mentee__member__last_name", flat=True)) == [
        "Able",
        "Baker",
    ]


def test_committee_approves_two_suggestions_in_one_step(page: Page, site, shot, log_in, committee, member):
    for title in ("Mentoring handbook", "Cataloging webinar", "A podcast"):
        Resource.objects.create(
            title=title, description="Worth a look.", url="https://example.org/x", suggested_by=member
        )

    page.set_viewport_size(WIDE)
    log_in(page, committee)
    page.goto(site("/committee/resources/"))
    page.get_by_label("Choose Mentoring handbook").check()
    page.get_by_label("Choose Cataloging webinar").check()
    shot(page, "169-resources-review-bulk-1280")
    page.set_viewport_size(PHONE)
    shot(page, "169-resources-review-bulk-390")
    page.set_viewport_size(WIDE)
    page.get_by_role("button", name="Approve the ticked").click()

    expect(page.get_by_role("alert")).to_contain_text("2 suggestions approved: every member sees them now.")
    assert set(Resource.objects.approved().values_list("title", flat=True)) == {
        "Mentoring handbook",
        "Cataloging webinar",
    }
