"""Mentoring resources: the list, suggesting one, the committee's review, the files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_POST

from ..decorators import committee_required
from ..forms import ResourceForm
from ..models import Resource, ResourceStatus
from ..services import resources as resource_services

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
            resource = resource_services.resource_suggest(by=request.user, **form.cleaned_data)
        except resource_services.ResourceError as e:
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
        resource = resource_services.resource_decide(
            resource=resource,
            approve=action == "approve",
            by=request.user,
            reason=request.POST.get("reason", "")[:500],
        )
    except resource_services.ResourceAlreadyDecided as e:
        messages.info(request, str(e))
    except resource_services.ResourceError as e:
        messages.error(request, str(e))
    else:
        if resource.status == ResourceStatus.APPROVED:
            messages.success(request, f"“{resource.title}” is approved: every member sees it now.")
        else:
            messages.success(request, f"“{resource.title}” is declined.")
    return redirect("members:resource-review")


@committee_required
@require_POST
def resource_decide_many(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: approve or decline the suggestions ticked on the
    review page, in one step."""
    action = request.POST.get("action")
    try:
        ids = [int(v) for v in request.POST.getlist("resource")]
    except ValueError:
        ids = []
    if not ids:
        messages.error(request, "Tick the suggestions to approve or decline.")
    elif action not in ("approve", "decline"):
        messages.error(request, "Choose whether to approve or to decline the suggestions.")
    else:
        _decide_many(request, ids, approve=action == "approve")
    return redirect("members:resource-review")


def _decide_many(request: HttpRequest, ids: list[int], *, approve: bool) -> None:
    done = "approved" if approve else "declined"
    try:
        outcome = resource_services.resources_decide(
            resource_ids=ids, approve=approve, by=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except resource_services.ResourceError as e:
        messages.error(request, str(e))
        return
    if n := len(outcome.decided):
        seen = f": every member sees {pluralize(n, 'it,them')} now" if approve else ""
        messages.success(request, f"{n} suggestion{pluralize(n)} {done}{seen}.")
    if n := len(outcome.already):
        messages.info(
            request, f"{n} {pluralize(n, 'was,were')} {done} already: nothing changed for {pluralize(n, 'it,them')}."
        )
    for refusal in outcome.refused:
        messages.error(request, refusal)


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
