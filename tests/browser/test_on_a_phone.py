"""Every page a member uses, on a phone 390 px wide (issue 15, item 15): nothing important
off to the right of the screen, no page wider than the screen. The check-ins table hid
"Topics and notes" off to the right, with tall empty rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Resource, Role
from pairs.models import CheckIn, Goal
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LINK = "https://www.arlib.org/mentoring/resources/2027/summer-reading-program-planning-checklist-for-small-libraries"
NOTES = f"We went through the summer reading checklist ({LINK}) line by line and agreed on the first three steps."

# Every element of the page's main content whose box reaches beyond the screen's edges
# (visually hidden text, one pixel wide, is not read on screen and left out).
OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("main *")) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || getComputedStyle(el).visibility === "hidden") continue;
    if (box.right > width + 1 || box.left < -1) {
      out.push(`${el.tagName.toLowerCase()}.${el.className}: ${(el.innerText || el.value || "").trim().slice(0, 50)}`);
    }
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, out: out.slice(0, 10)};
}"""


def assert_nothing_off_screen(page: Page) -> None:
    found = page.evaluate(OFF_SCREEN)
    assert found["scrollWidth"] <= found["width"], f"{page.url} is wider than the phone: {found}"
    assert not found["out"], f"{page.url} has content off screen: {found['out']}"


@pytest.fixture
def pair(committee):
    today = timezone.localdate()
    cycle = CycleFactory()
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(
            cycle=cycle,
            role=Role.MENTOR,
            status="paired",
            member=UserFactory(seasoned=True, first_name="Samantha-Josephine", last_name="Featherstonehaugh"),
        ),
        mentee=EnrollmentFactory(
            cycle=cycle,
            status="paired",
            goals=f"Plan a summer reading program; I keep my notes at {LINK}",
            member=UserFactory(first_name="Mina", last_name="Member", email="mina.member.long.address@library.example"),
        ),
        liaison=committee,
        starts_on=today - dt.timedelta(days=60),
    )
    for n in range(3):
        CheckIn.objects.create(
            pair=pair,
            logged_by=pair.mentee.member,
            met_on=today - dt.timedelta(days=3 + n),
            mode="video",
            minutes=45,
            topics="Summer reading, budgets and the board's questions",
            notes=NOTES,
        )
    Goal.objects.create(
        pair=pair, title="Plan the summer reading program", description=NOTES, created_by=pair.mentee.member
    )
    Resource.objects.create(
        title="Summer reading checklist", description=NOTES, url=LINK, status="approved", suggested_by=committee
    )
    return pair


def test_the_pair_page_shows_the_checkins_topics_and_notes_on_a_phone(page: Page, site, shot, log_in, pair):
    page.set_viewport_size(PHONE)
    log_in_on_a_phone(page, site, pair.mentor.member)
    page.goto(site(pair.get_absolute_url()))

    checkins = page.get_by_role("region", name="Check-ins")
    note = checkins.get_by_text("line by line").first
    note.scroll_into_view_if_needed()
    expect(note).to_be_in_viewport(ratio=1)  # the whole note, none of it off to the right
    box = note.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert_nothing_off_screen(page)
    shot(page, "152-pair-page-390")


@pytest.mark.parametrize(
    ("name", "who", "path"),
    [
        ("profile", "mentee", lambda p: reverse("members:profile")),
        ("my-pairs", "mentee", lambda p: reverse("pairs:pair-mine")),
        ("pair-page-mentee", "mentee", lambda p: p.get_absolute_url()),
        ("checkin-form", "mentee", lambda p: reverse("pairs:checkin-create", args=[p.pk])),
        ("goal-form", "mentee", lambda p: reverse("pairs:goal-edit", args=[p.pk, p.goals.get().pk])),
        ("report-form", "mentee", lambda p: reverse("pairs:pair-report", args=[p.pk])),
        ("resources", "mentee", lambda p: reverse("members:resource-list")),
        ("my-data", "mentee", lambda p: reverse("pairs:my-data")),
        ("pair-page-liaison", "liaison", lambda p: p.get_absolute_url()),
    ],
)
def test_a_members_page_has_nothing_off_screen_on_a_phone(page: Page, site, shot, pair, name, who, path):
    user = pair.liaison if who == "liaison" else pair.mentee.member
    page.set_viewport_size(PHONE)
    log_in_on_a_phone(page, site, user)

    page.goto(site(path(pair)))

    assert_nothing_off_screen(page)
    shot(page, f"153-phone-{name}-390")


def log_in_on_a_phone(page: Page, site, user) -> None:
    from tests.factories import TEST_PASSWORD

    page.goto(site("/accounts/login/"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.locator("main").get_by_role("button").last.click()
    expect(page.get_by_role("button", name="Toggle navigation")).to_be_visible()
    page.wait_for_load_state()
