"""Issue 12's "done when", in Chromium: a committee member, as a new user would, changes the
introduction's wording, previews it with a real pair, sends a test to themselves, pairs two
people, and both introductions carry the new wording and the reasons; a member turns off
reminders from the link in a reminder without logging in, and the next reminder is recorded
as skipped; an email written before the edit keeps its old text."""

import datetime as dt
import re

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Role
from outbox.models import Email, EmailKind, EmailPreference, EmailState
from pairs.models import Pair
from pairs.services import pairing, reminders
from tests.browser.test_accessibility import assert_accessible
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
NEW_OPENING = "A warm welcome to this year's mentors, {mentor_first_name}! You will mentor:"


def both_widths(page: Page, shot, name: str) -> None:
    """The page as it is now, at a desk (1280 px) and on a phone (390 px)."""
    page.set_viewport_size(WIDE)
    shot(page, f"{name}-1280")
    page.set_viewport_size(NARROW)
    shot(page, f"{name}-390")
    page.set_viewport_size(WIDE)


def opt_in(cycle, role, first, last, **profile):
    member = UserFactory(
        first_name=first, last_name=last, institution=f"{last} Library", seasoned=role == Role.MENTOR, **profile
    )
    return EnrollmentFactory(cycle=cycle, member=member, role=role)


def test_committee_rewords_the_introduction_previews_tests_and_pairs_with_it(
    page: Page, site, shot, log_in, committee, eager_tasks, mailoutbox
):
    page.context.add_init_script(script=AXE_SCRIPT)
    cycle = CycleFactory()
    # Last week's pair, introduced in the shipped words: the committee previews with it.
    earlier = pairing.pair_create(
        mentee_id=opt_in(cycle, Role.MENTEE, "Mina", "Member").pk,
        mentor_id=opt_in(cycle, Role.MENTOR, "Sam", "Senior").pk,
        by=committee,
        match_reasons=["Job titles agree on cataloging", "Same region"],
    )
    written_before = Email.objects.get(pair=earlier, kind=EmailKind.INTRO_MENTOR)
    words_before = (written_before.subject, written_before.body_text)
    wes = opt_in(cycle, Role.MENTEE, "Wes", "Waiting", job_title="Cataloger", responsibilities=["cataloging"])
    cora = opt_in(
        cycle, Role.MENTOR, "Cora", "Catalog", job_title="Cataloging Librarian", responsibilities=["cataloging"]
    )

    log_in(page, committee)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Emails", exact=True).click()
    expect(page.get_by_role("heading", name="Emails", exact=True)).to_be_visible()
    both_widths(page, shot, "70-emails")
    page.get_by_role("link", name="Introduction to the mentor", exact=True).click()
    expect(page.get_by_role("heading", name="Introduction to the mentor")).to_be_visible()
    both_widths(page, shot, "71-email-wording")

    # The committee rewrites the opening and previews it with last week's pair, found by name.
    body = page.get_by_label("Body")
    body.fill(
        body.input_value().replace(
            "Thank you for volunteering as a mentor in the {program_name} ({cycle_name}). "
            "The {committee_name} has paired you with:",
            NEW_OPENING,
        )
    )
    page.get_by_label("Find a pair").fill("Mina")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_contain_text("1 found")
    page.get_by_label("Preview with").select_option(label=f"{earlier} ({cycle.name})")
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.get_by_role("region", name="Preview (not saved)")
    expect(preview).to_contain_text("A warm welcome to this year's mentors, Sam! You will mentor:")
    expect(preview).to_contain_text("Mina Member")
    expect(preview).to_contain_text("Job titles agree on cataloging")
    expect(preview.get_by_role("link", name=re.compile(r"pairs.\d+"))).to_be_visible()
    assert_accessible(page)
    both_widths(page, shot, "72-email-preview")

    # A test to the committee member's own address; pressed twice, sent once.
    page.get_by_role("button", name="Send me a test").click()
    expect(page.get_by_role("alert")).to_contain_text(f"A test is on its way to {committee.email}")
    page.get_by_role("button", name="Send me a test").click()
    expect(page.get_by_role("alert")).to_contain_text(f"This test was already sent to {committee.email}")
    tests = [m for m in mailoutbox if m.to == [committee.email]]
    assert len(tests) == 1 and tests[0].subject == "[Test] Meet your mentee: Mina Member"
    assert "A warm welcome to this year's mentors, Sam!" in tests[0].body

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Saved as version 1.")
    expect(page.get_by_text("In use now: Version 1 of the committee's wording")).to_be_visible()

    # Pairing Wes with Cora: the introductions carry the new words and what the suggestion saw.
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Pair a mentee").click()
    page.get_by_role("combobox", name="Mentee").select_option(str(wes.pk))
    page.get_by_role("combobox", name="Mentor").select_option(str(cora.pk))
    page.locator("main").get_by_role("button", name="Make the pair").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Paired Wes Waiting with Cora Catalog. Both introductions are sent."
    )
    pair = Pair.objects.get(mentee=wes)
    to_cora = next(m for m in mailoutbox if m.to == [cora.member.email])
    to_wes = next(m for m in mailoutbox if m.to == [wes.member.email])
    assert "A warm welcome to this year's mentors, Cora! You will mentor:" in to_cora.body
    assert pair.match_reasons and all(f"- {reason}" in to_cora.body for reason in pair.match_reasons)
    assert all(f"- {reason}" in to_wes.body for reason in pair.match_reasons)  # the shipped words, with reasons
    assert Email.objects.get(pair=pair, kind=EmailKind.INTRO_MENTOR).template.version == 1

    # Last week's introduction keeps the words it was written with.
    written_before.refresh_from_db()
    assert (written_before.subject, written_before.body_text) == words_before
    page.goto(site(f"/outbox/{written_before.pk}/"))
    expect(page.get_by_text("The shipped wording (not edited by the committee then).")).to_be_visible()
    expect(page.get_by_text("Thank you for volunteering as a mentor", exact=False)).to_be_visible()
    both_widths(page, shot, "73-outbox-email")

    # Restoring the shipped wording asks first.
    page.goto(site(f"/outbox/emails/{EmailKind.INTRO_MENTOR}/"))
    page.get_by_role("link", name="Restore the default").click()
    expect(page.get_by_role("heading", name="Restore the default?")).to_be_visible()
    both_widths(page, shot, "74-email-restore")
    page.get_by_role("button", name="Restore the default").click()
    expect(page.get_by_role("alert")).to_contain_text("The shipped wording is back (version 2).")


def test_a_member_stops_reminders_from_the_link_without_logging_in_and_the_next_is_skipped(
    page: Page, site, shot, log_in, committee, eager_tasks, mailoutbox
):
    cycle = CycleFactory()
    mina = UserFactory(first_name="Mina", last_name="Member")
    pair = PairFactory(
        cycle=cycle,
        mentee=EnrollmentFactory(cycle=cycle, member=mina, status="paired"),
        starts_on=timezone.localdate() - dt.timedelta(days=90),
        liaison=committee,
    )
    reminders.checkin_reminders_send()
    [reminder] = [m for m in mailoutbox if m.to == [mina.email]]
    link = re.search(r"To stop them, open: (\S+)", reminder.body).group(1)
    assert reminder.extra_headers["List-Unsubscribe"] == f"<{link}>"

    page.goto(link.replace("http://127.0.0.1:8000", site("").rstrip("/")))
    expect(page.get_by_role("heading", name="Stop check-in reminders?")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)  # nobody is logged in
    both_widths(page, shot, "75-unsubscribe")
    page.get_by_role("button", name="Stop check-in reminders").click()
    expect(page.get_by_role("heading", name="Done: check-in reminders are off")).to_be_visible()
    both_widths(page, shot, "76-unsubscribed")
    page.go_back()
    page.get_by_role("button", name="Stop check-in reminders").click()
    expect(page.get_by_role("heading", name="Check-in reminders were already off")).to_be_visible()
    assert not EmailPreference.objects.get(member=mina, kind=EmailKind.CHECKIN_REMINDER).receives

    # The next quiet spell: Mina's reminder is recorded as skipped, and the committee sees why.
    pair.reminded_on = None
    pair.save(update_fields=["reminded_on"])
    reminders.checkin_reminders_send(today=timezone.localdate() + dt.timedelta(days=1))
    skipped = Email.objects.get(recipient=mina, state=EmailState.SKIPPED)
    log_in(page, committee)
    page.goto(site("/outbox/?state=skipped"))
    row = page.get_by_role("row", name=re.compile(re.escape(mina.email)))
    expect(row).to_contain_text("Skipped")
    expect(row).to_contain_text("The member turned check-in reminders off from the link in an email")
    both_widths(page, shot, "77-outbox-skipped")
    assert skipped.skip_reason.startswith("The member turned check-in reminders off")

    # On her page, Mina sees the switch off, and turns it back on.
    page.context.clear_cookies()
    log_in(page, mina)
    page.goto(site("/me/"))
    emails = page.get_by_role("region", name="Emails I receive")
    expect(emails.get_by_label("Check-in reminders")).not_to_be_checked()
    both_widths(page, shot, "78-profile-emails")
    emails.get_by_label("Check-in reminders").check()
    emails.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("alert")).to_contain_text("Saved: you receive check-in reminders.")
    page.goto(site("/outbox/my-emails/"))
    expect(page.get_by_label("Check-in reminders")).to_be_checked()
    both_widths(page, shot, "79-my-emails")
