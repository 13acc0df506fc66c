"""The surveys on program health: each survey of a cycle in aggregate, as the evaluation
summary has them (`pairs.survey_summary`), with a chart of each scale, yes/no and choice
question's answers and, where the question is the same in other cycles (the same words and
kind), its average year over year.

A fixed number of queries, however many pairs, answers or cycles: the summaries' (three when
the answers' counts are kept, seven when they are counted, one more for a question no longer
asked), and one for the years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from django.db.models import Avg, Count

from members.models import Cycle, QuestionKind
from pairs.models import SurveyAnswer, SurveyQuestion
from pairs.survey_summary import Key, QuestionSummary, SurveySummary, question_key, survey_summaries

from . import charts


@dataclass
class QuestionReport(QuestionSummary):
    chart: dict | None = None
    years: list[tuple[Cycle, float | None, int]] = field(default_factory=list)  # (cycle, average, answers)


def survey_reports(cycle: Cycle, cycles: Sequence[Cycle] = ()) -> list[SurveySummary]:
    """The cycle's three surveys in aggregate, each question a QuestionReport; `cycles` (newest
    first, as the year-over-year table has them) for each question's averages in the other
    cycles. The summaries' queries (survey_summaries), and one more when a scale or yes/no
    question is asked."""
    surveys = survey_summaries(cycle)
    reports: dict[Key, QuestionReport] = {}
    for s in surveys:
        s.questions = [_report(q) for q in s.questions]
        reports.update((q.key, q) for q in s.questions)
    numbers = {k: r for k, r in reports.items() if r.kind in (QuestionKind.SCALE, QuestionKind.YES_NO)}
    years = _years(cycles, set(numbers), cycle)
    # The cycle's own average and count are its summary's, counted already: not counted again.
    for key, r in numbers.items():
        if r.answers:
            years.setdefault(key, {})[cycle.pk] = (r.average, r.answers)
    years = {key: per_cycle for key, per_cycle in years.items() if len(per_cycle) >= 2}
    for key, per_cycle in years.items():
        reports[key].years = [(c, *per_cycle[c.pk]) for c in cycles if c.pk in per_cycle]
    return surveys


def _report(q: QuestionSummary) -> QuestionReport:
    report = QuestionReport(**{f.name: getattr(q, f.name) for f in fields(QuestionSummary)})
    if not report.is_text:
        report.chart = charts.answer_chart(report.options)
    return report


def _years(cycles: Sequence[Cycle], keys: set[Key], but: Cycle) -> dict[Key, dict[int, tuple[float, int]]]:
    """{question key: {cycle id: (average, answers)}} for the scale and yes/no questions `keys`,
    over every cycle but `but` (whose answers its summary has counted). One query.

    Averages of `number`, the scale's value or yes/no as 1/0 (SurveyAnswer): the summary's
    average of the same answers is the same number."""
    if not keys:
        return {}
    texts = {text for _k, text, _q in keys}
    rows = (
        SurveyAnswer.objects.filter(
            # The questions first (a few rows), then their answers by the question's index.
            question__in=SurveyQuestion.objects.filter(
                text__in=texts, kind__in=[QuestionKind.SCALE, QuestionKind.YES_NO]
            ),
            number__isnull=False,
        )
        .exclude(response__pair__cycle=but)
        .order_by()
        .values_list("response__kind", "question__text", "question__kind", "response__pair__cycle")
        .annotate(avg=Avg("number"), n=Count("pk"))
    )
    found: dict[Key, dict[int, tuple[float, int]]] = {}
    for kind, text, qkind, cycle_id, avg, n in rows:
        key = question_key(kind, text, qkind)
        if key in keys:
            found.setdefault(key, {})[cycle_id] = (avg, n)
    return found
