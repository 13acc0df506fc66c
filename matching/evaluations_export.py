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

from collections import Counter
from typing import Any

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
    evaluations = list(
        Evaluation.objects.filter(pair__cycle=cycle)
        .order_by()
        .values_list(
            "pair_id", "kind", "role", "overall", "relationship", "goals_met", "would_recommend", "best", "improve"
        )
    )
    # A response without answers (every question left empty) is a row too: hence from the responses.
    answers = list(
        SurveyResponse.objects.filter(pair__cycle=cycle)
        .order_by()
        .values_list("pk", "pair_id", "kind", "role", "answers__question_id", "answers__value")
    )
    questions.answered({(kind, q) for _r, _p, kind, _s, q, _v in answers if q is not None})
    keys = questions.in_order()
    column = {key: i for i, key in enumerate(keys)}

    responses: dict[int, tuple[int, str, str, list]] = {}  # id → (pair id, kind, side, its cells)
    for pk, pair_id, kind, side, question_id, value in answers:
        if pk not in responses:
            responses[pk] = (pair_id, kind, side, [""] * len(keys))
        if question_id is not None:
            q = questions.questions[question_id]
            responses[pk][3][column[questions.key_of(kind, question_id)]] = _cell(q, value)
    closing = {(p, side): pk for pk, (p, kind, side, _c) in responses.items() if kind == SurveyKind.CLOSING}

    rows = []
    for pair_id, kind, side, overall, relationship, goals_met, recommend, best, improve in evaluations:
        cells = [""] * len(keys)
        if kind == EvaluationKind.CLOSING and (pk := closing.get((pair_id, side))) is not None:
            cells = responses.pop(pk)[3]
        rows.append(
            [
                ("evaluation", kind),
                side,
                overall,
                relationship,
                goals_met,
                "yes" if recommend else "no",
                best,
                improve,
                *cells,
            ]
        )
    for _p, kind, side, cells in responses.values():
        rows.append([("survey", kind), side, None, None, None, "", "", "", *cells])
    rows.sort(key=_order)
    for row in rows:
        row[0] = FORMS.get(row[0], row[0][1])
    return HEADERS + _headers(keys), rows


def _cell(q: SurveyQuestion, value: Any) -> Any:
    """An answer as a spreadsheet reads it: a scale's number, yes or no (as "would recommend"
    has them), several choices joined with "; ", a text as it was written."""
    if q.kind == QuestionKind.SCALE and isinstance(value, int):
        return value
    if q.kind == QuestionKind.YES_NO and isinstance(value, bool):
        return "yes" if value else "no"
    return answer_in_words(q, value)


def _order(row: list) -> tuple:
    """By form and side, then by the answers: the ratings highest first, then the texts and the
    survey's answers in the order a sort of words puts them."""
    form, side, overall, relationship, goals_met = row[:5]
    return (
        RANK.get(form, len(RANK)),
        side,
        *(-(r or 0) for r in (overall, relationship, goals_met)),
        *(str(c) for c in row[6:]),
    )


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
