"""The committee's long lists in the browser, past their first page: the orientation
sheet and its absent pairs, the proposal draft and its unmatched mentees, a liaison's
pairs, and the health page's quietest pairs. Each is followed from page one to what
comes next, with a screenshot of both."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import CycleFactory, PairFactory
from tests.test_matching import big_draft
from tests.test_orientation import active_pair

pytestmark = pytest.mark.browser


def test_the_orientation_sheet_and_its_absent_pairs_a_page_at_a_time(page: Page, site, shot, log_in, committee):
    held = CycleFactory(starts_on=timezone.localdate() - dt.timedelta(days=3))
    for n in range(26):  # 52 members: two pages of the sheet; nobody marked, so 26 pairs absent
        active_pair(held, (f"Mentor{n:02d}", f"Crowd{n:02d}"), (f"Mentee{n:02d}", f"Crowd{n:02d}"))
    log_in(page, committee)

    page.goto(site(f"/pairs/orientation/?cycle={held.pk}"))
    expect(page.get_by_text("Page 1 of 2", exact=True)).to_be_visible()
    expect(page.get_by_text("The first 10:")).to_be_visible()
    shot(page, "100-orientation-page-1")
    page.get_by_role("link", name="Next").first.click()
    expect(page.get_by_text("Page 2 of 2", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Mentor25 Crowd25", exact=True).first).to_be_visible()

    page.get_by_role("link", name="See all 26 pairs with someone absent").click()
    expect(page.get_by_text("Page 1 of 1", exact=True)).to_have_count(0)  # 26 fit on one page of 50
    expect(page.locator("#absent-heading ~ div table tbody tr")).to_have_count(26)
    shot(page, "101-orientation-all-absent")


def test_the_proposal_draft_and_its_unmatched_mentees_a_page_at_a_time(
    page: Page, site, shot, log_in, committee, cycle
):
    big_draft(cycle, committee, pairs=60, unmatched=55)
    log_in(page, committee)

    page.goto(site(f"/matching/{cycle.pk}/proposal/"))
    expect(page.get_by_role("link", name="Confirm all 60 pairs…")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Pages", exact=True).get_by_text("Page 1 of 2", exact=True)
    ).to_be_visible()
    unmatched = page.get_by_role("navigation", name="Pages of the unmatched mentees")
    expect(unmatched.get_by_text("Page 1 of 2", exact=True)).to_be_visible()
    shot(page, "102-proposal-page-1")

    unmatched.get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{site(f'/matching/{cycle.pk}/proposal/')}?left=2#unmatched")
    expect(
        page.get_by_role("navigation", name="Pages of the unmatched mentees").get_by_text("Page 2 of 2", exact=True)
    ).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Pages", exact=True).get_by_text("Page 1 of 2", exact=True)
    ).to_be_visible()
    shot(page, "103-proposal-unmatched-page-2")


def test_a_liaisons_pairs_and_the_quietest_pairs_on_the_health_page(page: Page, site, shot, log_in, committee, cycle):
    today = timezone.localdate()
    for n in range(30):  # all liaised by the committee member, none ever checked in
        PairFactory(cycle=cycle, liaison=committee, starts_on=today - dt.timedelta(days=60 + n))
    log_in(page, committee)

    page.goto(site("/pairs/mine/"))
    expect(page.get_by_text("Page 1 of 2", exact=True)).to_be_visible()
    shot(page, "104-liaison-pairs-page-1")
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2", exact=True)).to_be_visible()

    page.goto(site(f"/matching/{cycle.pk}/health/"))
    link = page.get_by_role("link", name="See all 30 pairs needing attention")
    expect(link).to_be_visible()
    shot(page, "105-health-quietest-pairs")
    link.click()
    expect(page.get_by_text("30 pairs · 30 needing attention")).to_be_visible()
    expect(page.get_by_text("Needs attention", exact=True)).to_have_count(25)  # each row of the page flagged
    shot(page, "106-pairs-needing-attention")


def test_the_site_admin_finds_this_weeks_opt_ins_and_deletes_one_from_the_admins_list(
    page: Page, site, shot, log_in, site_admin, cycle
):
    """The admin's list of opt-ins (written by the lean row writer): "Past 7 days" under when
    opted in, then a row ticked and deleted after the admin's confirmation."""
    from django.urls import reverse

    from members.models import Enrollment
    from tests.factories import EnrollmentFactory

    EnrollmentFactory(cycle=cycle, member__first_name="Nora", member__last_name="Newcomb")
    gone = EnrollmentFactory(cycle=cycle, member__first_name="Gus", member__last_name="Goodbye")
    old = EnrollmentFactory(cycle=cycle, member__first_name="Otto", member__last_name="Oldfield")
    Enrollment.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    log_in(page, site_admin)

    page.goto(site(reverse("admin:members_enrollment_changelist")))
    expect(page.get_by_role("link", name="Otto Oldfield")).to_be_visible()
    expect(page.get_by_text("By opt-in date")).to_be_visible()
    page.get_by_role("link", name="Past 7 days").click()
    expect(page.get_by_role("link", name="Nora Newcomb")).to_be_visible()
    expect(page.get_by_role("link", name="Otto Oldfield")).to_have_count(0)
    shot(page, "190-admin-opt-ins-past-week")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "190-admin-opt-ins-past-week-390")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("checkbox", name=f"Select this object for an action - {gone}").check()
    page.locator("select[name=action]").select_option("delete_selected")
    page.get_by_role("button", name="Run").click()
    page.get_by_role("button", name="Yes, I’m sure").click()
    expect(page.locator(".messagelist")).to_contain_text("Successfully deleted 1")
    expect(page.get_by_role("link", name="Gus Goodbye")).to_have_count(0)
    expect(page.get_by_role("link", name="Nora Newcomb")).to_be_visible()  # the list, still this week's
    assert not Enrollment.objects.filter(pk=gone.pk).exists()
