"""Issue 14, items 1 and 2 in a real browser: the committee turns "accept first" on and pairs;
the mentor accepts from the emailed link, not signed in, and both introductions go out;
another mentor declines and the mentee is back on the dashboard with the reason; a pair with
no contact is nudged on day 14 (the test moves the clock) and shows as needing attention."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from arla_mentoring.celery import app
from members.models import Cycle, Enrollment, Role
from outbox.models import Email
from pairs.models import Offer, Pair
from pairs.services import contact, offers
from tests.factories import CycleFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def eager_celery():
    """Send the outbox in process: with live_server nothing else would."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def opt_in(cycle, role, first, last, title, areas):
    member = UserFactory(
        seasoned=role == Role.MENTOR,
        first_name=first,
        last_name=last,
        job_title=title,
        responsibilities=areas,
        institution=f"{last} Library",
    )
    goals = "Learn to run a cataloging unit and present at the conference." if role == Role.MENTEE else ""
    return EnrollmentFactory(cycle=cycle, member=member, role=role, goals=goals or "Share what I know.")


def link_in(email: Email, path: str, nth: int = 0) -> str:
    return re.findall(rf"https?://[^/\s]+({path}[^\s<>\"]+/)", email.body_text)[nth]


def test_accept_first_the_mentor_accepts_another_declines_and_a_silent_pair_is_nudged(
    page: Page, browser: Browser, site, shot, log_in, committee, eager_celery, mailoutbox
):
    cycle = CycleFactory()
    mina = opt_in(cycle, Role.MENTEE, "Mina", "Member", "Cataloger", ["cataloging", "acquisitions"])
    wes = opt_in(cycle, Role.MENTEE, "Wes", "Waiting", "Reference Assistant", ["reference", "instruction"])
    cora = opt_in(cycle, Role.MENTOR, "Cora", "Catalog", "Cataloging Librarian", ["cataloging", "acquisitions"])
    rex = opt_in(cycle, Role.MENTOR, "Rex", "Rios", "Reference Librarian", ["reference", "instruction"])
    opt_in(cycle, Role.MENTOR, "Ria", "Ross", "Reference Librarian", ["reference"])
    page.set_viewport_size({"width": 1280, "height": 900})

    # The committee turns "accept first" on for the cycle.
    log_in(page, committee)
    page.goto(site(reverse("members:cycle-edit", args=[cycle.pk])))
    page.get_by_label("Mentor accepts before the introduction").check()
    expect(page.get_by_label("Days to answer an offer")).to_have_value("7")
    expect(page.get_by_label("Days to first contact")).to_have_value("14")
    shot(page, "140-cycle-accept-first")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert Cycle.objects.get(pk=cycle.pk).mentor_accepts_first

    # The committee pairs Mina with her top suggestion: an offer goes to Cora, no introduction.
    page.goto(site(reverse("matching:dashboard", args=[cycle.pk])))
    page.get_by_role("link", name="Suggestions for Mina Member").click()
    page.get_by_role("article").first.get_by_role("link", name=re.compile(r"^Pair")).click()
    expect(page.get_by_role("heading", name="Offer Mina Member to Cora Catalog?")).to_be_visible()
    page.get_by_role("button", name="Confirm: send the offer").click()
    expect(page.get_by_role("alert")).to_contain_text("Offered Mina Member to Cora Catalog: the offer is on its way")
    offers_section = page.get_by_role("region", name="Offers to mentors")
    expect(offers_section.get_by_role("row").filter(has_text="Mina Member")).to_contain_text("Waiting for the mentor")
    shot(page, "141-dashboard-offer-waiting")
    offer_email = Email.objects.get(kind="offer")
    assert offer_email.to == cora.member.email and not Email.objects.filter(kind__startswith="intro").exists()

    # The offer email itself, as the outbox shows it to the committee.
    page.goto(site(reverse("outbox:email-detail", args=[offer_email.pk])))
    expect(page.get_by_text("Would you mentor Mina Member?").first).to_be_visible()
    shot(page, "142-offer-email")

    # Cora, not signed in, opens Accept from her email: one button, then the thanks.
    visitor = browser.new_context()
    mentor_page = visitor.new_page()
    mentor_page.set_viewport_size({"width": 1280, "height": 900})
    mentor_page.goto(site(link_in(offer_email, "/pairs/offer/", 0)))
    expect(mentor_page.get_by_role("heading", name="Mentor Mina Member?")).to_be_visible()
    expect(mentor_page.get_by_role("button", name="Log out")).to_have_count(0)
    shot(mentor_page, "143-offer-accept-page")
    mentor_page.get_by_role("button", name="Yes, I will mentor Mina").click()
    expect(mentor_page.get_by_role("heading", name="Thank you: you are Mina Member's mentor")).to_be_visible()
    shot(mentor_page, "144-offer-accepted")
    pair = Pair.objects.get()
    assert (pair.mentor, pair.mentee) == (cora, mina)
    intros = {m.subject: m.to[0] for m in mailoutbox if m.subject.startswith("Meet your")}
    assert intros == {
        "Meet your mentee: Mina Member": cora.member.email,
        "Meet your mentor: Cora Catalog": mina.member.email,
    }
    # Pressed again (the back button, a second click): says what happened, nothing more.
    mentor_page.go_back()
    mentor_page.reload()
    expect(mentor_page.get_by_role("heading", name="This offer has been answered")).to_be_visible()

    # Wes is offered to Rex, who declines with a reason.
    offers.pair_or_offer(mentee_id=wes.pk, mentor_id=rex.pk, by=committee, match_reasons=["Both work in Reference"])
    rex_email = Email.objects.get(kind="offer", to=rex.member.email)
    mentor_page.goto(site(link_in(rex_email, "/pairs/offer/", 1)))
    expect(mentor_page.get_by_role("heading", name="Decline to mentor Wes Waiting?")).to_be_visible()
    mentor_page.get_by_label("Why not (optional)").fill("On sabbatical until March.")
    shot(mentor_page, "145-offer-decline-page")
    mentor_page.get_by_role("button", name="Decline this offer").click()
    expect(mentor_page.get_by_role("heading", name="Thank you for answering")).to_be_visible()
    visitor.close()

    # Back on the dashboard: Wes waits again, with who declined and why, and the next suggestion.
    page.goto(site(reverse("matching:dashboard", args=[cycle.pk])))
    wes_row = page.get_by_role("row").filter(has_text="Wes Waiting")
    expect(wes_row).to_contain_text("Declined by Rex Rios")
    expect(wes_row).to_contain_text("On sabbatical until March.")
    shot(page, "146-dashboard-declined")
    wes_row.get_by_role("link", name="Suggestions for Wes Waiting").click()
    expect(page.get_by_role("article").first.get_by_role("heading")).to_have_text("1. Ria Ross")
    assert Enrollment.objects.get(pk=wes.pk).status == "waiting"
    assert Offer.objects.get(mentee=wes).status == "declined"
    assert Email.objects.get(kind="offer_declined").to == committee.email

    # Day 14 with no first contact: both are nudged, and the pair needs attention.
    day_14 = timezone.localdate() + dt.timedelta(days=14)
    assert contact.no_contact_follow_up(today=day_14 - dt.timedelta(days=1)) == (0, 0)
    assert contact.no_contact_follow_up(today=day_14) == (1, 0)
    nudged = sorted(m.to[0] for m in mailoutbox if m.subject.startswith("Have you and"))
    assert nudged == sorted([cora.member.email, mina.member.email])
    Pair.objects.update(first_contact_due_on=timezone.localdate())  # the page reads today: the day has come
    page.goto(site(reverse("pairs:pair-list") + f"?cycle={cycle.pk}"))
    expect(page.get_by_role("row").filter(has_text="Mina Member")).to_contain_text("Needs attention: no first contact")
    shot(page, "147-pair-list-no-first-contact")

    # Mina confirms from her introduction's link: the timeline's first contact is done.
    intro = Email.objects.get(kind="intro_mentee")
    other = browser.new_context()
    mentee_page = other.new_page()
    mentee_page.goto(site(link_in(intro, "/pairs/in-touch/")))
    expect(mentee_page.get_by_role("heading", name="Have you and Cora Catalog been in touch?")).to_be_visible()
    mentee_page.get_by_role("button", name="Yes, we have been in touch").click()
    expect(mentee_page.get_by_role("heading", name="Thank you: first contact is recorded")).to_be_visible()
    shot(mentee_page, "148-in-touch-recorded")
    other.close()
    page.goto(site(pair.get_absolute_url()))
    expect(page.get_by_text("Needs attention")).to_have_count(0)
    first_contact = page.get_by_role("listitem").filter(has_text="First contact")
    expect(first_contact).to_contain_text("Done")
