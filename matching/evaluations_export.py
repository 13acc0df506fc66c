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
from collections.abc import Callable
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
    rows = _Rows(questions)
    # Each response's cells in its own survey's columns, by (pair id, kind, side).
    surveys = {
        response: _cells(answers, slots[response[1]], rows.width(response[1]))
        for response, answers in responses.items()
    }
    del responses  # its answers, thousands of objects, are cells now
    for pair_id, kind, side, overall, relationship, goals_met, recommend, best, improve in evaluations:
        # The closing evaluation and its survey's answers are one row (the survey's row no more).
        own = surveys.pop((pair_id, SurveyKind.CLOSING, side), None) if kind == EvaluationKind.CLOSING else None
        rows.add(("evaluation", kind), side, overall, relationship, goals_met, recommend, best, improve, own)
    for (_p, kind, side), own in surveys.items():
        rows.add(("survey", kind), side, None, None, None, None, "", "", own)
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


def _responses(cycle: Cycle) -> dict[tuple[int, str, str], dict[str, Any]]:
    """{(pair id, kind, side): {question id: value}} for each survey response of the cycle (at
    most one a side and kind), one without answers too (every question left empty). One query:
    the database puts each response's answers together, and Python reads all of them in one
    call (a row an answer, each value decoded on its own, was most of the export's time)."""
    rows = list(
        SurveyResponse.objects.filter(pair__cycle=cycle)
        .order_by()
        .annotate(answers_json=_ANSWERS)
        .values_list("pair_id", "kind", "role", "answers_json")
    )
    if not rows:
        return {}
    answered = json.loads("[{" + "},{".join([answers or "" for *_r, answers in rows]) + "}]")
    return dict(zip([row[:3] for row in rows], answered, strict=True))


# Where an answer to a question goes: its column in its survey's columns, the question, the type
# of answer its kind has, and how such an answer is written (most answers are written by one call
# in C, without _cell: as given, yes or no, several choices joined).
Slot = tuple[int, SurveyQuestion, type | None, Callable[[Any], Any] | None]
_AS_WRITTEN: dict[str, tuple[type, Callable[[Any], Any]]] = {
    QuestionKind.SHORT: (str, str),
    QuestionKind.LONG: (str, str),
    QuestionKind.ONE: (str, str),
    QuestionKind.SCALE: (int, int),
    QuestionKind.YES_NO: (bool, {True: "yes", False: "no"}.__getitem__),
    QuestionKind.SEVERAL: (list, "; ".join),  # a TypeError when a choice is not text: _cell then
}


def _columns(questions: CycleQuestions, responses: dict) -> tuple[list[Key], dict[str, dict[str, Slot]]]:
    """The survey columns' keys in order, those of questions answered and no longer asked
    included; and the slot of each question answered, by its survey's kind and its id as the
    JSON has it."""
    answered: dict[str, set[str]] = {}
    for (_p, kind, _s), answers in responses.items():
        answered.setdefault(kind, set()).update(answers)
    given = {(kind, pk) for kind, pks in answered.items() for pk in pks}
    questions.answered({(kind, int(pk)) for kind, pk in given})
    column = {key: i for kind_keys in questions.keys.values() for i, key in enumerate(kind_keys)}
    slots: dict[str, dict[str, Slot]] = {kind: {} for kind in answered}
    for kind, pk in given:
        q = questions.questions[int(pk)]
        slots[kind][pk] = (column[questions.key_of(kind, q.pk)], q, *_AS_WRITTEN.get(q.kind, (None, None)))
    return questions.in_order(), slots


def _cells(answers: dict[str, Any], slots: dict[str, Slot], width: int) -> list:
    """A response's cells in its survey's columns: each answer in its question's, the others empty."""
    cells = [""] * width
    for pk, value in answers.items():
        i, q, given, written = slots[pk]
        try:
            cells[i] = written(value) if value.__class__ is given else _cell(q, value)
        except TypeError:  # several choices, not all of them text
            cells[i] = _cell(q, value)
    return cells


class _Rows:
    """The export's rows, and the order they come in: by form and side, then the ratings highest
    first, then the texts and the survey's answers in the order a sort of words puts them."""

    def __init__(self, questions: CycleQuestions) -> None:
        # Each survey's columns, after the fixed ones (its questions no longer asked included).
        self.spans: dict[str, tuple[int, int]] = {}
        start = 0
        for kind in SurveyKind.values:
            self.spans[kind] = (start, start + len(questions.keys[kind]))
            start = self.spans[kind][1]
        self.columns = start
        self.forms: dict[tuple[str, str], _Form] = {}
        # The rows by place and side (forms of no known kind share the last place), with the rest
        # of their place in the order: a sort of each group compares shorter keys.
        self.groups: dict[int, dict[str, tuple[list[tuple], list[list]]]] = {}

    def span(self, kind: str) -> tuple[int, int]:
        """The columns that can hold the answers of a row of `kind` (all of them for another kind)."""
        return self.spans.get(kind, (0, self.columns))

    def width(self, kind: str) -> int:
        start, stop = self.span(kind)
        return stop - start

    def add(
        self,
        form: tuple[str, str],
        side: str,
        overall,
        relationship,
        goals_met,
        recommend,
        best,
        improve,
        own: list | None,
    ) -> None:
        """A row: `own` its cells in its survey's columns (None: none answered; only a survey's
        row and the closing evaluation's have any). The other survey columns are empty in every
        row of its form: the order compares its own alone."""
        if (f := self.forms.get(form)) is None:
            f = self.forms[form] = _Form(form, self.span(form[1]), self.columns, self.groups)
        if own is None:
            own = f.unanswered
        if (group := f.by_side.get(side)) is None:
            group = f.by_side[side] = ([], [])
        keys, rows = group
        if not f.rated:
            keys.append(tuple(map(str, own)))
        elif not f.answered:
            keys.append((-(overall or 0), -(relationship or 0), -(goals_met or 0), best, improve))
        else:
            keys.append((-(overall or 0), -(relationship or 0), -(goals_met or 0), best, improve, *map(str, own)))
        said = "" if recommend is None else "yes" if recommend else "no"
        rows.append([f.label, side, overall, relationship, goals_met, said, best, improve, *f.before, *own, *f.after])

    def in_order(self) -> list[list]:
        groups = sorted((rank, side) for rank, by_side in self.groups.items() for side in by_side)
        ordered = []
        for rank, side in groups:
            keys, rows = self.groups[rank][side]
            # A stable sort: rows that tie stay in the order they came.
            ordered += [rows[i] for i in sorted(range(len(rows)), key=keys.__getitem__)]
        return ordered


class _Form:
    """What a form's rows share: their name and place, the survey columns before and after those
    that can hold their answers, those answers when none was given; and its place's keys and
    rows by side."""

    def __init__(self, form: tuple[str, str], span: tuple[int, int], columns: int, groups: dict) -> None:
        start, stop = span
        self.label, self.rank = FORMS.get(form, form[1]), RANK.get(form, len(RANK))
        self.before, self.after, self.unanswered = [""] * start, [""] * (columns - stop), ("",) * (stop - start)
        self.by_side: dict[str, tuple[list[tuple], list[list]]] = groups.setdefault(self.rank, {})
        # What the order compares in a row, after its form and side: a survey's rows have no
        # ratings and no texts, a midpoint review no survey's answers (only the closing
        # evaluation is one row with its survey's); alone in their place, each form's rows are
        # ordered by what they have. Forms of no known kind share the last place: everything.
        self.rated = form[0] == "evaluation" or form not in RANK
        self.answered = form[0] == "survey" or form == ("evaluation", EvaluationKind.CLOSING) or form not in RANK


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
