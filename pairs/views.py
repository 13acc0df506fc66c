"""Pairs' pages. Each view says who may use it; tests/test_authorization.py proves the rest are refused.

Access to one pair: its mentor and mentee see everything; its liaison and the
committee see the pair without the check-in notes; anyone else gets 404.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Exists, Min, Q
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from arla_mentoring.paging import page_of
from members.decorators import committee_required
from members.models import Cycle, Resource
from outbox.models import Email, EmailKind, EmailState

from .calendar import pair_calendar
from .forms import CHOICES_SHOWN, CheckInForm, EvaluationForm, GoalForm, PairEndForm, PairForm, ReportForm
from .models import (
    REPORT_STANDS,
    CheckIn,
    Evaluation,
    EvaluationKind,
    Goal,
    OrientationAttendance,
    Pair,
    PairStatus,
)
from .services import orientation as orientation_services
from .services import pairing, privacy, year
from .timeline import milestones


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _visible_pair(request: HttpRequest, pk: int) -> Pair:
    """The pair if the user may see it at all (member, liaison, committee), else 404."""
    return get_object_or_404(Pair.objects.with_people().visible_to(request.user), pk=pk)


def _own_pair(request: HttpRequest, pk: int) -> Pair:
    """The pair if the user is its mentor or mentee; 403 for its liaison and the committee, 404 for others."""
    pair = _visible_pair(request, pk)
    if not pair.has_member(request.user):
        raise PermissionDenied("Only the mentor and the mentee of this pair can do that.")
    return pair


def _selected_cycle(request: HttpRequest, *, prefer: str = "running") -> tuple[list[Cycle], Cycle | None]:
    """The cycle asked for, else by default the program year under way ("running",
    for pages about pairs) or the cycle taking opt-ins ("open", for pairing)."""
    cycles = list(Cycle.objects.all())  # newest start first
    chosen = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), None)
    today = timezone.localdate()
    running = next((c for c in cycles if c.starts_on <= today), None)
    is_open = next((c for c in cycles if c.is_open), None)
    default = (running or is_open) if prefer == "running" else (is_open or running)
    return cycles, chosen or default or (cycles[0] if cycles else None)


def pair_milestones(pair: Pair, today=None):
    today = today or timezone.localdate()
    checkins = CheckIn.objects.filter(pair=pair).aggregate(
        first=Min("met_on"), after_midpoint=Min("met_on", filter=Q(met_on__gte=pair.midpoint_on))
    )
    intro = Email.objects.filter(pair=pair, kind__in=[EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE])
    intro_states = list(intro.values_list("state", "sent_at"))
    intro_sent = (
        max(timezone.localtime(s).date() for _, s in intro_states)
        if intro_states and all(state == EmailState.SENT for state, _ in intro_states)
        else None
    )
    # The first goal and both sides' orientation marks in one query, so that the
    # orientation adds nothing to the pair page's query count.
    came = OrientationAttendance.objects.filter(cycle_id=pair.cycle_id, attended=True)
    facts = (
        Pair.objects.filter(pk=pair.pk)
        .annotate(
            first_goal_at=Min("goals__created_at"),
            mentor_came=Exists(came.filter(member_id=pair.mentor.member_id)),
            mentee_came=Exists(came.filter(member_id=pair.mentee.member_id)),
        )
        .values("first_goal_at", "mentor_came", "mentee_came")
        .get()
    )
    first_goal = facts["first_goal_at"]
    closing = list(
        Evaluation.objects.filter(pair=pair, kind=EvaluationKind.CLOSING).values_list("submitted_at", flat=True)
    )
    return milestones(
        created_on=timezone.localtime(pair.created_at).date(),
        orientation_on=pair.cycle.starts_on,
        orientation_done_on=pair.cycle.starts_on if facts["mentor_came"] and facts["mentee_came"] else None,
        starts_on=pair.starts_on,
        midpoint_on=pair.midpoint_on,
        ends_on=pair.ends_on,
        introduction_sent_on=intro_sent,
        first_checkin_on=checkins["first"],
        first_goal_on=timezone.localtime(first_goal).date() if first_goal else None,
        midpoint_checkin_on=checkins["after_midpoint"],
        evaluation_done_on=timezone.localtime(max(closing)).date() if len(closing) == 2 else None,
        ended_on=timezone.localtime(pair.ended_at).date() if pair.ended_at else None,
        today=today,
    )


# --- The committee ---------------------------------------------------------------------


@committee_required
@require_http_methods(["GET", "POST"])
def pair_create(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: pair a waiting mentee with a mentor."""
    cycles, cycle = _selected_cycle(request, prefer="open")
    if cycle is None:
        messages.info(request, "Create a cycle first.")
        return redirect("members:cycle-create")
    initial = {k: request.GET[k] for k in ("mentee", "mentor") if request.GET.get(k)}
    mentee_q, mentor_q = request.GET.get("mentee_q", "").strip(), request.GET.get("mentor_q", "").strip()
    form = PairForm(_posted(request), cycle=cycle, initial=initial, mentee_q=mentee_q, mentor_q=mentor_q)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pair = pairing.pair_create(
                mentee_id=data["mentee"].pk,
                mentor_id=data["mentor"].pk,
                liaison=data["liaison"],
                length_months=data["length_months"],
                by=request.user,
            )
        except pairing.PairingError as e:
            messages.error(request, str(e))
        else:
            messages.success(
                request, f"Paired {pair.mentee.member} with {pair.mentor.member}. Both introductions are on their way."
            )
            return redirect("pairs:pair-detail", pk=pair.pk)
    elif request.method == "POST":
        # The usual cause: the chosen mentee was paired meanwhile, so is no longer offered.
        messages.error(
            request, "That choice is no longer available (someone may have paired them meanwhile): check the form."
        )
    return render(
        request,
        "pairs/pair_form.html",
        {
            "form": form,
            "cycle": cycle,
            "cycles": cycles,
            "mentee_q": mentee_q,
            "mentor_q": mentor_q,
            "chosen": initial,
            "shown": CHOICES_SHOWN,
        },
    )


@committee_required
def pair_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: the pairs of a cycle, searchable, with who needs attention."""
    cycles, cycle = _selected_cycle(request)
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    pairs = Pair.objects.none()
    attention = 0
    if cycle:
        in_cycle = Pair.objects.for_cycle(cycle)
        attention = in_cycle.needing_attention().count()
        pairs = in_cycle.search(q).with_people().with_last_checkin().with_pending_introductions().with_attention()
        if status == "attention":
            pairs = pairs.needing_attention()
        elif status in PairStatus.values:
            pairs = pairs.filter(status=status)
        pairs = pairs.order_by("mentee__member__last_name", "pk")
    page = page_of(pairs, 25, request.GET.get("page"))
    return render(
        request,
        "pairs/pair_list.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "page": page,
            "q": q,
            "status": status,
            "statuses": PairStatus.choices,
            "attention": attention,
        },
    )


@committee_required
@require_http_methods(["GET", "POST"])
def pair_end(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: end a pair early, after confirming, with a reason."""
    pair = get_object_or_404(Pair.objects.with_people(), pk=pk)
    form = PairEndForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            pairing.pair_end(pair=pair, by=request.user, **form.cleaned_data)
        except pairing.PairingError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, f"The pair {pair} has ended.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    return render(request, "pairs/pair_end.html", {"pair": pair, "form": form})


@committee_required
def evaluation_summary(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: closing evaluations of a cycle, in aggregate."""
    cycles, cycle = _selected_cycle(request)
    evaluations = Evaluation.objects.filter(pair__cycle=cycle, kind=EvaluationKind.CLOSING)
    by_role = {
        row["role"]: row
        for row in evaluations.values("role").annotate(
            n=Count("pk"),
            overall=Avg("overall"),
            relationship=Avg("relationship"),
            goals_met=Avg("goals_met"),
            recommend=Count("pk", filter=Q(would_recommend=True)),
        )
    }
    comments = list(
        evaluations.exclude(best="", improve="").values("role", "best", "improve").order_by("-submitted_at")[:100]
    )
    return render(
        request,
        "pairs/evaluation_summary.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "by_role": [by_role.get("mentor"), by_role.get("mentee")],
            "comments": comments,
        },
    )


# --- Mentors, mentees and liaisons ------------------------------------------------------------


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
        checkins = checkins.defer("notes", "topics")
    context = {
        "pair": pair,
        "is_member": is_member,
        "role": pair.role_of(request.user),
        "other": pair.other_side(request.user) if is_member else None,
        "milestones": pair_milestones(pair),
        "checkins": list(checkins),
        "goals": list(Goal.objects.filter(pair=pair).in_display_order()),
        "checkin_form": CheckInForm() if is_member and pair.is_active else None,
        "my_report_at": pair.standing_report_at(pair.role_of(request.user)),
        "my_evaluation_done": is_member
        and Evaluation.objects.filter(pair=pair, role=pair.role_of(request.user), kind=EvaluationKind.CLOSING).exists(),
        "evaluation_open": (pair.is_active and timezone.localdate() >= pair.evaluation_opens_on)
        or pair.status == PairStatus.COMPLETED,
        "needs_attention": Pair.objects.needing_attention().filter(pk=pair.pk).exists(),
        "intro_emails": list(
            Email.objects.filter(pair=pair, kind__in=[EmailKind.INTRO_MENTOR, EmailKind.INTRO_MENTEE]).order_by("kind")
        ),
        "can_manage": request.user.is_superuser or request.user.is_committee,
        "resources": list(Resource.objects.approved()[:5]),
    }
    return render(request, "pairs/pair_detail.html", context)


@login_required
def pair_calendar_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair's members, its liaison and the committee: the milestones as an .ics file."""
    pair = _visible_pair(request, pk)
    response = HttpResponse(pair_calendar(pair, pair_milestones(pair)), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mentoring-pair-{pair.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def checkin_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair's mentor and mentee: log a check-in."""
    pair = _own_pair(request, pk)
    form = CheckInForm(_posted(request))
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
def goal_edit(request: HttpRequest, pk: int, goal_pk: int | None = None) -> HttpResponse:
    """The pair's mentor and mentee: add a goal, or update one of the pair's goals."""
    pair = _own_pair(request, pk)
    goal = get_object_or_404(Goal, pk=goal_pk, pair=pair) if goal_pk else Goal(pair=pair)
    form = GoalForm(_posted(request), instance=goal)
    if request.method == "POST" and form.is_valid():
        year.goal_save(pair=pair, by=request.user, goal=form.instance)
        messages.success(request, f"Goal “{goal.title}” saved.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    return render(request, "pairs/goal_form.html", {"pair": pair, "form": form, "goal": goal})


@login_required
@require_http_methods(["GET", "POST"])
def pair_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The pair's mentor and mentee: tell the liaison the other side is not responding (once while a report stands)."""
    pair = _own_pair(request, pk)
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
    if pair.is_active and timezone.localdate() < pair.evaluation_opens_on:
        messages.info(request, f"The closing evaluation opens on {pair.evaluation_opens_on:%B %-d, %Y}.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    form = EvaluationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            year.evaluation_submit(pair=pair, by=request.user, evaluation=form.instance)
        except year.PairYearError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "Thank you for your evaluation: the committee reads every answer.")
        return redirect("pairs:pair-detail", pk=pair.pk)
    return render(request, "pairs/evaluation_form.html", {"pair": pair, "form": form})


# --- The orientation at the fall conference --------------------------------------------------------


# The sheet a page at a time (with a search to find someone at the door), and the first
# pairs with someone absent under it: a cycle's pairs are a thousand or more.
ORIENTATION_PER_PAGE = 50
ABSENT_SHOWN = 10


def _orientation_query(request: HttpRequest, cycle: Cycle, **changes) -> str:
    """The orientation page's address for `cycle`, keeping its search, page and view unless changed."""
    query = QueryDict(mutable=True)
    query["cycle"] = cycle.pk
    for key in ("q", "page", "show"):
        value = changes.get(key, request.GET.get(key, ""))
        if value:
            query[key] = value
    return f"{reverse('pairs:orientation')}?{query.urlencode()}"


@committee_required
@require_http_methods(["GET", "POST"])
def orientation(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: who came to a cycle's orientation (one checkbox
    per member of its pairs, a page at a time, saved at once), and the pairs with someone absent."""
    cycles, cycle = _selected_cycle(request)
    if cycle is None:
        messages.info(request, "Create a cycle first.")
        return redirect("members:cycle-create")
    if request.method == "POST":
        try:
            attended_ids = {int(v) for v in request.POST.getlist("attended")}
            # The members the page showed: only their marks change (a sheet without them is the whole cycle's).
            on_sheet = {int(v) for v in request.POST.getlist("on_sheet")} or None
        except ValueError:
            messages.error(request, "That attendance sheet could not be read: reload the page and mark again.")
        else:
            try:
                changes = orientation_services.orientation_mark(
                    cycle=cycle, attended_ids=attended_ids, on_sheet=on_sheet, by=request.user
                )
            except orientation_services.OrientationError as e:
                messages.error(request, str(e))
            else:
                done = f"Attendance saved: {len(attended_ids)} present."
                messages.success(request, done if changes else f"{done} Nothing had changed.")
        return redirect(_orientation_query(request, cycle))

    today = timezone.localdate()
    has_passed = today > cycle.starts_on
    show_absent = has_passed and request.GET.get("show") == "absent"
    q = request.GET.get("q", "").strip()
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "q": q,
        "can_mark": today >= cycle.starts_on,
        "has_passed": has_passed,
        "show_absent": show_absent,
    }
    if not show_absent:
        sheet = orientation_services.orientation_sheet(
            cycle, q=q, page=request.GET.get("page"), per_page=ORIENTATION_PER_PAGE
        )
        context.update(sheet, action=_orientation_query(request, cycle))
    if has_passed:
        absent_page = orientation_services.orientation_absent(
            cycle,
            page=request.GET.get("page") if show_absent else 1,
            per_page=ORIENTATION_PER_PAGE if show_absent else ABSENT_SHOWN,
        )
        context.update(absent_page=absent_page)
    return render(request, "pairs/orientation.html", context)


# --- A member's own data -------------------------------------------------------------------------


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Any signed-in member: what the site holds about me, the download, and the way to delete my account."""
    return render(request, "pairs/my_data.html")


@login_required
@never_cache
def my_data_download(request: HttpRequest) -> HttpResponse:
    """Any signed-in member: everything the site holds about me, as a JSON file (my own data only)."""
    response = JsonResponse(
        privacy.member_data(user=request.user), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = f'attachment; filename="arla-mentoring-my-data-{timezone.localdate()}.json"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Any signed-in member but a site admin: delete my own account, after typing my password again."""
    user = request.user
    error = ""
    if request.method == "POST" and not user.is_superuser:
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            error = "Too many attempts: wait a minute, then try again. Nothing was deleted."
        elif not user.check_password(request.POST.get("password", "")):
            error = "That is not your password. Nothing was deleted."
        else:
            try:
                privacy.account_delete(user=user)
            except privacy.PrivacyError as e:
                messages.error(request, str(e))
                return redirect("pairs:my-data")
            logout(request)
            messages.success(
                request, "Your account is deleted and your personal data erased. Thank you for taking part."
            )
            return redirect("members:program")
    elif request.method == "POST":
        messages.error(request, "A site admin's account cannot be deleted from this page.")
        return redirect("pairs:my-data")
    active_pairs = list(Pair.objects.involving(user).active().with_people())
    return render(
        request,
        "pairs/account_delete.html",
        {"error": error, "others": [p.other_side(user) for p in active_pairs]},
    )
