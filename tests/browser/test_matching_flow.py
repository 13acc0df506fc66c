"""Matching in a real browser: the committee reads a mentee's suggestions and pairs them
in one click, then proposes pairs for the rest of the cycle, rules one out, solves
again and confirms them all in one step."""

import re

import pytest
from playwright.sync_api import Page, expect

from arla_mentoring.celery import app
from matching.models import ProposalBan
from members.models import Role
from outbox.models import Email
from pairs.models import Pair
from tests.factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def eager_celery():
    """Send the outbox in process: with live_server nothing else would, and nothing is left in Redis."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def opt_in(cycle, role, first, last, title, areas, *, capacity=1, **profile):
    member = UserFactory(
        seasoned=role == Role.MENTOR,
        first_name=first,
        last_name=last,
        job_title=title,
        responsibilities=areas,
        institution=f"{last} Library",
        **profile,
    )
    return EnrollmentFactory(cycle=cycle, member=member, role=role, capacity=capacity)


def test_committee_pairs_one_mentee_from_the_suggestions_then_confirms_a_proposal_for_the_rest(
    page: Page, site, shot, log_in, committee, eager_celery, mailoutbox
):
    cycle = CycleFactory()
    mina = opt_in(cycle, Role.MENTEE, "Mina", "Member", "Cataloger", ["cataloging", "acquisitions"], region="central")
    opt_in(cycle, Role.MENTEE, "Yara", "Young", "Youth Services Assistant", ["youth_services", "outreach"])
    opt_in(cycle, Role.MENTEE, "Ravi", "Reed", "Reference Assistant", ["reference", "instruction"])
    opt_in(cycle, Role.MENTEE, "Ada", "Archer", "Archives Technician", ["archives"], library_type="academic")
    cora = opt_in(cycle, Role.MENTOR, "Cora", "Catalog", "Cataloging Librarian", ["cataloging", "acquisitions"])
    opt_in(cycle, Role.MENTOR, "Kit", "Kidd", "Children's Librarian", ["youth_services", "outreach"], capacity=2)
    opt_in(cycle, Role.MENTOR, "Rex", "Rios", "Reference Librarian", ["reference", "instruction"])
    opt_in(cycle, Role.MENTOR, "Abe", "Abbott", "University Archivist", ["archives"], library_type="academic")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The committee opens the matching dashboard from the menu.
    log_in(page, committee)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Matching", exact=True).click()
    expect(page.get_by_role("heading", name=f"Matching · {cycle.name}")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Mina Member")
    shot(page, "60-matching-dashboard")

    # Mina's suggestions: Cora first, with the reasons and their points.
    page.get_by_role("link", name="Suggestions for Mina Member").click()
    expect(page.get_by_role("heading", name="Mina Member", level=1)).to_be_visible()
    first = page.get_by_role("article").first
    expect(first.get_by_role("heading")).to_have_text("1. Cora Catalog")
    expect(first.get_by_text("Job titles: “Cataloger” and “Cataloging”: both cataloging")).to_be_visible()
    expect(
        first.get_by_text("Both work in Acquisitions & collection development, Cataloging & metadata")
    ).to_be_visible()
    shot(page, "61-matching-suggestions")

    # Pair with the top suggestion, after comparing the two side by side.
    first.get_by_role("link", name=re.compile(r"^Pair")).click()
    expect(page.get_by_role("heading", name="Pair Mina Member with Cora Catalog?")).to_be_visible()
    expect(page.get_by_role("region", name="Mentee: Mina Member")).to_contain_text("Cataloger")
    expect(page.get_by_role("region", name="Mentor: Cora Catalog")).to_contain_text("Cataloging Librarian")
    shot(page, "62-matching-pair-confirm")
    page.get_by_role("button", name="Confirm: pair them").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Paired Mina Member with Cora Catalog. Both introductions are sent."
    )
    expect(page.get_by_role("table")).not_to_contain_text("Mina Member")
    shot(page, "63-matching-paired")
    assert Pair.objects.get().mentor == cora
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mina.member.email, cora.member.email])

    # The proposal for everyone else.
    page.get_by_role("link", name="Propose for the whole cycle").click()
    expect(page.get_by_role("heading", name="Best overall proposal")).to_be_visible()
    shot(page, "64-proposal-empty")
    page.get_by_role("button", name="Compute the proposal").click()
    expect(page.get_by_role("alert")).to_contain_text("3 pairs, 0 mentees left unmatched")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)  # the header and three pairs
    shot(page, "65-proposal-solved")

    # Rule one pair out and solve again: that pair does not come back.
    page.get_by_role("button", name=re.compile(r"^Rule out Ravi Reed with")).click()
    expect(page.get_by_role("alert")).to_contain_text("Pair ruled out. Solve again")
    ban = ProposalBan.objects.select_related("mentor__member").get()
    expect(page.get_by_text(f"Ravi Reed with {ban.mentor.member}")).to_be_visible()
    shot(page, "66-proposal-ruled-out")
    page.get_by_role("button", name="Solve again").click()
    expect(page.get_by_role("alert")).to_contain_text("3 pairs, 0 mentees left unmatched")
    ravi_row = page.get_by_role("row").filter(has_text="Ravi Reed")
    expect(ravi_row).to_have_count(1)
    expect(ravi_row).not_to_contain_text(str(ban.mentor.member))
    shot(page, "67-proposal-solved-again")

    # Confirm all the pairs in one step.
    page.get_by_role("link", name="Confirm all 3 pairs…").click()
    expect(page.get_by_role("heading", name="Make all 3 pairs?")).to_be_visible()
    shot(page, "68-proposal-confirm")
    page.get_by_role("button", name="Make the 3 pairs").click()
    expect(page).to_have_url(re.compile(rf"/pairs/\?cycle={cycle.pk}$"))
    expect(page.get_by_role("alert")).to_contain_text("3 pairs made. Their 6 introductions are sent.")
    for name in ("Mina Member", "Yara Young", "Ravi Reed", "Ada Archer"):
        expect(page.get_by_role("main")).to_contain_text(name)
    shot(page, "69-pairs-after-proposal")
    assert Pair.objects.count() == 4
    assert not Pair.objects.filter(mentee__member__last_name="Reed", mentor=ban.mentor).exists()
    assert Email.objects.filter(state="sent").count() == 8 and len(mailoutbox) == 8
