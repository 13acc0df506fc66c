"""The orientation at the conference where the year starts: the committee's attendance sheet."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from members.decorators import committee_required
from members.models import Cycle

from ..services import orientation as orientation_services
from ._common import _selected_cycle

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
    per member of its pairs, a page at a time, saved at once, or everyone on the page marked
    present in one press), and the pairs with someone absent."""
    cycles, cycle = _selected_cycle(request)
    if cycle is None:
        messages.info(request, "Create a cycle first.")
        return redirect("members:cycle-create")
    if request.method == "POST":
        try:
            attended_ids = {int(v) for v in request.POST.getlist("attended")}
            # The members the page showed: only their marks change (a sheet without them is the whole cycle's).
            on_sheet = {int(v) for v in request.POST.getlist("on_sheet")} or None
            everyone = request.POST.get("everyone") == "present"
            if everyone and on_sheet is None:
                raise ValueError("no sheet")
        except ValueError:
            messages.error(request, "That attendance sheet could not be read: reload the page and mark again.")
        else:
            if everyone:  # "Mark everyone on this page present": its ticks do not matter
                attended_ids = set(on_sheet)
            try:
                changes = orientation_services.orientation_mark(
                    cycle=cycle, attended_ids=attended_ids, on_sheet=on_sheet, by=request.user
                )
            except orientation_services.OrientationError as e:
                messages.error(request, str(e))
            else:
                n = len(attended_ids)
                done = (
                    f"Everyone on the page is marked present: {n} member{pluralize(n)}."
                    if everyone
                    else f"Attendance saved: {n} present."
                )
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
    roster = orientation_services.orientation_roster(cycle)
    if not show_absent:
        sheet = orientation_services.orientation_sheet(
            cycle, q=q, page=request.GET.get("page"), per_page=ORIENTATION_PER_PAGE, roster=roster
        )
        context.update(sheet, action=_orientation_query(request, cycle))
    if has_passed:
        absent_page = orientation_services.orientation_absent(
            cycle,
            page=request.GET.get("page") if show_absent else 1,
            per_page=ORIENTATION_PER_PAGE if show_absent else ABSENT_SHOWN,
            roster=roster,
        )
        context.update(absent_page=absent_page)
    return render(request, "pairs/orientation.html", context)
