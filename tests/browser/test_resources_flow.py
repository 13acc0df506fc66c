"""Mentoring resources in a real browser: a mentee suggests one, the committee approves
it (and declines another, with a reason), the mentee finds it on the list and on the pair page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from members.models import Resource, ResourceStatus
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

TITLE = "Ten questions for a first meeting"
OTHER = "A paywalled article on mentoring"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_member_suggests_a_resource_the_committee_approves_it_and_members_see_it(
    page: Page, browser: Browser, site, shot, log_in, committee
):
    cycle = CycleFactory()
    mina = UserFactory(first_name="Mina", last_name="Member")
    pair = PairFactory(cycle=cycle, mentee=EnrollmentFactory(cycle=cycle, member=mina, status="paired"))
    slides = Resource(
        title="Mentoring orientation slides",
        description="The slides of the orientation at the fall conference.",
        tags="orientation, slides",
        status=ResourceStatus.APPROVED,
    )
    slides.file.save("orientation.pdf", SimpleUploadedFile("orientation.pdf", b"%PDF-1.4 slides"))
    Resource.objects.create(
        title=OTHER, description="Needs a subscription.", url="https://example.org/paywalled", suggested_by=mina
    )

    # Mina suggests a link from the resource list.
    log_in(page, mina)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Resources", exact=True).click()
    expect(page.get_by_role("heading", name="Mentoring resources")).to_be_visible()
    page.get_by_role("link", name="Suggest a resource").click()
    expect(page.get_by_role("heading", name="Suggest a resource")).to_be_visible()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("Icebreakers and questions that helped my mentor and me get started.")
    page.get_by_label("Link").fill("https://example.org/ten-questions")
    page.get_by_label("Tags").fill("First meeting, goals")
    shot(page, "70-resource-suggest-filled")
    page.locator("main").get_by_role("button", name="Send my suggestion").click()

    expect(page.get_by_role("alert")).to_contain_text("Thank you: the committee will review it.")
    mine = page.get_by_role("region", name="Your suggestions")
    expect(mine).to_contain_text(TITLE)
    expect(mine).to_contain_text("Waiting for review")
    expect(page.get_by_role("list", name="Resources")).not_to_contain_text(TITLE)
    shot(page, "71-resource-list-after-suggesting")

    # The committee approves it, and declines the other with a reason.
    as_committee = browser.new_context()
    committee_page = as_committee.new_page()
    log_in(committee_page, committee)
    committee_nav = committee_page.get_by_role("navigation", name="Main navigation")
    committee_nav.get_by_role("button", name="Committee").click()
    committee_nav.get_by_role("link", name="Resources to review").click()
    expect(committee_page.get_by_role("heading", name="Resources to review")).to_be_visible()
    rows = committee_page.get_by_role("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    shot(committee_page, "72-resources-to-review")
    committee_page.get_by_role("button", name=f"Approve {TITLE}").click()
    expect(committee_page.get_by_role("alert")).to_contain_text(f"“{TITLE}” is approved: every member sees it now.")
    expect(rows).to_have_count(1)
    rows.first.get_by_text("Decline…").click()
    rows.first.get_by_label("Reason (optional; the member sees it)").fill("The article needs a paid subscription.")
    shot(committee_page, "73-resource-decline-reason")
    committee_page.get_by_role("button", name=f"Decline {OTHER}", exact=True).click()
    expect(committee_page.get_by_role("alert")).to_contain_text(f"“{OTHER}” is declined.")
    expect(committee_page.get_by_text("No suggestion is waiting.")).to_be_visible()
    expect(committee_page.get_by_role("region", name="Latest decisions")).to_contain_text(TITLE)
    shot(committee_page, "74-resources-reviewed")
    as_committee.close()

    # Mina finds it on the list, by its tag, and sees why the other was declined.
    page.reload()
    listed = page.get_by_role("list", name="Resources")
    expect(listed).to_contain_text(TITLE)
    expect(listed).to_contain_text("Mentoring orientation slides")
    expect(page.get_by_role("region", name="Your suggestions")).to_contain_text(
        "The committee’s reason: The article needs a paid subscription."
    )
    shot(page, "75-resource-list-approved")
    listed.get_by_role("link", name="Resources tagged first meeting").click()
    expect(page.get_by_text("1 resource tagged “first meeting”")).to_be_visible()
    expect(listed).not_to_contain_text("Mentoring orientation slides")
    shot(page, "76-resource-list-by-tag")

    # And on her pair page, with the slides as a download for members only.
    page.goto(site(f"/pairs/{pair.pk}/"))
    card = page.get_by_role("region", name="Resources")
    expect(card.get_by_role("link", name=TITLE)).to_have_attribute("href", "https://example.org/ten-questions")
    expect(card.get_by_role("link", name="Mentoring orientation slides")).to_have_attribute(
        "href", f"/resources/{slides.pk}/file/"
    )
    shot(page, "77-pair-page-resources")
    with page.expect_download() as download:
        card.get_by_role("link", name="Mentoring orientation slides").click()
    assert download.value.suggested_filename == "orientation.pdf"
