"""A cycle's surveys in aggregate: each question's answers counted — by side, for a scale,
yes/no or choice question — and its texts without names. The committee reads them on the
evaluation summary and on program health (`matching.survey_reports` adds the charts and the
years there); the evaluations export puts the same questions in its columns.

A question is reported by its words and kind, not by its row (`question_key`): a cycle that
copied the program's default survey, or a question archived and written again, reads as one
question. A fixed number of queries, however many pairs or answers: counts grouped in the
database, the texts capped per question.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from django.template.defaultfilters import truncatechars
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from members.models import Audience, Cycle, QuestionKind, Role
from members.questions import SCALE

from .survey_models import Survey, SurveyKind, SurveyQuestion
from .survey_tallies import TEXT_KINDS, tallies

SIDES = (Role.MENTOR.value, Role.MENTEE.value)

Key = tuple[str, str, str]  # (survey kind, question's words, question's kind)


def question_key(survey_kind: str, text: str, question_kind: str) -> Key:
    return (survey_kind, text.strip(), question_kind)


class CycleQuestions:
    """The questions of the surveys a cycle uses (its own, else the program's default), each
    under its key, in the surveys' order: the live questions, then those answered that the
    surveys no longer ask (archived, or the default's before the cycle had its own copy)."""

    def __init__(self, cycle: Cycle) -> None:
        """Two queries: the surveys in use, their questions."""
        self.surveys: dict[str, Survey] = {kind: s for (_c, kind), s in Survey.objects.in_use_for([cycle.pk]).items()}
        survey_kind = {s.pk: s.kind for s in self.surveys.values()}
        asked = SurveyQuestion.objects.filter(survey__in=[s.pk for s in self.surveys.values()]).order_by(
            "survey", "order", "pk"
        )
        self.questions: dict[int, SurveyQuestion] = {}
        self.keys: dict[str, list[Key]] = {kind: [] for kind in SurveyKind.values}
        self.first: dict[Key, SurveyQuestion] = {}  # each key's question (its choices, its kind's label)
        self.audiences: dict[Key, set[str]] = {}
        for q in asked:
            self.questions[q.pk] = q
            if q.archived_at is None:
                self.key_of(survey_kind[q.survey_id], q.pk)

    def answered(self, given: set[tuple[str, int]]) -> None:
        """Take in the (survey kind, question id) of the answers given: the questions no longer
        asked join their survey after the live ones, in their order. One query when there are any."""
        missing = {pk for _kind, pk in given} - set(self.questions)
        if missing:
            for q in SurveyQuestion.objects.filter(pk__in=missing):
                self.questions[q.pk] = q
        for kind, pk in sorted(given, key=lambda kp: (self.questions[kp[1]].order, kp[1])):
            self.key_of(kind, pk)

    def key_of(self, kind: str, pk: int) -> Key:
        """The key of question `pk` answered in a survey of `kind`, added at its survey's end when new."""
        q = self.questions[pk]
        key = question_key(kind, q.text, q.kind)
        if key not in self.first:
            self.first[key] = q
            self.keys[kind].append(key)
        self.audiences.setdefault(key, set()).add(q.audience)
        return key

    def in_order(self) -> list[Key]:
        """Every key, survey by survey (midpoint, closing, exit), each survey's in its order."""
        return [key for kind in SurveyKind.values for key in self.keys[kind]]


@dataclass
class QuestionSummary:
    key: Key
    text: str
    kind: str
    kind_label: str
    answers: int = 0
    options: list[tuple[str, int]] = field(default_factory=list)  # (answer in words, how many)
    by_side: dict[str, dict[str, int]] = field(default_factory=dict)  # {side: {answer in words: how many}}
    asked_of: set[str] = field(default_factory=set)  # the audiences (Audience) it was asked of
    average: float | None = None  # scale: the mean; yes/no: the share of yes
    texts: list[str] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def more_texts(self) -> int:
        return max(self.answers - len(self.texts), 0)

    @property
    def text_items(self) -> SafeString:
        """The texts as the items of templates/pairs/_survey_texts.html's list, each folded as
        templates/_folded.html folds a text longer than FOLDED_AT. Written here: fifty texts a
        question through the template language were a quarter of program health's rendering."""
        # Safe: _folded escapes each text whole (html.escape, escape), never trusting a mark.
        return mark_safe("".join(f'<li class="text-break">{_folded(t)}</li>' for t in self.texts))  # noqa: S308

    @property
    def summary(self) -> str:
        """The counts in words, for a screen reader and as a chart's description."""
        return "; ".join(f"{label}: {n}" for label, n in self.options) + "."

    @property
    def sides_apart(self) -> bool:
        """Whether the counts are shown by side: the question was asked of both, or both answered it."""
        asked = {side for a in self.asked_of for side in (SIDES if a == Audience.BOTH else (a,))}
        return set(SIDES) <= asked or all(self.by_side.get(side) for side in SIDES)

    @property
    def rows(self) -> list[tuple[str, int, int, int]]:
        """(answer in words, from mentors, from mentees, from all) for each answer, in the options' order."""
        mentors, mentees = (self.by_side.get(side, {}) for side in SIDES)
        return [(label, mentors.get(label, 0), mentees.get(label, 0), n) for label, n in self.options]


@dataclass
class SurveySummary:
    kind: str
    label: str
    title: str
    responses: dict[str, int]  # by side
    questions: list[QuestionSummary]

    @property
    def answered(self) -> int:
        return sum(self.responses.values())


def survey_summaries(cycle: Cycle) -> list[SurveySummary]:
    """The cycle's three surveys in aggregate (those it has, or has answers to). Three queries
    when the answers' counts are kept (pairs.survey_tallies), seven when they are counted; one
    more when a question answered is no longer asked."""
    questions = CycleQuestions(cycle)
    counted, texts, responded = tallies(cycle)
    questions.answered({(kind, pk) for kind, _side, pk, _v, _n in counted} | {(kind, pk) for kind, pk, _v, _t in texts})
    responses: dict[str, dict[str, int]] = {}
    for kind, side, n in responded:
        responses.setdefault(kind, {})[side] = n

    summaries = {key: _empty(key, questions.first[key], questions.audiences[key]) for key in questions.in_order()}
    for kind, side, pk, value, n in counted:
        s = summaries[questions.key_of(kind, pk)]
        for word in _in_words(s.kind, value):
            _add(s, side, word, n)
        s.answers += n
    text_counts = {}
    for kind, pk, value, total in texts:
        key = questions.key_of(kind, pk)
        summaries[key].texts.append(str(value))
        text_counts[(key, pk)] = total
    for (key, _pk), n in text_counts.items():
        summaries[key].answers += n
    for s in summaries.values():
        _average(s)

    out = []
    for kind, label in SurveyKind.choices:
        survey = questions.surveys.get(kind)
        if survey is None and not questions.keys[kind]:
            continue
        out.append(
            SurveySummary(
                kind=kind,
                label=label,
                title=survey.title if survey else label,
                responses=responses.get(kind, {}),
                questions=[summaries[key] for key in questions.keys[kind]],
            )
        )
    return out


FOLDED_AT = 240  # characters of a text shown before "Read all"


def _lines(text: str) -> str:
    """What the filter linebreaksbr writes of a text (escaped, each line break a <br>), without
    its decorators' cost: 0.7 µs a text instead of 10, and a question shows fifty."""
    return html.escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _folded(text: str) -> str:
    """A text as templates/_folded.html writes it with limit=FOLDED_AT (its filters, escaping)."""
    if len(text) > FOLDED_AT:
        return (
            '<details class="folded"><summary><span class="folded-preview">'
            f"{escape(truncatechars(text, FOLDED_AT))}</span> "
            '<span class="folded-more">Read all</span><span class="folded-less">Show less</span></summary>'
            f'<div class="folded-full">{_lines(text)}</div></details>'
        )
    return _lines(text)


def _empty(key: Key, q: SurveyQuestion, asked_of: set[str]) -> QuestionSummary:
    s = QuestionSummary(key=key, text=q.text, kind=q.kind, kind_label=q.get_kind_display(), asked_of=asked_of)
    if q.kind == QuestionKind.SCALE:
        s.options = [(str(n), 0) for n in SCALE]
    elif q.kind == QuestionKind.YES_NO:
        s.options = [("Yes", 0), ("No", 0)]
    elif q.has_choices:
        s.options = [(c, 0) for c in q.choices]
    return s


def _in_words(kind: str, value) -> list[str]:
    if kind == QuestionKind.YES_NO:
        return ["Yes" if value else "No"]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _add(s: QuestionSummary, side: str, word: str, n: int) -> None:
    by_side = s.by_side.setdefault(side, {})
    by_side[word] = by_side.get(word, 0) + n
    for i, (label, count) in enumerate(s.options):
        if label == word:
            s.options[i] = (label, count + n)
            return
    # A choice no longer offered: shown as it was given.
    s.options.append((word, n))


def _average(s: QuestionSummary) -> None:
    if s.kind == QuestionKind.SCALE and s.answers:
        s.average = sum(int(label) * n for label, n in s.options) / s.answers
    elif s.kind == QuestionKind.YES_NO and s.answers:
        s.average = dict(s.options)["Yes"] / s.answers
