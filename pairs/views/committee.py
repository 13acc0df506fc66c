"""The committee's pages about pairs: pairing, the list of a cycle's pairs, ending a pair, and the
evaluations and surveys in aggregate."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from arla_mentoring.paging import page_of
from members.decorators import committee_required
from members.models import User

from ..forms import LiaisonAssignForm, PairEndForm
from ..models import (
    Evaluation,
    EvaluationKind,
    Pair,
    PairStatus,
)
from ..services import pairing
from ..survey_summary import survey_summaries
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
            "liaisons": list(User.objects.liaisons().order_by("last_name", "first_name")),
        },
    )


def _back_to_pair_list(request: HttpRequest) -> str:
    """The pair list's page (cycle, search, filter, page) the committee came from, or the list."""
    home = reverse("pairs:pair-list")
    back = request.POST.get("back", "")
    # Only the list's own address, with its query: never another page, nor another site.
    return back if back == home or back.startswith(home + "?") else home


@committee_required
@require_POST
def liaison_assign(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: give the pairs ticked on the pair list another
    liaison, after confirming on a page that lists them."""
    back = _back_to_pair_list(request)
    form = LiaisonAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    pairs, liaison = form.cleaned_data["pair"], form.cleaned_data["liaison"]
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "pairs/liaison_assign.html",
            {"pairs": sorted(pairs, key=lambda p: p.mentee.member.last_name), "liaison": liaison, "back": back},
        )
    try:
        change = pairing.pairs_liaison_assign(pair_ids=[p.pk for p in pairs], liaison=liaison, by=request.user)
    except pairing.PairingError as e:
        messages.error(request, str(e))
        return redirect(back)
    n, already, ended = len(change.given), len(change.already), len(change.ended)
    if n:
        said = f"{liaison} is now the liaison of {n} pair{pluralize(n)}."
        if already:
            said += f" {already} had them already."
        messages.success(request, said)
    elif already:
        messages.info(
            request,
            f"{liaison} is the liaison of {pluralize(already, 'this pair,these pairs')} already: nothing changed.",
        )
    if ended:
        messages.info(
            request,
            f"{ended} pair{pluralize(ended, ' has,s have')} ended: "
            f"{pluralize(ended, 'its,their')} liaison stays as it was.",
        )
    return redirect(back)


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
    """The Mentoring Committee and site admins: a cycle's closing evaluations and its surveys, in
    aggregate and without names."""
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
            "surveys": survey_summaries(cycle) if cycle else [],
        },
    )
