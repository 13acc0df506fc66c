"""The program's health: the numbers on a small known cycle, the page, and query counts
that do not grow with pairs, months or cycles."""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template import engines
from django.template.defaultfilters import date, floatformat, truncatechars
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching import charts, reports
from members.models import Role
from pairs.models import CheckIn, Pair

from .factories import CycleFactory, EnrollmentFactory, EvaluationFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 12, 20)
D = dt.date


def checkin(pair: Pair, met_on: dt.date, mode: str = "video", **values) -> CheckIn:
    return CheckIn.objects.create(pair=pair, logged_by=pair.mentor.member, met_on=met_on, mode=mode, **values)


def evaluation(pair: Pair, role: str, overall: int, relationship: int, goals_met: int, recommend: bool, **values):
    return EvaluationFactory(
        pair=pair,
        role=role,
        overall=overall,
        relationship=relationship,
        goals_met=goals_met,
        would_recommend=recommend,
        **values,
    )


def ended_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def known():
    """A cycle of four pairs seen on 2025-12-20:

    A (from Sep 10, active): check-ins Sep 12, Oct 3, Oct 20, Dec 1 (and two dated next year)
    B (from Oct 5, active): one check-in, Oct 10: quiet since, so it needs attention
    C (from Sep 20, ended early Nov 15 "Mentee changed jobs"): check-in Sep 25
    D (from Sep 1, completed): check-ins Nov 2, Nov 20
    plus a waiting mentee, a mentee who withdrew before being paired, a waiting mentor,
    and another cycle whose check-in must not count.
    """
    cycle = CycleFactory(name="2025–26", starts_on=D(2025, 9, 1))
    a = PairFactory(cycle=cycle, starts_on=D(2025, 9, 10))
    b = PairFactory(cycle=cycle, starts_on=D(2025, 10, 5))
    c = PairFactory(
        cycle=cycle,
        starts_on=D(2025, 9, 20),
        status="ended",
        ended_at=ended_at(D(2025, 11, 15)),
        end_reason="Mentee changed jobs",
    )
    c.mentee.status, c.mentor.status = "withdrawn", "waiting"
    c.mentee.save()
    c.mentor.save()
    d = PairFactory(cycle=cycle, starts_on=D(2025, 9, 1), length_months=9, status="completed")
    d.mentee.status = d.mentor.status = "completed"
    d.mentee.save()
    d.mentor.save()
    EnrollmentFactory(cycle=cycle, role=Role.MENTEE)  # waiting
    EnrollmentFactory(cycle=cycle, role=Role.MENTEE, status="withdrawn")  # never paired
    EnrollmentFactory(cycle=cycle, role=Role.MENTOR, member=UserFactory(seasoned=True))  # waiting

    for day in (D(2025, 9, 12), D(2025, 10, 3), D(2025, 10, 20), D(2025, 12, 1), D(2026, 1, 5), D(2026, 1, 12)):
        checkin(a, day)
    checkin(b, D(2025, 10, 10), mode="phone")
    checkin(c, D(2025, 9, 25), mode="in_person")
    checkin(d, D(2025, 11, 2), mode="email")
    checkin(d, D(2025, 11, 20))
    other = PairFactory(cycle=CycleFactory(is_open=False, name="2024–25"), starts_on=D(2024, 9, 1))
    checkin(other, D(2025, 10, 15))

    evaluation(a, "mentor", 5, 4, 3, True)
    evaluation(a, "mentee", 4, 4, 4, True)
    evaluation(d, "mentor", 3, 2, 1, False)
    evaluation(d, "mentee", 5, 5, 5, True)
    evaluation(b, "mentee", 1, 1, 1, False, kind="midpoint")  # not a closing evaluation: not counted
    return SimpleNamespace(cycle=cycle, a=a, b=b, c=c, d=d, other=other)


def test_checkins_per_pair_per_month_is_checkins_in_the_month_over_pairs_active_in_it(known):
    series = reports.checkins_per_month(known.cycle, TODAY)

    assert [(p["month"], p["checkins"], p["active_pairs"], p["per_pair"]) for p in series] == [
        (D(2025, 9, 1), 2, 3, 0.67),  # A, C, D active (B starts in October)
        (D(2025, 10, 1), 3, 4, 0.75),
        (D(2025, 11, 1), 2, 4, 0.5),  # C ended on the 15th: active part of the month
        (D(2025, 12, 1), 1, 3, 0.33),  # this month; January's check-ins are not counted yet
    ]
    assert reports.monthly_totals(series) == {"checkins": 8, "pair_months": 14, "per_pair": 8 / 14}


def test_a_cycle_whose_pairs_have_not_started_has_no_months_yet(cycle):
    PairFactory(cycle=cycle, starts_on=timezone.localdate() + dt.timedelta(days=30))

    assert reports.checkins_per_month(cycle) == []


def test_enrollments_by_role_and_the_match_rate(known):
    counts = reports.enrollment_counts(known.cycle)

    assert counts["by_role"]["mentee"] == {
        "waiting": 1,
        "offered": 0,
        "paired": 2,
        "completed": 1,
        "withdrawn": 2,
        "enrolled": 4,
    }
    assert counts["by_role"]["mentor"] == {
        "waiting": 2,
        "offered": 0,
        "paired": 2,
        "completed": 1,
        "withdrawn": 0,
        "enrolled": 5,
    }
    # As the table of statuses counts them: four mentees enrolled (not withdrawn), three of them
    # with a mentor (paired, or their pair completed); the two who withdrew are in neither.
    assert (counts["mentees_enrolled"], counts["mentees_paired"], counts["match_rate"]) == (4, 3, 0.75)
    assert counts["mentees_waiting"] == 1 and counts["mentors_enrolled"] == 5


def test_completion_rate_is_completed_over_completed_and_ended_early(known):
    assert reports.pair_outcomes(known.cycle) == {
        "active": 2,
        "completed": 1,
        "ended": 1,
        "all": 4,
        "completion_rate": 0.5,
    }


def test_completion_rate_is_none_before_any_pair_finishes(cycle):
    PairFactory(cycle=cycle)

    assert reports.pair_outcomes(cycle)["completion_rate"] is None


def test_pairs_ended_early_are_listed_with_their_reasons(known):
    ended = reports.pairs_ended_early(known.cycle)

    assert [(p["pk"], p["ended_on"], p["reason"]) for p in ended] == [
        (known.c.pk, D(2025, 11, 15), "Mentee changed jobs")
    ]


def test_the_quiet_pair_needs_attention(known):
    attention = reports.pairs_needing_attention(known.cycle, TODAY)

    assert attention["count"] == 1
    assert [(p["pk"], p["last_checkin"]) for p in attention["pairs"]] == [(known.b.pk, D(2025, 10, 10))]


def test_only_the_quietest_pairs_needing_attention_are_named_but_all_are_counted(known):
    silent = [PairFactory(cycle=known.cycle, starts_on=D(2025, 9, 1) + dt.timedelta(days=i)) for i in range(12)]

    attention = reports.pairs_needing_attention(known.cycle, TODAY, limit=10)

    assert attention["count"] == 13
    # Never a check-in counts as quieter than one in October; then the longest running first.
    assert [p["pk"] for p in attention["pairs"]] == [p.pk for p in silent[:10]]


def test_evaluation_averages_per_side_count_closing_evaluations_only(known):
    averages = reports.evaluation_averages(known.cycle)

    assert averages["mentor"] == {
        "n": 2,
        "overall": 4.0,
        "relationship": 3.0,
        "goals_met": 2.0,
        "recommend": 1,
        "recommend_rate": 0.5,
    }
    assert averages["mentee"] == {
        "n": 2,
        "overall": 4.5,
        "relationship": 4.5,
        "goals_met": 4.5,
        "recommend": 2,
        "recommend_rate": 1.0,
    }


def test_evaluation_averages_are_none_for_a_side_without_answers(cycle):
    assert reports.evaluation_averages(cycle) == {"mentor": None, "mentee": None}


def test_year_over_year_has_one_row_per_cycle_with_its_key_numbers(known):
    rows = {row["cycle"].name: row for row in reports.year_over_year(today=TODAY)}

    assert set(rows) == {"2025–26", "2024–25"}
    this = rows["2025–26"]
    assert (this["mentees"], this["mentors"], this["mentees_paired"], this["match_rate"]) == (4, 5, 3, 0.75)
    assert (this["pairs"], this["completed"], this["ended"], this["completion_rate"]) == (4, 1, 1, 0.5)
    # As the chart counts them: check-ins of the months so far ÷ pair-months (January's are not counted yet).
    assert (this["checkins"], this["pair_months"], this["checkins_per_pair_month"]) == (8, 14, 8 / 14)
    assert (this["evaluations"], this["overall"], this["recommend_rate"]) == (4, 4.25, 0.75)
    last = rows["2024–25"]
    # Its one check-in is dated after its pair's end: outside its chart's months, as here.
    assert (last["pairs"], last["checkins"], last["completion_rate"], last["overall"]) == (1, 0, None, None)


def test_a_mentee_back_in_the_pool_is_waiting_on_every_figure_of_the_health_page(client_for, committee, cycle):
    """Issue 15, item 9: "100% match rate, 30 of 30 mentees paired" beside "1 waiting" and a
    table saying 29 paired, once a mentee went back to the pool."""
    from pairs.services import pairing

    pairs = [PairFactory(cycle=cycle) for _ in range(3)]
    pairing.pair_end(pair=pairs[0], by=committee, category="no_contact", back_to_pool=True)

    counts = reports.enrollment_counts(cycle)
    page = client_for(committee).get(reverse("matching:health", args=[cycle.pk])).text

    assert counts["by_role"]["mentee"]["paired"] == counts["mentees_paired"] == 2
    assert counts["by_role"]["mentee"]["waiting"] == counts["mentees_waiting"] == 1
    assert (counts["mentees_enrolled"], counts["match_rate"]) == (3, 2 / 3)
    assert "67%" in page and "2 of 3 mentees paired" in page and "100%" not in page


def test_year_over_year_gives_check_ins_per_pair_per_month_as_the_chart_does(client_for, committee, known):
    """Issue 15, item 9: year over year said "check-ins per pair 2.4" beside a chart of 0.78
    per pair per month."""
    page = client_for(committee).get(reverse("matching:health", args=[known.cycle.pk])).text
    series = reports.checkins_per_month(known.cycle)
    per_month = reports.monthly_totals(series)["per_pair"]

    years = page[page.index('id="years-heading"') :]
    assert "Check-ins per pair per month" in years and "Check-ins per pair</th>" not in years
    this_year = years[years.index(known.cycle.name) :].split("</tr>")[0]
    assert f"{per_month:.2f}" in this_year
    footer = page[page.index("All months") :].split("</tr>")[0]
    assert f"{per_month:.2f}" in footer


def add_pairs(cycle, n: int, starts_on: dt.date) -> None:
    for i in range(n):
        pair = PairFactory(cycle=cycle, starts_on=starts_on + dt.timedelta(days=7 * i))
        for month in range(3):
            checkin(pair, starts_on + dt.timedelta(days=30 * month + 3))
        evaluation(pair, "mentee", 4, 4, 4, True)
        if i % 2:
            Pair.objects.filter(pk=pair.pk).update(status="ended", ended_at=ended_at(starts_on + dt.timedelta(90)))


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_cycle_health_query_count_does_not_grow_with_pairs_or_months(known):
    few = queries(lambda: reports.cycle_health(known.cycle, TODAY))
    add_pairs(known.cycle, 12, D(2025, 1, 5))  # more pairs, and months back to January
    many = queries(lambda: reports.cycle_health(known.cycle, TODAY))

    assert len(reports.checkins_per_month(known.cycle, TODAY)) == 12
    assert few == many <= 7


def test_the_health_pages_tallies_give_the_numbers_each_function_counts_alone(known):
    tallies = reports.Tallies.read()

    # The pairs too are read once, for the cycle and for the year-over-year table; the people
    # of the pairs needing attention and of those ended early together.
    assert queries(lambda: reports.cycle_health(known.cycle, TODAY, tallies)) == 2
    assert queries(lambda: reports.year_over_year(tallies)) == 1
    assert reports.cycle_health(known.cycle, TODAY, tallies) == reports.cycle_health(known.cycle, TODAY)
    assert reports.year_over_year(tallies) == reports.year_over_year()


def test_year_over_year_query_count_does_not_grow_with_cycles(known):
    few = queries(reports.year_over_year)
    for year in range(2015, 2023):
        add_pairs(CycleFactory(is_open=False, name=f"{year}–{year - 1999}"), 2, D(year, 9, 1))
    many = queries(reports.year_over_year)

    assert len(reports.year_over_year()) == 10
    assert few == many <= 5


# --- The page ----------------------------------------------------------------------------------


def test_committee_reads_the_health_page_with_charts_and_their_numbers(client_for, committee, known):
    page = client_for(committee).get(reverse("matching:health", args=[known.cycle.pk])).content.decode()

    assert "Program health · 2025–26" in page
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="checkins-chart-title', page)
    assert '<title id="checkins-chart-title">' in page and '<title id="status-chart-title">' in page
    assert re.search(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"', page)
    assert "Mentee changed jobs" in page  # why the pair ended early
    assert reverse("pairs:pair-detail", args=[known.b.pk]) in page  # the quiet pair, linked
    assert "75%" in page  # match rate
    assert reverse("matching:export", args=[known.cycle.pk, "checkins", "xlsx"]) in page
    assert "2024–25" in page  # year over year


def test_the_health_page_names_ten_pairs_needing_attention_and_links_to_the_list_of_all(client_for, committee, known):
    for i in range(12):
        PairFactory(cycle=known.cycle, starts_on=D(2025, 9, 1) + dt.timedelta(days=i))  # never a check-in
    total = Pair.objects.for_cycle(known.cycle).needing_attention().count()
    client = client_for(committee)

    page = client.get(reverse("matching:health", args=[known.cycle.pk])).content.decode()
    section = page.split('id="attention"', 1)[1].split("</section>", 1)[0]
    link = f"{reverse('pairs:pair-list')}?cycle={known.cycle.pk}&amp;status=attention"

    assert total > 10
    assert len(re.findall(r'href="/pairs/\d+/"', section)) == 10
    assert "The 10 quietest:" in section
    assert f'href="{link}">See all {total} pairs needing attention</a>' in section
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert f"{total} pairs · {total} needing attention" in listed


def test_health_page_has_no_inline_styles_for_the_strict_csp(client_for, committee, known):
    response = client_for(committee).get(reverse("matching:health", args=[known.cycle.pk]))

    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"\sstyle=|<style", response.content.decode())


def test_health_page_never_shows_a_checkins_notes_or_topics(client_for, committee, known):
    checkin(known.a, D(2025, 12, 5), notes="PRIVATE-NOTE about my manager", topics="PRIVATE-TOPIC salary")

    page = client_for(committee).get(reverse("matching:health", args=[known.cycle.pk])).content.decode()

    assert "PRIVATE-NOTE" not in page and "PRIVATE-TOPIC" not in page


def test_health_page_of_an_empty_cycle_says_so(client_for, committee, cycle):
    page = client_for(committee).get(reverse("matching:health", args=[cycle.pk])).content.decode()

    assert "No pair of this cycle has started yet" in page
    assert "No pair of this cycle has ended early." in page


def test_program_health_in_the_menu_opens_the_open_cycle(client_for, committee, cycle):
    CycleFactory(is_open=False)
    client = client_for(committee)

    assert reverse("matching:health-home") in client.get(reverse("members:profile")).content.decode()
    response = client.get(reverse("matching:health-home"))
    assert response.status_code == 302 and response["Location"] == reverse("matching:health", args=[cycle.pk])


def test_health_page_of_an_unknown_cycle_is_404(client_for, committee):
    assert client_for(committee).get(reverse("matching:health", args=[999999])).status_code == 404


def test_pairs_ended_early_are_counted_by_why_on_the_health_page(client_for, committee, known):
    """Issue 15, item 20: end reasons were free text only; pairs ended before keep theirs, under Other."""
    for why in ("moved", "moved", "workload"):
        PairFactory(cycle=known.cycle, status="ended", ended_at=ended_at(D(2025, 12, 1)), end_category=why)

    page = client_for(committee).get(reverse("matching:health", args=[known.cycle.pk])).text

    assert (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)).count("Why: Moved or changed job 2 · Other 1 · Workload 1")
        == 1
    )
    assert "Other: Mentee changed jobs" in page
    assert [p["category"] for p in reports.pairs_ended_early(known.cycle)] == [
        "Other",
        "Moved or changed job",
        "Moved or changed job",
        "Workload",
    ]


# --- The charts' words, written in Python as the template's filters write them ---------------------


@pytest.mark.parametrize(
    "label",
    ["4", "Yes", "Cafe\u0301 & <co>", "A choice much longer than forty characters, cut short", "e\u0301" * 45],
)
def test_an_answers_label_is_cut_as_the_template_filter_truncatechars_cuts_it(label):
    first = charts.answer_chart([(label, 3), ("Other", 1)])["rows"][0]

    assert first["short"] == truncatechars(label, 40)
    assert first["count"] == "3 (75%)"


def test_the_check_in_charts_months_and_values_read_as_the_template_filters_write_them():
    series = [
        {"month": D(2025, 12, 1), "checkins": 5, "active_pairs": 4, "per_pair": 1.25},
        {"month": D(2026, 1, 1), "checkins": 0, "active_pairs": 0, "per_pair": None},
    ]

    bars = charts.checkin_chart(series)["bars"]

    assert [(b["month"], b["per_pair"]) for b in bars] == [
        (date(D(2025, 12, 1), "F Y"), floatformat(1.25, 2)),
        (date(D(2026, 1, 1), "F Y"), None),
    ]


# The charts' repeated marks, against the templates' loops that wrote them before charts.py did
# (matching.charts._checkin_marks and _answer_marks; the loops are kept in tests/data): what the
# committee's browser reads must not change.
LOOPS_BEFORE = Path(__file__).parent / "data"


def test_the_check_in_charts_marks_are_the_markup_the_templates_loop_wrote():
    series = [
        {"month": D(2025, 11, 1), "checkins": 1, "active_pairs": 1, "per_pair": 1.0},
        {"month": D(2025, 12, 1), "checkins": 5, "active_pairs": 4, "per_pair": 1.25},
        {"month": D(2026, 1, 1), "checkins": 0, "active_pairs": 0, "per_pair": None},
        {"month": D(2026, 2, 1), "checkins": 1234, "active_pairs": 3, "per_pair": 411.33},
    ]
    for chart in (charts.checkin_chart(series), charts.checkin_chart(series[2:3]), charts.checkin_chart([])):
        looped = (
            engines["django"]
            .from_string(LOOPS_BEFORE.joinpath("checkin_chart_loops.html").read_text().rstrip("\n"))
            .render({"checkin_chart": chart})
        )

        assert looped == f"{chart['description']}|{chart['grid_marks']}|{chart['bar_marks']}"


def test_an_answer_charts_marks_are_the_markup_the_templates_loop_wrote():
    options = [
        ("4", 3),
        ("None yet", 0),
        ('<script>alert("x")</script> & co', 1),
        ("A choice much longer than forty characters, cut short", 12),
        ("Cafe\u0301 & <co>", 1234),
    ]
    for chart in (charts.answer_chart(options), charts.answer_chart([("Yes", 0), ("No", 0)]), charts.answer_chart([])):
        looped = (
            engines["django"]
            .from_string(LOOPS_BEFORE.joinpath("answer_chart_loop.html").read_text().rstrip("\n"))
            .render({"chart": chart})
        )

        assert looped == chart["marks"]


def test_an_answer_charts_labels_are_escaped_even_when_marked_safe_before():
    """DESIGN rule 8: the chart's marks are marked safe, so every text in them is escaped there,
    whatever marked it safe on its way (conditional_escape would have trusted the mark)."""
    from django.utils.safestring import mark_safe

    chart = charts.answer_chart([(mark_safe('<img src=x onerror="alert(1)">'), 2), ("No", 1)])

    assert "<img" not in chart["marks"] and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in chart["marks"]


def test_a_count_that_is_not_a_number_never_reaches_the_charts_marks():
    """DESIGN rule 8: the marks write the check-in and active-pair counts unescaped, as numbers;
    a text passed as a count is refused, never written into the page."""
    point = {"month": D(2025, 12, 1), "checkins": "<script>alert(1)</script>", "active_pairs": 1, "per_pair": 1.0}

    with pytest.raises(ValueError):
        charts.checkin_chart([point])
