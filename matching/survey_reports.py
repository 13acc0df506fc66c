"""The surveys on program health: each survey of a cycle in aggregate — a count of each answer
for a scale, yes/no or choice question, the texts without names — and, where a question is
the same in other cycles (the same words and kind), its average year over year.

A question is reported by its words and kind, not by its row: a cycle that copied the
program's default survey, or a question archived and written again, reads as one question.
A fixed number of queries, however many pairs, answers or cycles: counts grouped in the
database, the texts capped per question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Avg, Case, Count, F, Q, When, Window
from django.db.models.functions import RowNumber

from members.models import Cycle, QuestionKind
from members.questions import SCALE
from pairs.models import Survey, SurveyAnswer, SurveyKind, SurveyQuestion, SurveyResponse

from . import charts

# The health page shows this many texts a question (the rest are counted, not shown).
TEXTS_SHOWN = 50
TEXT_KINDS = (QuestionKind.SHORT, QuestionKind.LONG)
NUMBERS = (QuestionKind.SCALE, QuestionKind.YES_NO)  # answers kept with a number too: averaged

Key = tuple[str, str, str]  # (survey kind, question's words, question's kind)


@dataclass
class QuestionReport:
    text: str
    kind: str
    kind_label: str
    answers: int = 0
    options: list[tuple[str, int]] = field(default_factory=list)  # (answer in words, how many)
    average: float | None = None  # scale: the mean; yes/no: the share of yes
    texts: list[str] = field(default_factory=list)
    chart: dict | None = None
    years: list[tuple[Cycle, float | None, int]] = field(default_factory=list)  # (cycle, average, answers)

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def more_texts(self) -> int:
        return max(self.answers - len(self.texts), 0)

    @property
    def summary(self) -> str:
        """The chart in words, for a screen reader and as the chart's description."""
        return "; ".join(f"{label}: {n}" for label, n in self.options) + "."


@dataclass
class SurveyReport:
    kind: str
    label: str
    title: str
    responses: dict[str, int]  # by role
    questions: list[QuestionReport]

    @property
    def answered(self) -> int:
        return sum(self.responses.values())


def _key(kind: str, text: str, question_kind: str) -> Key:
    return (kind, text.strip(), question_kind)


def survey_reports(cycle: Cycle, cycles: Sequence[Cycle] = ()) -> list[SurveyReport]:
    """The cycle's three surveys in aggregate; `cycles` (newest first, as the year-over-year
    table has them) for each question's averages in the other cycles. Five queries (four without a
    text question), a sixth when a scale or yes/no question is; none of them joins every answer
    of the cycle to its response and pair."""
    used = Survey.objects.in_use_for([cycle.pk])
    in_use = {s.pk for s in used.values()}
    # Every question the cycle's pairs can have answered: a response is to the cycle's own survey
    # or to the program's default. Each survey's in their order (no need to order the surveys).
    questions = list(
        SurveyQuestion.objects.filter(Q(survey__cycle=cycle) | Q(survey__cycle__isnull=True))
        .select_related("survey")
        .order_by("survey_id", "order", "pk")
    )
    asked = [q for q in questions if q.survey_id in in_use]
    known = {q.pk: q for q in questions}
    # The cycle's answers read by their questions' ids, without joining each to its response and
    # pair: every answer to the cycle's own surveys is its pairs' (the services write no other,
    # the admin moves no answered survey), and a default survey's are its pairs' responses'. An
    # answer's survey kind is its question's survey's (a response is to one survey, of its kind).
    theirs = SurveyResponse.objects.filter(pair__cycle=cycle).values("pk")

    def answers_to(ids: list[int]) -> models.QuerySet:
        own = [pk for pk in ids if known[pk].survey.cycle_id is not None]
        default = [pk for pk in ids if known[pk].survey.cycle_id is None]
        return SurveyAnswer.objects.filter(Q(question_id__in=own) | Q(question_id__in=default, response__in=theirs))

    # Each answer counted: a choice by its value, a number (a scale's value, yes/no as 1/0,
    # kept with the value by answers_write) by the number, cheaper to group than its JSON
    # and the same in words (_in_words: 4 is "4", 1 is "Yes").
    counted = [
        (known[pk].survey.kind, pk, value if number is None else number, number, n)
        for pk, value, number, n in answers_to([q.pk for q in questions if q.kind not in TEXT_KINDS])
        .annotate(choice=Case(When(number__isnull=True, then=F("value"))))
        .order_by()
        .values_list("question_id", "choice", "number")
        .annotate(n=Count("pk"))
    ]
    texts = list(
        answers_to([q.pk for q in questions if q.kind in TEXT_KINDS])
        .annotate(
            # In the answers' own order, never the order they came in (which would point to who wrote them).
            rank=Window(RowNumber(), partition_by=F("question_id"), order_by=F("value").asc()),
            total=Window(Count("pk"), partition_by=F("question_id")),
        )
        .filter(rank__lte=TEXTS_SHOWN)
        .values_list("question_id", "value", "rank", "total")
    )
    text_counts = {(known[pk].survey.kind, pk): total for pk, _v, _r, total in texts}
    texts = [(known[pk].survey.kind, pk, value) for pk, value, _r, _t in texts]
    numbers: dict[Key, list[int]] = {}  # this cycle's [sum, answers] of each scale and yes/no question
    for kind, pk, _value, number, n in counted:
        q = known[pk]
        if number is not None and q.kind in NUMBERS:
            total = numbers.setdefault(_key(kind, q.text, q.kind), [0, 0])
            total[0] += number * n
            total[1] += n
    responses: dict[str, dict[str, int]] = {}
    for kind, role, n in (
        SurveyResponse.objects.filter(pair__cycle=cycle).order_by().values_list("kind", "role").annotate(n=Count("pk"))
    ):
        responses.setdefault(kind, {})[role] = n

    reports: dict[Key, QuestionReport] = {}
    order: dict[str, list[Key]] = {k: [] for k in SurveyKind.values}
    by_survey = {s.pk: s.kind for s in used.values()}

    def report_of(kind: str, q: SurveyQuestion) -> QuestionReport:
        key = _key(kind, q.text, q.kind)
        if key not in reports:
            reports[key] = QuestionReport(text=q.text, kind=q.kind, kind_label=q.get_kind_display())
            order[kind].append(key)
            if q.kind == QuestionKind.SCALE:
                reports[key].options = [(str(n), 0) for n in SCALE]
            elif q.kind == QuestionKind.YES_NO:
                reports[key].options = [("Yes", 0), ("No", 0)]
            elif q.has_choices:
                reports[key].options = [(c, 0) for c in q.choices]
        return reports[key]

    # The questions the surveys ask now, in their order (archived ones too: they have answers).
    for q in asked:
        if q.archived_at is None:
            report_of(by_survey[q.survey_id], q)
    for kind, pk, value, _number, n in counted:
        r = report_of(kind, known[pk])
        words = _in_words(r.kind, value)
        for word in words:
            _add(r, word, n)
        r.answers += n
    for (kind, pk), n in text_counts.items():
        report_of(kind, known[pk]).answers += n
    for kind, pk, value in texts:
        report_of(kind, known[pk]).texts.append(str(value))
    for r in reports.values():
        _finish(r)

    years = _years(cycle, {k for k, r in reports.items() if r.kind in NUMBERS}, numbers)
    for key, per_cycle in years.items():
        reports[key].years = [(c, *per_cycle[c.pk]) for c in cycles if c.pk in per_cycle]

    out = []
    for kind, label in SurveyKind.choices:
        survey = used.get((cycle.pk, kind))
        if survey is None and not order[kind]:
            continue
        out.append(
            SurveyReport(
                kind=kind,
                label=label,
                title=survey.title if survey else label,
                responses=responses.get(kind, {}),
                questions=[reports[k] for k in order[kind]],
            )
        )
    return out


def _in_words(kind: str, value) -> list[str]:
    if kind == QuestionKind.YES_NO:
        return ["Yes" if value else "No"]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _add(r: QuestionReport, word: str, n: int) -> None:
    for i, (label, count) in enumerate(r.options):
        if label == word:
            r.options[i] = (label, count + n)
            return
    # A choice no longer offered: shown as it was given.
    r.options.append((word, n))


def _finish(r: QuestionReport) -> None:
    if r.is_text:
        return
    if r.kind == QuestionKind.SCALE and r.answers:
        r.average = sum(int(label) * n for label, n in r.options) / r.answers
    elif r.kind == QuestionKind.YES_NO and r.answers:
        r.average = dict(r.options)["Yes"] / r.answers
    r.chart = charts.answer_chart(r.options)


def _years(cycle: Cycle, keys: set[Key], own: dict[Key, list[int]]) -> dict[Key, dict[int, tuple[float, int]]]:
    """{question key: {cycle id: (average, answers)}} for the scale and yes/no questions `keys`,
    over every cycle, when at least two cycles asked it: `cycle`'s from its sums and counts
    (`own`), the other cycles' in one query."""
    if not keys:
        return {}
    texts = {text for _k, text, _q in keys}
    rows = (
        SurveyAnswer.objects.filter(
            # The questions first (a few rows), then their answers by the question's index: not
            # those of `cycle`'s own surveys, which only its pairs answer (counted already).
            question__in=SurveyQuestion.objects.filter(text__in=texts, kind__in=NUMBERS).exclude(survey__cycle=cycle),
            number__isnull=False,
        )
        .exclude(response__pair__cycle=cycle)
        .order_by()
        .values_list("response__kind", "question__text", "question__kind", "response__pair__cycle")
        .annotate(avg=Avg("number"), n=Count("pk"))
    )
    found: dict[Key, dict[int, tuple[float, int]]] = {}
    for key, (total, n) in own.items():
        if key in keys:
            found.setdefault(key, {})[cycle.pk] = (total / n, n)
    for kind, text, qkind, cycle_id, avg, n in rows:
        key = _key(kind, text, qkind)
        if key in keys:
            found.setdefault(key, {})[cycle_id] = (avg, n)
    return {k: v for k, v in found.items() if len(v) >= 2}
