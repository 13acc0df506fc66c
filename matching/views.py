"""The matching dashboard. Every page is for the Mentoring Committee and site admins
(`committee_required`); everyone else gets 403 (visitors are sent to log in).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import committee_required
from members.models import Area, Cycle, Enrollment, LibraryType, MembershipCategory, Region
from pairs import services as pair_services

from . import services
from .models import MatchSettings, ProposalStatus
from .scoring import round_score
from .services import MatchingError


class WeightsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = [
            "weight_title",
            "weight_responsibilities",
            "weight_library_type",
            "weight_region",
            "weight_experience",
            "exclude_same_institution",
        ]
        widgets = {
            **{
                name: forms.NumberInput(attrs={"min": 0, "max": 100, "class": "form-control form-control-sm"})
                for name in fields[:-1]
            },
            "exclude_same_institution": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in self.Meta.fields[:-1]):
            raise forms.ValidationError("At least one weight must be above zero.")
        return data


def _cycle(cycle_id: int) -> Cycle:
    return get_object_or_404(Cycle, pk=cycle_id)


def _waiting_mentee(cycle: Cycle, pk: int) -> Enrollment:
    return get_object_or_404(Enrollment.objects.with_member().mentees(), pk=pk, cycle=cycle)


@committee_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The committee: the dashboard of the cycle taking opt-ins (else the latest)."""
    cycle = Cycle.objects.filter(is_open=True).first() or Cycle.objects.first()
    if cycle is None:
        messages.info(request, "There is no cycle yet: create one first.")
        return redirect("members:cycle-create")
    return redirect("matching:dashboard", cycle_id=cycle.pk)


@committee_required
def dashboard(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: a cycle's numbers, its waiting mentees (search, filter, sort, pages) and the weights."""
    cycle = _cycle(cycle_id)
    q = request.GET.get("q", "").strip()
    filters = {
        "member__library_type": request.GET.get("library_type", ""),
        "member__region": request.GET.get("region", ""),
        "member__membership_category": request.GET.get("category", ""),
    }
    sort = request.GET.get("sort", "date")
    mentees = Enrollment.objects.for_cycle(cycle).mentees().waiting().with_member().search(q)
    mentees = mentees.filter(**{k: v for k, v in filters.items() if v})
    mentees = mentees.sorted_by(sort, default="date")
    page = Paginator(mentees, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sortless = query.copy()
    sortless.pop("sort", None)
    return render(
        request,
        "matching/dashboard.html",
        {
            "cycle": cycle,
            "cycles": Cycle.objects.all(),
            "numbers": services.cycle_numbers(cycle),
            "page": page,
            "q": q,
            "filters": {k.split("__")[-1]: v for k, v in filters.items()},
            "sort": sort,
            "query": query.urlencode(),
            "sortless": sortless.urlencode(),
            "library_types": LibraryType.choices,
            "regions": Region.choices,
            "categories": MembershipCategory.choices,
            "weights_form": WeightsForm(instance=MatchSettings.for_cycle(cycle)),
            "draft": services.draft_for(cycle),
        },
    )


@committee_required
@require_POST
def weights(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: change how the cycle's suggestions are scored."""
    cycle = _cycle(cycle_id)
    form = WeightsForm(request.POST, instance=MatchSettings.for_cycle(cycle))
    if form.is_valid():
        form.save()
        messages.success(request, "The weights are saved: suggestions and proposals now use them.")
    else:
        errors = "; ".join(
            f"{form.fields[field].label.capitalize()}: {e}" if field in form.fields else e
            for field, errs in form.errors.items()
            for e in errs
        )
        messages.error(request, f"The weights were not changed: {errors}")
    return redirect("matching:dashboard", cycle_id=cycle.pk)


@committee_required
def suggestions(request: HttpRequest, cycle_id: int, pk: int) -> HttpResponse:
    """The committee: the ranked mentors for one waiting mentee, with the reasons and the points."""
    cycle = _cycle(cycle_id)
    mentee = _waiting_mentee(cycle, pk)
    try:
        more = bool(request.GET.get("more"))
        ranked, left_out = services.suggestions_for(mentee, limit=40 if more else 10)
    except MatchingError as e:
        messages.info(request, str(e))
        return redirect("matching:dashboard", cycle_id=cycle.pk)
    left_out_counts: dict[str, int] = {}
    for item in left_out:
        left_out_counts[item.reason] = left_out_counts.get(item.reason, 0) + 1
    return render(
        request,
        "matching/suggestion_list.html",
        {
            "cycle": cycle,
            "mentee": mentee,
            "areas": [label for value, label in Area.choices if value in mentee.responsibilities],
            "suggestions": [(s, round_score(s.score)) for s in ranked],
            "left_out": left_out[:100],
            "left_out_total": len(left_out),
            "left_out_counts": sorted(left_out_counts.items(), key=lambda kv: -kv[1]),
            "more": more,
        },
    )


def _compare_context(cycle: Cycle, mentee: Enrollment, mentor: Enrollment) -> dict:
    value, reasons, blocked = services.compare(mentee, mentor)
    return {
        "cycle": cycle,
        "mentee": mentee,
        "mentor": mentor,
        "score": round_score(value),
        "reasons": reasons,
        "blocked": blocked,
        "mentee_areas": [label for v, label in Area.choices if v in mentee.responsibilities],
        "mentor_areas": [label for v, label in Area.choices if v in mentor.responsibilities],
    }


@committee_required
@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, cycle_id: int, pk: int, mentor_pk: int) -> HttpResponse:
    """The committee: compare a mentee and a mentor side by side, and pair them after confirming."""
    cycle = _cycle(cycle_id)
    mentee = get_object_or_404(Enrollment.objects.with_member().mentees(), pk=pk, cycle=cycle)
    mentor = get_object_or_404(Enrollment.objects.with_member().mentors(), pk=mentor_pk, cycle=cycle)
    if request.method == "POST":
        try:
            pair_services.pair_create(mentee_id=mentee.pk, mentor_id=mentor.pk, by=request.user)
        except pair_services.PairingError as e:
            messages.error(request, str(e))
            return redirect("matching:dashboard", cycle_id=cycle.pk)
        messages.success(request, f"Paired {mentee.member} with {mentor.member}. Both introductions are on their way.")
        return redirect(reverse("matching:dashboard", kwargs={"cycle_id": cycle.pk}) + "#mentees")
    try:
        context = _compare_context(cycle, mentee, mentor)
    except MatchingError as e:
        messages.error(request, str(e))
        return redirect("matching:dashboard", cycle_id=cycle.pk)
    return render(request, "matching/pair_confirm.html", context)


# --- The best-overall proposal -------------------------------------------------------------


@committee_required
def proposal(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: the draft of the best overall assignment, to review and adjust."""
    cycle = _cycle(cycle_id)
    draft = services.draft_for(cycle)
    context = {"cycle": cycle, "draft": draft}
    if draft:
        items = list(draft.pairs.select_related("mentee__member", "mentor__member").order_by("-locked", "-score", "pk"))
        unmatched_ids = [u["mentee"] for u in draft.unmatched]
        people = Enrollment.objects.with_member().in_bulk(unmatched_ids)
        context.update(
            items=[(item, round_score(item.score)) for item in items],
            average=(draft.total_score / len(items)) if items else 0,
            unmatched=[(people[u["mentee"]], u["reason"]) for u in draft.unmatched if u["mentee"] in people],
            bans=list(draft.bans.select_related("mentee__member", "mentor__member")),
            dropped_ids={d.mentee_id for d in draft.drops.all()},
        )
    return render(request, "matching/proposal_detail.html", context)


@committee_required
@require_POST
def proposal_solve(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: compute (or compute again) the best overall assignment."""
    cycle = _cycle(cycle_id)
    started = timezone.now()
    try:
        draft = services.proposal_solve(cycle=cycle, by=request.user)
    except MatchingError as e:
        messages.error(request, str(e))
    else:
        seconds = (timezone.now() - started).total_seconds()
        messages.success(
            request,
            f"Solved in {seconds:.1f} s: {draft.pairs.count()} pairs, {len(draft.unmatched)} mentees left unmatched.",
        )
    return redirect("matching:proposal", cycle_id=cycle.pk)


@committee_required
@require_POST
def proposal_edit(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: lock, unlock or ban a pair of the draft; drop or restore a mentee; lift a ban."""
    cycle = _cycle(cycle_id)
    draft = services.draft_for(cycle)
    if draft is None:
        messages.error(request, "There is no draft any more: solve the proposal again.")
        return redirect("matching:proposal", cycle_id=cycle.pk)
    action = request.POST.get("action")
    try:
        target = int(request.POST.get("id", ""))
    except ValueError:
        target = None
    try:
        if target is None:
            raise MatchingError("Choose a pair or a mentee.")
        if action in ("lock", "unlock"):
            services.proposal_lock(proposal=draft, item_id=target, locked=action == "lock")
            messages.success(request, "Pair locked: solving again keeps it." if action == "lock" else "Pair unlocked.")
        elif action == "ban":
            services.proposal_ban(proposal=draft, item_id=target)
            messages.success(request, "Pair ruled out. Solve again to find the mentee another mentor.")
        elif action in ("drop", "restore"):
            services.proposal_drop(proposal=draft, mentee_id=target, dropped=action == "drop")
            messages.success(
                request, "Mentee left out of the draft." if action == "drop" else "Mentee back in the draft."
            )
        elif action == "unban":
            services.proposal_unban(proposal=draft, ban_id=target)
            messages.success(request, "The ban is lifted.")
        else:
            raise MatchingError("Unknown action.")
    except MatchingError as e:
        messages.error(request, str(e))
    return redirect("matching:proposal", cycle_id=cycle.pk)


@committee_required
@require_http_methods(["GET", "POST"])
def proposal_confirm(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: make every pair of the draft in one step, after confirming."""
    cycle = _cycle(cycle_id)
    draft = services.draft_for(cycle)
    if draft is None:
        messages.error(request, "There is no draft to confirm.")
        return redirect("matching:proposal", cycle_id=cycle.pk)
    if request.method == "POST":
        try:
            made = services.proposal_confirm(proposal=draft, by=request.user)
        except MatchingError as e:
            messages.error(request, str(e))
            return redirect("matching:proposal", cycle_id=cycle.pk)
        messages.success(request, f"{len(made)} pairs made. Their {2 * len(made)} introductions are on their way.")
        return redirect("pairs:pair-list")
    return render(
        request, "matching/proposal_confirm.html", {"cycle": cycle, "draft": draft, "count": draft.pairs.count()}
    )


@committee_required
@require_POST
def proposal_discard(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: throw the draft away (locks, bans and drops with it)."""
    cycle = _cycle(cycle_id)
    draft = services.draft_for(cycle)
    if draft and draft.status == ProposalStatus.DRAFT:
        services.proposal_discard(proposal=draft)
        messages.success(request, "The draft is discarded.")
    return redirect("matching:dashboard", cycle_id=cycle.pk)
