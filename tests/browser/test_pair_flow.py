"""The pair's year in a real browser: the committee pairs, the mentor logs a check-in
and a goal, the mentee reads them, the liaison sees that they met but not what was said."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from members.models import Role
from pairs.models import Pair
from tests.factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.browser

NOTES = "Talked about the cataloging backlog"
GOAL = "Clear the cataloging backlog by spring"


def short(day) -> str:
    """A date as the pair page prints it ("M j, Y")."""
    return f"{day:%b} {day.day}, {day.year}"


def choice(enrollment) -> str:
    """How the pairing form names an opt-in (a mentor with the places left: all of them here)."""
    label = f"{enrollment.member} — {enrollment.job_title}, {enrollment.member.institution}"
    if enrollment.role == Role.MENTOR:
        label += (
            f" · {enrollment.capacity} of {enrollment.capacity} place{'s' if enrollment.capacity != 1 else ''} left"
        )
    return label


def test_committee_pairs_a_mentee_and_the_pair_logs_its_year_while_the_liaison_sees_only_dates(
    page: Page, browser: Browser, site, shot, log_in, committee, eager_tasks, mailoutbox
):
    cycle = CycleFactory()
    mentee = EnrollmentFactory(
        cycle=cycle,
        member=UserFactory(first_name="Mina", last_name="Member", phone="479-555-0199"),
        goals="Learn to manage a cataloging backlog.",
    )
    EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Otto", last_name="Other"))
    mentor = EnrollmentFactory(
        cycle=cycle,
        role=Role.MENTOR,
        member=UserFactory(seasoned=True, first_name="Sam", last_name="Senior", phone="501-555-0142"),
        goals="Fifteen years of cataloging, and how to say no to a backlog.",
    )
    today = timezone.localdate()

    # The committee pairs Mina with Sam.
    log_in(page, committee)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Pairs", exact=True).click()
    expect(page.get_by_role("heading", name=f"Pairs · {cycle.name}")).to_be_visible()
    shot(page, "40-committee-pairs-empty")
    page.get_by_role("link", name="Pair a mentee").click()
    expect(page.get_by_role("heading", name="Pair a mentee with a mentor")).to_be_visible()
    page.get_by_role("combobox", name="Mentor").select_option(label=choice(mentor))
    # A cycle has thousands of opt-ins: the committee finds the mentee by name, and the one
    # match is chosen; the mentor chosen before the search stays chosen.
    page.get_by_role("searchbox", name="Find the mentee").fill("Mina")
    page.locator("main").get_by_role("button", name="Search", exact=True).click()
    mentee_list = page.get_by_role("combobox", name="Mentee")
    expect(mentee_list).to_have_value(str(mentee.pk))
    expect(mentee_list.locator("option", has_text="Otto Other")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Mentor")).to_have_value(str(mentor.pk))
    shot(page, "41-pair-form-filled")
    page.locator("main").get_by_role("button", name="Make the pair").click()

    pair = Pair.objects.get()
    expect(page).to_have_url(re.compile(rf"/pairs/{pair.pk}/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        f"Paired {mentee.member} with {mentor.member}. Both introductions are sent."
    )
    expect(page.get_by_role("heading", name=f"{mentor.member} & {mentee.member}")).to_be_visible()
    expect(page.get_by_role("region", name="Committee liaison")).to_contain_text(str(committee))
    expect(page.get_by_role("region", name="Introductions")).to_contain_text("Introduction to the mentor: Sent")
    shot(page, "42-pair-made")
    assert pair.liaison == committee  # the only committee member
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.member.email, mentee.member.email])

    # The mentor finds the pair, sees Mina's email, logs a check-in and adds a goal.
    as_mentor = browser.new_context()
    mentor_page = as_mentor.new_page()
    log_in(mentor_page, mentor.member)
    mentor_page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My pairs").click()
    expect(mentor_page.get_by_role("heading", name="My pairs")).to_be_visible()
    shot(mentor_page, "43-mentor-my-pairs")
    mentor_page.get_by_role("link", name=f"{mentor.member} & {mentee.member}").click()
    other = mentor_page.get_by_role("region", name="Your mentee")
    expect(other).to_contain_text(mentee.member.email)
    expect(other).to_contain_text("Learn to manage a cataloging backlog.")
    expect(other).not_to_contain_text("479-555-0199")
    shot(mentor_page, "44-mentor-pair-page")

    form = mentor_page.get_by_role("region", name="Log a check-in")
    form.get_by_label("Date").fill(today.isoformat())
    form.get_by_label("How you met").select_option(label="Video call")
    form.get_by_label("Length (minutes)").fill("45")
    form.get_by_label("Topics").fill("Cataloging workflow")
    form.get_by_label("Notes").fill(NOTES)
    form.get_by_role("button", name="Log check-in").click()
    expect(mentor_page.get_by_role("alert")).to_contain_text("Check-in logged.")
    checkins = mentor_page.get_by_role("region", name="Check-ins")
    expect(checkins).to_contain_text(NOTES)
    expect(checkins).to_contain_text("Video call")
    shot(mentor_page, "45-mentor-checkin-logged")

    mentor_page.get_by_role("link", name="Add a goal").click()
    expect(mentor_page.get_by_role("heading", name="Add a goal")).to_be_visible()
    mentor_page.get_by_label("Title").fill(GOAL)
    mentor_page.get_by_label("Description").fill("Two hours a week on the gift books.")
    mentor_page.get_by_label("Status").select_option(label="In progress")
    shot(mentor_page, "46-goal-form-filled")
    mentor_page.locator("main").get_by_role("button", name="Save goal").click()
    expect(mentor_page.get_by_role("alert")).to_contain_text(f"Goal “{GOAL}” saved.")
    goals = mentor_page.get_by_role("region", name="Goals")
    expect(goals).to_contain_text(GOAL)
    expect(goals).to_contain_text("In progress")
    shot(mentor_page, "47-mentor-goal-added")
    as_mentor.close()

    # The mentee reads the check-in's notes and the goal, and has Sam's email and phone.
    as_mentee = browser.new_context()
    mentee_page = as_mentee.new_page()
    log_in(mentee_page, mentee.member)
    mentee_page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My pairs").click()
    mentee_page.get_by_role("link", name=f"{mentor.member} & {mentee.member}").click()
    expect(mentee_page.get_by_role("region", name="Check-ins")).to_contain_text(NOTES)
    expect(mentee_page.get_by_role("region", name="Goals")).to_contain_text(GOAL)
    expect(mentee_page.get_by_role("region", name="Your mentor")).to_contain_text(mentor.member.email)
    expect(mentee_page.get_by_role("region", name="Your mentor")).to_contain_text("501-555-0142")
    expect(mentee_page.get_by_role("region", name="Your mentor")).to_contain_text("how to say no to a backlog")
    shot(mentee_page, "48-mentee-pair-page")
    as_mentee.close()

    # The liaison sees that they met, when and how, but not what was said.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My pairs").click()
    expect(page.get_by_role("heading", name="Pairs I liaise")).to_be_visible()
    shot(page, "49-liaison-my-pairs")
    page.get_by_role("link", name=f"{mentor.member} & {mentee.member}").click()
    checkins = page.get_by_role("region", name="Check-ins")
    expect(checkins).to_contain_text(short(today))
    expect(checkins).to_contain_text("Video call")
    expect(checkins).not_to_contain_text(NOTES)
    expect(checkins).not_to_contain_text("Cataloging workflow")
    expect(page.locator("body")).not_to_contain_text(NOTES)
    expect(page.get_by_role("region", name="Goals")).to_contain_text(GOAL)
    expect(page.get_by_role("region", name="Log a check-in")).to_have_count(0)
    shot(page, "50-liaison-pair-page")
