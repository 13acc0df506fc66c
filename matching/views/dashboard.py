"""The matching dashboard: a cycle's numbers and waiting mentees, the weights, the suggestions
for one mentee and the side-by-side comparison that pairs them."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from arla_mentoring.paging import page_of
from members.decorators import committee_required
from members.models import (
    Area,
    Cycle,
    CycleQuestion,
    Enrollment,
    LibraryType,
    MembershipCategory,
)
from members.program import program
from members.services.questions import answers_in_words, question_weights_set
from pairs.emails import introductions_news
from pairs.models import Offer, OfferStatus
from pairs.services import offers, pairing

from .. import reports
from ..forms import WeightsForm
from ..models import MatchSettings
from ..scoring import round_score
from ..services import proposal as proposals
from ..services import suggestions as suggestion_services
from ._common import _cycle, _to_default_cycle, _waiting_mentee, offer_made_message

# What the dashboard's list of offers shows: those still open (waiting, or not answered in
# time), or those of one status.
OFFERS_OPEN = "open"
OFFERS_PER_PAGE = 25


@committee_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The committee: the dashboard of the cycle taking opt-ins (else the latest)."""
    return _to_default_cycle(request, "matching:dashboard")


def _offered(value: str, values: list[str]) -> str:
    return value if value in values else ""


@committee_required
def dashboard(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: a cycle's numbers, its waiting mentees (search, filter, sort, pages) and the weights."""
    cycle = _cycle(cycle_id)
    q = request.GET.get("q", "").strip()
    # A value the drop-downs do not offer (an edited address) filters nothing.
    filters = {
        "member__library_type": _offered(request.GET.get("library_type", ""), LibraryType.values),
        "member__region": _offered(request.GET.get("region", ""), [code for code, _ in program().regions]),
        "member__membership_category": _offered(request.GET.get("category", ""), MembershipCategory.values),
    }
    sort = request.GET.get("sort", "date")
    mentees = Enrollment.objects.for_cycle(cycle).mentees().waiting().with_member().search(q)
    mentees = mentees.filter(**{k: v for k, v in filters.items() if v})
    mentees = mentees.sorted_by(sort, default="date")
    # The last offer a mentor declined, for each mentee back in the pool: who, and why.
    declined = Offer.objects.filter(mentee=OuterRef("pk"), status=OfferStatus.DECLINED).order_by("-answered_at")
    mentees = mentees.annotate(
        declined_by=Subquery(
            declined.annotate(
                name=Concat("mentor__member__first_name", Value(" "), "mentor__member__last_name")
            ).values("name")[:1]
        ),
        declined_reason=Subquery(declined.values("decline_reason")[:1]),
    )
    page = page_of(mentees, 25, request.GET.get("page"))
    offer_numbers = reports.offer_numbers(cycle)
    shown = request.GET.get("offers", OFFERS_OPEN)
    if shown != OFFERS_OPEN and shown not in OfferStatus.values:
        shown = OFFERS_OPEN  # an edited address shows the open offers
    offer_page = None
    if cycle.mentor_accepts_first or offer_numbers["all"]:  # else the dashboard has no offers' section
        offer_rows = Offer.objects.for_cycle(cycle)
        offer_rows = offer_rows.holding() if shown == OFFERS_OPEN else offer_rows.filter(status=shown)
        offer_page = page_of(
            offer_rows.order_by("answer_by", "pk"),
            OFFERS_PER_PAGE,
            request.GET.get("offers_page"),
            load=Offer.objects.with_people(),
        )
    return render(
        request,
        "matching/dashboard.html",
        {
            "cycle": cycle,
            "cycles": Cycle.objects.chosen(str(cycle.pk))[0],
            "numbers": reports.cycle_numbers(cycle),
            "page": page,
            "q": q,
            "filters": {k.split("__")[-1]: v for k, v in filters.items()},
            "sort": sort,
            "library_types": LibraryType.choices,
            "regions": program().region_choices,
            "categories": MembershipCategory.choices,
            "weights_form": WeightsForm(instance=MatchSettings.for_cycle(cycle), questions=_matched_on(cycle)),
            "draft": proposals.draft_for(cycle),
            "offer_numbers": offer_numbers,
            "offer_open": offer_numbers[OfferStatus.WAITING] + offer_numbers[OfferStatus.EXPIRED],
            "offer_tabs": [(value, label, offer_numbers[value]) for value, label in OfferStatus.choices],
            "offer_page": offer_page,
            "offers_shown": shown,
        },
    )


def _matched_on(cycle: Cycle) -> list[CycleQuestion]:
    return list(CycleQuestion.objects.for_cycle(cycle).matched_on())


@committee_required
@require_POST
def offer_withdraw(request: HttpRequest, cycle_id: int, pk: int) -> HttpResponse:
    """The committee: withdraw an offer still waiting for the mentor, or not answered in time;
    the mentee goes back among those waiting."""
    cycle = _cycle(cycle_id)
    offer = get_object_or_404(Offer.objects.with_people(), pk=pk, cycle=cycle)
    try:
        offers.offer_withdraw(offer_id=offer.pk, by=request.user)
    except offers.OfferAlreadyAnswered as e:
        messages.info(request, f"{offer}: {e}")
    else:
        messages.success(
            request,
            f"The offer of {offer.mentee.member} to {offer.mentor.member} is withdrawn: "
            f"{offer.mentee.member} is back among the mentees waiting.",
        )
    return redirect(reverse("matching:dashboard", kwargs={"cycle_id": cycle.pk}) + "#offers")


@committee_required
@require_POST
def weights(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee: change how the cycle's suggestions are scored."""
    cycle = _cycle(cycle_id)
    # The defaults unsaved until the form is valid: weights refused change nothing.
    form = WeightsForm(request.POST, instance=MatchSettings.for_cycle(cycle), questions=_matched_on(cycle))
    if form.is_valid():
        with transaction.atomic():
            form.save()
            question_weights_set(cycle=cycle, weights=form.question_weights())
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
        ranked, left_out = suggestion_services.suggestions_for(mentee, limit=40 if more else 10)
    except suggestion_services.SuggestionError as e:
        messages.info(request, str(e))
        return redirect("matching:dashboard", cycle_id=cycle.pk)
    # The cycle's own questions' answers: the mentee's and the suggested mentors' (two queries).
    answers = answers_in_words([mentee.pk, *(s.mentor.id for s in ranked)], cycle=cycle)
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
            "suggestions": [(s, round_score(s.score), answers.get(s.mentor.id, [])) for s in ranked],
            "mentee_answers": answers.get(mentee.pk, []),
            # The first rows only unless asked: thousands of mentors at capacity make a slow page.
            "left_out": left_out if request.GET.get("left_out") else left_out[:20],
            "left_out_total": len(left_out),
            "left_out_counts": sorted(left_out_counts.items(), key=lambda kv: -kv[1]),
            "more": more,
        },
    )


def _compare_context(cycle: Cycle, mentee: Enrollment, mentor: Enrollment) -> dict:
    value, reasons, blocked = suggestion_services.compare(mentee, mentor)
    answers = answers_in_words([mentee.pk, mentor.pk], cycle=cycle)
    return {
        "mentee_answers": answers.get(mentee.pk, []),
        "mentor_answers": answers.get(mentor.pk, []),
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
            facts = suggestion_services.pairing_facts(mentee, mentor)
            made = offers.pair_or_offer(
                mentee_id=mentee.pk,
                mentor_id=mentor.pk,
                by=request.user,
                match_reasons=facts.reasons,
                suggestion_rank=facts.rank,
                match_score=facts.score,
            )
        except pairing.PairingError as e:
            messages.error(request, str(e))
            return redirect("matching:dashboard", cycle_id=cycle.pk)
        if isinstance(made, Offer):
            messages.success(request, offer_made_message(made))
            return redirect(reverse("matching:dashboard", kwargs={"cycle_id": cycle.pk}) + "#offers")
        well, news = introductions_news([made])
        level = messages.SUCCESS if well else messages.WARNING
        messages.add_message(request, level, f"Paired {mentee.member} with {mentor.member}. {news}")
        return redirect(reverse("matching:dashboard", kwargs={"cycle_id": cycle.pk}) + "#mentees")
    try:
        context = _compare_context(cycle, mentee, mentor)
    except suggestion_services.SuggestionError as e:
        messages.error(request, str(e))
        return redirect("matching:dashboard", cycle_id=cycle.pk)
    return render(request, "matching/pair_confirm.html", context)
