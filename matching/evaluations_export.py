"""The evaluations export: one row a response — a side's closing evaluation, its midpoint
review, its answers to the midpoint or exit survey — with the fixed ratings and comments,
then a column for each question of the cycle's surveys (`pairs.survey_summary.CycleQuestions`:
the questions asked now, then those answered that are no longer asked).

The closing evaluation's ratings and the committee's questions asked with them are filled in
on one page, as one response: they are one row. No names, no pair, no dates, and an order that
follows the answers rather than the time they were given: a row cannot be traced back to a
person. Four queries, a fifth when a question answered is no longer asked.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.db.models import Q, StringAgg, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat

from members.models import Cycle, QuestionKind
from members.questions import answer_in_words
from pairs.models import Evaluation, EvaluationKind, SurveyKind, SurveyQuestion, SurveyResponse
from pairs.survey_summary import CycleQuestions, Key

HEADERS = [
    "form",
    "side",
    "worthwhile (1-5)",
    "worked well together (1-5)",
    "reached goals (1-5)",
    "would recommend",
    "what worked best",
    "what could improve",
]
# The rows' forms, in the order the rows come: (evaluation or survey, its kind) → its name.
FORMS = {
    ("evaluation", EvaluationKind.CLOSING): EvaluationKind.CLOSING.label,
    ("survey", SurveyKind.CLOSING): SurveyKind.CLOSING.label,  # a closing survey answered without its ratings
    ("evaluation", EvaluationKind.MIDPOINT): EvaluationKind.MIDPOINT.label,
    ("survey", SurveyKind.MIDPOINT): SurveyKind.MIDPOINT.label,
    ("survey", SurveyKind.EXIT): SurveyKind.EXIT.label,
}
RANK = {form: i for i, form in enumerate(FORMS)}
FIXED = len(HEADERS)


def export_evaluations(cycle: Cycle) -> tuple[list[str], list[list]]:
    """The cycle's evaluations and survey responses: the headings, and a row for each response."""
    questions = CycleQuestions(cycle)
    evaluations = (
        Evaluation.objects.filter(pair__cycle=cycle)
        .order_by()
        .values_list(
            "pair_id", "kind", "role", "overall", "relationship", "goals_met", "would_recommend", "best", "improve"
        )
    )
    responses = _responses(cycle)
    keys, slots = _columns(questions, responses)
    # Each response's cells, by (pair id, kind, side): at most one response a side and kind.
    surveys = {
        (pair_id, kind, side): _cells(answers, slots[kind], len(keys)) for pair_id, kind, side, answers in responses
    }

    rows = _Rows(questions)
    blank = [""] * len(keys)
    for pair_id, kind, side, overall, relationship, goals_met, recommend, best, improve in evaluations:
        # The closing evaluation and its survey's answers are one row (the survey's row no more).
        cells = surveys.pop((pair_id, SurveyKind.CLOSING, side), blank) if kind == EvaluationKind.CLOSING else blank
        rows.add(("evaluation", kind), side, overall, relationship, goals_met, recommend, best, improve, cells)
    for (_p, kind, side), cells in surveys.items():
        rows.add(("survey", kind), side, None, None, None, None, "", "", cells)
    return HEADERS + _headers(keys), rows.in_order()


# A survey's answers as one JSON object's members, "<question id>":<value as JSON>, joined by the
# database (StringAgg, on SQLite as on PostgreSQL); NULL for a response without answers.
_ANSWERS = StringAgg(
    Concat(
        Value('"'),
        Cast("answers__question_id", TextField()),
        Value('":'),
        Coalesce(Cast("answers__value", TextField()), Value("null"), output_field=TextField()),
        output_field=TextField(),
    ),
    delimiter=Value(","),
    filter=Q(answers__isnull=False),
)


def _responses(cycle: Cycle) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(pair id, kind, side, {question id: value}) for each survey response of the cycle, one
    without answers too (every question left empty). One query: the database puts each
    response's answers together, and Python reads all of them in one call (a row an answer,
    each value decoded on its own, was most of the export's time)."""
    rows = list(
        SurveyResponse.objects.filter(pair__cycle=cycle)
        .order_by()
        .annotate(answers_json=_ANSWERS)
        .values_list("pair_id", "kind", "role", "answers_json")
    )
    if not rows:
        return []
    answered = json.loads("[{" + "},{".join([answers or "" for *_r, answers in rows]) + "}]")
    return [(pair_id, kind, side, answers) for (pair_id, kind, side, _j), answers in zip(rows, answered, strict=True)]


# Where an answer to a question goes: its column, the question, and the type of answer that is
# its own cell (a text, a choice, a scale's number: most answers go in without a call to _cell).
Slot = tuple[int, SurveyQuestion, type | None]
_AS_GIVEN = {QuestionKind.SHORT: str, QuestionKind.LONG: str, QuestionKind.ONE: str, QuestionKind.SCALE: int}


def _columns(questions: CycleQuestions, responses: list) -> tuple[list[Key], dict[str, dict[str, Slot]]]:
    """The survey columns' keys in order, those of questions answered and no longer asked
    included; and the slot of each question answered, by its survey's kind and its id as the
    JSON has it."""
    answered: dict[str, set[str]] = {}
    for _p, kind, _s, answers in responses:
        answered.setdefault(kind, set()).update(answers)
    given = {(kind, pk) for kind, pks in answered.items() for pk in pks}
    questions.answered({(kind, int(pk)) for kind, pk in given})
    keys = questions.in_order()
    column = {key: i for i, key in enumerate(keys)}
    slots: dict[str, dict[str, Slot]] = {kind: {} for kind in answered}
    for kind, pk in given:
        q = questions.questions[int(pk)]
        slots[kind][pk] = (column[questions.key_of(kind, q.pk)], q, _AS_GIVEN.get(q.kind))
    return keys, slots


def _cells(answers: dict[str, Any], slots: dict[str, Slot], width: int) -> list:
    """A response's survey cells: each answer in its question's column, the others empty."""
    cells = [""] * width
    for pk, value in answers.items():
        i, q, as_given = slots[pk]
        cells[i] = value if value.__class__ is as_given else _cell(q, value)
    return cells


class _Rows:
    """The export's rows, and the order they come in: by form and side, then the ratings highest
    first, then the texts and the survey's answers in the order a sort of words puts them."""

    def __init__(self, questions: CycleQuestions) -> None:
        self.rows: list[list] = []
        self.order: list[tuple] = []
        # Only the columns of a row's own survey can hold its answers (the others are empty in
        # every row of its form): of the answers, the order compares those alone.
        self.spans: dict[str, slice] = {}
        start = 0
        for kind in SurveyKind.values:
            self.spans[kind] = slice(start, start + len(questions.keys[kind]))
            start = self.spans[kind].stop

    def add(
        self, form: tuple[str, str], side: str, overall, relationship, goals_met, recommend, best, improve, cells: list
    ) -> None:
        said = "" if recommend is None else "yes" if recommend else "no"
        self.rows.append(
            [FORMS.get(form, form[1]), side, overall, relationship, goals_met, said, best, improve, *cells]
        )
        answers = cells[self.spans.get(form[1], slice(None))]
        ratings = (-(overall or 0), -(relationship or 0), -(goals_met or 0))
        self.order.append((RANK.get(form, len(RANK)), side, *ratings, best, improve, *map(str, answers)))

    def in_order(self) -> list[list]:
        return [self.rows[i] for i in sorted(range(len(self.rows)), key=self.order.__getitem__)]


def _cell(q: SurveyQuestion, value: Any) -> Any:
    """An answer as a spreadsheet reads it: a scale's number, yes or no (as "would recommend"
    has them), several choices joined with "; ", a text as it was written."""
    if q.kind == QuestionKind.SCALE and isinstance(value, int):
        return value
    if q.kind == QuestionKind.YES_NO and isinstance(value, bool):
        return "yes" if value else "no"
    return answer_in_words(q, value)


def _headers(keys: list[Key]) -> list[str]:
    """Each question's words, prefixed with its survey's name when another column has the same
    words (then with its kind of answer, when that is not enough)."""
    labels, kinds = dict(SurveyKind.choices), dict(QuestionKind.choices)
    same = Counter(text for _kind, text, _qkind in keys) + Counter(HEADERS)
    headers = [f"{labels[kind]}: {text}" if same[text] > 1 else text for kind, text, _qkind in keys]
    twice = Counter(headers)
    return [
        f"{h} ({kinds[qkind]})" if twice[h] > 1 else h for h, (_kind, _text, qkind) in zip(headers, keys, strict=True)
    ]
