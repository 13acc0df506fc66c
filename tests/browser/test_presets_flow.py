"""Each preset in Chromium (issue 13): the program page a member of that association would take
for their own, the opt-in form with the program's commitments, and the committee's Program
settings page — a change saved once, and pressed again."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from members.models import Enrollment
from members.program import program
from tests.factories import CycleFactory, UserFactory

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


def shots(page: Page, shot, name: str) -> None:
    """The page at each width: a desk's screen and a phone's."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"{name}-{width}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


@pytest.mark.parametrize("preset", ["arla", "llama"])
def test_each_presets_program_reads_as_its_own_and_asks_its_commitments(
    preset, page: Page, site, shot, log_in, committee
):
    call_command("program_preset", preset, stdout=io.StringIO())
    settings = program()
    cycle = CycleFactory(
        default_length_months=settings.default_length_months,
        orientation=f"{settings.orientation_name}, {settings.conference_name}, Saturday, 9:00 am",
    )
    # LLAMA lets a non-member apply by agreeing to join; ArLA asks for a current membership.
    applicant = UserFactory(
        first_name="Nia", last_name="Newcomer", region=settings.regions[0][0], expired=preset == "llama"
    )

    page.goto(site("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(settings.program_name)
    expect(page.get_by_role("link", name=f"{settings.association_short_name} Mentoring")).to_be_visible()
    expect(page.get_by_role("region", name="What you commit to")).to_contain_text(settings.commitments[0])
    other = "ArLA" if preset == "llama" else "LLAMA"
    expect(page.locator("main")).not_to_contain_text(other)
    shots(page, shot, f"140-{preset}-program")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="For mentees").click()
    expect(page.get_by_role("heading", name="For mentees", level=1)).to_be_visible()
    shots(page, shot, f"141-{preset}-program-mentee")

    log_in(page, applicant)
    page.goto(site("/opt-in/"))
    expect(page.get_by_text(f"the program begins at the {settings.conference_name}")).to_be_visible()
    page.get_by_label("I would like a mentor").check()
    page.get_by_label("What would you like to gain from having a mentor?").fill("Grow as a leader in my library.")
    page.get_by_role("checkbox", name="Video call").check()
    for commitment in settings.commitments:
        page.get_by_label(commitment).check()
    if preset == "llama":
        expect(page.get_by_label(settings.nonmember_agreement)).to_be_visible()
        page.get_by_label(settings.nonmember_agreement).check()
    else:
        expect(page.get_by_text("agree to become one")).to_have_count(0)
    shots(page, shot, f"142-{preset}-opt-in-form")
    page.locator("main").get_by_role("button", name="Opt in").click()

    expect(page.get_by_role("alert")).to_contain_text(f"You are signed up as a mentee for the {cycle.name} cycle.")
    optin = Enrollment.objects.get(member=applicant)
    assert optin.commitments == list(settings.commitments)
    assert optin.nonmember_agreement == (settings.nonmember_agreement if preset == "llama" else "")

    page.get_by_role("button", name="Log out").click()
    log_in(page, committee)
    page.get_by_role("button", name="Committee").click()
    page.get_by_role("link", name="Program", exact=True).click()
    expect(page.get_by_role("heading", name="Program settings")).to_be_visible()
    expect(page.get_by_label("Association's name")).to_have_value(settings.association_name)
    shots(page, shot, f"143-{preset}-program-settings")


def test_the_committee_edits_a_commitment_and_the_next_opt_in_asks_it_saving_twice_saves_once(
    page: Page, site, shot, log_in, committee
):
    CycleFactory()
    member = UserFactory(first_name="Mina", last_name="Member")
    log_in(page, committee)
    page.goto(site("/committee/program/"))

    commitments = page.get_by_label("Commitments")
    commitments.fill(commitments.input_value() + "\nI will read the mentoring handbook before the orientation.")
    page.get_by_label("Longest pair (months)").select_option(label="11 months")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("alert")).to_contain_text("The program settings are saved")
    expect(page.get_by_label("Longest pair (months)")).to_have_value("11")
    shot(page, "144-program-settings-saved")
    page.get_by_role("button", name="Save the settings").click()  # the same settings, again
    expect(page.get_by_role("alert")).to_contain_text("Nothing changed: the settings already say this.")
    assert program().version == 1

    # A page left open before a colleague saved: nothing of it is saved, and it says so.
    page.get_by_label("Program's name").fill("Mine")
    stale = page.url
    from members.services.program import program_settings_save

    program_settings_save(by=committee, changes={"program_name": "The colleague's program"})
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone saved the program settings while you were editing")
    expect(page.get_by_label("Program's name")).to_have_value("The colleague's program")
    assert page.url == stale

    page.get_by_role("button", name="Log out").click()
    log_in(page, member)
    page.goto(site("/opt-in/"))
    expect(page.get_by_label("I will read the mentoring handbook before the orientation.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"runs 9–11 months"))).to_be_visible()
