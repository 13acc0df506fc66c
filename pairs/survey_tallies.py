"""A cycle's survey answers counted in the database, and kept in the cache between two
views until any answer or response comes or goes (`pairs.survey_summary` reads them).

Counting them is most of program health's queries (15 and 7 ms at 7,800 answers), and they
change only when an answer or a response is written or deleted: answers and responses are
written once and never changed (their admin is read only; privacy clears a response's
author, which is not counted), a pair's cycle never changes, nor an answered question's kind.
So the counts are kept under a key read from both tables (`_written`), which any answer or
response written or deleted gives a value not seen before:

- a new row takes a greater id, and a deletion lowers the count;
- the sum of the ids tells apart a deletion and a late commit of a lower id that leave the
  count and the greatest id as they were;
- the latest response's time tells apart rows written again under ids used before, after
  the database was restored from a backup (its sequences go back, the cache does not).

The key is read before the counts and again after them, and they are kept only when it did
not change in between: counts that include a row committed meanwhile are never kept under
a key from before it. Losing the cache (Redis away: arla_mentoring/cache.py) costs only the
counting.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from members.models import Cycle, QuestionKind

from .survey_models import SurveyAnswer, SurveyResponse

# A page shows this many texts a question (the rest are counted, not shown).
TEXTS_SHOWN = 50
TEXT_KINDS = (QuestionKind.SHORT, QuestionKind.LONG)
# How long a cycle's counts are kept: a day, and sooner when any answer comes or goes.
KEPT_SECONDS = 24 * 60 * 60
# Part of the key: changed when what is kept changes shape, so that a deploy never reads
# counts kept by the code before it.
VERSION = 1

Tallies = tuple[list, list, list]


def tallies(cycle: Cycle) -> Tallies:
    """The cycle's answers counted: (survey kind, side, question id, value, how many) for the
    questions counted; (survey kind, question id, text, how many) for the text questions, the
    first TEXTS_SHOWN texts of each in their own order; (survey kind, side, how many) for the
    responses. One query when kept; five when counted (the key, the three counts, the key again)."""
    written = _written()
    key = f"survey-tallies:{VERSION}:{cycle.pk}:{written}"
    kept = cache.get(key)
    if kept is not None:
        return kept
    counted = _counted(cycle)
    if _written() == written:
        cache.set(key, counted, timeout=KEPT_SECONDS)
    return counted


def _counted(cycle: Cycle) -> Tallies:
    in_cycle = SurveyAnswer.objects.filter(response__pair__cycle=cycle)
    counted = list(
        in_cycle.exclude(question__kind__in=TEXT_KINDS)
        .order_by()
        .values_list("response__kind", "response__role", "question_id", "value")
        .annotate(n=Count("pk"))
    )
    by_question = [F("response__kind"), F("question_id")]
    texts = list(
        in_cycle.filter(question__kind__in=TEXT_KINDS)
        .annotate(
            # In the answers' own order, never the order they came in (which would point to who wrote them).
            rank=Window(RowNumber(), partition_by=by_question, order_by=F("value").asc()),
            total=Window(Count("pk"), partition_by=by_question),
        )
        .filter(rank__lte=TEXTS_SHOWN)
        .values_list("response__kind", "question_id", "value", "total")
    )
    responded = list(
        SurveyResponse.objects.filter(pair__cycle=cycle).order_by().values_list("kind", "role").annotate(n=Count("pk"))
    )
    return counted, texts, responded


def _written() -> str:
    """The count, greatest id and sum of the ids of the survey answers and of the responses,
    and the time of the latest response: one query, one pass over each table."""
    q = connection.ops.quote_name
    answers, responses = (
        (q(model._meta.db_table), q(model._meta.pk.column)) for model in (SurveyAnswer, SurveyResponse)
    )
    submitted = q(SurveyResponse._meta.get_field("submitted_at").column)
    sql = (
        "SELECT * FROM (SELECT count(*), max({1}), sum({1}) FROM {0}) AS a, "  # noqa: S608 (the models' own names)
        "(SELECT count(*), max({3}), sum({3}), max({4}) FROM {2}) AS r"
    ).format(*answers, *responses, submitted)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        # No spaces in a cache key (a time has one): Django warns of keys memcached would refuse.
        return "-".join(str(value) for value in cursor.fetchone()).replace(" ", "T")
