"""A pair's pages, for its two members (and, without the notes, its liaison and the committee):
the pair, its calendar, check-ins, goals, the quiet-partner report, the evaluation; and "my pairs"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from arla_mentoring.paging import page_of
from members.models import Resource
from outbox.markup import to_html
from outbox.models import Email, EmailKind

from ..calendar import pair_calendar
from ..forms import CheckInForm, EvaluationForm, GoalForm, ReportForm
from ..models import (
    REPORT_STANDS,
    CheckIn,
    Evaluation,
    EvaluationKind,
    Goal,
    Pair,
    PairStatus,
    Survey,
    SurveyKind,
    pair_month,
)
from ..services import surveys, year
from ..survey_forms import AnswersForm
from ._common import _own_pair, _posted, _visible_pair, pair_milestones

# A liaison (a committee member) can look after a hundred pairs or more: a page at a time.
LIAISED_PER_PAGE = 25


@login_required
def pair_mine(request: HttpRequest) -> HttpResponse:
    """Any signed-in member: the pairs I am in, and the pairs I liaise (searchable, a page at a time)."""
    mine = list(Pair.objects.involving(request.user).with_people().with_last_checkin().order_by("-starts_on"))
    q = request.GET.get("q", "").strip()
    liaised = Pair.objects.liaised_by(request.user).search(q).with_people().with_last_checkin()
    page = page_of(liaised.order_by("mentee__member__last_name", "pk"), LIAISED_PER_PAGE, request.GET.get("page"))
    return render(request, "pairs/pair_mine.html", {"mine": mine, "liaised": list(page), "page": page, "q": q})


@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair's mentor and mentee (everything); its liaison and the committee (no check-in notes); others 404."""
    pair = _visible_pair(request, pk)
    is_member = pair.has_member(request.user)
    checkins = CheckIn.objects.filter(pair=pair).select_related("logged_by")
    if not is_member:
        # Rule 5: notes never leave the database for anyone but the pair.
        checkins = checkins.defer("notes", "topics", "topic_title")
    checkins = list(checkins)
    now = timezone.now()
    for c in checkins:
        c.may_change = is_member and c.change_refusal(request.user, now) is None
    # The month's topic, and those a check-in may be tagged with: one query for the schedule.
    topics = year.topics_so_far(pair)
    month = pair_month(pair)
    month_topic = topics[0] if topics and topics[0].month == month else None
    context = {
        "pair": pair,
        "is_member": is_member,
        "role": pair.role_of(request.user),
        "other": pair.other_side(request.user) if is_member else None,
        "sides": [("Mentor", pair.mentor), ("Mentee", pair.mentee)],
        "milestones": pair_milestones(pair, for_the_pair=is_member),
        "checkins": checkins,
        "month": month,
        "month_topic": month_topic,
        "month_topic_html": to_html(month_topic.text) if month_topic else "",
        "certificate_roles": _certificate_roles(pair, request.user),
        "goals": list(Goal.objects.filter(pair=pair).in_display_order()),
        "checkin_form": CheckInForm(instance=CheckIn(pair=pair), topics=topics, initial={"topic": None})
        if is_member and pair.is_active
        else None,
        "my_report_at": pair.standing_report_at(pair.role_of(request.user)),
        "my_evaluation_done": is_member
        and Evaluation.objects.filter(pair=pair, role=pair.role_of(request.user), kind=EvaluationKind.CLOSING).exists(),
        "evaluation_open": pair.evaluation_is_open(),
        "surveys_due": surveys.surveys_due(pair, pair.role_of(request.user)) if is_member else [],
        # (needs attention, and is it for want of a first contact): one query
        "attention": Pair.objects.filter(pk=pair.pk)
        .with_attention()
        .values_list("needs_attention", "no_first_contact")
        .get(),
        "intro_emails": list(
            Email.objects.filter(pair=pair, kind__in=[EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE]).order_by("kind")
        ),
        "can_manage": request.user.runs_program,
        "resources": list(Resource.objects.approved()[:5]),
    }
    return render(request, "pairs/pair_detail.html", context)


def _certificate_roles(pair: Pair, user) -> list[str]:
    """The certificates `user` may open on a completed pair: their own; both for the committee."""
    if pair.status != PairStatus.COMPLETED:
        return []
    if user.runs_program:
        return ["mentor", "mentee"]
    role = pair.role_of(user)
    return [role] if role else []


@login_required
def pair_calendar_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair's members, its liaison and the committee: the milestones as an .ics file."""
    pair = _visible_pair(request, pk)
    milestones = pair_milestones(pair, for_the_pair=pair.has_member(request.user))
    response = HttpResponse(pair_calendar(pair, milestones), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mentoring-pair-{pair.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def checkin_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair's mentor and mentee: log a check-in."""
    pair = _own_pair(request, pk)
    form = CheckInForm(_posted(request), instance=CheckIn(pair=pair), topics=year.topics_so_far(pair))
    if request.method == "POST" and form.is_valid():
        try:
            _, logged = year.checkin_log(pair=pair, by=request.user, **form.cleaned_data)
        except year.PairYearError as e:
            messages.error(request, str(e))
        else:
            if logged:
                messages.success(request, "Check-in logged.")
            else:
                messages.info(request, "This check-in was already logged: it is listed once.")
            return redirect("pairs:pair-detail", pk=pair.pk)
    return render(request, "pairs/checkin_form.html", {"pair": pair, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def checkin_edit(request: HttpRequest, pk: int, checkin_pk: int) -> HttpResponse:
    """The check-in's author (one of the pair's two members), for CHECKIN_EDITABLE after logging it: correct it."""
    pair = _own_pair(request, pk)
    checkin = CheckIn.objects.filter(pk=checkin_pk, pair=pair).first()
    if checkin is None:
        messages.info(request, "This check-in is no longer there: it was deleted.")
        return redirect(pair)
    checkin.pair = pair  # the row read above: the form's date limits would read it again
    if refusal := checkin.change_refusal(request.user):
        messages.error(request, refusal)
        return redirect(pair)
    form = CheckInForm(_posted(request), instance=checkin, topics=year.topics_so_far(pair))
    if request.method == "POST" and form.is_valid():
        try:
            _, changed = year.checkin_edit(pair=pair, checkin_id=checkin.pk, by=request.user, **form.cleaned_data)
        except year.PairYearAlreadyDone as e:
            messages.info(request, str(e))
        except year.PairYearError as e:
            messages.error(request, str(e))
        else:
            if changed:
                messages.success(request, "Check-in saved: your partner sees that it was edited.")
            else:
                messages.info(request, "Nothing was changed: the check-in is as it was.")
            return redirect(pair)
    return render(request, "pairs/checkin_form.html", {"pair": pair, "form": form, "checkin": checkin})


@login_required
@require_http_methods(["GET", "POST"])
def checkin_delete(request: HttpRequest, pk: int, checkin_pk: int) -> HttpResponse:
    """The check-in's author (one of the pair's two members), for CHECKIN_EDITABLE after logging it:
    delete it, after confirming."""
    pair = _own_pair(request, pk)
    if request.method == "POST":
        try:
            year.checkin_delete(pair=pair, checkin_id=checkin_pk, by=request.user)
        except year.PairYearAlreadyDone as e:
            messages.info(request, str(e))
        except year.PairYearError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "The check-in is deleted.")
        return redirect(pair)
    checkin = CheckIn.objects.filter(pk=checkin_pk, pair=pair).first()
    if checkin is None:
        messages.info(request, "This check-in is no longer there: it was deleted.")
        return redirect(pair)
    if refusal := checkin.change_refusal(request.user):
        messages.error(request, refusal)
        return redirect(pair)
    return render(request, "pairs/checkin_delete.html", {"pair": pair, "checkin": checkin})


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int, goal_pk: int | None = None) -> HttpResponse:
    """The pair's mentor and mentee: add a goal, or update one of the pair's goals."""
    pair = _own_pair(request, pk)
    goal = get_object_or_404(Goal, pk=goal_pk, pair=pair) if goal_pk else Goal(pair=pair)
    if not pair.is_active:
        messages.info(request, "This pair has ended: its goals stay as they were.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    form = GoalForm(_posted(request), instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            year.goal_save(pair=pair, by=request.user, goal=form.instance)
        except year.PairYearError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"Goal “{goal.title}” saved.")
            return redirect("pairs:pair-detail", pk=pair.pk)
    return render(request, "pairs/goal_form.html", {"pair": pair, "form": form, "goal": goal})


@login_required
@require_http_methods(["GET", "POST"])
def pair_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair's mentor and mentee: tell the liaison the other side is not responding (once while a report stands)."""
    pair = _own_pair(request, pk, liaison=True)  # the page names the liaison
    form = ReportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            reported_at, sent = year.pair_report_unresponsive(
                pair=pair, by=request.user, note=form.cleaned_data["note"]
            )
        except year.PairYearError as e:
            messages.error(request, str(e))
        else:
            if sent:
                who = "your liaison" if pair.liaison else "the Mentoring Committee"
                messages.success(request, f"Thank you: {who} has been told and will get in touch.")
            else:
                told = f"your liaison, {pair.liaison}," if pair.liaison else "the Mentoring Committee"
                messages.info(
                    request,
                    f"You reported this on {timezone.localtime(reported_at):%B %-d, %Y}: {told} was told then. "
                    "Nothing was sent again.",
                )
        return redirect("pairs:pair-detail", pk=pair.pk)
    reported_at = pair.standing_report_at(pair.role_of(request.user))
    return render(
        request,
        "pairs/pair_report.html",
        {
            "pair": pair,
            "form": form,
            "other": pair.other_side(request.user),
            "reported_at": reported_at,
            "again_on": reported_at + REPORT_STANDS if reported_at else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair's mentor and mentee: the closing evaluation, once each."""
    pair = _own_pair(request, pk)
    if not pair.evaluation_is_open():
        messages.info(request, f"The closing evaluation opens on {pair.evaluation_opens_on:%B %-d, %Y}.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    form = EvaluationForm(_posted(request))
    # The committee's own questions of the cycle's closing survey, asked with the core ratings.
    survey = Survey.objects.in_use(pair.cycle, SurveyKind.CLOSING)
    questions = surveys.questions_for(survey, pair.role_of(request.user))
    more = AnswersForm(_posted(request), questions=questions)
    if request.method == "POST" and form.is_valid() and more.is_valid():
        try:
            year.evaluation_submit(
                pair=pair,
                by=request.user,
                evaluation=form.instance,
                survey=survey,
                questions=questions,
                answers=more.answers(),
            )
        except year.PairYearAlreadyDone as e:
            messages.info(request, str(e))
        except year.PairYearError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "Thank you for your evaluation: the committee reads every answer.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    return render(
        request,
        "pairs/evaluation_form.html",
        {
            "pair": pair,
            "form": form,
            "more": more,
            "survey": survey,
            "intro_html": to_html(survey.intro) if survey else "",
        },
    )
