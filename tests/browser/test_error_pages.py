"""The site's own error pages in Chromium (issue 15, item 14): a member saw a bare
"403 Forbidden", Django's debug 404 under `make run` and a plain "Not Found" with DEBUG off."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import EnrollmentFactory, PairFactory

pytestmark = pytest.mark.browser

SIZES = (({"width": 1280, "height": 900}, "1280"), ({"width": 390, "height": 844}, "390"))


def each_size(page: Page, shot, name: str, check) -> None:
    for size, width in SIZES:
        page.set_viewport_size(size)
        page.reload()
        check()
        shot(page, f"{name}-{width}")


def test_a_member_on_a_page_not_theirs_or_for_the_committee_sees_the_sites_pages(
    page: Page, site, shot, log_in, member, cycle, settings
):
    their_pair = PairFactory(cycle=cycle, mentee=EnrollmentFactory(cycle=cycle, status="paired"))
    log_in(page, member)

    page.goto(site(their_pair.get_absolute_url()))
    each_size(
        page,
        shot,
        "158-error-404",
        lambda: (
            expect(page.get_by_role("heading", name="Page not found")).to_be_visible(),
            expect(page.get_by_role("link", name="My pairs").last).to_be_visible(),
        ),
    )

    page.goto(site(reverse("members:cycle-list")))
    each_size(
        page,
        shot,
        "159-error-403",
        lambda: (
            expect(page.get_by_role("heading", name="This page is not for you")).to_be_visible(),
            expect(page.get_by_text("This page is for the Mentoring Committee.")).to_be_visible(),
        ),
    )

    settings.DEBUG = True  # as under `make run`
    page.set_viewport_size(SIZES[0][0])
    page.goto(site("/no-such-page/"))
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("Django tried these URL patterns")).to_have_count(0)


def test_a_server_error_and_an_unreadable_request_show_the_sites_pages(page: Page, site, shot, settings):
    settings.ROOT_URLCONF = "tests.urls_failing"

    page.goto(site("/test-broken/"))
    each_size(
        page,
        shot,
        "160-error-500",
        lambda: (
            expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible(),
            expect(page.get_by_role("link", name="Go to the home page")).to_be_visible(),
        ),
    )

    page.goto(site("/test-unreadable/"))
    each_size(
        page,
        shot,
        "161-error-400",
        lambda: (expect(page.get_by_role("heading", name="This request could not be read")).to_be_visible(),),
    )


def test_a_form_sent_after_its_cookie_is_gone_says_it_expired(page: Page, site, shot, log_in, member):
    log_in(page, member)
    page.goto(site(reverse("members:profile-edit")))
    page.context.clear_cookies(name="csrftoken")

    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="This form has expired")).to_be_visible()
    for size, width in SIZES:
        page.set_viewport_size(size)
        shot(page, f"162-error-csrf-{width}")
