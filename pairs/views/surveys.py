"""Surveys: the committee writes each cycle's (or the program's default) midpoint, closing and
exit surveys; a pair's two members answer the midpoint and the exit survey on their pair's page
(the closing evaluation's questions are asked on its own page, with its ratings)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import committee_required
from members.models import Cycle
from outbox.markup import to_html

from ..models import Survey, SurveyKind, SurveyQuestion, SurveyResponse
from ..services import surveys as services
from ..survey_forms import AnswersForm, SurveyForm, SurveyQuestionForm
from ._common import _own_pair, _posted, _selected_cycle

PROGRAM = "program"  # the scope of the program's default surveys, in the address


def _scope(scope: str, kind: str) -> Cycle | None:
    """The cycle a survey page is about (None: the program's default); 404 for anything else."""
    if kind not in SurveyKind.values:
        raise Http404("There is no such survey.")
    if scope == PROGRAM:
        return None
    if not scope.isdigit():
        raise Http404("There is no such cycle.")
    return get_object_or_404(Cycle, pk=int(scope))


def _with_counts(questions):
    """Each question with `answered`: how many answers it has (one query)."""
    return questions.annotate(answered=Count("answers"))


@committee_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: the program's default surveys and a cycle's, each with its questions."""
    cycles, cycle = _selected_cycle(request, prefer="running")
    counts = Count("questions", filter=Q(questions__archived_at__isnull=True))
    rows = Survey.objects.annotate(n=counts).filter(Q(cycle__isnull=True) | Q(cycle=cycle))
    own = {(s.cycle_id, s.kind): s for s in rows}
    answered = dict(
        SurveyResponse.objects.filter(pair__cycle=cycle).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    table = [
        {
            "kind": kind,
            "label": label,
            "default": own.get((None, kind)),
            "cycle": own.get((cycle.pk, kind)) if cycle else None,
            "responses": answered.get(kind, 0),
        }
        for kind, label in SurveyKind.choices
    ]
    return render(request, "pairs/survey_list.html", {"cycles": cycles, "cycle": cycle, "table": table})


@committee_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, scope: str, kind: str) -> HttpResponse:
    """The Mentoring Committee and site admins: a survey's settings and its questions (add, edit, order, archive)."""
    cycle = _scope(scope, kind)
    own = Survey.objects.filter(cycle=cycle, kind=kind).first()
    shown = own or (Survey.objects.program_default().filter(kind=kind).first() if cycle else None)
    blank = Survey(cycle=cycle, kind=kind, title=services.DEFAULT_TITLES[kind], is_on=kind != SurveyKind.MIDPOINT)
    form = SurveyForm(_posted(request), instance=shown or blank, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            survey, _ = services.survey_adopt(cycle=cycle, kind=kind)
            data = form.cleaned_data
            services.survey_save(
                survey=survey,
                title=data["title"],
                intro=data["intro"],
                is_on=data.get("is_on", True),
                opens_after_months=data.get("opens_after_months"),
            )
        except services.SurveyError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"“{survey.title}” saved.")
            return redirect("pairs:survey-edit", scope=scope, kind=kind)
    questions = list(_with_counts(shown.questions.all())) if shown else []
    return render(
        request,
        "pairs/survey_edit.html",
        {
            "scope": scope,
            "kind": kind,
            "kind_label": SurveyKind(kind).label,
            "cycle": cycle,
            "survey": shown,
            "follows_default": cycle is not None and own is None and shown is not None,
            "form": form,
            "live": [q for q in questions if q.archived_at is None],
            "archived": [q for q in questions if q.archived_at is not None],
            "editable": own is not None,
            "shortest": services.shortest_pair_months(shown or blank) if kind == SurveyKind.MIDPOINT else None,
        },
    )


@committee_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, scope: str, kind: str, question_pk: int | None = None) -> HttpResponse:
    """The Mentoring Committee and site admins: add a question to a survey, or change one."""
    cycle = _scope(scope, kind)
    if question_pk is None:
        question = SurveyQuestion()
    else:
        question = get_object_or_404(SurveyQuestion, pk=question_pk, survey__cycle=cycle, survey__kind=kind)
    answered = question.pk is not None and question.answers.exists()
    form = SurveyQuestionForm(_posted(request), instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            survey, copied = services.survey_adopt(cycle=cycle, kind=kind)
            services.question_save(survey=survey, question=form.instance, changes=form.changes())
        except services.SurveyError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"Question “{form.instance.text}” saved.")
            if copied:
                messages.info(request, "This cycle now has its own copy of the program's survey.")
            return redirect("pairs:survey-edit", scope=scope, kind=kind)
    return render(
        request,
        "pairs/survey_question_form.html",
        {
            "scope": scope,
            "kind": kind,
            "kind_label": SurveyKind(kind).label,
            "cycle": cycle,
            "form": form,
            "question": question,
            "answered": answered,
        },
    )


QUESTION_ACTIONS = ("archive", "restore", "up", "down", "delete")


@committee_required
@require_POST
def question_action(request: HttpRequest, scope: str, kind: str, question_pk: int, action: str) -> HttpResponse:
    """The Mentoring Committee and site admins: archive, bring back, move or delete (if never answered) a question."""
    cycle = _scope(scope, kind)
    if action not in QUESTION_ACTIONS:
        raise Http404("No such action.")
    question = SurveyQuestion.objects.filter(pk=question_pk, survey__cycle=cycle, survey__kind=kind).first()
    if question is None:
        # A second press of "delete": the question is gone already.
        messages.info(request, "This question was deleted already.")
        return redirect("pairs:survey-edit", scope=scope, kind=kind)
    try:
        if action in ("archive", "restore"):
            done = services.question_archive(question=question, archive=action == "archive")
            if not done:
                where = "archived" if action == "archive" else "in the survey"
                messages.info(request, f"“{question.text}” is {where} already: nothing was changed.")
            elif action == "archive":
                messages.success(request, f"“{question.text}” is archived: its answers stay in the reports.")
            else:
                messages.success(request, f"“{question.text}” is back in the survey.")
        elif action == "delete":
            services.question_delete(question=question)
            messages.success(request, f"“{question.text}” deleted.")
        elif services.question_move(question=question, up=action == "up"):
            messages.success(request, f"“{question.text}” moved {action}.")
        else:
            messages.info(request, f"“{question.text}” is {'first' if action == 'up' else 'last'} already.")
    except services.SurveyAlreadyDone as e:
        messages.info(request, str(e))
    except services.SurveyError as e:
        messages.error(request, str(e))
    return redirect("pairs:survey-edit", scope=scope, kind=kind)


@login_required
@require_http_methods(["GET", "POST"])
def survey_fill(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The pair's mentor and mentee: the midpoint or the exit survey, once each."""
    pair = _own_pair(request, pk)
    if kind == SurveyKind.CLOSING:
        return redirect("pairs:evaluation", pk=pair.pk)
    if kind not in SurveyKind.values:
        raise Http404("There is no such survey.")
    survey = Survey.objects.in_use(pair.cycle, kind)
    role = pair.role_of(request.user)
    if survey is None or not survey.is_open_for(pair):
        messages.info(request, "This survey is not open for your pair.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    if SurveyResponse.objects.filter(pair=pair, role=role, kind=kind).exists():
        messages.info(request, "Your answers are in already: thank you!")
        return redirect("pairs:pair-detail", pk=pair.pk)
    questions = services.questions_for(survey, role)
    if not questions:
        messages.info(request, "This survey asks you nothing: there is nothing to answer.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    form = AnswersForm(_posted(request), questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                pair=pair, by=request.user, survey=survey, questions=questions, cleaned=form.answers()
            )
        except services.SurveyAlreadyDone as e:
            messages.info(request, str(e))
        except services.SurveyError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "Thank you: the committee reads the answers together, without names.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    return render(
        request,
        "pairs/survey_form.html",
        {"pair": pair, "survey": survey, "form": form, "intro_html": to_html(survey.intro)},
    )
