"""The join, renew, edit/withdraw and committee journeys in a real browser."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Enrollment, EnrollmentStatus, User
from members.program import preset_defaults
from tests.factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.browser

# The program's commitments before anyone changes the settings (the arla preset's).
COMMITMENTS = list(preset_defaults().commitments)


def long_date(day: dt.date) -> str:
    """A date as the templates print it ("F j, Y")."""
    return f"{day:%B} {day.day}, {day.year}"


def tick_commitments(page: Page) -> None:
    for label in COMMITMENTS:
        page.get_by_label(label).check()


def test_visitor_signs_up_opts_in_as_mentee_and_sees_the_opt_in_on_the_profile(
    page: Page, site, shot, eager_tasks, mailoutbox
):
    cycle = CycleFactory()

    page.goto(site("/"))
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Join", exact=True)).to_be_visible()
    shot(page, "01-home")

    nav.get_by_role("link", name="Join", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.get_by_label("Email").fill("nia.newcomer@example.org")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Password", exact=True).fill("a-long-and-unusual-passphrase")
    page.get_by_label("Password (again)").fill("a-long-and-unusual-passphrase")
    shot(page, "02-signup-filled")
    page.locator("main").get_by_role("button", name="Create my account").click()

    # Email verification is mandatory: the page says so and the mail has the link.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    shot(page, "03-verify-email-sent")
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto(site(urlsplit(link).path))
    expect(page.get_by_text("nia.newcomer@example.org").first).to_be_visible()
    shot(page, "04-confirm-email")
    page.locator("main").get_by_role("button", name="Confirm").click()

    # Confirming logs in and opens the membership form.
    expect(page).to_have_url(re.compile(r"/membership/join/$"))
    expect(page.get_by_role("heading", name="Membership form")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Nia")
    expect(page.get_by_label("Last name")).to_have_value("Newcomer")
    page.get_by_label("Institution").fill("Fayetteville Public Library")
    page.get_by_label("Library type").select_option(label="Public")
    page.get_by_label("Region").select_option(label="Northwest Arkansas")
    page.get_by_label("Membership category").select_option(label="Library staff / paraprofessional")
    page.get_by_label("Job title").fill("Circulation Clerk")
    page.get_by_role("checkbox", name="Circulation & access services").check()
    page.get_by_role("checkbox", name="Reference").check()
    page.get_by_label("Years of library experience").fill("2")
    page.get_by_label("I would like a mentor").check()
    page.get_by_label("What would you like to gain from having a mentor?").fill(
        "Find my way into librarianship and ArLA committees."
    )
    page.get_by_role("checkbox", name="Video call").check()
    page.get_by_role("checkbox", name="Email", exact=True).check()
    tick_commitments(page)
    shot(page, "05-membership-form-filled")
    page.locator("main").get_by_role("button", name="Join").click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        f"Welcome to the Arkansas Library Association! You are signed up as a mentee for the {cycle.name} cycle."
    )
    optin = page.locator("article").filter(has_text=f"Mentee · {cycle.name}")
    expect(optin).to_be_visible()
    expect(optin).to_contain_text("Waiting for a match")
    expect(optin).to_contain_text("Find my way into librarianship and ArLA committees.")
    shot(page, "06-profile-after-join")

    nia = User.objects.get(email="nia.newcomer@example.org")
    assert nia.member_since == timezone.localdate()
    assert Enrollment.objects.get(member=nia).status == EnrollmentStatus.WAITING


def test_member_renews_and_opts_in_as_mentor(page: Page, site, shot, log_in):
    cycle = CycleFactory()
    member = UserFactory(seasoned=True, first_name="Sam", last_name="Senior")
    before = member.expires_on
    after = before.replace(year=before.year + 1)

    log_in(page, member)
    page.goto(site("/me/"))
    expect(page.get_by_text(long_date(before))).to_be_visible()
    shot(page, "10-profile-before-renewal")

    page.get_by_role("link", name="Renew", exact=True).click()
    expect(page.get_by_role("heading", name="Renew my membership")).to_be_visible()
    page.get_by_label("I would like to be a mentor").check()
    page.get_by_label("What would you like to share with a mentee?").fill(
        "Share what fifteen years of cataloging taught me."
    )
    page.get_by_label("How many mentees can you take?").select_option("2")
    page.get_by_role("checkbox", name="In person").check()
    tick_commitments(page)
    shot(page, "11-renewal-form-filled")
    page.locator("main").get_by_role("button", name="Renew").click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        f"Your membership is renewed. You are signed up as a mentor for the {cycle.name} cycle."
    )
    optin = page.locator("article").filter(has_text=f"Mentor · {cycle.name}")
    expect(optin).to_contain_text("up to 2 mentees")
    expect(optin).to_contain_text("Waiting for a match")
    term = page.get_by_role("region", name="Membership")
    expect(term).to_contain_text(long_date(after))
    expect(term).not_to_contain_text(long_date(before))
    shot(page, "12-profile-after-renewal")


def test_renewal_offers_only_what_the_member_can_do_and_a_refusal_says_the_renewal_was_not_applied(
    page: Page, site, shot, log_in
):
    """Issue 15, item 12: "I would like a mentor" offered to someone already opted in, "be a
    mentor" to someone not eligible, and a refusal that did not say the renewal was not applied."""
    cycle = CycleFactory()
    member = UserFactory(first_name="Mina", last_name="Member")  # library staff, 3 years: may not mentor
    EnrollmentFactory(member=member, cycle=cycle, role="mentee")
    before = member.expires_on

    log_in(page, member)
    page.goto(site("/membership/renew/"))
    expect(page.get_by_role("heading", name="Renew my membership")).to_be_visible()
    expect(page.get_by_label("I would like a mentor")).to_have_count(0)
    expect(page.get_by_label("I would like to be a mentor")).to_have_count(0)
    offered = page.get_by_role("list", name="Not offered to you")
    expect(offered).to_contain_text(f"You are signed up as a mentee for the {cycle.name} cycle already")
    expect(offered).to_contain_text(f"Mentors in the {cycle.name} cycle have at least 5 years of library experience")
    shot(page, "185-renewal-offers-what-you-can-do")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "185-renewal-offers-what-you-can-do-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # A mentor who lowers their experience below the cycle's threshold while ticking "be a mentor".
    sam = UserFactory(seasoned=True, first_name="Sam", last_name="Senior")
    page.context.clear_cookies()
    log_in(page, sam)
    page.goto(site("/membership/renew/"))
    page.get_by_label("Years of library experience").fill("3")
    page.get_by_label("I would like to be a mentor").check()
    page.get_by_label("What would you like to share with a mentee?").fill("Cataloging.")
    page.get_by_role("checkbox", name="In person").check()
    tick_commitments(page)
    page.locator("main").get_by_role("button", name="Renew").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved, so your membership is not renewed yet: Mentors in the")
    shot(page, "186-renewal-refused-says-not-renewed")
    member.refresh_from_db()
    assert member.expires_on == before


def test_member_edits_and_withdraws_an_opt_in(page: Page, site, shot, log_in):
    cycle = CycleFactory()
    member = UserFactory(first_name="Mina", last_name="Member")
    EnrollmentFactory(member=member, cycle=cycle)

    log_in(page, member)
    page.goto(site("/me/"))
    optin = page.locator("article").filter(has_text=f"Mentee · {cycle.name}")
    optin.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit my opt-in")).to_be_visible()
    page.get_by_label("Goals").fill("Learn to run a summer reading program.")
    page.locator("main").get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Your opt-in is updated.")
    expect(optin).to_contain_text("Learn to run a summer reading program.")

    optin.get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", name="Withdraw my opt-in?")).to_be_visible()
    shot(page, "20-withdraw-confirmation")
    page.locator("main").get_by_role("button", name="Withdraw").click()

    expect(page.get_by_role("alert")).to_contain_text(f"You have withdrawn as a mentee from the {cycle.name} cycle.")
    expect(optin).to_contain_text("Withdrawn")
    expect(optin.get_by_role("link", name="Edit")).to_have_count(0)
    shot(page, "21-profile-after-withdrawal")


def test_committee_sees_opt_ins(page: Page, site, shot, log_in, committee):
    cycle = CycleFactory()
    EnrollmentFactory(member=UserFactory(first_name="Mina", last_name="Member"), cycle=cycle)
    EnrollmentFactory(member=UserFactory(first_name="Stan", last_name="Stranger"), cycle=cycle)

    log_in(page, committee)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Opt-ins").click()
    expect(page.get_by_role("heading", name=f"Opt-ins · {cycle.name}")).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)

    # Factory emails are memberN@example.org, so search a last name that is no email.
    page.get_by_label("Search").fill("Stranger")
    page.locator("main").get_by_role("button", name="Filter").click()

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Stan Stranger")
    expect(rows.first).to_contain_text("Mentee")
    shot(page, "30-committee-opt-ins")
