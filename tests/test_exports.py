"""The committee's exports: each file's columns and rows, as CSV and as Excel, and what
never leaves the site in them (check-in notes and topics, evaluators' names)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from matching.csv_text import csv_text
from matching.exports import _make_safe, _safe
from members.models import Role
from pairs.models import CheckIn, Pair

from .factories import EnrollmentFactory, EvaluationFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTES = "PRIVATE-NOTES: she is thinking of leaving her library"
TOPICS = "PRIVATE-TOPICS: salary negotiation"


@pytest.fixture
def data(cycle, committee):
    mentor = UserFactory(seasoned=True, first_name="Cora", last_name="Catalog", email="cora@example.org")
    mentee = UserFactory(first_name="Mina", last_name="Member", email="mina@example.org")
    pair = PairFactory(
        cycle=cycle,
        mentor=EnrollmentFactory(cycle=cycle, member=mentor, role=Role.MENTOR, status="paired", capacity=2),
        mentee=EnrollmentFactory(
            cycle=cycle,
            member=mentee,
            status="paired",
            job_title="Cataloger",
            responsibilities=["cataloging", "reference"],
            goals="Learn RDA",
        ),
        liaison=committee,
        starts_on=dt.date(2025, 9, 15),
    )
    CheckIn.objects.create(
        pair=pair, logged_by=mentee, met_on=dt.date(2025, 10, 1), mode="video", minutes=45, notes=NOTES, topics=TOPICS
    )
    CheckIn.objects.create(pair=pair, logged_by=mentor, met_on=dt.date(2025, 11, 3), mode="in_person", notes=NOTES)
    EvaluationFactory(
        pair=pair,
        overall=5,
        goals_met=3,
        best="Cora explained authority records",
        improve='=HYPERLINK("http://evil.example")',
    )
    EnrollmentFactory(cycle=cycle, member=UserFactory(first_name="Walt", last_name="Waiting", email="walt@example.org"))
    return pair


def download(client, cycle, what: str, fmt: str):
    response = client.get(reverse("matching:export", args=[cycle.pk, what, fmt]))
    assert response.status_code == 200
    return response


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_pairs_export_has_names_emails_liaison_status_and_dates(client_for, committee, cycle, data):
    response = download(client_for(committee), cycle, "pairs", "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "-pairs.csv" in response["Content-Disposition"]
    assert csv_rows(response) == [
        [
            "pair",
            "mentor",
            "mentor email",
            "mentor job title",
            "mentor institution",
            "mentee",
            "mentee email",
            "mentee job title",
            "mentee institution",
            "liaison",
            "liaison email",
            "status",
            "starts on",
            "ends on",
            "ended early on",
            "why it ended",
            "end note",
            "score when paired",
            "paired by",
        ],
        [
            str(data.pk),
            "Cora Catalog",
            "cora@example.org",
            data.mentor.job_title,
            data.mentor.member.institution,
            "Mina Member",
            "mina@example.org",
            "Cataloger",
            data.mentee.member.institution,
            "Carol Committee",
            committee.email,
            "Active",
            "2025-09-15",
            "2026-07-15",
            "",
            "",
            "",
            "",
            "",
        ],
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_pairs_export_says_why_a_pair_ended_the_job_titles_institutions_score_and_who_paired_them(
    client_for, committee, cycle, fmt
):
    """Issue 15, item 21: the pairs file had no end reason, job titles, institutions, score or "paired by"."""
    from pairs.services import pairing
    from tests.test_matching import mentee, mentor

    cam = mentee(cycle, "Cam", "One", title="Cataloger", areas=["cataloging"], institution="Delta College Library")
    cora = mentor(cycle, "Cora", "Catalog", institution="=Ozark Regional Library")
    client = client_for(committee)
    client.post(
        reverse("matching:pair-create") + f"?cycle={cycle.pk}",
        {"mentee": cam.pk, "mentor": cora.pk, "liaison": committee.pk, "length_months": 10},
    )
    pair = Pair.objects.get()
    pairing.pair_end(pair=pair, by=committee, category="moved", reason="@SUM(A1) she took a job in Ohio")

    response = download(client, cycle, "pairs", fmt)

    headers, row = (csv_rows if fmt == "csv" else xlsx_rows)(response)
    got = dict(zip(headers, row, strict=True))
    assert Pair.objects.get().match_score > 0
    assert {k: str(got[k]) for k in ("mentor job title", "mentee job title", "why it ended", "paired by")} == {
        "mentor job title": "Cataloging Librarian",
        "mentee job title": "Cataloger",
        "why it ended": "Moved or changed job",
        "paired by": "Carol Committee",
    }
    assert got["mentee institution"] == "Delta College Library"
    # Typed by members and the committee: never run as a formula.
    assert got["mentor institution"] == "'=Ozark Regional Library"
    assert got["end note"] == "'@SUM(A1) she took a job in Ohio"
    assert int(got["score when paired"]) == Pair.objects.get().match_score


def test_enrollments_export_has_role_status_job_responsibilities_goals_and_capacity(client_for, committee, cycle, data):
    rows = csv_rows(download(client_for(committee), cycle, "enrollments", "csv"))

    assert rows[0] == [
        "member",
        "email",
        "role",
        "status",
        "job title",
        "responsibilities",
        "other responsibilities",
        "goals",
        "capacity",
        "opted in on",
    ]
    by_email = {row[1]: row for row in rows[1:]}
    assert set(by_email) == {"cora@example.org", "mina@example.org", "walt@example.org"}
    assert by_email["mina@example.org"][:9] == [
        "Mina Member",
        "mina@example.org",
        "Mentee",
        "Paired",
        "Cataloger",
        "Cataloging & metadata; Reference",
        "",
        "Learn RDA",
        "1",
    ]
    assert by_email["cora@example.org"][2:4] == ["Mentor", "Paired"] and by_email["cora@example.org"][8] == "2"
    assert by_email["walt@example.org"][3] == "Waiting for a match"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_checkins_export_has_dates_and_modes_and_never_the_notes_or_topics(client_for, committee, cycle, data, fmt):
    response = download(client_for(committee), cycle, "checkins", fmt)
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)

    assert rows[0] == ["pair", "mentor", "mentee", "date", "mode", "minutes"]
    dates = ["2025-10-01", "2025-11-03"] if fmt == "csv" else [dt.datetime(2025, 10, 1), dt.datetime(2025, 11, 3)]
    minutes = ["45", ""] if fmt == "csv" else [45, None]
    assert [row[3:] for row in rows[1:]] == [[dates[0], "Video call", minutes[0]], [dates[1], "In person", minutes[1]]]
    # Nothing of what was said, in any form: not the text, not a word of it.
    content = response.content if fmt == "csv" else str(rows).encode()
    for secret in ("PRIVATE-NOTES", "PRIVATE-TOPICS", "leaving", "salary"):
        assert secret.encode() not in content


def test_xlsx_of_the_checkins_is_a_zip_whose_sheets_hold_no_notes(client_for, committee, cycle, data):
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(download(client_for(committee), cycle, "checkins", "xlsx").content))
    everything = b"".join(archive.read(name) for name in archive.namelist())

    assert b"PRIVATE" not in everything and b"salary" not in everything


def test_evaluations_export_has_ratings_and_comments_but_no_names(client_for, committee, cycle, data):
    response = download(client_for(committee), cycle, "evaluations", "csv")
    rows = csv_rows(response)

    assert rows[0] == [
        "form",
        "side",
        "worthwhile (1-5)",
        "worked well together (1-5)",
        "reached goals (1-5)",
        "would recommend",
        "what worked best",
        "what could improve",
    ]
    assert rows[1][:7] == ["Closing evaluation", "mentee", "5", "4", "3", "yes", "Cora explained authority records"]
    text = response.content.decode("utf-8-sig")
    for name in ("Mina", "Member", "mina@example.org", "cora@example.org", "Catalog,"):
        assert name not in text


def test_a_comment_that_looks_like_a_formula_is_exported_as_text(client_for, committee, cycle, data):
    client = client_for(committee)

    assert csv_rows(download(client, cycle, "evaluations", "csv"))[1][7] == '\'=HYPERLINK("http://evil.example")'
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, cycle, "evaluations", "xlsx").content)).active
    assert sheet["H2"].data_type == "s" and sheet["H2"].value.startswith("'=")


# Cells as members type them, and as an attacker would: formula starts, control characters,
# line breaks (a cell that starts a line inside another is no formula), numbers, dates, empty ratings.
CELLS = st.one_of(
    st.text(alphabet="=+-@\t\r\n\x01\x0b\ufffe a1(./", max_size=6),
    st.text(max_size=6),
    st.integers(-9, 9),
    st.none(),
    st.just(dt.date(2025, 9, 15)),
)


@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(CELLS, min_size=width, max_size=width))))
def test_each_cell_of_an_export_is_made_safe_as_it_would_be_alone(rows):
    alone = [[_safe(v) for v in row] for row in rows]

    _make_safe(rows)  # a column at a time

    assert rows == alone


# What a CSV cell can hold that changes how it is written: the delimiter, quotes, line breaks,
# an empty text (a line's only cell), text beyond ASCII, numbers, dates, None, True.
CSV_CELLS = st.one_of(
    st.text(alphabet=",\"\r\n ;a'é✓", max_size=6),
    st.text(max_size=6),
    st.integers(-9, 9),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.just(dt.date(2025, 9, 15)),
)


@given(st.integers(0, 4).flatmap(lambda width: st.lists(st.lists(CSV_CELLS, min_size=width, max_size=width))))
def test_an_export_is_written_as_csv_writer_writes_it(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)

    assert csv_text(rows) == out.getvalue()


@pytest.mark.parametrize("what", ["pairs", "enrollments", "checkins", "evaluations"])
def test_each_export_opens_in_excel_with_the_same_rows_as_the_csv(client_for, committee, cycle, data, what):
    client = client_for(committee)
    response = download(client, cycle, what, "xlsx")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith(f'-{what}.xlsx"')
    rows = xlsx_rows(response)
    assert rows[0] == csv_rows(download(client, cycle, what, "csv"))[0]
    assert len(rows) == len(csv_rows(download(client, cycle, what, "csv")))


def test_export_filename_names_the_cycle_and_the_export(client_for, committee, data):
    cycle = data.cycle
    cycle.name = "2026–27"
    cycle.save()

    response = download(client_for(committee), cycle, "pairs", "xlsx")

    assert response["Content-Disposition"] == 'attachment; filename="arla-mentoring-2026-27-pairs.xlsx"'


@pytest.mark.parametrize(("what", "fmt"), [("notes", "csv"), ("pairs", "pdf"), ("checkins", "json"), ("users", "xlsx")])
def test_unknown_export_or_format_is_404(client_for, committee, cycle, what, fmt):
    url = reverse("matching:export", args=[cycle.pk, what, fmt])

    assert client_for(committee).get(url).status_code == 404


def test_export_of_an_unknown_cycle_is_404(client_for, committee):
    assert client_for(committee).get(reverse("matching:export", args=[999999, "pairs", "csv"])).status_code == 404


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_members_cannot_export(client_for, request, cycle, data, who):
    response = client_for(request.getfixturevalue(who)).get(reverse("matching:export", args=[cycle.pk, "pairs", "csv"]))

    assert response.status_code == 403


def test_the_mentor_and_mentee_of_a_pair_cannot_export_it_either(client_for, cycle, data):
    for side in (data.mentor.member, data.mentee.member):
        response = client_for(side).get(reverse("matching:export", args=[cycle.pk, "checkins", "csv"]))
        assert response.status_code == 403


def test_export_query_count_does_not_grow_with_rows(client_for, committee, cycle, data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(committee)

    def count(what):
        with CaptureQueriesContext(connection) as ctx:
            download(client, cycle, what, "csv")
        return len(ctx.captured_queries)

    few = {what: count(what) for what in ("pairs", "enrollments", "checkins", "evaluations")}
    for _ in range(5):
        pair = PairFactory(cycle=cycle)
        CheckIn.objects.create(pair=pair, met_on=dt.date(2025, 10, 2), mode="phone")
        EvaluationFactory(pair=pair, role="mentor")
    many = {what: count(what) for what in few}

    assert few == many
