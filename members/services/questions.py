"""Writing a cycle's opt-in questions (add, edit, reorder, archive, delete), starting a cycle
with the program's default questions, and keeping a member's answers with their opt-in.

An answer is what the member said to the question as it was asked: once anybody answered a
question, its kind cannot change and none of its choices can go (archive it, and add a new
one), and it is archived rather than deleted. Nothing here rewrites an answer given.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..models import Answer, Cycle, CycleQuestion, Enrollment
from ..models.questions import clean_choices
from ..questions import answer_in_words

log = logging.getLogger(__name__)

# What the committee may change of a question (the cycle and the answers are not among them).
EDITABLE = ("text", "help_text", "kind", "choices", "required", "audience", "match_on")


class QuestionError(Exception):
    """A change of a question the rules refuse. `errors` maps fields to sentences (None: the
    whole question), for the form; str() is all of them, for a message."""

    def __init__(self, errors: dict[str | None, list[str]] | str):
        self.errors = errors if isinstance(errors, dict) else {None: [errors]}
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))


class QuestionAlreadyDone(QuestionError):
    """What was asked is done already (a button pressed twice): nothing more was done."""


def _checked(question: CycleQuestion) -> None:
    try:
        question.full_clean(exclude=["cycle", "order"])
    except ValidationError as e:
        raise QuestionError(e.message_dict) from None


def _locked(question: CycleQuestion) -> CycleQuestion:
    found = CycleQuestion.objects.select_for_update().filter(pk=question.pk).first()
    if found is None:
        raise QuestionError("This question no longer exists: it was deleted meanwhile.")
    return found


def _next_order(cycle: Cycle | None) -> int:
    top = CycleQuestion.objects.filter(cycle=cycle).aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def question_add(*, cycle: Cycle | None, **fields: Any) -> CycleQuestion:
    """Add a question at the end of `cycle`'s opt-in form (None: to the program's defaults)."""
    if unknown := set(fields) - set(EDITABLE):
        raise TypeError(f"not a question's field: {sorted(unknown)}")
    if cycle is not None:
        # Two committee members adding at once get different places.
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    question = CycleQuestion(cycle=cycle, **fields)
    question.choices = clean_choices(question.choices)
    _checked(question)
    if CycleQuestion.objects.filter(cycle=cycle, archived_at__isnull=True, text=question.text).exists():
        # The same question twice on one form is a button pressed twice (or a copy by mistake).
        raise QuestionAlreadyDone(f"“{question.text}” is on the form already: it is asked once.")
    question.order = _next_order(cycle)
    question.save()
    log.info("question %s added to %s", question.pk, cycle or "the program's defaults")
    return question


@transaction.atomic
def question_edit(*, question: CycleQuestion, **changes: Any) -> CycleQuestion:
    """Change what a question says. Once answered, its kind stays and its choices may only be
    added to (an answer names a choice as it was offered); the answers stay as given."""
    if unknown := set(changes) - set(EDITABLE):
        raise TypeError(f"not a question's field: {sorted(unknown)}")
    question = _locked(question)
    if "choices" in changes:
        changes["choices"] = clean_choices(changes["choices"])
    if question.answers.exists():
        errors: dict[str | None, list[str]] = {}
        if "kind" in changes and changes["kind"] != question.kind:
            errors["kind"] = [
                "Members have answered this question, so its kind of answer stays: archive it and add a new "
                "question instead."
            ]
        elif "choices" in changes and (gone := [c for c in question.choices if c not in changes["choices"]]):
            errors["choices"] = [
                f"Members have answered this question, so its choices stay (you may add more): put back "
                f"{', '.join(f'“{c}”' for c in gone)}, or archive the question and add a new one."
            ]
        if errors:
            raise QuestionError(errors)
    for name, value in changes.items():
        setattr(question, name, value)
    _checked(question)
    question.save()
    log.info("question %s changed", question.pk)
    return question


@transaction.atomic
def question_move(*, question: CycleQuestion, up: bool, expected_order: int | None = None) -> CycleQuestion:
    """Swap the question with the one above it (or below) on its cycle's form. `expected_order`
    is its place as the page showed it: a second press of the same arrow moves it no further."""
    question = _locked(question)
    if expected_order is not None and question.order != expected_order:
        raise QuestionAlreadyDone("This question has moved since the page was shown: nothing more was done.")
    siblings = list(CycleQuestion.objects.select_for_update().filter(cycle=question.cycle_id).order_by("order", "pk"))
    at = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    to = at - 1 if up else at + 1
    if not 0 <= to < len(siblings):
        raise QuestionAlreadyDone(f"This question is {'first' if up else 'last'} already.")
    siblings[at], siblings[to] = siblings[to], siblings[at]
    for order, q in enumerate(siblings):
        if q.order != order:
            q.order = order
            q.save(update_fields=["order"])
    return next(q for q in siblings if q.pk == question.pk)


@transaction.atomic
def question_archive(*, question: CycleQuestion) -> CycleQuestion:
    """Stop asking the question; its answers stay, and show where answers show."""
    question = _locked(question)
    if question.archived_at:
        raise QuestionAlreadyDone("This question is archived already.")
    question.archived_at = timezone.now()
    question.save(update_fields=["archived_at"])
    return question


@transaction.atomic
def question_restore(*, question: CycleQuestion) -> CycleQuestion:
    """Ask an archived question again (at its old place)."""
    question = _locked(question)
    if not question.archived_at:
        raise QuestionAlreadyDone("This question is asked already.")
    question.archived_at = None
    question.save(update_fields=["archived_at"])
    return question


@transaction.atomic
def question_delete(*, question: CycleQuestion) -> None:
    """Delete a question nobody answered; an answered one is archived instead."""
    found = CycleQuestion.objects.select_for_update().filter(pk=question.pk).first()
    if found is None:
        raise QuestionAlreadyDone("This question is deleted already.")
    if n := found.answers.count():
        raise QuestionError(
            f"{n} opt-in{'s have' if n != 1 else ' has'} answered this question, so it cannot be deleted: "
            "archive it instead (its answers are kept)."
        )
    found.delete()
    log.info("question %s deleted", question.pk)


def _copy(question: CycleQuestion, cycle: Cycle, order: int) -> CycleQuestion:
    return CycleQuestion(
        cycle=cycle,
        order=order,
        **{name: getattr(question, name) for name in (*EDITABLE, "match_weight")},
    )


@transaction.atomic
def questions_start(*, cycle: Cycle) -> list[CycleQuestion]:
    """Give a cycle with no questions a copy of the program's default questions (none when it
    has questions already: safe to run twice)."""
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    if CycleQuestion.objects.filter(cycle=cycle).exists():
        return []
    defaults = CycleQuestion.objects.defaults().asked()
    return CycleQuestion.objects.bulk_create(_copy(q, cycle, order) for order, q in enumerate(defaults))


@transaction.atomic
def question_weights_set(*, cycle: Cycle, weights: Mapping[int, int]) -> None:
    """The weights of the cycle's "match on this" questions, as the dashboard sets them."""
    for question in CycleQuestion.objects.select_for_update().filter(cycle=cycle, pk__in=list(weights)):
        if question.match_weight != weights[question.pk]:
            question.match_weight = weights[question.pk]
            question.save(update_fields=["match_weight"])


def answers_save(*, enrollment: Enrollment, answers: Mapping[int, Any]) -> None:
    """Keep the member's answers with their opt-in: question id -> value (members.questions'
    answer_value; None for no answer). Only the questions the cycle asks of the opt-in's role
    count; an answer unchanged is not written again. Called inside the opt-in's transaction."""
    asked = {q.pk: q for q in CycleQuestion.objects.for_cycle(enrollment.cycle_id).asked().for_role(enrollment.role)}
    kept = {a.question_id: a for a in Answer.objects.filter(enrollment=enrollment, question_id__in=list(asked))}
    for pk, value in answers.items():
        if pk not in asked:
            continue
        answer = kept.get(pk)
        if value is None:
            if answer is not None:
                answer.delete()
        elif answer is None:
            Answer.objects.create(enrollment=enrollment, question_id=pk, value=value)
        elif answer.value != value:
            answer.value = value
            answer.save(update_fields=["value", "answered_at"])


def answers_of(enrollments: Iterable[int], *, cycle: Cycle | int) -> dict[int, list[tuple[CycleQuestion, Any]]]:
    """Each opt-in's answers, in the form's order (archived questions too: their answers were
    given): enrollment id -> [(question, value)]. Two queries, whatever the number of opt-ins."""
    ids = list(enrollments)
    if not ids:
        return {}
    questions = {q.pk: q for q in CycleQuestion.objects.for_cycle(cycle).order_by("order", "pk")}
    out: dict[int, list[tuple[CycleQuestion, Any]]] = {pk: [] for pk in ids}
    if not questions:
        return out
    rows = Answer.objects.filter(enrollment_id__in=ids, question_id__in=list(questions)).values_list(
        "enrollment_id", "question_id", "value"
    )
    order = {pk: i for i, pk in enumerate(questions)}
    for enrollment_id, question_id, value in sorted(rows, key=lambda r: order[r[1]]):
        out[enrollment_id].append((questions[question_id], value))
    return out


def answers_in_words(enrollments: Iterable[int], *, cycle: Cycle | int) -> dict[int, list[tuple[str, str]]]:
    """Each opt-in's answers as a page shows them: enrollment id -> [(question, answer)], in
    the form's order. Two queries, whatever the number of opt-ins."""
    return {
        pk: [(q.text, answer_in_words(q, value)) for q, value in answers]
        for pk, answers in answers_of(enrollments, cycle=cycle).items()
    }
