"""The committee's reports and roster import in a real browser: the program's health
with its charts (drawn under the strict CSP), then a roster uploaded, previewed and
confirmed, and a file with one bad row refused with the row and the reason."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Role, User
from pairs.models import CheckIn
from tests.factories import CycleFactory, EnrollmentFactory, EvaluationFactory, PairFactory, UserFactory

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Mina", "Member", "Cora", "Catalog"),
    ("Yara", "Young", "Kit", "Kidd"),
    ("Ravi", "Reed", "Rex", "Rios"),
    ("Ada", "Archer", "Abe", "Abbott"),
    ("Lena", "Lowe", "Iris", "Ives"),
    ("Tom", "Tate", "Gus", "Gray"),
    ("Nia", "Nolan", "Hal", "Hart"),
]


def build_cycle():
    """A cycle eight months in: seven pairs meeting more or less often, one ended early, two quiet."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=240)
    CycleFactory(name="2024–25", is_open=False, starts_on=start - dt.timedelta(days=365))
    cycle = CycleFactory(name="2025–26", starts_on=start)
    pairs = []
    for i, (mf, ml, tf, tl) in enumerate(PEOPLE):
        mentee = EnrollmentFactory(cycle=cycle, member=UserFactory(first_name=mf, last_name=ml), status="paired")
        mentor = EnrollmentFactory(
            cycle=cycle,
            role=Role.MENTOR,
            status="paired",
            member=UserFactory(seasoned=True, first_name=tf, last_name=tl),
        )
        pairs.append(PairFactory(cycle=cycle, mentee=mentee, mentor=mentor, starts_on=start + dt.timedelta(days=4 * i)))
    for i, pair in enumerate(pairs):
        quiet = i in (4, 5)  # no check-in for the last two months: they need attention
        every = 14 if i % 2 else 24
        day = pair.starts_on + dt.timedelta(days=3)
        while day < today - dt.timedelta(days=70 if quiet else 0):
            CheckIn.objects.create(pair=pair, met_on=day, mode="video", notes="private")
            day += dt.timedelta(days=every + i)
    ended = pairs[6]
    ended.status, ended.end_reason = "ended", "The mentee took a job outside libraries."
    ended.ended_at = timezone.now() - dt.timedelta(days=100)
    ended.save()
    for pair, (overall, together, goals) in zip(pairs[:3], [(5, 5, 4), (4, 5, 4), (5, 4, 3)], strict=True):
        for role in ("mentor", "mentee"):
            EvaluationFactory(pair=pair, role=role, overall=overall, relationship=together, goals_met=goals)
    for first, last in (("Wes", "Waiting"), ("Val", "Vance"), ("Quinn", "Quill")):
        EnrollmentFactory(cycle=cycle, member=UserFactory(first_name=first, last_name=last))
    EnrollmentFactory(cycle=cycle, member=UserFactory(), status="withdrawn")
    EnrollmentFactory(cycle=cycle, role=Role.MENTOR, member=UserFactory(seasoned=True))
    return cycle


def csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_committee_reads_the_programs_health_with_charts(page: Page, site, shot, log_in, committee):
    cycle = build_cycle()
    blocked = csp_errors(page)
    page.set_viewport_size({"width": 1360, "height": 900})

    log_in(page, committee)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Program health").click()

    expect(page.get_by_role("heading", name=f"Program health · {cycle.name}")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("check-ins per pair per month"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("enrollments of 2025–26 by role and status"))).to_be_visible()
    attention = page.get_by_role("region", name=re.compile("Pairs needing attention"))
    expect(attention.get_by_role("link")).to_have_count(2)
    expect(page.get_by_text("The mentee took a job outside libraries.")).to_be_visible()
    expect(page.get_by_role("link", name="Excel of check-in dates and modes")).to_be_visible()
    years = page.get_by_role("table", name="Key numbers of every cycle")
    expect(years.get_by_role("row")).to_have_count(3)
    shot(page, "70-program-health")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "70-program-health-phone")
    assert not blocked, blocked

    # Each pair that needs attention links to its page.
    attention.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/pairs/\d+/$"))


def test_the_health_page_and_the_cycles_list_agree_once_a_mentee_went_back_to_the_pool(
    page: Page, site, shot, log_in, committee
):
    """Issue 15, item 9: "100% match rate, 30 of 30 mentees paired" beside "1 waiting" and a table
    saying 29 paired; "Paired 48" on the cycles list for 24 pairs; "check-ins per pair 2.4" in
    year over year beside a chart of 0.78 per pair per month."""
    from pairs.services import pairing

    cycle = build_cycle()
    active = [p for p in cycle.pairs.all() if p.is_active]
    pairing.pair_end(pair=active[0], by=committee, category="workload", back_to_pool=True)
    # Seven mentees were paired (the fixture's ended pair's mentee kept "paired"); one is back in the pool.
    paired = 6
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, committee)
    page.goto(site(reverse("matching:health", args=[cycle.pk])))

    numbers = page.get_by_role("region", name="The cycle in numbers")
    expect(numbers).to_contain_text("6 of 10 mentees paired")  # and 4 waiting
    expect(numbers).to_contain_text("60%")
    expect(numbers).not_to_contain_text("70%")
    statuses = page.get_by_role("table", name=re.compile("Enrollments of 2025–26 by role and status"))
    # The mentees' column, the first.
    expect(statuses.get_by_role("row", name=re.compile("^Paired")).get_by_role("cell").first).to_have_text("6")
    expect(statuses.get_by_role("row", name=re.compile("^Waiting")).get_by_role("cell").first).to_have_text("4")
    months = page.get_by_role("table", name=re.compile("Check-ins and active pairs per month"))
    per_month = months.get_by_role("row", name=re.compile("^All months")).get_by_role("cell").last.inner_text()
    years = page.get_by_role("table", name="Key numbers of every cycle")
    expect(years.get_by_role("columnheader", name="Check-ins per pair per month")).to_be_visible()
    expect(years.get_by_role("row", name=re.compile("^2025–26"))).to_contain_text(per_month)
    shot(page, "183-health-figures-agree")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "183-health-figures-agree-390")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site(reverse("members:cycle-list")))
    expect(page.get_by_role("link", name=f"{paired} mentees paired in 2025–26")).to_be_visible()
    expect(page.get_by_role("columnheader", name=re.compile("Mentees by status"))).to_be_visible()
    shot(page, "184-cycles-mentees-by-status")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "184-cycles-mentees-by-status-390")


ROSTER = "\n".join(
    [
        "email,first_name,last_name,phone,institution,library_type,region,membership_category,job_title,"
        "responsibilities,years_experience,member_since,expires_on",
        "ada.archer@example.org,Ada,Archer,501-555-0101,Hendrix College,Academic,central,librarian,"
        "University Archivist,archives; reference,12,2019-03-01,2027-03-01",
        "ben.brooks@example.org,Ben,Brooks,,Fayetteville Public Library,public,Northwest Arkansas,staff,"
        "Library Assistant,Circulation & access services; outreach,2,2024-05-10,2027-05-10",
        "{existing},Mina,Member,,Central Arkansas Library System,public,central,staff,Cataloger,"
        "cataloging; acquisitions,3,2023-01-15,2027-01-15",
    ]
)

BAD = """email,first_name,last_name,library_type,responsibilities
cy.cole@example.org,Cy,Cole,school,instruction
dee.dunn@example.org,Dee,Dunn,museum,archives
"""


def csv_file(text: str, name: str = "roster.csv") -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def test_committee_imports_a_roster_after_the_preview_and_a_bad_file_is_refused(
    page: Page, site, shot, log_in, committee
):
    existing = UserFactory(first_name="Mina", last_name="Member", job_title="Library Assistant")
    page.set_viewport_size({"width": 1360, "height": 900})
    log_in(page, committee)

    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("button", name="Committee").click()
    nav.get_by_role("link", name="Import members").click()
    expect(page.get_by_role("heading", name="Import members", level=1)).to_be_visible()
    shot(page, "71-import-upload")

    # Upload: the preview says what would happen, and nothing is written yet.
    page.get_by_label("Roster file (CSV)").set_input_files(csv_file(ROSTER.format(existing=existing.email)))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.get_by_text("2 new", exact=True)).to_be_visible()
    expect(page.get_by_text("1 updated", exact=True)).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("ada.archer@example.org")
    expect(table).to_contain_text("Archives & special collections; Reference")
    expect(table).to_contain_text("Northwest Arkansas")
    assert not User.objects.filter(email="ada.archer@example.org").exists()
    shot(page, "72-import-preview")

    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_role("alert")).to_contain_text("2 new members, 1 updated, 0 unchanged")
    assert User.objects.get(email="ben.brooks@example.org").region == "northwest"
    existing.refresh_from_db()
    assert existing.job_title == "Cataloger"
    shot(page, "73-import-done")

    # A file with one bad row: refused whole, with the row and the reason.
    page.get_by_label("Roster file (CSV)").set_input_files(csv_file(BAD, "bad.csv"))
    page.get_by_role("button", name="Upload and preview").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("The file was not imported: nothing was written.")
    expect(refusal).to_contain_text("Row 3")
    expect(refusal).to_contain_text("unknown library type “museum”")
    assert not User.objects.filter(email__in=["cy.cole@example.org", "dee.dunn@example.org"]).exists()
    shot(page, "74-import-refused")
