"""In a real browser: the committee marks the orientation's attendance, a pair's
timeline shows it; a member finds their data, downloads it and deletes their account."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pairs.models import CheckIn
from tests.factories import CycleFactory
from tests.test_orientation import active_pair

pytestmark = pytest.mark.browser


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def make_pair(cycle, n: int):
    mentor, mentee = [(("Sam", "Senior"), ("Mina", "Member")), (("Rosa", "Reyes"), ("Theo", "Trainee"))][n]
    return active_pair(cycle, mentor, mentee)


def test_committee_marks_the_orientation_and_the_pair_sees_it_on_its_timeline(
    page: Page, site, shot, log_in, committee
):
    cycle = CycleFactory(starts_on=days(-2))
    done, absent = make_pair(cycle, 0), make_pair(cycle, 1)

    log_in(page, committee)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Orientation").click()
    expect(page.get_by_role("heading", name=f"Orientation · {cycle.name}")).to_be_visible()
    for person in ("Sam Senior", "Mina Member", "Rosa Reyes"):
        page.get_by_label(person).check()
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_role("alert")).to_contain_text("Attendance saved: 3 present.")
    absent_list = page.get_by_role("table", name="with someone not marked present")
    expect(absent_list).to_contain_text("Theo Trainee (mentee)")
    expect(absent_list).not_to_contain_text("Mina Member")
    shot(page, "90-orientation-marked")

    page.goto(site(f"/pairs/{done.pk}/"))
    expect(
        page.get_by_role("listitem").filter(has_text="Mentoring orientation at the ArLA fall conference")
    ).to_contain_text("Done")
    page.goto(site(f"/pairs/{absent.pk}/"))
    expect(
        page.get_by_role("listitem").filter(has_text="Mentoring orientation at the ArLA fall conference")
    ).to_contain_text("Overdue")
    shot(page, "91-pair-orientation-overdue")


def test_member_downloads_their_data_then_deletes_their_account(page: Page, site, shot, log_in, cycle):
    pair = make_pair(cycle, 0)
    mentee, mentor = pair.mentee.member, pair.mentor.member
    CheckIn.objects.create(pair=pair, logged_by=mentee, met_on=days(-1), mode="video", notes="Our first talk.")

    log_in(page, mentee)
    page.get_by_role("link", name="My membership").click()
    page.get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", name="My data", exact=True)).to_be_visible()
    shot(page, "92-my-data")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    data = json.loads(download.value.path().read_text())
    assert data["profile"]["email"] == mentee.email
    assert data["pairs"][0]["mentor"] == "Sam Senior"

    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", name="Delete my account?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sam Senior is told by email")
    shot(page, "93-account-delete-confirm")

    page.get_by_label("Type your password to confirm").fill("not-my-password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("main")).to_contain_text("That is not your password. Nothing was deleted.")
    shot(page, "94-account-delete-wrong-password")

    page.get_by_label("Type your password to confirm").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("Your account is deleted")
    expect(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Log in")).to_be_visible()
    shot(page, "95-account-deleted")

    mentee.refresh_from_db()
    assert not mentee.is_active and mentee.first_name == "Former member"
    assert mentor.is_active


def test_committee_marks_everyone_on_the_page_present_in_one_press(page: Page, site, shot, log_in, committee):
    """Issue 15, items 17 and 19: pale checkboxes, and no way to mark everyone present."""
    cycle = CycleFactory(starts_on=days(-1))
    make_pair(cycle, 0), make_pair(cycle, 1)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, committee)
    page.goto(site(f"/pairs/orientation/?cycle={cycle.pk}"))
    box = page.get_by_label("Theo Trainee")
    assert box.evaluate("b => getComputedStyle(b).borderTopColor") == "rgb(108, 117, 125)"  # not pale
    shot(page, "166-orientation-before-1280")

    page.get_by_role("button", name="Mark everyone on this page present").click()

    expect(page.get_by_role("alert")).to_contain_text("Everyone on the page is marked present: 4 members.")
    for person in ("Sam Senior", "Mina Member", "Rosa Reyes", "Theo Trainee"):
        expect(page.get_by_label(person)).to_be_checked()
    shot(page, "166-orientation-everyone-present-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "166-orientation-everyone-present-390")
