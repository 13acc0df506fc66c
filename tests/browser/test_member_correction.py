"""Issue 15, item 20 in Chromium: the committee corrects a member's bounced address from the
opt-ins list; the admin asks before pairing two people again."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import Page, expect

from pairs.services import pairing
from tests.factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.browser


def test_committee_corrects_a_bounced_address_from_the_opt_ins_list(page: Page, site, shot, log_in, committee):
    cycle = CycleFactory()
    meg = UserFactory(first_name="Meg", last_name="Mentee", email="meg@exmaple.org")
    EnrollmentFactory(member=meg, cycle=cycle)

    log_in(page, committee)
    page.goto(site(reverse("members:enrollment-list")))
    page.get_by_role("link", name="Correct Meg Mentee's address or profile").click()
    expect(page.get_by_role("heading", name="Correct Meg Mentee's account")).to_be_visible()
    page.get_by_label("Email address").fill("meg@example.org")
    shot(page, "187-member-correct")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "187-member-correct-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Save the correction").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Meg Mentee's address is now meg@example.org (it was meg@exmaple.org): they confirm it"
    )
    shot(page, "188-member-corrected")
    assert EmailAddress.objects.get(user=meg, primary=True).email == "meg@example.org"


def test_the_admin_asks_before_pairing_two_people_again(page: Page, site, shot, log_in, committee):
    cycle = CycleFactory()
    mentee = EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Mina", last_name="Member"))
    mentor = EnrollmentFactory(
        cycle=cycle, role="mentor", member=UserFactory(seasoned=True, first_name="Sam", last_name="Senior")
    )
    first = pairing.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=committee)
    pairing.pair_end(pair=first, by=committee, category="not_a_match", back_to_pool=True)

    log_in(page, committee)
    page.goto(site(reverse("admin:pairs_pair_add")))
    page.locator("#id_mentee").fill(str(mentee.pk))
    page.locator("#id_mentor").fill(str(mentor.pk))
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.get_by_text("Mina Member and Sam Senior were paired before")).to_be_visible()
    shot(page, "189-admin-pair-again")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "189-admin-pair-again-390")
