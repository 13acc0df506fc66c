"""The suggestions page as a committee member reads it, with matching that knows library
work: a Teen Services Coordinator, an "ILL Asst" and a Library Director, at 1280 and
390 px wide (screenshots under artifacts/screenshots/); and "Make the N pairs" saying it
is working while a large draft is made."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from arla_mentoring.celery import app
from members.models import Role
from tests.browser.conftest import SCREENSHOTS
from tests.factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def eager_celery():
    """Send the outbox in process: with live_server nothing else would, and nothing is left in Redis."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def first_cards(page: Page, name: str) -> None:
    """The first screen of suggestions (the page's top and its first cards), readable where a
    full-page screenshot of a phone-wide page is not."""
    page.get_by_role("heading", name="Suggested mentors").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}-first-screen.png"))


def opt_in(cycle, role, first, last, title, areas=(), other="", goals="Happy to talk.", **profile):
    member = UserFactory(
        seasoned=role == Role.MENTOR,
        first_name=first,
        last_name=last,
        job_title=title,
        responsibilities=list(areas),
        responsibilities_other=other,
        institution=f"{last} Library",
        **profile,
    )
    return EnrollmentFactory(
        cycle=cycle,
        member=member,
        role=role,
        responsibilities_other=other,
        goals=goals,
        capacity=2 if role == Role.MENTOR else 1,
    )


@pytest.fixture
def pool(db):
    cycle = CycleFactory()
    mentees = {
        "teen": opt_in(
            cycle,
            Role.MENTEE,
            "Tess",
            "Tran",
            "Teen Services Coordinator",
            ["youth_services", "outreach"],
            other="teen advisory board, gaming nights",
            goals="Grow our teen programming and learn to plan a summer reading challenge for teens.",
            region="northwest",
        ),
        "ill": opt_in(
            cycle,
            Role.MENTEE,
            "Ivy",
            "Iles",
            "ILL Asst",
            ["interlibrary_loan", "circulation"],
            other="OCLC borrowing requests",
            library_type="academic",
        ),
        "director": opt_in(
            cycle,
            Role.MENTEE,
            "Dee",
            "Dawson",
            "Library Director",
            ["administration"],
            goals="Budgets, board relations and leadership in a one-branch library.",
            region="southeast",
        ),
    }
    mentors = [
        ("Yan", "Young", "Young Adult Librarian", ["youth_services"], "teen book clubs", {"region": "northwest"}),
        ("Cy", "Childs", "Children's Librarian", ["youth_services", "outreach"], "storytimes", {}),
        ("Lou", "Lennox", "Interlibrary Loan Coordinator", ["interlibrary_loan"], "", {"library_type": "academic"}),
        ("Ian", "Ingram", "Illustrations Coordinator", ["outreach"], "", {}),
        ("Kim", "Kaur", "Knowledge Manager", ["administration", "technology"], "taxonomy", {}),
        ("Dot", "Dorsey", "County Library Director", ["administration"], "budgets", {"region": "southeast"}),
        ("Ace", "Abbott", "Access Services Manager", ["circulation", "interlibrary_loan"], "", {}),
        ("Bea", "Banks", "Head of Reference", ["reference"], "", {}),
        ("Bo", "Bright", "Head of Reference", ["reference"], "", {}),
    ]
    for first, last, title, areas, other, profile in mentors:
        opt_in(cycle, Role.MENTOR, first, last, title, areas, other=other, **profile)
    return cycle, mentees


@pytest.mark.parametrize("width", [1280, 390])
def test_the_committee_reads_suggestions_that_know_library_work(page: Page, site, shot, log_in, committee, pool, width):
    cycle, mentees = pool
    log_in(page, committee)  # at the default width, where the menu shows "Log out"
    page.set_viewport_size({"width": width, "height": 900})

    # A Teen Services Coordinator: the Young Adult Librarian first, the Children's Librarian after.
    page.goto(site(reverse("matching:dashboard", args=[cycle.pk])))
    page.get_by_role("link", name="Suggestions for Tess Tran").click()
    cards = page.get_by_role("article")
    expect(cards.first.get_by_role("heading")).to_have_text("1. Yan Young")
    expect(cards.first).to_contain_text(
        "Job titles: “Teen Services” and “Young Adult”: both teen / young adult services"
    )
    childs = cards.filter(has_text="Cy Childs")
    expect(childs).to_contain_text("teen / young adult services and children's services, both youth services")
    shot(page, f"16-suggestions-teen-coordinator-{width}")
    first_cards(page, f"16-suggestions-teen-coordinator-{width}")

    # An "ILL Asst": the Interlibrary Loan Coordinator first; every reason names its words.
    page.goto(site(reverse("matching:suggestions", args=[cycle.pk, mentees["ill"].pk])))
    expect(page.get_by_role("heading", name="Ivy Iles", level=1)).to_be_visible()
    expect(cards.first.get_by_role("heading")).to_have_text("1. Lou Lennox")
    expect(cards.first).to_contain_text("“ILL” and “Interlibrary Loan”: both interlibrary loan / resource sharing")
    shot(page, f"16-suggestions-ill-assistant-{width}")
    first_cards(page, f"16-suggestions-ill-assistant-{width}")

    # A Library Director: no agreement with a Knowledge Manager; ties shown as ties.
    page.goto(site(reverse("matching:suggestions", args=[cycle.pk, mentees["director"].pk])))
    expect(cards.first.get_by_role("heading")).to_have_text("1. Dot Dorsey")
    kim = cards.filter(has_text="Kim Kaur")
    expect(kim).to_contain_text("Job titles name different work")
    expect(kim).not_to_contain_text("agree")
    tied = cards.filter(has_text="Head of Reference")
    expect(tied).to_have_count(2)
    expect(tied.first.get_by_text("tied", exact=True)).to_be_visible()
    shot(page, f"16-suggestions-library-director-{width}")
    first_cards(page, f"16-suggestions-library-director-{width}")

    # No reason runs off the card at this width.
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.reasons li')].some(li => li.scrollWidth > li.clientWidth + 1)"
    )
    assert not overflow


def test_making_a_large_draft_says_it_is_working_and_cannot_be_pressed_twice(
    page: Page, site, shot, log_in, committee, pool, eager_celery, mailoutbox
):
    cycle, _ = pool
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, committee)
    page.goto(site(reverse("matching:proposal", args=[cycle.pk])))
    page.get_by_role("button", name="Compute the proposal").click()
    page.get_by_role("link", name=re.compile(r"^Confirm all \d+ pairs")).click()
    # A large draft takes seconds: keep the page where it is after the press, to see it meanwhile.
    page.evaluate(
        """() => {
            window.holdSubmit = true;
            document.querySelector("form[data-busy]").addEventListener("submit", (event) => {
                if (window.holdSubmit) event.preventDefault();
            });
        }"""
    )

    page.get_by_role("button", name=re.compile(r"^Make the \d+ pairs$")).click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("Making the 3 pairs and writing their 6 introductions…")
    expect(page.get_by_role("button", name=re.compile(r"^Make the \d+ pairs$"))).to_be_disabled()
    shot(page, "16-proposal-making-pairs")
    page.evaluate("() => { window.holdSubmit = false; document.querySelector('form[data-busy]').requestSubmit(); }")
    expect(page).to_have_url(re.compile(rf"/pairs/\?cycle={cycle.pk}$"))
    expect(page.get_by_role("alert")).to_contain_text("3 pairs made.")
