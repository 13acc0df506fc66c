"""The committee's plain pairing page: any waiting mentee with any mentor of the cycle, each
found by a search. It lives with the committee's decision layer so that the pair records
what the suggestions saw (the reasons and the rank), as when pairing from the dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from members.decorators import committee_required
from members.models import Cycle
from pairs.emails import introductions_news
from pairs.forms import CHOICES_SHOWN, PairForm
from pairs.models import Offer
from pairs.services import offers, pairing

from ..services import suggestions as suggestion_services
from ._common import offer_made_message


@committee_required
@require_http_methods(["GET", "POST"])
def pair_create(request: HttpRequest) -> HttpResponse:
    """The Mentoring Committee and site admins: pair a waiting mentee with a mentor."""
    cycles, cycle = Cycle.objects.chosen(request.GET.get("cycle"), prefer="open")
    if cycle is None:
        messages.info(request, "Create a cycle first.")
        return redirect("members:cycle-create")
    initial = {k: request.GET[k] for k in ("mentee", "mentor") if request.GET.get(k)}
    mentee_q, mentor_q = request.GET.get("mentee_q", "").strip(), request.GET.get("mentor_q", "").strip()
    form = PairForm(
        request.POST if request.method == "POST" else None,
        cycle=cycle,
        initial=initial,
        mentee_q=mentee_q,
        mentor_q=mentor_q,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            facts = suggestion_services.pairing_facts(data["mentee"], data["mentor"])
            made = offers.pair_or_offer(
                mentee_id=data["mentee"].pk,
                mentor_id=data["mentor"].pk,
                liaison=data["liaison"],
                length_months=data["length_months"],
                by=request.user,
                match_reasons=facts.reasons,
                suggestion_rank=facts.rank,
                match_score=facts.score,
            )
        except pairing.PairingError as e:
            messages.error(request, str(e))
        else:
            if isinstance(made, Offer):
                messages.success(request, offer_made_message(made))
                return redirect(reverse("matching:dashboard", kwargs={"cycle_id": cycle.pk}) + "#offers")
            well, news = introductions_news([made])
            level = messages.SUCCESS if well else messages.WARNING
            messages.add_message(request, level, f"Paired {made.mentee.member} with {made.mentor.member}. {news}")
            return redirect("pairs:pair-detail", pk=made.pk)
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
