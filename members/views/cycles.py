"""The committee's pages about cycles: the cycles, their forms, opening opt-ins, a cycle's opt-ins."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ..decorators import committee_required
from ..forms import CycleForm
from ..models import Cycle, Enrollment, EnrollmentStatus, Role
from ..services import cycles as cycle_services
from ..services import questions as question_services


@committee_required
def enrollment_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: every opt-in of a cycle, searchable."""
    cycles, cycle = Cycle.objects.chosen(request.GET.get("cycle"), prefer="open")
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "-date")
    enrollments = Enrollment.objects.none()
    if cycle:
        enrollments = Enrollment.objects.for_cycle(cycle).with_member().search(q)
        if role in Role.values:
            enrollments = enrollments.filter(role=role)
        if status in EnrollmentStatus.values:
            enrollments = enrollments.filter(status=status)
        enrollments = enrollments.sorted_by(sort)
    page = Paginator(enrollments, 25).get_page(request.GET.get("page"))
    # The cycle's own questions' answers, for the opt-ins on this page (two queries).
    answers = question_services.answers_in_words([e.pk for e in page], cycle=cycle) if cycle else {}
    for e in page:
        e.answers_shown = answers.get(e.pk, [])
    return render(
        request,
        "members/enrollment_list.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "page": page,
            "q": q,
            "role": role,
            "status": status,
            "sort": sort,
            "roles": Role.choices,
            "statuses": EnrollmentStatus.choices,
            "has_answers": any(answers.values()),
        },
    )


@committee_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: every cycle with its dates and numbers."""
    active = ~Q(enrollments__status=EnrollmentStatus.WITHDRAWN)
    mentee = Q(enrollments__role=Role.MENTEE)
    # One grouped query for every cycle's numbers, however many cycles there are. The statuses
    # are the mentees' (a mentee is in one pair at most: "paired" is how many pairs run), as the
    # program's health counts them; mentors' are on the opt-ins page.
    cycles = Cycle.objects.annotate(
        mentees=Count("enrollments", filter=mentee & active),
        mentors=Count("enrollments", filter=Q(enrollments__role=Role.MENTOR) & active),
        waiting=Count("enrollments", filter=mentee & Q(enrollments__status=EnrollmentStatus.WAITING)),
        paired=Count("enrollments", filter=mentee & Q(enrollments__status=EnrollmentStatus.PAIRED)),
        completed=Count("enrollments", filter=mentee & Q(enrollments__status=EnrollmentStatus.COMPLETED)),
        withdrawn=Count("enrollments", filter=mentee & Q(enrollments__status=EnrollmentStatus.WITHDRAWN)),
    ).order_by("-starts_on", "-pk")
    cycles = list(cycles)
    return render(
        request,
        "members/cycle_list.html",
        {"cycles": [c for c in cycles if not c.archived_at], "archived": [c for c in cycles if c.archived_at]},
    )


def _cycle_form_page(request: HttpRequest, cycle: Cycle | None) -> HttpResponse:
    # The form gets its own copy: validating writes the input onto the instance, and
    # the page's heading should keep showing the cycle as saved.
    instance = Cycle.objects.get(pk=cycle.pk) if cycle else None
    form = CycleForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            # A new cycle starts with the program's default questions (its preset's).
            started = question_services.questions_start(cycle=saved) if cycle is None else []
        if cycle is None:
            n = len(started)
            asks = f" Its opt-in form asks the program's {n} question{'s' if n != 1 else ''}." if n else ""
            messages.success(request, f"The {saved.name} cycle is created.{asks} Open its opt-ins when it is time.")
        else:
            messages.success(request, f"The {saved.name} cycle is saved.")
        return redirect("members:cycle-list")
    if request.method == "POST":
        messages.error(request, "Please correct the errors below: nothing was saved.")
    return render(request, "members/cycle_form.html", {"form": form, "cycle": cycle})


@committee_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: a new program cycle (closed for opt-ins)."""
    return _cycle_form_page(request, None)


@committee_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: change a cycle's dates and defaults."""
    return _cycle_form_page(request, get_object_or_404(Cycle, pk=pk))


def _toggle_optins(request: HttpRequest, cycle: Cycle, action: str | None) -> None:
    try:
        if action == "open":
            closed = cycle_services.cycle_open_optins(cycle=cycle)
        elif action == "close":
            cycle_services.cycle_close_optins(cycle=cycle)
        else:
            raise cycle_services.CycleError("Choose whether to open or to close opt-ins.")
    except cycle_services.CycleAlreadyDone as e:
        messages.info(request, str(e))
        return
    except cycle_services.CycleError as e:
        messages.error(request, str(e))
        return
    if action == "close":
        messages.success(request, f"Opt-ins for the {cycle.name} cycle are closed.")
        return
    done = f"The {cycle.name} cycle is open for opt-ins."
    if closed:
        done += f" Opt-ins for {', '.join(c.name for c in closed)} are closed."
    cycle.refresh_from_db()
    if not_today := cycle.optin_window_state():
        done += f" Note: {not_today}"
    messages.success(request, done)


@committee_required
@require_http_methods(["GET", "POST"])
def cycle_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: archive a cycle (after confirming) so that it
    leaves every menu, or restore an archived one."""
    cycle = get_object_or_404(Cycle, pk=pk)
    if request.method == "GET":
        return render(request, "members/cycle_archive.html", {"cycle": cycle})
    action = request.POST.get("action")
    try:
        if action == "archive":
            cycle_services.cycle_archive(cycle=cycle)
            messages.success(request, f"The {cycle.name} cycle is archived: it is in no menu now.")
        elif action == "restore":
            cycle_services.cycle_restore(cycle=cycle)
            messages.success(request, f"The {cycle.name} cycle is restored: it is in the menus again.")
        else:
            raise cycle_services.CycleError("Choose whether to archive or to restore the cycle.")
    except cycle_services.CycleAlreadyDone as e:
        messages.info(request, str(e))
    except cycle_services.CycleError as e:
        messages.error(request, str(e))
    return redirect("members:cycle-list")


@committee_required
@require_http_methods(["GET", "POST"])
def cycle_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: open a cycle for opt-ins (closing the
    open one) or close it, after confirming."""
    cycle = get_object_or_404(Cycle, pk=pk)
    if request.method == "POST":
        # The form says which way it goes, so that a stale page cannot do the opposite.
        _toggle_optins(request, cycle, request.POST.get("action"))
        return redirect("members:cycle-list")
    # What members would be told once the cycle is open: its window may not have
    # started yet, or may be over already.
    preview = copy.copy(cycle)
    preview.is_open = True
    return render(
        request,
        "members/cycle_toggle.html",
        {
            "cycle": cycle,
            "other_open": Cycle.objects.open_for_optins().exclude(pk=cycle.pk).first(),
            "window_state": preview.optin_window_state(),
        },
    )
