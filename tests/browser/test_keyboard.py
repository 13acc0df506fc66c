"""The pairing flow and the check-in form with the keyboard alone: Tab to move, type to
fill in, Enter to follow a link or press a button. Whatever has the focus shows it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from members.models import Role
from pairs.models import CheckIn, Pair
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

# Tabs it may take to reach the target from the top of the page (the menu comes first).
MAX_TABS = 60

FOCUS_RING = """el => {
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  return outline || s.boxShadow !== "none";
}"""


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until the target has the focus, then check it shows that it has."""
    expect(target).to_be_visible()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    expect(target).to_be_focused()
    assert target.evaluate(FOCUS_RING), f"no visible focus indicator on {target}"


def test_committee_pairs_a_mentee_from_the_suggestions_with_the_keyboard_alone(
    page: Page, site, shot, log_in, committee, eager_tasks
):
    cycle = CycleFactory()
    mina = EnrollmentFactory(
        cycle=cycle,
        member=UserFactory(first_name="Mina", last_name="Member", institution="Member Library"),
    )
    cora = EnrollmentFactory(
        cycle=cycle,
        role=Role.MENTOR,
        member=UserFactory(seasoned=True, first_name="Cora", last_name="Catalog", institution="Catalog Library"),
    )
    log_in(page, committee)
    page.goto(site(reverse("matching:suggestions", args=[cycle.pk, mina.pk])))
    expect(page.get_by_role("heading", name="Mina Member", level=1)).to_be_visible()

    tab_to(page, page.get_by_role("link", name=re.compile(r"^Pair with Cora Catalog")))
    shot(page, "96-keyboard-pair-link-focused")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Pair Mina Member with Cora Catalog?")).to_be_visible()

    tab_to(page, page.get_by_role("button", name="Confirm: pair them"))
    shot(page, "97-keyboard-confirm-focused")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "Paired Mina Member with Cora Catalog. Both introductions are sent."
    )
    assert Pair.objects.get().mentor == cora


def test_mentor_logs_a_check_in_with_the_keyboard_alone(page: Page, site, shot, log_in):
    pair = PairFactory()
    mentor = pair.mentor.member
    log_in(page, mentor)
    page.goto(site(reverse("pairs:pair-detail", args=[pair.pk])))
    form = page.get_by_role("region", name="Log a check-in")

    # The date is today already: Tab past it (and its month, day and year fields).
    tab_to(page, form.get_by_label("Date"))
    expect(form.get_by_label("Date")).to_have_value(timezone.localdate().isoformat())
    tab_to(page, form.get_by_label("How you met"))
    page.keyboard.type("Phone")  # typing picks the option in a closed select
    expect(form.get_by_label("How you met")).to_have_value(re.compile("phone"))
    page.keyboard.press("Tab")
    expect(form.get_by_label("Length (minutes)")).to_be_focused()
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Topics")).to_be_focused()
    page.keyboard.type("Conference plans")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Notes")).to_be_focused()
    page.keyboard.type("Picked the sessions to attend together.")

    tab_to(page, form.get_by_role("button", name="Log check-in"))
    shot(page, "98-keyboard-checkin-button-focused")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Check-in logged.")
    checkin = CheckIn.objects.get()
    assert (checkin.mode, checkin.minutes, checkin.topics) == ("phone", 30, "Conference plans")
    assert checkin.notes == "Picked the sessions to attend together."
    assert checkin.logged_by == mentor
