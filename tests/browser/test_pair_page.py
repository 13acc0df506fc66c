"""The pair page as its members and the committee read it in Chromium (issue 15): a pair
whose other side deleted their account reads as ended (item 5); the timeline reads in date
order and shows the members no red they cannot act on (item 6)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Role
from outbox.models import Email, EmailKind, EmailState
from pairs.models import CheckIn, Goal, Pair
from pairs.services import privacy
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


@pytest.fixture
def pair(committee):
    """Made 100 days ago (introductions sent that day), its orientation 70 days ago with nobody
    marked present, first contact 60 days ago (late), its first goal set 10 days ago (late)."""
    cycle = CycleFactory(
        is_open=False,
        starts_on=days(-70),
        optin_opens=days(-200),
        optin_closes=days(-110),
        matchmaking_starts=days(-150),
        matchmaking_ends=days(-101),
    )
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(
            cycle=cycle,
            role=Role.MENTOR,
            status="paired",
            goals="Twenty years of youth services.",
            member=UserFactory(seasoned=True, first_name="Sam", last_name="Senior"),
        ),
        mentee=EnrollmentFactory(
            cycle=cycle,
            status="paired",
            goals="Run my first summer reading program.",
            member=UserFactory(first_name="Mina", last_name="Member"),
        ),
        liaison=committee,
        starts_on=cycle.starts_on,
    )
    Pair.objects.filter(pk=pair.pk).update(created_at=ago(100))
    for kind, side in ((EmailKind.INTRO_MENTOR, pair.mentor.member), (EmailKind.INTRO_MENTEE, pair.mentee.member)):
        Email.objects.create(
            kind=kind,
            key=f"intro-{kind}",
            to=side.email,
            recipient=side,
            pair=pair,
            subject="s",
            body_text="b",
            state=EmailState.SENT,
            sent_at=ago(100),
        )
    CheckIn.objects.create(pair=pair, logged_by=pair.mentee.member, met_on=days(-60), mode="phone", minutes=30)
    goal = Goal.objects.create(pair=pair, title="Plan the summer reading program", created_by=pair.mentee.member)
    Goal.objects.filter(pk=goal.pk).update(created_at=ago(10))
    pair.refresh_from_db()
    return pair


def timeline_dates(page: Page) -> list[dt.date]:
    items = page.get_by_role("region", name="Timeline").get_by_role("listitem").all_inner_texts()
    found = [re.search(r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4})", text) for text in items]
    return [dt.datetime.strptime(" ".join(m.groups()), "%b %d %Y").date() for m in found if m]


def test_the_timeline_reads_in_date_order_and_the_orientation_is_not_red_to_the_pair(
    page: Page, site, shot, log_in, pair, committee
):
    log_in(page, pair.mentee.member)
    for size, name in ((WIDE, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.goto(site(pair.get_absolute_url()))
        dates = timeline_dates(page)
        assert len(dates) >= 4 and dates == sorted(dates), f"the timeline reads out of order: {dates}"
        orientation = page.get_by_role("listitem").filter(has_text="orientation at the")
        expect(orientation).to_contain_text("Not recorded")
        expect(orientation).to_contain_text("the committee records who came")
        expect(orientation.locator(".text-bg-danger")).to_have_count(0)
        shot(page, f"150-pair-timeline-mentee-{name}")

    # The committee, who marks attendance, is told it is overdue.
    page.context.clear_cookies()
    page.set_viewport_size(WIDE)
    log_in(page, committee)
    page.goto(site(pair.get_absolute_url()))
    expect(page.get_by_role("listitem").filter(has_text="orientation at the")).to_contain_text("Overdue")


def test_after_the_mentee_deletes_their_account_the_mentors_page_reads_as_ended(page: Page, site, shot, log_in, pair):
    mentor = pair.mentor.member
    privacy.account_delete(user=pair.mentee.member)

    log_in(page, mentor)
    for size, name in ((WIDE, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.goto(site(pair.get_absolute_url()))
        expect(page.get_by_text("This pair ended early on")).to_be_visible()
        other = page.get_by_role("region", name="Your mentee")
        expect(other).to_contain_text("Former member")
        expect(other).to_contain_text("Their account is closed")
        expect(other.get_by_role("link")).to_have_count(0)
        expect(other).not_to_contain_text("Their goals")
        timeline = page.get_by_role("region", name="Timeline")
        expect(timeline).not_to_contain_text("Upcoming")
        expect(timeline).not_to_contain_text("Overdue")
        expect(timeline.get_by_role("listitem").filter(has_text="Midpoint review")).to_contain_text("Not reached")
        expect(timeline.get_by_role("listitem").filter(has_text="Closing evaluation")).to_contain_text("Open")
        expect(page.get_by_role("region", name="Goals").get_by_role("link", name="Update")).to_have_count(0)
        shot(page, f"151-pair-ended-account-deleted-{name}")


def test_long_notes_and_goals_are_folded_and_the_form_counts_as_you_type(page: Page, site, shot, log_in, pair):
    """Issue 15, item 16: 10,000-character goals and notes made the page 5,000–8,000 px long."""
    long_text = "We talked about the summer reading budget and the board's questions. " * 145  # 10,000 characters
    CheckIn.objects.create(pair=pair, logged_by=pair.mentor.member, met_on=days(-2), mode="video", notes=long_text)
    Goal.objects.create(pair=pair, title="Write the grant", description=long_text, created_by=pair.mentor.member)

    log_in(page, pair.mentor.member)
    page.set_viewport_size(WIDE)
    page.goto(site(pair.get_absolute_url()))
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, f"the pair page is {height} px long"
    shot(page, "154-pair-long-texts-folded-1280")

    checkins = page.get_by_role("region", name="Check-ins")
    checkins.get_by_text("Read all").click()
    expect(checkins.get_by_text("Show less")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollHeight") > height  # the whole note, unfolded

    form = page.get_by_role("region", name="Log a check-in")
    expect(form.get_by_text("0 of 2,000 characters")).to_be_visible()
    form.get_by_label("Notes").press_sequentially("Budgets")
    expect(form.get_by_text("7 of 2,000 characters")).to_be_visible()
    expect(form.get_by_label("Notes")).to_have_attribute("maxlength", "2000")

    page.set_viewport_size(PHONE)
    page.goto(site(pair.get_absolute_url()))
    shot(page, "154-pair-long-texts-folded-390")
