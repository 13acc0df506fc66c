"""The committee's pages about pairs: pairing, the list of a cycle's pairs, ending a pair, and the
evaluations in aggregate."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from arla_mentoring.paging import page_of
from members.decorators import committee_required

from ..forms import PairEndForm
from ..models import (
    Evaluation,
    EvaluationKind,
    Pair,
    PairStatus,
)
from ..services import pairing
from ._common import _posted, _selected_cycle


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
        except pairing.PairingAlreadyDone as e:
            messages.info(request, str(e))
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
