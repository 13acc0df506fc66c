"""Matching that knows library work, as the committee meets it: its own words and
abbreviations added in the admin, the suggestions page (titles read by the model of
library work, reasons naming the words, ties shown as ties), the agreement with the
suggestions on program health, and making a proposal's pairs.

The model and the scores themselves are proven without a database in test_scoring.py.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from matching.models import TitleTerm
from members.models import Role

from .factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def opt_in(cycle, role, first, last, title, areas=(), **profile):
    member = UserFactory(
        seasoned=role == Role.MENTOR,
        first_name=first,
        last_name=last,
        job_title=title,
        responsibilities=list(areas),
        institution=f"{last} Library",
        **profile,
    )
    # The opt-in keeps a snapshot of the profile's work, as membership.optin writes it.
    return EnrollmentFactory(
        cycle=cycle, member=member, role=role, responsibilities_other=member.responsibilities_other
    )


def admin_add(client, **fields):
    return client.post(reverse("admin:matching_titleterm_add"), fields, follow=True)


def errors(response) -> str:
    return " ".join(unescape(e) for e in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S))


# --- The committee's own words, in the admin ---------------------------------------------------


def test_the_committee_adds_an_abbreviation_in_the_admin_and_it_is_recorded_with_who_added_it(client_for, committee):
    client = client_for(committee)

    response = admin_add(client, kind="abbreviation", words="  YS ", expansion="youth  services")

    assert response.status_code == 200 and "was added successfully" in response.text
    term = TitleTerm.objects.get()
    assert (term.kind, term.words, term.expansion, term.family, term.added_by) == (
        "abbreviation",
        "YS",
        "youth services",
        "",
        committee,
    )
    assert TitleTerm.objects.as_terms() == (("abbreviation", "YS", "youth services"),)


def test_the_admin_offers_the_kinds_of_work_of_the_model_and_says_what_is_missing(client_for, committee):
    client = client_for(committee)
    form = client.get(reverse("admin:matching_titleterm_add"))
    assert '<option value="teen">teen / young adult services</option>' in form.text

    no_family = admin_add(client, kind="synonym", words="Bookmobile driver", family="")
    no_expansion = admin_add(client, kind="abbreviation", words="YS", expansion="")
    admin_add(client, kind="synonym", words="Book bike", family="outreach")
    twice = admin_add(client, kind="synonym", words="book BIKE", family="programming")

    assert "Choose the kind of work these words name." in errors(no_family)
    assert "Write what the abbreviation stands for." in errors(no_expansion)
    assert "These words are already in the list: change that row instead." in errors(twice)
    assert list(TitleTerm.objects.values_list("words", "family")) == [("Book bike", "outreach")]


def test_a_member_cannot_open_the_committees_words(client_for, member):
    response = client_for(member).get(reverse("admin:matching_titleterm_changelist"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --- The suggestions page ----------------------------------------------------------------------


def cards(response) -> list[dict]:
    """Each suggested mentor as the page shows them: rank, name, tie note, reasons (text, points, out of)."""
    out = []
    for article in re.findall(r"<article.*?</article>", response.text, re.S):
        rank, name = re.search(r"<h3[^>]*>(\d+)\. (.*?)</h3>", article).groups()
        reasons = re.findall(
            r'<li class="d-flex[^"]*"><span>(.*?)</span><span class="text-nowrap">'
            r'<span class="fw-semibold">(.*?)</span> <span class="text-body-secondary">of (\d+)</span>',
            article,
        )
        zero = re.findall(r'<span class="reason-zero">(.*?)</span>', article)
        out.append(
            {
                "rank": int(rank),
                "name": unescape(name),
                "tied": "tied</span>" in article,
                # Those that gave points (and the job titles' work), then those on the "No points" line.
                "reasons": [(unescape(t), p, int(n)) for t, p, n in reasons] + [(unescape(t), "0", 0) for t in zero],
                "score": int(re.search(r'fs-4 fw-semibold">(\d+)<', article).group(1)),
            }
        )
    return out


def suggestions(client, cycle, mentee):
    return client.get(reverse("matching:suggestions", args=[cycle.pk, mentee.pk]))


def test_a_teen_services_coordinator_is_shown_a_young_adult_librarian_above_a_childrens_librarian(
    client_for, committee, cycle
):
    tess = opt_in(cycle, Role.MENTEE, "Tess", "Teen", "Teen Services Coordinator")
    opt_in(cycle, Role.MENTOR, "Cy", "Children", "Children's Librarian")
    opt_in(cycle, Role.MENTOR, "Yan", "Young", "Young Adult Librarian")

    shown = cards(suggestions(client_for(committee), cycle, tess))

    assert [c["name"] for c in shown] == ["Yan Young", "Cy Children"]
    assert (
        shown[0]["reasons"][0][0] == "Job titles: “Teen Services” and “Young Adult”: both teen / young adult services"
    )
    assert shown[1]["reasons"][0][0] == (
        "Job titles: “Teen Services” and “Children's”: teen / young adult services and children's services, "
        "both youth services"
    )


def test_an_ill_assistant_is_shown_the_interlibrary_loan_coordinator_first(client_for, committee, cycle):
    ivy = opt_in(cycle, Role.MENTEE, "Ivy", "Ill", "ILL Asst")
    opt_in(cycle, Role.MENTOR, "Ian", "Illustrator", "Illustrations Coordinator")
    opt_in(cycle, Role.MENTOR, "Lou", "Loan", "Interlibrary Loan Coordinator")

    first = cards(suggestions(client_for(committee), cycle, ivy))[0]

    assert first["name"] == "Lou Loan"
    assert first["reasons"][0][0] == (
        "Job titles: “ILL” and “Interlibrary Loan”: both interlibrary loan / resource sharing"
    )


def test_a_library_director_is_shown_no_agreement_with_a_knowledge_manager(client_for, committee, cycle):
    dee = opt_in(cycle, Role.MENTEE, "Dee", "Director", "Library Director")
    opt_in(cycle, Role.MENTOR, "Kim", "Knowledge", "Knowledge Manager")

    (kim,) = cards(suggestions(client_for(committee), cycle, dee))

    assert kim["reasons"][0] == (
        "Job titles name different work: “Library Director” (library administration); "
        "“Knowledge Manager” (knowledge management)",
        "0",
        32,
    )
    texts = [text for text, _, _ in kim["reasons"]]
    assert "Seniority: the mentor is 2 steps below the mentee (“Library Director” → “Knowledge Manager”)" in texts
    assert not any("agree" in text for text, _, _ in kim["reasons"])


def test_every_reason_names_the_words_and_the_points_add_up_to_the_score(client_for, committee, cycle):
    cam = opt_in(
        cycle, Role.MENTEE, "Cam", "Circ", "Circ Supervisor", ["circulation"], responsibilities_other="ILL and holds"
    )
    opt_in(cycle, Role.MENTOR, "Ace", "Access", "Access Services Coordinator", ["circulation", "interlibrary_loan"])

    (ace,) = cards(suggestions(client_for(committee), cycle, cam))

    texts = [text for text, _, _ in ace["reasons"]]
    assert texts[0] == "Job titles: “Circ” and “Access Services”: both circulation / access services"
    assert "Both work in Circulation & access services (1 of the mentee's 1 area; the mentor ticked 2)" in texts
    assert any(t.startswith("What they wrote: “ILL” (mentee's other responsibilities) and ") for t in texts)
    assert ace["score"] == sum(int(p) for _, p, _ in ace["reasons"])
    assert sum(n for _, _, n in ace["reasons"] if n) <= 100


def test_mentors_with_the_same_score_are_shown_as_a_tie_not_as_1_2_3(client_for, committee, cycle):
    rae = opt_in(cycle, Role.MENTEE, "Rae", "Ref", "Reference Librarian")
    for first, last in (("Ann", "One"), ("Bob", "Two"), ("Cat", "Three")):
        opt_in(cycle, Role.MENTOR, first, last, "Head of Reference")
    opt_in(cycle, Role.MENTOR, "Dan", "Four", "Archivist")

    response = suggestions(client_for(committee), cycle, rae)
    shown = cards(response)

    assert [(c["rank"], c["tied"]) for c in shown] == [(1, True), (1, True), (1, True), (4, False)]
    assert "3 mentors share the top score" in unescape(response.text)
    assert "the same score as 2 other mentors" in response.text


def test_a_word_the_committee_added_counts_on_the_next_page(client_for, committee, cycle):
    yara = opt_in(cycle, Role.MENTEE, "Yara", "Young", "YS Asst")
    opt_in(cycle, Role.MENTOR, "Val", "Vance", "Youth Services Manager")
    client = client_for(committee)
    before = cards(suggestions(client, cycle, yara))[0]

    admin_add(client, kind="abbreviation", words="YS", expansion="youth services")
    after = cards(suggestions(client, cycle, yara))[0]

    assert before["reasons"][0][1] == "0"
    assert after["reasons"][0][0] == "Job titles: “YS” and “Youth Services”: both youth services"
    assert after["score"] > before["score"]


# --- Making a proposal's pairs -----------------------------------------------------------------


def drafted(client, cycle, n, prefix):
    """A solved draft of `n` pairs (catalogers with cataloging librarians)."""
    for k in range(n):
        opt_in(cycle, Role.MENTEE, "Cam", f"{prefix}Mentee{k}", "Cataloger", ["cataloging"])
        opt_in(cycle, Role.MENTOR, "Cora", f"{prefix}Mentor{k}", "Cataloging Librarian", ["cataloging"])
    client.post(reverse("matching:proposal-solve", args=[cycle.pk]))


def test_confirming_a_proposal_gives_each_pair_the_liaison_with_the_fewest_pairs_as_pairing_by_hand_does(
    client_for, committee, cycle
):
    from collections import Counter

    from members.models import committee_group
    from pairs.models import Pair

    from .factories import PairFactory

    colleague = UserFactory(seasoned=True, first_name="Lee", last_name="Liaison", is_staff=True)
    colleague.groups.add(committee_group())
    for _ in range(2):
        PairFactory(cycle=cycle, liaison=committee)
    client = client_for(committee)
    drafted(client, cycle, 4, "A")

    response = client.post(reverse("matching:proposal-confirm", args=[cycle.pk]), follow=True)

    assert "4 pairs made." in response.text
    made = Pair.objects.filter(created_by=committee)
    # Lee has none, Carol two: Lee takes two, then the longest-serving on a tie, Carol, then Lee.
    assert Counter(made.values_list("liaison__first_name", flat=True)) == {"Lee": 3, "Carol": 1}


def test_confirming_a_proposal_reads_the_same_queries_for_any_number_of_pairs(client_for, committee):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import CycleFactory

    client = client_for(committee)
    counts = {}
    for n in (3, 6):
        cycle = CycleFactory(name=f"20{n}0–{n}1", is_open=False)
        drafted(client, cycle, n, f"N{n}")
        with CaptureQueriesContext(connection) as ctx:
            client.post(reverse("matching:proposal-confirm", args=[cycle.pk]))
        counts[n] = len(ctx.captured_queries)

    # The same queries for 3 pairs as for 6 (34 measured): the opt-ins locked, the rules
    # checked, the pairs, their statuses and their 2 × n introductions written, each once for
    # the whole draft (pairs_create, emails_write); it was 14 a pair.
    assert counts[6] == counts[3]


# --- Program health: how often the committee agrees with the suggestions -----------------------


def test_program_health_says_how_often_the_committee_paired_with_the_top_suggestion_or_a_top_3(
    client_for, committee, cycle
):
    from .factories import PairFactory

    for rank in (1, 1, 1, 2, 3, 7, None, None):
        PairFactory(cycle=cycle, suggestion_rank=rank)
    ended = PairFactory(cycle=cycle, suggestion_rank=1, status="ended")
    assert ended.status == "ended"  # a pair ended early was still the committee's choice

    page = unescape(client_for(committee).get(reverse("matching:health", args=[cycle.pk])).content.decode())
    section = page.split('id="suggestions-heading"', 1)[1].split("</section>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))

    assert "57%" in text and "4 of 7 pairs" in text  # the top suggestion (or tied for it)
    assert "86%" in text and "6 of 7 pairs" in text  # one of the top 3
    assert "2 pairs made in the admin (or before ranks were recorded) are not counted" in text


def test_program_health_of_a_cycle_without_ranked_pairs_says_so(client_for, committee, cycle):
    page = unescape(client_for(committee).get(reverse("matching:health", args=[cycle.pk])).content.decode())

    assert "No pair of this cycle was made from the suggestions yet." in page


def test_the_confirmation_page_says_it_is_working_once_pressed(client_for, committee, cycle):
    client = client_for(committee)
    drafted(client, cycle, 2, "B")

    page = client.get(reverse("matching:proposal-confirm", args=[cycle.pk])).content.decode()

    assert 'data-busy="Making the 2 pairs and writing their 4 introductions…' in page
    assert '<div id="busy-status" class="alert alert-info' in page and " hidden>" in page
    assert '<script src="/static/js/busy-form.js"></script>' in page
