"""Members' pages. Each view says who may use it in its docstring; the
authorization table in tests/test_authorization.py proves everybody else is refused.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .decorators import committee_required
from .forms import CycleForm, EnrollmentForm, OptInForm, ProfileForm, ResourceForm
from .models import Cycle, Enrollment, EnrollmentStatus, Resource, ResourceStatus, Role, User, eligibility
from .services import MembershipError


def _open_cycle() -> tuple[Cycle | None, str | None]:
    cycle = Cycle.objects.open_for_optins().first()
    if cycle is None:
        return None, "No program cycle is open for opt-ins right now."
    return cycle, cycle.optin_window_state()


def _program_page(request: HttpRequest, template: str) -> HttpResponse:
    cycle, optins_message = _open_cycle()
    return render(request, template, {"cycle": cycle, "optins_message": optins_message})


def program(request: HttpRequest) -> HttpResponse:
    """Anyone: what the program is, and how to join."""
    return _program_page(request, "members/program.html")


def program_mentor(request: HttpRequest) -> HttpResponse:
    """Anyone: the mentor's role, qualifications, benefits and expectations."""
    return _program_page(request, "members/program_mentor.html")


def program_mentee(request: HttpRequest) -> HttpResponse:
    """Anyone: the mentee's role, qualifications, benefits and expectations."""
    return _program_page(request, "members/program_mentee.html")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Any signed-in account: my profile, my membership term and my opt-ins."""
    cycle, optins_message = _open_cycle()
    enrollments = list(Enrollment.objects.of_member(request.user))
    opted_roles = {
        e.role for e in enrollments if cycle and e.cycle_id == cycle.pk and e.status != EnrollmentStatus.WITHDRAWN
    }
    # Offer "Opt in" only for a role the member has not taken and is eligible for.
    open_roles = [r for r in Role.values if r not in opted_roles and cycle and eligibility(request.user, cycle, r).ok]
    return render(
        request,
        "members/profile.html",
        {
            "member": request.user,
            "enrollments": enrollments,
            "cycle": cycle,
            "optins_message": optins_message,
            "can_opt_in": optins_message is None and bool(open_roles),
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
    members = User.objects.all()
    if mode == "renew" and not optins_message:
        members = _with_mentoring_history(members, cycle)
    member = members.get(pk=request.user.pk)
    profile_form = ProfileForm(request.POST if request.method == "POST" else None, instance=member)
    last_mentoring = _last_year_as_mentor(member, cycle)
    optin_form = OptInForm(
        request.POST if request.method == "POST" else None,
        offer=offer,
        initial=_mentor_answers(last_mentoring) if last_mentoring else None,
    )
    if request.method == "POST" and profile_form.is_valid() and optin_form.is_valid():
        service = services.membership_join if mode == "join" else services.membership_renew
        try:
            enrollments = service(member=request.user, profile=profile_form.cleaned_data, optins=optin_form.optins())
        except MembershipError as e:
            messages.error(request, str(e))
        else:
            done = "Welcome to the Arkansas Library Association!" if mode == "join" else "Your membership is renewed."
            if enrollments:
                roles = " and ".join(f"a {e.get_role_display().lower()}" for e in enrollments)
                done += f" You are signed up as {roles} for the {enrollments[0].cycle.name} cycle."
            messages.success(request, done)
            return redirect("members:profile")
    elif request.method == "POST":
        messages.error(request, "Please correct the errors below.")
    return render(
        request,
        "members/membership_form.html",
        {
            "mode": mode,
            "profile_form": profile_form,
            "optin_form": optin_form,
            "cycle": cycle,
            "optins_message": optins_message,
            "last_mentoring": last_mentoring,
        },
    )


def _with_mentoring_history(members: QuerySet[User], cycle: Cycle) -> QuerySet[User]:
    """Annotate members with what the renewal form asks "are you still in?" from:
    whether they opted in as mentors for `cycle`, and their newest mentor opt-in
    before it. Folded into the query that loads the member, so only a past mentor's
    page costs a query more (to load last year's answers)."""
    optins = Enrollment.objects.mentors().active().filter(member=OuterRef("pk"))
    return members.annotate(
        mentoring_in_cycle=Exists(optins.filter(cycle=cycle)),
        last_mentor_optin=Subquery(
            optins.filter(cycle__starts_on__lt=cycle.starts_on).order_by("-cycle__starts_on", "-pk").values("pk")[:1]
        ),
    )


def _last_year_as_mentor(member: User, cycle: Cycle | None) -> Enrollment | None:
    """The member's latest mentor opt-in of an earlier cycle, when they have not
    opted in as a mentor for `cycle` yet (see `_with_mentoring_history`)."""
    pk = getattr(member, "last_mentor_optin", None)
    if pk is None or member.mentoring_in_cycle:
        return None
    return Enrollment.objects.select_related("cycle").get(pk=pk)


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
    """A current member: opt in to the open cycle without renewing."""
    if not request.user.is_current_member():
        messages.info(request, "Only current members can opt in: please renew your membership first.")
        return redirect("members:membership-renew" if request.user.has_joined else "members:membership-join")
    cycle, optins_message = _open_cycle()
    form = OptInForm(request.POST if request.method == "POST" else None, offer=request.GET.get("role", Role.MENTEE))
    if request.method == "POST" and form.is_valid():
        try:
            enrollments = services.enrollment_create(member=request.user, optins=form.optins())
        except MembershipError as e:
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
        messages.error(request, "This opt-in has been matched already: ask the Mentoring Committee to change it.")
        return redirect("members:profile")
    form = EnrollmentForm(request.POST if request.method == "POST" else None, instance=Enrollment.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_update(enrollment=enrollment, **form.cleaned_data)
        except MembershipError as e:
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
            services.enrollment_withdraw(enrollment=enrollment)
        except MembershipError as e:
            messages.error(request, str(e))
        else:
            messages.success(
                request,
                f"You have withdrawn as a {enrollment.get_role_display().lower()} "
                f"from the {enrollment.cycle.name} cycle.",
            )
        return redirect("members:profile")
    return render(request, "members/enrollment_withdraw.html", {"enrollment": enrollment})


@committee_required
def enrollment_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: every opt-in of a cycle, searchable."""
    cycles = list(Cycle.objects.all())
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), None)
    cycle = cycle or next((c for c in cycles if c.is_open), None) or (cycles[0] if cycles else None)
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
        },
    )


@committee_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: every cycle with its dates and numbers."""
    active = ~Q(enrollments__status=EnrollmentStatus.WITHDRAWN)
    # One grouped query for every cycle's numbers, however many cycles there are.
    cycles = Cycle.objects.annotate(
        mentees=Count("enrollments", filter=Q(enrollments__role=Role.MENTEE) & active),
        mentors=Count("enrollments", filter=Q(enrollments__role=Role.MENTOR) & active),
        waiting=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITING)),
        paired=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.PAIRED)),
        completed=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.COMPLETED)),
        withdrawn=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WITHDRAWN)),
    ).order_by("-starts_on", "-pk")
    return render(request, "members/cycle_list.html", {"cycles": cycles})


def _cycle_form_page(request: HttpRequest, cycle: Cycle | None) -> HttpResponse:
    # The form gets its own copy: validating writes the input onto the instance, and
    # the page's heading should keep showing the cycle as saved.
    instance = Cycle.objects.get(pk=cycle.pk) if cycle else None
    form = CycleForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if cycle is None:
            messages.success(request, f"The {saved.name} cycle is created. Open its opt-ins when it is time.")
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
            closed = services.cycle_open_optins(cycle=cycle)
        elif action == "close":
            services.cycle_close_optins(cycle=cycle)
        else:
            raise MembershipError("Choose whether to open or to close opt-ins.")
    except MembershipError as e:
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


# --- Mentoring resources -----------------------------------------------------------------

RESOURCES_PER_PAGE = 20


@login_required
def resource_list(request: HttpRequest) -> HttpResponse:
    """Any signed-in account: the approved resources, by text and by tag, and my own
    suggestions still under review (or recently declined)."""
    q = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "").strip().lower()
    approved = Resource.objects.approved()
    resources = approved.search(q)
    if tag:
        resources = resources.tagged(tag)
    page = Paginator(resources, RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/resource_list.html",
        {
            "page": page,
            "q": q,
            "tag": tag,
            "tags": approved.tag_names(),
            "mine": list(Resource.objects.unapproved_suggestions_of(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_suggest(request: HttpRequest) -> HttpResponse:
    """Any signed-in account: suggest a resource. The committee's own are approved at once."""
    posted = request.method == "POST"
    form = ResourceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            resource = services.resource_suggest(by=request.user, **form.cleaned_data)
        except MembershipError as e:
            messages.error(request, str(e))
        else:
            if resource.status == ResourceStatus.APPROVED:
                messages.success(request, f"“{resource.title}” is on the resource list.")
            else:
                messages.success(
                    request,
                    f"Thank you: the committee will review it. “{resource.title}” appears on the list once approved.",
                )
            return redirect("members:resource-list")
    elif posted:
        messages.error(request, "Please correct the errors below: nothing was saved.")
    return render(request, "members/resource_form.html", {"form": form})


@committee_required
def resource_review(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: suggestions waiting for review, and the latest decisions."""
    page = Paginator(Resource.objects.pending(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "members/resource_review.html",
        {"page": page, "decided": list(Resource.objects.recently_decided()[:10])},
    )


@committee_required
@require_POST
def resource_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The Mentoring Committee and site admins: approve or decline a suggestion (from the review page)."""
    resource = get_object_or_404(Resource, pk=pk)
    action = request.POST.get("action")
    if action not in ("approve", "decline"):
        messages.error(request, "Choose whether to approve or to decline the suggestion.")
        return redirect("members:resource-review")
    try:
        resource = services.resource_decide(
            resource=resource,
            approve=action == "approve",
            by=request.user,
            reason=request.POST.get("reason", "")[:500],
        )
    except MembershipError as e:
        messages.error(request, str(e))
    else:
        if resource.status == ResourceStatus.APPROVED:
            messages.success(request, f"“{resource.title}” is approved: every member sees it now.")
        else:
            messages.success(request, f"“{resource.title}” is declined.")
    return redirect("members:resource-review")


@login_required
def resource_file(request: HttpRequest, pk: int) -> FileResponse:
    """Any signed-in account, for an approved resource; the committee and whoever
    suggested it, for one not approved; 404 for everyone else and for visitors' guesses."""
    resource = get_object_or_404(Resource, pk=pk)
    if not resource.file or not resource.is_visible_to(request.user):
        raise Http404("No such resource file.")
    try:
        handle = resource.file.storage.open(resource.file.name, "rb")
    except FileNotFoundError:
        raise Http404("The file of this resource is missing.") from None
    # An attachment, always: an uploaded file is never rendered as a page of this site.
    return FileResponse(handle, as_attachment=True, filename=resource.filename)
