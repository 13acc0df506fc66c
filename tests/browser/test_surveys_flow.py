"""Surveys in a real browser: the committee adds a question to the cycle's midpoint survey, a
mentee past the midpoint answers it on the pair page, and the committee reads the answers in
aggregate on program health — a chart a question, the texts without names — under the strict
CSP, checked with axe-core, at 1280 and 390 pixels."""

import datetime as dt
import re

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import QuestionKind, Role
from pairs.models import Survey, SurveyKind, SurveyQuestion, SurveyResponse
from pairs.services import surveys
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

from .conftest import SCREENSHOTS
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SECRET = "Monthly calls with my mentor kept me going through a hard winter."


def build_year():
    """A cycle halfway through: Mina's pair and four others, a midpoint survey four of them answered."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=160)
    last_year = CycleFactory(name="2024–25", is_open=False, starts_on=start - dt.timedelta(days=365))
    cycle = CycleFactory(name="2025–26", starts_on=start)
    survey = Survey.objects.create(
        cycle=cycle,
        kind=SurveyKind.MIDPOINT,
        title="Midpoint check-in",
        intro="You are about **halfway** through your mentoring year.",
    )
    scale = SurveyQuestion.objects.create(
        survey=survey,
        text="We communicate as often as we need to.",
        kind=QuestionKind.SCALE,
        help_text="1 = strongly disagree, 5 = strongly agree.",
        required=True,
        order=1,
    )
    how = SurveyQuestion.objects.create(
        survey=survey,
        text="How do you meet most often?",
        kind=QuestionKind.ONE,
        choices=["In person", "Video", "Phone", "Email"],
        order=2,
    )
    SurveyQuestion.objects.create(survey=survey, text="What is going well so far?", kind=QuestionKind.LONG, order=3)
    mina = UserFactory(first_name="Mina", last_name="Member")
    sam = UserFactory(seasoned=True, first_name="Sam", last_name="Senior")
    pair = PairFactory(
        cycle=cycle,
        mentee=EnrollmentFactory(cycle=cycle, member=mina, status="paired"),
        mentor=EnrollmentFactory(cycle=cycle, member=sam, role=Role.MENTOR, status="paired"),
        starts_on=start,
    )
    for i, (value, way) in enumerate([(5, "Video"), (4, "Video"), (3, "Phone"), (4, "In person")]):
        other = PairFactory(cycle=cycle, starts_on=start)
        response = SurveyResponse.objects.create(pair=other, survey=survey, kind="midpoint", role="mentor")
        surveys.answers_write(response=response, questions=[scale, how], cleaned={scale.pk: value, how.pk: way})
        if i == 0:
            old = Survey.objects.create(cycle=last_year, kind=SurveyKind.MIDPOINT, title="Midpoint")
            q = SurveyQuestion.objects.create(survey=old, text=scale.text, kind=QuestionKind.SCALE)
            old_pair = PairFactory(cycle=last_year, starts_on=start - dt.timedelta(days=365))
            r = SurveyResponse.objects.create(pair=old_pair, survey=old, kind="midpoint", role="mentee")
            surveys.answers_write(response=r, questions=[q], cleaned={q.pk: 3})
    return cycle, pair, mina


def test_a_mentee_answers_the_midpoint_survey_and_the_committee_reads_it_in_aggregate(
    page: Page, site, shot, log_in, committee
):
    cycle, pair, mina = build_year()
    page.add_init_script(AXE_SCRIPT)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size(WIDE)

    # The committee adds a yes/no question for mentees to the cycle's survey.
    log_in(page, committee)
    page.goto(site(f"/pairs/surveys/?cycle={cycle.pk}"))
    page.get_by_role("link", name=re.compile("Edit 2025–26's")).first.click()
    expect(page.get_by_role("heading", name="Midpoint survey · 2025–26")).to_be_visible()
    assert_accessible(page)
    shot(page, "80-survey-edit")
    page.get_by_role("link", name="Add a question").click()
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_text("Write the question.")).to_be_visible()
    page.get_by_label("Question").fill("Have you set your goals for the year?")
    page.get_by_label("Kind of answer").select_option("yes_no")
    page.get_by_label("Asked of").select_option("mentee")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_text("Question “Have you set your goals for the year?” saved.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # Mina finds the survey on her pair page and answers it.
    log_in(page, mina)
    page.goto(site(f"/pairs/{pair.pk}/"))
    page.get_by_role("link", name=re.compile("Answer the survey")).click()
    expect(page.get_by_role("heading", name="Midpoint check-in")).to_be_visible()
    expect(page.get_by_text("halfway", exact=True)).to_be_visible()
    assert_accessible(page)
    # The 1–5 scale reads as a scale: its five choices side by side on one line.
    scale = page.get_by_role("group", name=re.compile("We communicate"))
    tops = {round(scale.get_by_label(n, exact=True).bounding_box()["y"]) for n in "12345"}
    assert len(tops) == 1, f"the scale's choices are on {len(tops)} lines"
    shot(page, "81-survey-form")
    page.set_viewport_size(PHONE)
    shot(page, "81-survey-form-phone")
    page.set_viewport_size(WIDE)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()  # the scale is required
    page.get_by_role("group", name=re.compile("We communicate")).get_by_label("4").check()
    page.get_by_label("Video").check()
    page.get_by_label("What is going well so far?").fill(SECRET)
    page.get_by_role("group", name=re.compile("Have you set your goals")).get_by_label("Yes").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: the committee reads the answers together, without names.")).to_be_visible()
    expect(page.get_by_text("Thank you: your answers are in.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The committee reads it on program health: a chart a question, the text without a name.
    log_in(page, committee)
    page.goto(site(f"/matching/{cycle.pk}/health/"))
    surveys_section = page.get_by_role("region", name="Surveys")
    expect(surveys_section.get_by_role("img", name=re.compile("Answers to “We communicate"))).to_be_visible()
    expect(surveys_section.get_by_role("img", name=re.compile("Video: 3"))).to_be_visible()
    expect(surveys_section.get_by_text(SECRET)).to_be_visible()
    expect(surveys_section.get_by_role("table", name=re.compile("year over year"))).to_be_visible()
    assert "Mina" not in surveys_section.inner_text()
    assert_accessible(page)
    surveys_section.scroll_into_view_if_needed()
    shot(page, "82-health-surveys")
    surveys_section.screenshot(path=str(SCREENSHOTS / "82-health-surveys-section.png"))
    page.set_viewport_size(PHONE)
    shot(page, "82-health-surveys-phone")
    surveys_section.screenshot(path=str(SCREENSHOTS / "82-health-surveys-section-phone.png"))

    # And on the evaluation summary: the midpoint survey question by question, without names.
    page.set_viewport_size(WIDE)
    page.goto(site(f"/pairs/evaluations/?cycle={cycle.pk}"))
    expect(page.get_by_text("We communicate as often as we need to.").first).to_be_visible()
    expect(page.get_by_text(SECRET)).to_be_visible()
    assert "Mina" not in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "83-evaluation-summary-surveys")
    page.set_viewport_size(PHONE)
    shot(page, "83-evaluation-summary-surveys-phone")
    assert not blocked, blocked
