"""A member's own pages: the profile, the membership and renewal forms, opting in, editing and
withdrawing an opt-in."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from outbox.forms import PreferencesForm
from outbox.services.preferences import member_choices

from ..forms import EnrollmentForm, OptInForm, ProfileForm
from ..models import (
    Answer,
    Cycle,
    CycleQuestion,
    EligibilityRules,
    Enrollment,
    EnrollmentStatus,
    Role,
    User,
    eligibility,
    eligibility_of,
)
from ..program import program
from ..services import membership as membership_services
from ._common import _open_cycle


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Any signed-in account: my profile, my membership term and my opt-ins."""
    cycle, optins_message = _open_cycle()
    enrollments = list(Enrollment.objects.of_member(request.user))
    opted_roles = {
        e.role for e in enrollments if cycle and e.cycle_id == cycle.pk and e.status != EnrollmentStatus.WITHDRAWN
    }
    # Offer "Opt in" only for a role the member has not taken and is eligible for (a non-member
    # where the program lets them apply by agreeing to join: the form asks the agreement).
    agrees = program().nonmember_may_apply
    open_roles = [
        r
        for r in Role.values
        if r not in opted_roles and cycle and eligibility(request.user, cycle, r, agrees_to_join=agrees).ok
    ]
    return render(
        request,
        "members/profile.html",
        {
            "member": request.user,
            "enrollments": enrollments,
            "cycle": cycle,
            "optins_message": optins_message,
            "can_opt_in": optins_message is None and bool(open_roles),
            "email_form": PreferencesForm(choices=member_choices(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Any signed-in account: edit my own profile."""
    # A copy, so that an invalid form does not leave request.user half-changed.
    form = ProfileForm(
        request.POST if request.method == "POST" else None, instance=User.objects.get(pk=request.user.pk)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("members:profile")
    return render(request, "members/profile_form.html", {"form": form})


def _membership_form(request: HttpRequest, *, mode: str) -> HttpResponse:
    cycle, optins_message = _open_cycle()
    offer = Role.MENTEE if mode == "join" else Role.MENTOR
    # A copy of the account this request loaded, so that an invalid form does not leave
    # request.user half-changed.
    member = copy.copy(request.user)
    profile_form = ProfileForm(request.POST if request.method == "POST" else None, instance=member)
    taken, last_mentor_optin = {}, None
    if cycle and not optins_message:
        taken, last_mentor_optin = _optins_around(member, cycle, earlier_mentoring=mode == "renew")
    # Joining fills the profile in on this very form: there, only an opt-in made already is not offered.
    unavailable = (
        _roles_not_offered(member, cycle, taken, eligibility_too=mode == "renew")
        if cycle and not optins_message
        else {}
    )
    last_mentoring = None
    if Role.MENTOR not in unavailable and last_mentor_optin is not None:  # only a past mentor's page: a query
        last_mentoring = Enrollment.objects.select_related("cycle").get(pk=last_mentor_optin)
    optin_form = OptInForm(
        request.POST if request.method == "POST" else None,
        offer=offer,
        initial=_mentor_answers(last_mentoring) if last_mentoring else None,
        unavailable=unavailable,
        questions=_questions(cycle),
    )
    not_done = "your membership is not renewed" if mode == "renew" else "you have not joined"
    if request.method == "POST" and profile_form.is_valid() and optin_form.is_valid():
        service = membership_services.membership_join if mode == "join" else membership_services.membership_renew
        try:
            enrollments = service(member=request.user, profile=profile_form.cleaned_data, optins=optin_form.optins())
        except membership_services.MembershipError as e:
            # All or nothing: the renewal (or joining) and its opt-ins are one transaction.
            messages.error(request, f"Nothing was saved, so {not_done} yet: {e}")
        else:
            done = f"Welcome to the {program().association_name}!" if mode == "join" else "Your membership is renewed."
            if enrollments:
                roles = " and ".join(f"a {e.get_role_display().lower()}" for e in enrollments)
                done += f" You are signed up as {roles} for the {enrollments[0].cycle.name} cycle."
            messages.success(request, done)
            return redirect("members:profile")
    elif request.method == "POST":
        messages.error(request, f"Nothing was saved, so {not_done} yet. Please correct the errors below.")
    return render(
        request,
        "members/membership_form.html",
        {
            "mode": mode,
            "unavailable": [(Role(role).label, why) for role, why in unavailable.items()],
            "profile_form": profile_form,
            "optin_form": optin_form,
            "cycle": cycle,
            "optins_message": optins_message,
            "last_mentoring": last_mentoring,
        },
    )


def _roles_not_offered(
    member: User, cycle: Cycle, taken: dict[str, str], *, eligibility_too: bool = True, today=None
) -> dict[str, str]:
    """The roles the membership and renewal forms do not offer `member` for `cycle`, each with
    why, in a sentence: one they have opted in as already (`taken`: the status by role, from
    `_optins_around`), or one the eligibility rule refuses them (asked as of a current member:
    joining or renewing makes them one). No query."""
    today = today or timezone.localdate()
    rules = EligibilityRules.of(cycle)
    why = {}
    for role in (Role.MENTEE, Role.MENTOR):
        label = Role(role).label.lower()
        if role in taken:
            status = EnrollmentStatus(taken[role]).label.lower()
            why[role] = f"You are signed up as a {label} for the {cycle.name} cycle already ({status})."
            continue
        if not eligibility_too:
            continue
        verdict = eligibility_of(
            role=role,
            rules=rules,
            expires_on=today,  # current once this form is sent
            category=member.membership_category,
            years=member.years_experience,
            job_title=member.job_title,
            today=today,
        )
        if not verdict.ok:
            why[role] = f"You cannot opt in as a {label}: {verdict.reason}"
    return why


def _optins_around(member: User, cycle: Cycle, *, earlier_mentoring: bool) -> tuple[dict[str, str], int | None]:
    """`member`'s opt-ins for `cycle` that stand (a withdrawn one is none), as their status by
    role; with `earlier_mentoring`, the pk of their newest mentor opt-in of an earlier cycle too,
    which the renewal form asks "are you still in?" from (None: none). One query.

    Read from the opt-ins, rather than annotated on a query of the member (the page copies
    request.user instead): Django's building of those subqueries cost the renewal page nearly as
    much as its whole layout (cachegrind: 10.6 M instructions for that query, 3.3 M for this
    one, 12.4 M for the layout floor).
    """
    wanted = Q(cycle=cycle)
    if earlier_mentoring:
        wanted |= Q(role=Role.MENTOR, cycle__starts_on__lt=cycle.starts_on)
    optins = (
        Enrollment.objects.filter(member=member)
        .active()
        .filter(wanted)
        .order_by("-cycle__starts_on", "-pk")
        .values_list("pk", "cycle_id", "role", "status")
    )
    taken, earlier = {}, None
    for pk, cycle_id, role, status in optins:
        if cycle_id == cycle.pk:
            taken[role] = status  # one at most a role: one_enrollment_per_member_cycle_role
        elif earlier is None:
            earlier = pk  # the newest: they come newest first
    return taken, earlier


def _questions(cycle: Cycle | None) -> list[CycleQuestion]:
    """The questions the open cycle's opt-in form asks (none when no cycle takes opt-ins)."""
    return list(CycleQuestion.objects.for_cycle(cycle).asked()) if cycle else []


def _mentor_answers(enrollment: Enrollment) -> dict:
    """Last year's answers, to fill in the renewal form's mentor section. The
    tickbox itself stays for the member to tick: staying in is their decision."""
    return {
        "mentor_goals": enrollment.goals,
        "mentor_interests": enrollment.interests,
        "capacity": enrollment.capacity,
        "meeting_modes": list(enrollment.meeting_modes),
    }


@login_required
@require_http_methods(["GET", "POST"])
def membership_join(request: HttpRequest) -> HttpResponse:
    """A signed-in account that is not a current member: the membership form."""
    if request.user.is_current_member():
        messages.info(request, "You are already a member. Renew here to extend your membership or to become a mentor.")
        return redirect("members:membership-renew")
    return _membership_form(request, mode="join")


@login_required
@require_http_methods(["GET", "POST"])
def membership_renew(request: HttpRequest) -> HttpResponse:
    """A signed-in account that has joined before: the renewal form."""
    if not request.user.has_joined:
        messages.info(request, "Please fill in the membership form first.")
        return redirect("members:membership-join")
    return _membership_form(request, mode="renew")


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_create(request: HttpRequest) -> HttpResponse:
    """A current member (and, where the program lets non-members apply, any signed-in account):
    opt in to the open cycle without renewing."""
    member = request.user.is_current_member()
    if not member and not program().nonmember_may_apply:
        messages.info(request, "Only current members can opt in: please renew your membership first.")
        return redirect("members:membership-renew" if request.user.has_joined else "members:membership-join")
    cycle, optins_message = _open_cycle()
    form = OptInForm(
        request.POST if request.method == "POST" else None,
        offer=request.GET.get("role", Role.MENTEE),
        needs_agreement=not member,
        questions=_questions(cycle),
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrollments = membership_services.enrollment_create(member=request.user, optins=form.optins())
        except membership_services.MembershipError as e:
            messages.error(request, str(e))
        else:
            roles = " and ".join(f"a {e.get_role_display().lower()}" for e in enrollments)
            messages.success(request, f"You are signed up as {roles} for the {enrollments[0].cycle.name} cycle.")
            return redirect("members:profile")
    elif request.method == "POST":
        messages.error(request, "Please correct the errors below.")
    return render(
        request, "members/enrollment_form.html", {"form": form, "cycle": cycle, "optins_message": optins_message}
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The member who opted in (others get 404): change a waiting opt-in."""
    enrollment = get_object_or_404(Enrollment.objects.select_related("cycle"), pk=pk, member=request.user)
    if not enrollment.is_editable:
        messages.error(
            request, f"This opt-in has been matched already: ask the {program().committee_name} to change it."
        )
        return redirect("members:profile")
    # The questions this opt-in is asked, each with its answer given (one query).
    questions = list(
        CycleQuestion.objects.for_cycle(enrollment.cycle_id)
        .asked()
        .for_role(enrollment.role)
        .annotate(
            given=Subquery(Answer.objects.filter(enrollment=enrollment, question=OuterRef("pk")).values("value")[:1])
        )
    )
    form = EnrollmentForm(
        request.POST if request.method == "POST" else None,
        instance=Enrollment.objects.get(pk=pk),
        questions=questions,
        answers={q.pk: q.given for q in questions},
    )
    if request.method == "POST" and form.is_valid():
        fields = {
            n: form.cleaned_data[n] for n in ("goals", "interests", "meeting_modes", "capacity") if n in form.fields
        }
        try:
            membership_services.enrollment_update(enrollment=enrollment, **fields, answers=form.answers())
        except membership_services.MembershipError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "Your opt-in is updated.")
        return redirect("members:profile")
    return render(request, "members/enrollment_edit.html", {"form": form, "enrollment": enrollment})


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The member who opted in (others get 404): withdraw a waiting opt-in, after confirming."""
    enrollment = get_object_or_404(Enrollment.objects.select_related("cycle"), pk=pk, member=request.user)
    if request.method == "POST":
        try:
            membership_services.enrollment_withdraw(enrollment=enrollment)
        except membership_services.MembershipError as e:
            messages.error(request, str(e))
        else:
            messages.success(
                request,
                f"You have withdrawn as a {enrollment.get_role_display().lower()} "
                f"from the {enrollment.cycle.name} cycle.",
            )
        return redirect("members:profile")
    return render(request, "members/enrollment_withdraw.html", {"enrollment": enrollment})
