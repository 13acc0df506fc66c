"""The surveys' answers where the committee reads the evaluations (issue 13, item 3): the
evaluation summary shows each survey of the cycle in aggregate — counts by side, the texts
without names — and the evaluations export has a column for each of the cycle's questions,
a row for each response, still without names."""

import csv
import datetime as dt
import io
import re
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import QuestionKind
from pairs import survey_tallies
from pairs.models import EvaluationKind, PairStatus, Survey, SurveyAnswer, SurveyKind, SurveyQuestion, SurveyResponse
from pairs.services import surveys
from pairs.survey_summary import QuestionSummary

from .factories import CycleFactory, EvaluationFactory, PairFactory, names_apart

pytestmark = pytest.mark.django_db

WENT_WELL = "We found a rhythm after the second month."
FORMULA = '=HYPERLINK("http://evil.example","click")'


def survey(cycle, kind: str, title: str, *questions: tuple) -> Survey:
    """A survey of `cycle` asking (text, kind[, choices[, audience]]) questions, in that order."""
    s = Survey.objects.create(cycle=cycle, kind=kind, title=title)
    for order, (text, qkind, *rest) in enumerate(questions, start=1):
        choices = rest[0] if rest else []
        audience = rest[1] if len(rest) > 1 else "both"
        SurveyQuestion.objects.create(survey=s, text=text, kind=qkind, choices=choices, audience=audience, order=order)
    return s


def midpoint(cycle) -> Survey:
    return survey(
        cycle,
        SurveyKind.MIDPOINT,
        "Halfway",
        ("We meet often enough.", QuestionKind.SCALE),
        ("What did you work on?", QuestionKind.SEVERAL, ["Cataloguing", "Leadership", "Outreach"]),
        ("What is going well?", QuestionKind.LONG),
        ("Anything else?", QuestionKind.SHORT),
    )


def answer(pair, role: str, s: Survey, by_text: dict) -> SurveyResponse:
    """`role`'s answers to `s` in `pair`, the question's text → the answer as a form cleans it."""
    author = pair.mentor.member if role == "mentor" else pair.mentee.member
    questions = list(s.questions.all())
    response = SurveyResponse.objects.create(pair=pair, survey=s, kind=s.kind, role=role, author=author)
    surveys.answers_write(
        response=response, questions=questions, cleaned={q.pk: by_text.get(q.text) for q in questions}
    )
    return response


def summary(client, cycle) -> str:
    response = client.get(reverse("pairs:evaluation-summary"), {"cycle": cycle.pk})
    assert response.status_code == 200
    return unescape(response.text)


def counts(page: str, question: str, answer: str) -> list[str]:
    """The cells of `answer`'s row in the table of `question`'s answers."""
    table = page[page.index(f"Answers to “{question}”") :]
    table = table[: table.index("</table>")]
    row = re.search(rf'<th scope="row"[^>]*>{re.escape(answer)}</th>(.*?)</tr>', table, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>.*?</td>", row, re.S)]


# --- The evaluation summary --------------------------------------------------------------------------


def test_committee_sees_a_scale_questions_counts_by_side_and_a_text_without_its_authors_name(
    client_for, committee, cycle
):
    s = midpoint(cycle)
    first, second = PairFactory(cycle=cycle), PairFactory(cycle=cycle)
    answer(first, "mentee", s, {"We meet often enough.": 5, "What is going well?": WENT_WELL})
    answer(first, "mentor", s, {"We meet often enough.": 3, "What did you work on?": ["Cataloguing", "Outreach"]})
    answer(second, "mentee", s, {"We meet often enough.": 5, "What did you work on?": ["Outreach"]})
    names = names_apart(first, second)

    page = summary(client_for(committee), cycle)

    assert "Midpoint survey: Halfway" in page
    # Answer, mentors, mentees, all.
    assert counts(page, "We meet often enough.", "5") == ["0", "2", "2"]
    assert counts(page, "We meet often enough.", "3") == ["1", "0", "1"]
    assert counts(page, "We meet often enough.", "1") == ["0", "0", "0"]
    assert counts(page, "What did you work on?", "Outreach") == ["1", "1", "2"]
    assert "average 4.3" in page
    assert WENT_WELL in page
    for name in names:
        assert name not in page


def test_a_question_asked_of_one_side_is_counted_without_the_sides(client_for, committee, cycle):
    closing = survey(
        cycle, SurveyKind.CLOSING, "Closing", ("Will you mentor one day?", QuestionKind.YES_NO, [], "mentee")
    )
    pair = PairFactory(cycle=cycle)
    EvaluationFactory(pair=pair, role="mentee")
    answer(pair, "mentee", closing, {"Will you mentor one day?": True})

    page = summary(client_for(committee), cycle)

    assert "Closing evaluation: Closing" in page
    assert counts(page, "Will you mentor one day?", "Yes") == ["1"]
    assert counts(page, "Will you mentor one day?", "No") == ["0"]


def test_summary_query_count_does_not_grow_with_survey_answers(client_for, committee, cycle, page_queries):
    s = midpoint(cycle)
    closing = survey(cycle, SurveyKind.CLOSING, "Closing", ("Will you mentor one day?", QuestionKind.YES_NO))
    client = client_for(committee)
    url = reverse("pairs:evaluation-summary") + f"?cycle={cycle.pk}"
    pair = PairFactory(cycle=cycle)
    answer(pair, "mentee", s, {"We meet often enough.": 4, "What is going well?": "Fine.", "Anything else?": "No."})
    answer(pair, "mentee", closing, {"Will you mentor one day?": True})
    EvaluationFactory(pair=pair, best="Good.")

    few = page_queries(client, url)
    for i in range(6):
        p = PairFactory(cycle=cycle)
        for role in ("mentor", "mentee"):
            answer(
                p,
                role,
                s,
                {
                    "We meet often enough.": 1 + i % 5,
                    "What did you work on?": ["Leadership"],
                    "What is going well?": f"Text {i} {role}",
                    "Anything else?": "No.",
                },
            )
            answer(p, role, closing, {"Will you mentor one day?": i % 2 == 0})
            EvaluationFactory(pair=p, role=role, best=f"Best {i}")

    page_queries(client, url, exactly=few)


# --- Counted once, and again as soon as an answer comes or goes ----------------------------------------
# The counts are kept in the cache between two views (pairs.survey_tallies): a view after
# any answer written or deleted counts again. Each test views the page first, so that its counts are
# kept, then changes the answers, then views it again.


def test_a_second_view_reads_no_answers_again(client_for, committee, cycle):
    s = midpoint(cycle)
    answer(PairFactory(cycle=cycle), "mentee", s, {"We meet often enough.": 5, "What is going well?": WENT_WELL})
    client = client_for(committee)
    summary(client, cycle)

    with CaptureQueriesContext(connection) as again:
        page = summary(client, cycle)

    assert counts(page, "We meet often enough.", "5") == ["0", "1", "1"]
    assert WENT_WELL in page
    read_answers = [q["sql"] for q in again.captured_queries if "pairs_surveyanswer" in q["sql"]]
    # Only the one question the kept counts are checked by: how many answers, the newest's id.
    assert len(read_answers) == 1
    assert "count(*)" in read_answers[0]


def test_an_answer_given_after_a_view_is_counted_on_the_next_view(client_for, committee, cycle):
    s = midpoint(cycle)
    answer(PairFactory(cycle=cycle), "mentee", s, {"We meet often enough.": 5})
    client = client_for(committee)
    assert counts(summary(client, cycle), "We meet often enough.", "5") == ["0", "1", "1"]

    answer(PairFactory(cycle=cycle), "mentor", s, {"We meet often enough.": 5, "What is going well?": WENT_WELL})
    page = summary(client, cycle)

    assert counts(page, "We meet often enough.", "5") == ["1", "1", "2"]
    assert WENT_WELL in page
    health = unescape(client.get(reverse("matching:health", args=[cycle.pk])).text)
    assert WENT_WELL in health


def test_a_pair_deleted_while_another_answers_leaves_the_counts_at_once(client_for, committee, cycle):
    """One answer gone and one come between two views: as many answers as before, other ones."""
    s = midpoint(cycle)
    leaving = PairFactory(cycle=cycle)
    answer(leaving, "mentee", s, {"We meet often enough.": 5})
    client = client_for(committee)
    assert counts(summary(client, cycle), "We meet often enough.", "5") == ["0", "1", "1"]

    leaving.delete()
    answer(PairFactory(cycle=cycle), "mentee", s, {"We meet often enough.": 2})
    page = summary(client, cycle)

    assert counts(page, "We meet often enough.", "5") == ["0", "0", "0"]
    assert counts(page, "We meet often enough.", "2") == ["0", "1", "1"]


def test_a_response_without_answers_deleted_after_a_view_is_no_longer_counted(client_for, committee, cycle):
    s = midpoint(cycle)
    empty = answer(PairFactory(cycle=cycle), "mentee", s, {})  # every question left blank
    client = client_for(committee)
    assert "Mentors 0 · mentees 1." in summary(client, cycle)

    empty.delete()

    assert "Mentors 0 · mentees 0." in summary(client, cycle)


def test_the_counts_are_kept_apart_for_each_cycle(client_for, committee, cycle):
    s = midpoint(cycle)
    answer(PairFactory(cycle=cycle), "mentee", s, {"We meet often enough.": 5})
    last_year = CycleFactory(name="2024–25", is_open=False, starts_on=cycle.starts_on - dt.timedelta(days=365))
    answer(PairFactory(cycle=last_year), "mentee", midpoint(last_year), {"We meet often enough.": 1})
    client = client_for(committee)

    assert counts(summary(client, cycle), "We meet often enough.", "5") == ["0", "1", "1"]
    page = summary(client, last_year)

    assert counts(page, "We meet often enough.", "5") == ["0", "0", "0"]
    assert counts(page, "We meet often enough.", "1") == ["0", "1", "1"]


def test_counts_that_include_an_answer_given_while_they_were_counted_are_not_kept(
    client_for, committee, cycle, monkeypatch
):
    """Another member's answer commits between the key's read and the counting: the counts
    include it, so they are not kept under the key from before it (which comes back when
    that pair is deleted)."""
    s = midpoint(cycle)
    answer(PairFactory(cycle=cycle), "mentee", s, {"We meet often enough.": 5})
    meanwhile = []
    count = survey_tallies._counted

    def counted_while_another_answers(c):
        if not meanwhile:
            meanwhile.append(answer(PairFactory(cycle=cycle), "mentor", s, {"We meet often enough.": 3}))
        return count(c)

    monkeypatch.setattr(survey_tallies, "_counted", counted_while_another_answers)
    client = client_for(committee)
    assert counts(summary(client, cycle), "We meet often enough.", "3") == ["1", "0", "1"]

    meanwhile[0].pair.delete()
    page = summary(client, cycle)

    assert counts(page, "We meet often enough.", "3") == ["0", "0", "0"]
    assert counts(page, "We meet often enough.", "5") == ["0", "1", "1"]


def test_answers_written_again_under_the_same_ids_after_a_restore_are_counted(client_for, committee, cycle):
    """The database goes back to a backup taken before an answer: the answer is gone and its
    ids are handed out again (the sequences go back with the data), while the cache still
    holds the counts that included it."""
    s = midpoint(cycle)
    pair = PairFactory(cycle=cycle)
    lost = answer(pair, "mentee", s, {"We meet often enough.": 5, "What is going well?": WENT_WELL})
    client = client_for(committee)
    assert counts(summary(client, cycle), "We meet often enough.", "5") == ["0", "1", "1"]

    first_ids = {"pairs_surveyresponse": lost.pk, "pairs_surveyanswer": min(a.pk for a in lost.answers.all())}
    lost.delete()
    with connection.cursor() as cursor:
        for table, first_id in first_ids.items():
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s, false)", [first_id])
    again = answer(pair, "mentee", s, {"We meet often enough.": 2, "What is going well?": "Slowly."})
    assert again.pk == first_ids["pairs_surveyresponse"]  # the same ids: only the response's time tells them apart
    page = summary(client, cycle)

    assert counts(page, "We meet often enough.", "5") == ["0", "0", "0"]
    assert counts(page, "We meet often enough.", "2") == ["0", "1", "1"]
    assert WENT_WELL not in page


# --- The evaluations export --------------------------------------------------------------------------


def export(client, cycle, fmt: str = "csv"):
    response = client.get(reverse("matching:export", args=[cycle.pk, "evaluations", fmt]))
    assert response.status_code == 200
    return response


def csv_dicts(response) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return list(reader.fieldnames), list(reader)


@pytest.fixture
def answered(cycle):
    """A cycle's three surveys answered: the closing evaluation with its question, a midpoint
    survey by a mentor, an exit survey by the mentee of a pair ended early. "Anything else?" is
    asked in the midpoint and the exit survey both."""
    s = midpoint(cycle)
    closing = survey(cycle, SurveyKind.CLOSING, "Closing", ("Will you mentor one day?", QuestionKind.YES_NO))
    leaving = survey(cycle, SurveyKind.EXIT, "Leaving", ("Anything else?", QuestionKind.SHORT))
    pair = PairFactory(cycle=cycle)
    EvaluationFactory(pair=pair, role="mentee", overall=5, best="The visits.")
    answer(pair, "mentee", closing, {"Will you mentor one day?": True})
    answer(
        pair,
        "mentor",
        s,
        {
            "We meet often enough.": 4,
            "What did you work on?": ["Cataloguing", "Outreach"],
            "What is going well?": WENT_WELL,
            "Anything else?": "More time.",
        },
    )
    ended = PairFactory(cycle=cycle, status=PairStatus.ENDED)
    answer(ended, "mentee", leaving, {"Anything else?": "A new job."})
    return pair, ended


def test_evaluations_export_has_a_column_per_survey_question_with_the_answers(client_for, committee, cycle, answered):
    names = names_apart(*answered)
    response = export(client_for(committee), cycle)
    headers, rows = csv_dicts(response)

    assert headers[8:] == [
        "We meet often enough.",
        "What did you work on?",
        "What is going well?",
        "Midpoint survey: Anything else?",
        "Will you mentor one day?",
        "Exit survey: Anything else?",
    ]
    by_form = {row["form"]: row for row in rows}
    assert len(rows) == 3  # the closing evaluation with its survey's answers is one response, one row
    closing = by_form["Closing evaluation"]
    assert (closing["side"], closing["worthwhile (1-5)"], closing["what worked best"]) == ("mentee", "5", "The visits.")
    assert closing["Will you mentor one day?"] == "yes"
    assert closing["We meet often enough."] == ""
    halfway = by_form["Midpoint survey"]
    assert halfway["side"] == "mentor"
    assert halfway["worthwhile (1-5)"] == ""
    assert halfway["We meet often enough."] == "4"
    assert halfway["What did you work on?"] == "Cataloguing; Outreach"
    assert halfway["What is going well?"] == WENT_WELL
    assert halfway["Midpoint survey: Anything else?"] == "More time."
    assert by_form["Exit survey"]["Exit survey: Anything else?"] == "A new job."
    text = response.content.decode("utf-8-sig")
    for name in names:
        assert name not in text


def test_evaluations_export_is_these_rows_in_this_order(client_for, committee, cycle):
    """The whole file on a small world: each form, a closing evaluation with and without its
    survey's answers, ties broken by the texts and then by the answers, a question answered and
    then archived, a response with no answers, a formula, a text with a comma, quotes and a line."""
    halfway = midpoint(cycle)
    closing = survey(
        cycle,
        SurveyKind.CLOSING,
        "Closing",
        ("Will you mentor one day?", QuestionKind.YES_NO),
        ("What should change?", QuestionKind.LONG),
    )
    leaving = survey(
        cycle,
        SurveyKind.EXIT,
        "Leaving",
        ("Why did it end?", QuestionKind.ONE, ["Time", "A new job"]),
        ("Anything else?", QuestionKind.SHORT),
    )
    first, second, third, fourth = (PairFactory(cycle=cycle) for _ in range(4))
    ended = PairFactory(cycle=cycle, status=PairStatus.ENDED)
    EvaluationFactory(pair=first, role="mentee", overall=5, best="The visits.")
    # The same ratings and texts as the first pair's mentor's: its survey's answer breaks the tie.
    EvaluationFactory(pair=fourth, role="mentor", overall=5, best="Café chats.")
    answer(fourth, "mentor", closing, {"Will you mentor one day?": False, "What should change?": "Nothing."})
    answer(
        first, "mentee", closing, {"Will you mentor one day?": True, "What should change?": 'More "time",\nless email.'}
    )
    EvaluationFactory(pair=first, role="mentor", overall=5, best="Café chats.")
    EvaluationFactory(pair=second, role="mentee", overall=3, relationship=5, improve=FORMULA)
    answer(second, "mentor", closing, {"Will you mentor one day?": False})  # without its ratings
    EvaluationFactory(pair=third, role="mentor", kind=EvaluationKind.MIDPOINT, overall=2, would_recommend=False)
    answer(
        first,
        "mentor",
        halfway,
        {
            "We meet often enough.": 4,
            "What did you work on?": ["Cataloguing", "Outreach"],
            "What is going well?": WENT_WELL,
        },
    )
    answer(second, "mentor", halfway, {"We meet often enough.": 4, "Anything else?": "A, B"})
    answer(third, "mentee", halfway, {"We meet often enough.": 2, "What did you work on?": ["Leadership"]})
    answer(ended, "mentee", leaving, {"Why did it end?": "A new job", "Anything else?": "-5 days"})
    answer(ended, "mentor", leaving, {})  # every question left empty: still a response
    SurveyQuestion.objects.filter(survey=halfway, text="What did you work on?").update(archived_at=timezone.now())
    client = client_for(committee)

    rows = list(csv.reader(io.StringIO(export(client, cycle).content.decode("utf-8-sig"))))

    assert rows == [
        [
            "form",
            "side",
            "worthwhile (1-5)",
            "worked well together (1-5)",
            "reached goals (1-5)",
            "would recommend",
            "what worked best",
            "what could improve",
            "We meet often enough.",
            "What is going well?",
            "Midpoint survey: Anything else?",
            "What did you work on?",
            "Will you mentor one day?",
            "What should change?",
            "Why did it end?",
            "Exit survey: Anything else?",
        ],
        [
            "Closing evaluation",
            "mentee",
            "5",
            "4",
            "4",
            "yes",
            "The visits.",
            "",
            "",
            "",
            "",
            "",
            "yes",
            'More "time",\nless email.',
            "",
            "",
        ],
        [
            "Closing evaluation",
            "mentee",
            "3",
            "5",
            "4",
            "yes",
            "",
            "'" + FORMULA,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["Closing evaluation", "mentor", "5", "4", "4", "yes", "Café chats.", "", "", "", "", "", "", "", "", ""],
        [
            "Closing evaluation",
            "mentor",
            "5",
            "4",
            "4",
            "yes",
            "Café chats.",
            "",
            "",
            "",
            "",
            "",
            "no",
            "Nothing.",
            "",
            "",
        ],
        ["Closing evaluation", "mentor", "", "", "", "", "", "", "", "", "", "", "no", "", "", ""],
        ["Midpoint review", "mentor", "2", "4", "4", "no", "", "", "", "", "", "", "", "", "", ""],
        ["Midpoint survey", "mentee", "", "", "", "", "", "", "2", "", "", "Leadership", "", "", "", ""],
        ["Midpoint survey", "mentor", "", "", "", "", "", "", "4", "", "A, B", "", "", "", "", ""],
        [
            "Midpoint survey",
            "mentor",
            "",
            "",
            "",
            "",
            "",
            "",
            "4",
            "We found a rhythm after the second month.",
            "",
            "Cataloguing; Outreach",
            "",
            "",
            "",
            "",
        ],
        ["Exit survey", "mentee", "", "", "", "", "", "", "", "", "", "", "", "", "A new job", "'-5 days"],
        ["Exit survey", "mentor", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(export(client, cycle, "xlsx").content)).active
    assert [["" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows()] == rows


def test_evaluations_export_writes_each_answer_as_it_was_given(client_for, committee, cycle):
    s = midpoint(cycle)
    text = 'Naïve “quotes”, a \\ backslash, {"json": [1]} and ✓'
    response = answer(PairFactory(cycle=cycle), "mentee", s, {"What is going well?": text, "Anything else?": "x"})
    # An answer stored empty (as the service never writes it) is an empty cell.
    SurveyAnswer.objects.filter(response=response, question__text="Anything else?").update(value=None)

    headers, rows = csv_dicts(export(client_for(committee), cycle))

    assert rows[0]["What is going well?"] == text
    assert rows[0]["Anything else?"] == ""


def test_evaluations_export_writes_an_answer_stored_in_another_shape_in_words(client_for, committee, cycle):
    """An answer whose stored value is not of its question's kind (written by hand, or before a
    question's kind changed) is still a cell, in words, as the other pages show it."""
    s = survey(
        cycle,
        SurveyKind.MIDPOINT,
        "Halfway",
        ("We meet often enough.", QuestionKind.SCALE),
        ("What did you work on?", QuestionKind.SEVERAL, ["Cataloguing", "Outreach"]),
        ("Do you meet in person?", QuestionKind.YES_NO),
        ("How do you meet?", QuestionKind.ONE, ["Video", "Phone"]),
    )
    stored = {
        "We meet often enough.": ("4", "4 of 5"),
        "What did you work on?": ([1, "Outreach"], "1; Outreach"),
        "Do you meet in person?": ("no", "Yes"),  # a text, so true
        "How do you meet?": (["Video"], "Video"),
    }
    response = answer(PairFactory(cycle=cycle), "mentee", s, {"How do you meet?": "Phone"})
    for text, (value, _cell) in stored.items():
        SurveyAnswer.objects.update_or_create(
            response=response, question=s.questions.get(text=text), defaults={"value": value}
        )

    _headers, rows = csv_dicts(export(client_for(committee), cycle))

    assert {text: rows[0][text] for text in stored} == {text: cell for text, (_value, cell) in stored.items()}


def test_a_text_answer_or_question_that_looks_like_a_formula_is_exported_as_text(client_for, committee, cycle):
    s = survey(
        cycle, SurveyKind.MIDPOINT, "Halfway", ("What is going well?", QuestionKind.LONG), ("=1+1", QuestionKind.SHORT)
    )
    answer(PairFactory(cycle=cycle), "mentee", s, {"What is going well?": FORMULA})
    client = client_for(committee)

    headers, rows = csv_dicts(export(client, cycle))

    assert rows[0]["What is going well?"] == "'" + FORMULA
    assert "'=1+1" in headers
    sheet = openpyxl.load_workbook(io.BytesIO(export(client, cycle, "xlsx").content)).active
    cells = {header.value: cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    assert cells["What is going well?"].data_type == "s"
    assert cells["What is going well?"].value == "'" + FORMULA
    assert "'=1+1" in cells


def test_a_question_of_another_cycle_is_neither_on_the_summary_nor_in_the_export(client_for, committee, cycle):
    midpoint(cycle)
    last_year = CycleFactory(name="2024–25", is_open=False, starts_on=cycle.starts_on - dt.timedelta(days=365))
    old = survey(last_year, SurveyKind.EXIT, "Leaving", ("What made you stop?", QuestionKind.LONG))
    answer(PairFactory(cycle=last_year), "mentee", old, {"What made you stop?": "Last year's reason."})
    client = client_for(committee)

    page = summary(client, cycle)
    assert "We meet often enough." in page
    assert "What made you stop?" not in page
    assert "Last year's reason." not in page

    response = export(client, cycle)
    assert "What made you stop?" not in csv_dicts(response)[0]
    assert "Last year's reason." not in response.content.decode("utf-8-sig")


def test_evaluations_export_query_count_does_not_grow_with_responses(
    client_for, committee, cycle, answered, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(committee)
    with CaptureQueriesContext(connection) as few:
        export(client, cycle)
    s, closing = Survey.objects.get(cycle=cycle, kind="midpoint"), Survey.objects.get(cycle=cycle, kind="closing")
    for i in range(5):
        p = PairFactory(cycle=cycle)
        answer(p, "mentee", s, {"We meet often enough.": 1 + i, "What is going well?": f"Text {i}"})
        EvaluationFactory(pair=p, role="mentor")
        answer(p, "mentor", closing, {"Will you mentor one day?": False})

    with django_assert_num_queries(len(few.captured_queries)):
        export(client, cycle)


def test_the_texts_are_the_list_items_the_templates_loop_wrote():
    # The loop of templates/pairs/_survey_texts.html before QuestionSummary.text_items wrote its
    # items (kept in tests/data): what the committee reads must not change.
    loop = (Path(__file__).parent / "data" / "survey_texts_loop.html").read_text().rstrip("\n")
    texts = [
        WENT_WELL,
        '<script>alert("x")</script> & co',
        "Two lines\nand a third\r\nhere, a lone\rreturn",
        "x" * 240,
        "A long answer, " * 17 + "<b>cut</b>\nafter the fold",
        "Cafe\u0301 " * 60,
        "",
    ]
    q = QuestionSummary(key=("midpoint", "Q", "long"), text="Q", kind="long", kind_label="Long text", texts=texts)

    assert engines["django"].from_string(loop).render({"q": q}) == q.text_items


def test_a_members_text_is_escaped_even_when_marked_safe_before():
    """DESIGN rule 8 for the list items marked safe: a member's text, short or folded, is escaped
    whatever marked it safe on its way."""
    from django.utils.safestring import mark_safe

    texts = [mark_safe("<script>alert(1)</script>"), mark_safe("<b>long</b> " * 60)]
    q = QuestionSummary(key=("midpoint", "Q", "long"), text="Q", kind="long", kind_label="Long text", texts=texts)

    assert "<script>" not in q.text_items and "<b>" not in q.text_items
    assert "&lt;script&gt;" in q.text_items and "&lt;b&gt;long&lt;/b&gt;" in q.text_items
