"""Issue 10, item 2, in Chromium: the crafted link to the pairing page that ended a pair
with one click anywhere (an invisible page-wide button aimed at "end this pair" inside
the form carrying the CSRF token) and left the page by itself (a meta refresh)."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from pairs.models import Pair
from tests.factories import CycleFactory, PairFactory

pytestmark = pytest.mark.browser


def test_the_crafted_pairing_link_puts_nothing_in_the_page_and_a_click_ends_no_pair(
    page: Page, site, shot, log_in, committee
):
    cycle = CycleFactory()
    pair = PairFactory(cycle=cycle, liaison=committee)
    button = (
        f'<button formaction="{reverse("pairs:pair-end", args=[pair.pk])}" '
        'style="position:fixed;inset:0;width:100vw;height:100vh;opacity:0;z-index:9999">x</button>'
    )
    refresh = '<meta http-equiv="refresh" content="1;url=/accounts/logout/">'
    crafted = (
        f"{reverse('matching:pair-create')}?{urlencode({'cycle': cycle.pk, 'mentee_q': button, 'mentor_q': refresh})}"
    )

    log_in(page, committee)
    page.goto(site(crafted))

    expect(page.get_by_role("heading", name="Pair a mentee with a mentor")).to_be_visible()
    # Counted at once, not awaited: the refresh would have left the page within a second.
    assert page.locator("button[formaction]").count() == 0
    assert page.locator('meta[http-equiv="refresh" i]').count() == 0
    # The committee reads what the link searched for, as words.
    expect(page.get_by_text(f"No mentee matches “{button}”.")).to_be_visible()
    shot(page, "110-crafted-pairing-link")

    # A click on the heading: the invisible button would have covered it, as the whole page.
    box = page.get_by_role("heading", name="Pair a mentee with a mentor").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(1500)  # longer than the refresh would have waited

    assert page.url == site(crafted)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert Pair.objects.get(pk=pair.pk).is_active
