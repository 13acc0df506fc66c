"""Issue 14's "done when", in a real browser: the committee writes a month's topic, a pair
receives it by email and on its pair page and tags a check-in with it; the author corrects that
check-in; a completed pair's two sides open their certificates; an employer, not signed in,
confirms one on the verification page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Role
from pairs.models import CheckIn, Pair, pair_month
from pairs.services import pairing, topics
from tests.factories import EnrollmentFactory, PairFactory, UserFactory

from .test_pair_flow import short

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def both_widths(page: Page, shot, name: str) -> None:
    for size, width in ((PHONE, "390"), (WIDE, "1280")):
        page.set_viewport_size(size)
        shot(page, f"{name}-{width}")


def test_a_pair_receives_the_months_topic_and_tags_a_checkin_with_it(
    page: Page, site, shot, log_in, committee, cycle, sending, mailoutbox
):
    mina = UserFactory(first_name="Mina", last_name="Member")
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(
            cycle=cycle,
            role=Role.MENTOR,
            status="paired",
            member=UserFactory(seasoned=True, first_name="Sam", last_name="Senior"),
        ),
        mentee=EnrollmentFactory(cycle=cycle, member=mina, status="paired"),
        liaison=committee,
    )
    month = pair_month(pair)

    # The committee writes this month's topic on Committee → Monthly topics.
    log_in(page, committee)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Monthly topics").click()
    expect(page.get_by_role("heading", name="Monthly topics: the program's schedule")).to_be_visible()
    page.get_by_role("link", name=f"Add a topic for month {month}", exact=True).click()
    expect(page.get_by_label("Month of the pair's year")).to_have_value(str(month))
    page.get_by_label("Title").fill("Committees and Communities of Interest")
    page.get_by_label("What to talk about").fill(
        "Look at the association's **committees** together. Which ones fit the mentee's work?"
    )
    page.get_by_label("Resource link").fill("https://example.org/committees")
    page.get_by_role("button", name="Save the topic").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Month {month}'s topic “Committees and Communities")
    both_widths(page, shot, "240-topics-schedule")

    # The daily task sends it to both sides, once.
    with sending():
        assert topics.topics_send() == 2
        assert topics.topics_send() == 0
    to_mina = next(m for m in mailoutbox if m.to == [mina.email])
    assert to_mina.subject == "This month with your mentor: Committees and Communities of Interest"
    assert "https://example.org/committees" in to_mina.body

    # Mina sees it on her pair page and tags a check-in with it.
    page.get_by_role("button", name="Log out").click()
    log_in(page, mina)
    page.goto(site(pair.get_absolute_url()))
    topic_card = page.get_by_role("region", name="Committees and Communities of Interest")
    expect(topic_card).to_contain_text(f"This month's topic · month {month} of the pair's year")
    expect(topic_card.locator("strong", has_text="committees")).to_be_visible()
    expect(
        topic_card.get_by_role("link", name="Read more about Committees and Communities of Interest")
    ).to_be_visible()
    log_form = page.get_by_role("region", name="Log a check-in")
    log_form.get_by_label("How you met").select_option("video")
    log_form.get_by_label("The month's topic you discussed").select_option(
        label=f"Month {month}: Committees and Communities of Interest"
    )
    log_form.get_by_label("Notes").fill("Looked at the membership committee.")
    log_form.get_by_role("button", name="Log check-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Check-in logged.")
    checkins = page.get_by_role("region", name="Check-ins")
    expect(checkins).to_contain_text("Topic: Committees and Communities of Interest")
    both_widths(page, shot, "241-pair-page-with-the-topic")

    # She corrects it (her own, logged a moment ago); Sam sees that it was edited.
    checkin = CheckIn.objects.get()
    checkins.get_by_role("link", name=f"Edit the check-in of {short(checkin.met_on)}").click()
    page.get_by_label("Length (minutes)").fill("40")
    page.get_by_role("button", name="Save the check-in").click()
    expect(page.get_by_role("alert")).to_contain_text("your partner sees that it was edited")
    page.get_by_role("button", name="Log out").click()
    log_in(page, pair.mentor.member)
    page.goto(site(pair.get_absolute_url()))
    expect(page.get_by_role("region", name="Check-ins")).to_contain_text(f"edited {short(timezone.localdate())}")
    expect(page.get_by_role("region", name="Check-ins").get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)


def test_a_completed_pair_opens_both_certificates_and_an_employer_confirms_one(
    page: Page, site, shot, log_in, committee, cycle, sending
):
    sam = UserFactory(seasoned=True, first_name="Sam", last_name="Senior")
    mina = UserFactory(first_name="Mina", last_name="Member")
    today = timezone.localdate()
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, role=Role.MENTOR, status="paired", member=sam),
        mentee=EnrollmentFactory(cycle=cycle, member=mina, status="paired"),
        starts_on=today - dt.timedelta(days=300),
        ends_on=today - dt.timedelta(days=1),
    )
    with sending():
        assert pairing.pair_complete_due() == 1

    codes = {}
    for person, role in ((mina, "mentee"), (sam, "mentor")):
        log_in(page, person)
        page.goto(site(pair.get_absolute_url()))
        expect(page.get_by_text("This pair completed its year")).to_be_visible()
        page.get_by_role("link", name="My certificate").click()
        certificate = page.get_by_role("article", name="Certificate of completion")
        expect(certificate).to_contain_text(str(person))
        expect(certificate).to_contain_text(f"as a {role}")
        expect(certificate).to_contain_text("Arkansas Library Association")
        expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
        codes[role] = certificate.locator(".cert-code").inner_text()
        if role == "mentee":
            both_widths(page, shot, "242-certificate")
            page.emulate_media(media="print")
            shot(page, "243-certificate-printed")
            expect(page.get_by_role("navigation", name="Main navigation")).to_be_hidden()
            page.emulate_media(media="screen")
        page.get_by_role("button", name="Log out").click()

    # An employer, not signed in, types Mina's code as it is printed.
    page.goto(site("/pairs/certificates/verify/"))
    page.get_by_label("Code").fill(codes["mentee"].lower())
    page.get_by_role("button", name="Verify").click()
    verified = page.get_by_role("status")
    expect(verified).to_contain_text("This certificate is genuine")
    expect(verified).to_contain_text("Mina Member")
    expect(verified).to_contain_text("Mentee")
    expect(verified).not_to_contain_text(mina.email)
    both_widths(page, shot, "244-certificate-verified")
    assert Pair.objects.get(pk=pair.pk).certificates.count() == 2
