"""Surveys: what the committee writes (a cycle's or the program's midpoint, closing and exit
surveys and their questions), what a pair's sides answer, and the emails that ask them.

The committee's writes never touch an answer: a question answered keeps its kind and is
archived rather than deleted; a cycle that follows the program's default gets its own copy
before anything of it changes (`survey_adopt`), so that editing one cycle never edits another.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from members.models import Audience, Cycle, QuestionKind, User
from members.program import program
from members.questions import answer_value
from outbox.models import Email, EmailKind
from outbox.rendering import absolute
from outbox.services import email_write

from ..emails import side_values
from ..emails.kinds import survey_path
from ..models import (
    REMINDER_AFTER,
    Evaluation,
    EvaluationKind,
    Pair,
    PairStatus,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
)
from ._shared import each_locked, email_both_sides

DEFAULT_TITLES = {
    SurveyKind.MIDPOINT: "Midpoint survey",
    SurveyKind.CLOSING: "Closing evaluation",
    SurveyKind.EXIT: "Ending early",
}


class SurveyError(Exception):
    """A survey write the rules refuse; the message is for the person who asked."""


class SurveyAlreadyDone(SurveyError):
    """What was asked is done already (a button pressed twice): nothing more was done."""


# --- The committee's writes ------------------------------------------------------------------


def _copy(source: Survey, cycle: Cycle | None) -> Survey:
    survey = Survey.objects.create(
        cycle=cycle,
        kind=source.kind,
        title=source.title,
        intro=source.intro,
        is_on=source.is_on,
        opens_after_months=source.opens_after_months,
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            survey=survey,
            text=q.text,
            help_text=q.help_text,
            kind=q.kind,
            choices=q.choices,
            required=q.required,
            order=q.order,
            audience=q.audience,
        )
        for q in source.questions.live()
    )
    return survey


@transaction.atomic
def survey_adopt(*, cycle: Cycle | None, kind: str) -> tuple[Survey, bool]:
    """The survey of `kind` that `cycle` (None: the program's default) owns: (it, False) when it
    exists, else (a new one, True) — for a cycle, a copy of the program's default (its live
    questions), or an empty survey when there is no default. Answers given to the default's
    questions stay with them."""
    if kind not in SurveyKind.values:
        raise SurveyError("There is no such survey.")
    # One at a time per cycle: two committee members opening the same survey make one copy.
    if cycle is not None:
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    own = Survey.objects.filter(cycle=cycle, kind=kind).first()
    if own is not None:
        return own, False
    default = Survey.objects.program_default().filter(kind=kind).first() if cycle is not None else None
    if default is not None:
        return _copy(default, cycle), True
    survey = Survey.objects.create(
        cycle=cycle, kind=kind, title=DEFAULT_TITLES[kind], is_on=kind != SurveyKind.MIDPOINT
    )
    return survey, True


def shortest_pair_months(survey: Survey) -> int:
    """The shortest pair the survey is for: the program's shortest allowed length, or a shorter
    pair of the cycle made before the settings changed."""
    shortest = program().min_length_months
    if survey.cycle_id:
        made = Pair.objects.filter(cycle_id=survey.cycle_id).aggregate(m=Min("length_months"))["m"]
        shortest = min(shortest, made or shortest)
    return shortest


@transaction.atomic
def survey_save(*, survey: Survey, title: str, intro: str, is_on: bool, opens_after_months: int | None) -> Survey:
    """Save a survey's title, introduction, whether it is sent, and (midpoint) when it opens —
    refused, with the reason, when the date would fall outside a pair's year."""
    title = title.strip()
    if not title:
        raise SurveyError("Give the survey a title: the pairs read it in the email and on their page.")
    if survey.kind != SurveyKind.MIDPOINT:
        opens_after_months = None
    elif opens_after_months is not None:
        shortest = shortest_pair_months(survey)
        if not 1 <= opens_after_months < shortest:
            raise SurveyError(
                f"The midpoint survey must open within the pair's year: the shortest pair runs {shortest} months, "
                f"so choose 1 to {shortest - 1} months after the start (or leave it empty for halfway)."
            )
    survey.title, survey.intro, survey.is_on, survey.opens_after_months = (
        title,
        intro.strip(),
        is_on,
        opens_after_months,
    )
    try:
        survey.full_clean(exclude=["cycle"])
    except ValidationError as e:
        raise SurveyError(" ".join(e.messages)) from None
    survey.save()
    return survey


def _answered(question: SurveyQuestion) -> bool:
    return question.pk is not None and SurveyAnswer.objects.filter(question=question).exists()


@transaction.atomic
def question_save(*, survey: Survey, question: SurveyQuestion, changes: dict) -> SurveyQuestion:
    """Add a question to `survey`, or change one of its questions. A question somebody answered
    keeps its kind (archive it and add another): its answers were given to that kind."""
    if question.pk is not None:
        question = SurveyQuestion.objects.select_for_update().get(pk=question.pk, survey=survey)
        if "kind" in changes and changes["kind"] != question.kind and _answered(question):
            raise SurveyError(
                "This question has answers: its kind cannot change. Archive it and add a new question instead."
            )
    else:
        question.survey = survey
        question.order = (survey.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    for name, value in changes.items():
        setattr(question, name, value)
    if question.audience not in Audience.values:
        raise SurveyError("Choose whom the question is asked of.")
    try:
        question.full_clean(exclude=["survey", "order", "archived_at"])
    except ValidationError as e:
        raise SurveyError(" ".join(e.messages)) from None
    question.save()
    return question


@transaction.atomic
def question_archive(*, question: SurveyQuestion, archive: bool) -> bool:
    """Archive (or bring back) a question: out of the survey from now on, its answers kept and
    reported. Returns False when it was so already (a button pressed twice)."""
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
    if (question.archived_at is not None) == archive:
        return False
    question.archived_at = timezone.now() if archive else None
    question.save(update_fields=["archived_at"])
    return True


@transaction.atomic
def question_delete(*, question: SurveyQuestion) -> None:
    """Delete a question nobody answered (a question answered is archived instead)."""
    question = SurveyQuestion.objects.select_for_update().filter(pk=question.pk).first()
    if question is None:
        raise SurveyAlreadyDone("This question was deleted already.")
    if _answered(question):
        raise SurveyError("This question has answers: archive it instead, so that its answers stay in the reports.")
    question.delete()


@transaction.atomic
def question_move(*, question: SurveyQuestion, up: bool) -> bool:
    """Swap a question with the one before (or after) it among the survey's live questions.
    Returns False when it is first (last) already."""
    questions = list(SurveyQuestion.objects.select_for_update().filter(survey_id=question.survey_id).live())
    # Numbered afresh 1, 2, 3…: orders written by hand (the admin, a preset) may tie.
    at = next((i for i, q in enumerate(questions) if q.pk == question.pk), None)
    if at is None:
        raise SurveyError("Bring the question back from the archive before moving it.")
    to = at - 1 if up else at + 1
    if not 0 <= to < len(questions):
        return False
    questions[at], questions[to] = questions[to], questions[at]
    for i, q in enumerate(questions, start=1):
        q.order = i
    SurveyQuestion.objects.bulk_update(questions, ["order"])
    return True


# --- What a pair's sides answer --------------------------------------------------------------


def questions_for(survey: Survey | None, role: str | None) -> list[SurveyQuestion]:
    """The live questions of `survey` a side (`role`) is asked, in order."""
    if survey is None or role is None:
        return []
    return list(survey.questions.live().for_role(role))


def _require_member(pair: Pair, user: User) -> str:
    role = pair.role_of(user)
    if role is None:
        raise SurveyError("Only the mentor and the mentee of this pair can answer its surveys.")
    return role


def answers_write(*, response: SurveyResponse, questions: list[SurveyQuestion], cleaned: dict) -> None:
    """The answers of `response`, one a question asked: `cleaned[question.pk]` as the form cleaned it."""
    rows = []
    for q in questions:
        value = answer_value(q, cleaned.get(q.pk))
        if value in (None, "", []):
            continue
        number = None
        if q.kind == QuestionKind.SCALE:
            number = int(value)
        elif q.kind == QuestionKind.YES_NO:
            number = 1 if value else 0
        rows.append(SurveyAnswer(response=response, question=q, value=value, number=number))
    SurveyAnswer.objects.bulk_create(rows)


def survey_answer(*, pair: Pair, by: User, survey: Survey, questions: list[SurveyQuestion], cleaned: dict):
    """One side's answers to the midpoint or exit survey, once: SurveyAlreadyDone when they are in already."""
    role = _require_member(pair, by)
    if survey.kind == SurveyKind.CLOSING:
        raise SurveyError("The closing evaluation is answered with its ratings.")
    if not survey.is_open_for(pair):
        raise SurveyError("This survey is not open for your pair.")
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(pair=pair, survey=survey, kind=survey.kind, role=role, author=by)
            answers_write(response=response, questions=questions, cleaned=cleaned)
    except IntegrityError:
        raise SurveyAlreadyDone("Your answers are in already: your first answers are kept. Thank you!") from None
    return response


def closing_answers_write(
    *, pair: Pair, by: User, survey: Survey | None, questions: list[SurveyQuestion], cleaned: dict
) -> None:
    """The committee's questions of the closing evaluation, written with its core ratings (in the
    caller's transaction): nothing when the cycle's closing survey asks none."""
    if survey is None or not questions:
        return
    response = SurveyResponse.objects.create(
        pair=pair, survey=survey, kind=SurveyKind.CLOSING, role=pair.role_of(by), author=by
    )
    answers_write(response=response, questions=questions, cleaned=cleaned)


def surveys_due(pair: Pair, role: str | None, today: dt.date | None = None) -> list[dict]:
    """The midpoint and exit surveys open for the pair's side `role`, each with whether it is
    answered: [{"survey", "kind", "done", "url"}]. Two queries."""
    if role is None:
        return []
    used = Survey.objects.annotate(n=Count("questions", filter=Q(questions__archived_at__isnull=True))).in_use_for(
        [pair.cycle_id]
    )
    done = set(SurveyResponse.objects.filter(pair=pair, role=role).values_list("kind", flat=True))
    due = []
    for kind in (SurveyKind.MIDPOINT, SurveyKind.EXIT):
        survey = used.get((pair.cycle_id, kind))
        if survey is not None and survey.n and survey.is_open_for(pair, today):
            due.append({"survey": survey, "kind": kind, "done": kind in done, "url": survey_path(pair, kind)})
    return due


# --- The emails that ask ---------------------------------------------------------------------


def _values(pair: Pair, to: User, survey: Survey) -> dict:
    return side_values(pair, to, survey_title=survey.title, survey_url=absolute(survey_path(pair, survey.kind)))


def _sendable(cycle_ids, kind: str) -> dict[int, Survey]:
    """{cycle id: its survey of `kind`} for the cycles whose survey is on and asks something."""
    used = Survey.objects.annotate(n=Count("questions", filter=Q(questions__archived_at__isnull=True))).in_use_for(
        cycle_ids
    )
    return {c: s for (c, k), s in used.items() if k == kind and s.is_on and s.n}


def midpoint_invitations_send(*, today: dt.date | None = None) -> int:
    """Invite both sides of each active pair whose cycle's midpoint survey has opened: once each."""
    today = today or timezone.localdate()
    asked = Email.objects.filter(pair=OuterRef("pk"), kind=EmailKind.SURVEY_MIDPOINT)
    active = Pair.objects.active().filter(~Exists(asked))
    surveys = _sendable(set(active.values_list("cycle_id", flat=True).distinct()), SurveyKind.MIDPOINT)
    due = [
        pk
        for pk, cycle_id, starts_on, ends_on in active.filter(cycle_id__in=surveys).values_list(
            "pk", "cycle_id", "starts_on", "ends_on"
        )
        if surveys[cycle_id].midpoint_opens_on(starts_on, ends_on) <= today
    ]
    count = 0
    for pair in each_locked(due, Pair.objects.active()):
        survey = surveys[pair.cycle_id]
        count += email_both_sides(
            pair,
            kind=EmailKind.SURVEY_MIDPOINT,
            key="survey:midpoint",
            values=lambda to, p=pair, s=survey: _values(p, to, s),
        )
    return count


def exit_survey_send(pair: Pair) -> int:
    """Ask both sides of a pair just ended early to answer the cycle's exit survey (in the caller's
    transaction: the pair's end and its emails are one write)."""
    survey = _sendable([pair.cycle_id], SurveyKind.EXIT).get(pair.cycle_id)
    if survey is None:
        return 0
    return email_both_sides(
        pair, kind=EmailKind.SURVEY_EXIT, key="survey:exit", values=lambda to: _values(pair, to, survey)
    )


def survey_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind, once, each side that has not answered a survey two weeks (REMINDER_AFTER) after it
    opened: the midpoint survey and the exit survey (counted from their invitation), the closing
    evaluation (from the day it opened, for active pairs)."""
    today = today or timezone.localdate()
    cutoff = timezone.now() - REMINDER_AFTER
    count = 0
    for kind, invitation in (
        (SurveyKind.MIDPOINT, EmailKind.SURVEY_MIDPOINT),
        (SurveyKind.EXIT, EmailKind.SURVEY_EXIT),
    ):
        invited = Email.objects.filter(pair=OuterRef("pk"), kind=invitation, created_at__lte=cutoff)
        pairs = Pair.objects.filter(Exists(invited))
        if kind == SurveyKind.MIDPOINT:
            pairs = pairs.filter(status=PairStatus.ACTIVE)
        count += _remind(pairs, kind, today)
    closing = Pair.objects.active().evaluation_open(today - REMINDER_AFTER)
    count += _remind(closing, SurveyKind.CLOSING, today)
    return count


def _remind(pairs, kind: str, today: dt.date) -> int:
    reminded = Email.objects.filter(
        pair=OuterRef("pk"), kind=EmailKind.SURVEY_REMINDER, key__contains=f":survey:{kind}:reminder"
    )
    pks = list(pairs.filter(~Exists(reminded)).values_list("pk", flat=True))
    if not pks:
        return 0
    if kind == SurveyKind.CLOSING:
        answered = Evaluation.objects.filter(pair__in=pks, kind=EvaluationKind.CLOSING)
    else:
        answered = SurveyResponse.objects.filter(pair__in=pks, kind=kind)
    done = set(answered.values_list("pair_id", "role"))
    surveys: dict[int, Survey | None] = {}
    count = 0
    for pair in each_locked(pks, Pair.objects.filter(~Exists(reminded))):
        if pair.cycle_id not in surveys:
            surveys[pair.cycle_id] = Survey.objects.in_use(pair.cycle, kind)
        survey = surveys[pair.cycle_id]
        if kind != SurveyKind.CLOSING and (survey is None or not survey.is_on):
            continue
        title = survey.title if survey else DEFAULT_TITLES[SurveyKind.CLOSING]
        for role, side in (("mentor", pair.mentor.member), ("mentee", pair.mentee.member)):
            if (pair.pk, role) in done:
                continue
            values = side_values(pair, side, survey_title=title, survey_url=absolute(survey_path(pair, kind)))
            if email_write(
                kind=EmailKind.SURVEY_REMINDER,
                key=f"pair:{pair.pk}:survey:{kind}:reminder:{side.pk}",
                to=side,
                pair=pair,
                values=values,
            ):
                count += 1
    return count
