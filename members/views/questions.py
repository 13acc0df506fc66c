"""The committee's pages about a cycle's opt-in questions: the list (in order), adding,
editing, moving, archiving and restoring, and deleting one nobody answered."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..decorators import committee_required
from ..forms import QuestionForm
from ..models import Cycle, CycleQuestion
from ..services import questions as services


def _to_list(question: CycleQuestion) -> HttpResponse:
    return redirect("members:question-list", pk=question.cycle_id)


def _question(pk: int) -> CycleQuestion:
    # The program's default questions (no cycle) are the presets' and the admin's.
    return get_object_or_404(CycleQuestion.objects.select_related("cycle"), pk=pk, cycle__isnull=False)


@committee_required
def question_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: a cycle's opt-in questions, in the form's order."""
    cycle = get_object_or_404(Cycle, pk=pk)
    questions = list(CycleQuestion.objects.for_cycle(cycle).annotate(answered=Count("answers")).order_by("order", "pk"))
    return render(
        request,
        "members/question_list.html",
        {
            "cycle": cycle,
            "asked": [q for q in questions if not q.archived_at],
            "archived": [q for q in questions if q.archived_at],
        },
    )


def _form_page(request: HttpRequest, cycle: Cycle, question: CycleQuestion | None) -> HttpResponse:
    answered = bool(question and question.answers.exists())
    initial = {"audience": "both", "kind": "short"}
    if question:
        initial = {name: getattr(question, name) for name in services.EDITABLE}
    form = QuestionForm(request.POST if request.method == "POST" else None, initial=initial, answered=answered)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                saved = services.question_add(cycle=cycle, **form.cleaned_data)
                messages.success(request, f"The question “{saved.text}” is added to the {cycle.name} opt-in form.")
            else:
                services.question_edit(question=question, **form.cleaned_data)
                messages.success(request, "The question is saved. Answers already given stay as they were.")
        except services.QuestionAlreadyDone as e:
            messages.info(request, str(e))
            return redirect("members:question-list", pk=cycle.pk)
        except services.QuestionError as e:
            for field, sentences in e.errors.items():
                for sentence in sentences:
                    form.add_error(field if field in form.fields else None, sentence)
        else:
            return redirect("members:question-list", pk=cycle.pk)
    if request.method == "POST":
        messages.error(request, "Please correct the errors below: nothing was saved.")
    return render(
        request,
        "members/question_form.html",
        {"form": form, "cycle": cycle, "question": question, "answered": answered},
    )


@committee_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: add a question to a cycle's opt-in form."""
    return _form_page(request, get_object_or_404(Cycle, pk=pk), None)


@committee_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: change a question (once answered, not its kind
    and not its choices away)."""
    question = _question(pk)
    return _form_page(request, question.cycle, question)


@committee_required
@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: move a question up or down the form."""
    question = _question(pk)
    up = request.POST.get("direction") != "down"
    shown = request.POST.get("order", "")
    try:
        services.question_move(question=question, up=up, expected_order=int(shown) if shown.isdigit() else None)
    except services.QuestionAlreadyDone as e:
        messages.info(request, str(e))
    except services.QuestionError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"“{question.text}” is moved {'up' if up else 'down'}.")
    return _to_list(question)


@committee_required
@require_POST
def question_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: stop asking a question (its answers stay), or
    ask an archived one again."""
    question = _question(pk)
    try:
        if request.POST.get("action") == "restore":
            services.question_restore(question=question)
            messages.success(request, f"“{question.text}” is asked again.")
        else:
            services.question_archive(question=question)
            messages.success(request, f"“{question.text}” is archived: no longer asked; its answers stay.")
    except services.QuestionAlreadyDone as e:
        messages.info(request, str(e))
    except services.QuestionError as e:
        messages.error(request, str(e))
    return _to_list(question)


@committee_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: delete a question nobody answered, after confirming."""
    if request.method == "POST":
        question = CycleQuestion.objects.filter(pk=pk, cycle__isnull=False).first()
        if question is None:
            messages.info(request, "This question is deleted already.")
            return redirect("members:cycle-list")
        try:
            services.question_delete(question=question)
        except services.QuestionAlreadyDone as e:
            messages.info(request, str(e))
        except services.QuestionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"“{question.text}” is deleted.")
        return _to_list(question)
    question = _question(pk)
    return render(request, "members/question_delete.html", {"question": question, "answered": question.answers.count()})
