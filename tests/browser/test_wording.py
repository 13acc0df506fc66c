"""One wording across the site, as a member reads it in Chromium (issue 15, item 17): "Log in"
on the menu, the login page, its button and its message; allauth's pages in sentence case."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

SIZES = (({"width": 1280, "height": 900}, "1280"), ({"width": 390, "height": 844}, "390"))


def test_the_login_page_says_log_in_as_the_menu_does_in_sentence_case(page: Page, site, shot, member):
    for size, width in SIZES:
        page.set_viewport_size(size)
        page.goto(site("/accounts/login/"))
        main = page.get_by_role("main")
        expect(main.get_by_role("heading", name="Log in")).to_be_visible()
        expect(main.get_by_label("Remember me")).to_be_visible()
        expect(main.get_by_role("button", name="Log in")).to_be_visible()
        expect(page.get_by_text(re.compile("sign", re.I))).to_have_count(0)
        shot(page, f"163-login-{width}")

    page.set_viewport_size(SIZES[0][0])
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(f"You are logged in as {member.get_full_name()}.")


def test_the_password_pages_are_in_sentence_case(page: Page, site, shot, log_in, member):
    log_in(page, member)
    for path, heading in (
        ("/accounts/password/change/", "Change your password"),
        ("/accounts/email/", "Email addresses"),
    ):
        for size, width in SIZES:
            page.set_viewport_size(size)
            page.goto(site(path))
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            shot(page, f"164-{path.strip('/').replace('/', '-')}-{width}")
    expect(page.get_by_role("button", name="Send the verification again")).to_be_visible()


def test_a_roster_that_is_not_utf8_says_fix_the_file_not_fix_this_row(
    page: Page, site, shot, log_in, committee, tmp_path
):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("email,first_name,last_name\nzoe@example.org,Zoë,Zed\n".encode("latin-1"))
    log_in(page, committee)
    page.goto(site("/committee/import/"))
    page.get_by_label("Roster file (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Upload and preview").click()

    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Fix the file and upload it again.")
    expect(problems).not_to_contain_text("Fix this row")
    for size, width in SIZES:
        page.set_viewport_size(size)
        shot(page, f"178-import-whole-file-problem-{width}")


def test_a_goal_not_started_has_a_coloured_badge(page: Page, site, log_in, cycle, member, seasoned_member):
    from members.models import Role
    from pairs.models import Goal
    from tests.factories import EnrollmentFactory, PairFactory

    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=seasoned_member, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=member, status="paired"),
    )
    Goal.objects.create(pair=pair, title="Write the grant", created_by=member)
    log_in(page, member)
    page.goto(site(f"/pairs/{pair.pk}/"))

    badge = page.get_by_role("region", name="Goals").get_by_text("Not started")
    background = badge.evaluate("b => getComputedStyle(b).backgroundColor")
    assert background not in ("rgb(248, 249, 250)", "rgba(0, 0, 0, 0)"), background  # not Bootstrap's pale "light"
