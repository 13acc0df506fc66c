"""Rule 11 in Chromium: "Log check-in" pressed twice quickly logs one check-in (issue 10)."""

import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Role
from pairs.models import CheckIn
from pairs.services import year
from tests.factories import CycleFactory, EnrollmentFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

NOTES = "Went through her first budget request line by line"


def test_log_checkin_pressed_twice_quickly_logs_one_checkin(page: Page, site, shot, log_in, committee, monkeypatch):
    cycle = CycleFactory()
    mentor = UserFactory(seasoned=True, first_name="Sam", last_name="Senior")
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=mentor, role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Mina", last_name="Member")),
        liaison=committee,
    )

    log_in(page, mentor)
    page.goto(site(pair.get_absolute_url()))
    form = page.get_by_role("region", name="Log a check-in")
    form.get_by_label("Date").fill(timezone.localdate().isoformat())
    form.get_by_label("How you met").select_option(label="Phone")
    form.get_by_label("Notes").fill(NOTES)
    # A busy server, and a second press 0.2 s after the first, while the first is still being
    # handled. (Chromium sends a true double click as one request, and Playwright's own
    # clicks wait for the page the first one loads: the presses are the page's own clicks.)
    checkin_log = year.checkin_log

    def busy_checkin_log(**kwargs):
        time.sleep(0.5)
        return checkin_log(**kwargs)

    monkeypatch.setattr(year, "checkin_log", busy_checkin_log)
    form.get_by_role("button", name="Log check-in").evaluate("b => { b.click(); setTimeout(() => b.click(), 200) }")

    # The page of the second press: the first one's was dropped by the browser.
    expect(page.get_by_role("alert")).to_contain_text("This check-in was already logged: it is listed once.")
    checkins = page.get_by_role("region", name="Check-ins")
    expect(checkins.get_by_text(NOTES)).to_have_count(1)
    shot(page, "111-checkin-double-click")
    assert CheckIn.objects.filter(pair=pair).count() == 1


def test_the_evaluation_sent_with_a_double_click_is_kept_once_and_said_in_blue(
    page: Page, site, shot, log_in, committee, monkeypatch
):
    """Issue 15, item 17: a red alert after a double click that had worked."""
    import datetime as dt

    from pairs.models import Evaluation

    today = timezone.localdate()
    cycle = CycleFactory()
    mentee = UserFactory(first_name="Mina", last_name="Member")
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=UserFactory(seasoned=True), role=Role.MENTOR, status="paired"),
        mentee=EnrollmentFactory(cycle=cycle, member=mentee, status="paired"),
        liaison=committee,
        starts_on=today - dt.timedelta(days=290),
    )
    log_in(page, mentee)
    page.goto(site(f"/pairs/{pair.pk}/evaluation/"))
    for name in ("overall", "relationship", "goals_met"):
        page.locator(f"input[name={name}][value='5']").check()
    submit = year.evaluation_submit

    def busy_submit(**kwargs):
        time.sleep(0.5)
        return submit(**kwargs)

    monkeypatch.setattr(year, "evaluation_submit", busy_submit)
    page.locator("main form button[type=submit]").evaluate("b => { b.click(); setTimeout(() => b.click(), 200) }")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your evaluation is in already: your first answers are kept. Thank you!")
    expect(alert).to_have_class(re.compile(r"\balert-info\b"))
    shot(page, "165-evaluation-double-click-1280")
    assert Evaluation.objects.filter(pair=pair).count() == 1


def make_the_pairs_page(page: Page, site, log_in, committee, monkeypatch):
    """The confirm page of a solved two-pair draft, with making a pair slowed down (a large draft)."""
    from matching.services import proposal as proposals
    from pairs.services import pairing
    from tests.test_matching import mentee, mentor

    cycle = CycleFactory()
    mentee(cycle, "Cam", "One", title="Cataloger", areas=["cataloging"])
    mentee(cycle, "Kai", "Four", title="Youth Services Assistant", areas=["youth_services"])
    mentor(cycle, "Cora", "Catalog")
    mentor(cycle, "Kit", "Kidd", title="Children's Librarian", areas=["youth_services"])
    proposals.proposal_solve(cycle=cycle, by=committee)
    make = pairing.pairs_create

    def busy_pairs_create(requests, **kwargs):
        time.sleep(0.5 * len(requests))
        return make(requests, **kwargs)

    monkeypatch.setattr(pairing, "pairs_create", busy_pairs_create)
    log_in(page, committee)
    page.goto(site(reverse("matching:proposal-confirm", args=[cycle.pk])))
    expect(page.get_by_role("heading", name="Make all 2 pairs?")).to_be_visible()
    return cycle


def test_make_the_pairs_clicked_twice_says_it_is_working_and_makes_them_once(
    page: Page, site, shot, log_in, committee, monkeypatch
):
    """Issue 15, item 1: the button takes a while on a large draft, with no sign of progress."""
    from pairs.models import Pair

    cycle = make_the_pairs_page(page, site, log_in, committee, monkeypatch)
    button = page.get_by_role("button", name="Make the 2 pairs")
    # Two presses 0.2 s apart; what the page shows just after the second, while the first runs.
    disabled, status_hidden, said = button.evaluate(
        """b => new Promise(done => { b.click(); setTimeout(() => { b.click();
             const status = document.getElementById("busy-status");
             done([b.disabled, status.hidden, status.innerText]) }, 200) })"""
    )

    assert disabled and not status_hidden
    assert "Making the 2 pairs and writing their 4 introductions" in said
    expect(page.get_by_role("alert")).to_contain_text("2 pairs made.")
    expect(page.get_by_role("alert")).to_have_class(re.compile(r"\balert-success\b"))
    assert Pair.objects.filter(cycle=cycle).count() == 2


def test_make_the_pairs_sent_twice_makes_them_once_and_the_second_says_when_and_by_whom(
    page: Page, site, shot, log_in, committee, monkeypatch
):
    """Issue 15, item 1: a second press (a second tab, or no JavaScript to disable the button)
    while the first runs showed an error page — though the first had made every pair."""
    from pairs.models import Pair

    cycle = make_the_pairs_page(page, site, log_in, committee, monkeypatch)
    # form.submit() skips the page's guard, as a press in another tab or without JavaScript would.
    page.locator("main form[method=post]").evaluate("f => { f.submit(); setTimeout(() => f.submit(), 300) }")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This proposal was confirmed on ")
    expect(alert).to_contain_text("by Carol Committee: its 2 pairs are listed here. Nothing more was done.")
    expect(alert).to_have_class(re.compile(r"\balert-info\b"))
    for name in ("Cam One", "Kai Four"):
        expect(page.get_by_role("main")).to_contain_text(name)
    shot(page, "182-make-the-pairs-pressed-again")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "182-make-the-pairs-pressed-again-390")
    assert Pair.objects.filter(cycle=cycle).count() == 2
