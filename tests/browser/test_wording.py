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
