"""A cycle's own questions in Chromium (issue 13, item 2's "done when"): the committee adds a
question to the cycle, a member answers it on the opt-in form, the committee sees the answer
next to the suggestions and in the export, and marking it "match on this" changes the
ranking, with its reason shown."""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from members.models import Answer, CycleQuestion, Role
from members.program import program
from tests.factories import CycleFactory, UserFactory

from .test_matching_flow import opt_in

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
SETTING = "Which setting would you most like to work in?"


def shots(page: Page, shot, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"{name}-{width}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def ranked(page: Page) -> list[str]:
    """The suggested mentors' names, best first."""
    return [h.split(". ", 1)[1] for h in page.locator("article h3").all_inner_texts()]


def test_a_question_added_answered_seen_exported_and_matched_on(page: Page, site, shot, log_in, committee):
    cycle = CycleFactory()
    # Two mentors alike in every way the score reads: the pool's order puts Abe first.
    abe = opt_in(cycle, Role.MENTOR, "Abe", "Aardvark", "Reference Librarian", ["reference"])
    zoe = opt_in(cycle, Role.MENTOR, "Zoe", "Zebra", "Reference Librarian", ["reference"])
    meg = UserFactory(
        first_name="Meg", last_name="Mentee", job_title="Reference Librarian", responsibilities=["reference"]
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    # The committee adds a one-choice question to the cycle's opt-in form.
    log_in(page, committee)
    page.goto(site("/committee/cycles/"))
    page.get_by_role("link", name=f"Opt-in questions of {cycle.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Opt-in questions · {cycle.name}")
    page.get_by_role("link", name="Add a question").first.click()
    page.get_by_label("Question").fill(SETTING)
    page.get_by_label("Help text").fill("Pick the one you would choose if you could.")
    page.get_by_label("Kind of answer").select_option("one")
    page.get_by_label("Choices").fill("Academic libraries\nPublic libraries\nSchool libraries")
    page.get_by_label("An answer is required").check()
    shots(page, shot, "190-question-editor")
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_role("alert")).to_contain_text(f"The question “{SETTING}” is added")
    page.get_by_role("link", name="Add a question").first.click()
    page.get_by_label("Question").fill("Anything else the committee should know?")
    page.get_by_label("Kind of answer").select_option("long")
    page.get_by_role("button", name="Add the question").click()
    shots(page, shot, "191-question-list")
    question = CycleQuestion.objects.get(text=SETTING)
    Answer.objects.create(enrollment=abe, question=question, value="Public libraries")
    Answer.objects.create(enrollment=zoe, question=question, value="Academic libraries")
    page.get_by_role("button", name="Log out").click()

    # A member answers it when opting in; a required question left unanswered is asked again.
    log_in(page, meg)
    page.goto(site("/opt-in/"))
    page.get_by_label("I would like a mentor").check()
    page.get_by_label("What would you like to gain from having a mentor?").fill("Find my way into academic work.")
    page.get_by_role("checkbox", name="Video call").check()
    for commitment in program().commitments:
        page.get_by_label(commitment).check()
    page.locator("main").get_by_role("button", name="Opt in").click()
    expect(page.get_by_text("Please answer this question.")).to_be_visible()
    page.get_by_role("radio", name="Academic libraries").check()
    page.get_by_label("Anything else the committee should know?").fill("I start a library degree in the fall.")
    shots(page, shot, "192-opt-in-form-with-questions")
    page.locator("main").get_by_role("button", name="Opt in").click()
    expect(page.get_by_role("alert")).to_contain_text("You are signed up as a mentee")
    page.get_by_role("button", name="Log out").click()

    # The committee sees the answer next to the suggestions: not matched on, Abe is first (a tie).
    log_in(page, committee)
    mentee = meg.enrollments.get()
    suggestions = site(f"/matching/{cycle.pk}/mentees/{mentee.pk}/")
    page.goto(suggestions)
    mentee_card = page.get_by_role("region", name="Meg Mentee")
    expect(mentee_card).to_contain_text(SETTING)
    expect(mentee_card).to_contain_text("Academic libraries")
    expect(mentee_card).to_contain_text("I start a library degree in the fall.")
    assert ranked(page) == ["Abe Aardvark", "Zoe Zebra"]

    # … and in the export, a column for each question.
    page.goto(site(f"/matching/{cycle.pk}/health/"))
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of opt-ins (enrollments)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][-2:] == [SETTING, "Anything else the committee should know?"]
    assert {r[0]: r[-2] for r in rows[1:]}["Meg Mentee"] == "Academic libraries"

    # Marked "match on this", the question ranks Zoe first and says why.
    page.goto(site(f"/committee/questions/{question.pk}/edit/"))
    page.get_by_label("Match on this").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("The question is saved.")
    page.goto(suggestions)
    assert ranked(page) == ["Zoe Zebra", "Abe Aardvark"]
    expect(page.get_by_text(f"Both answered “Academic libraries” to “{SETTING}”")).to_be_visible()
    shots(page, shot, "193-suggestions-with-answers")
