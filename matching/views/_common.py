"""What the matching pages share: the cycle of the address, a waiting mentee, the default cycle."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from members.models import (
    Cycle,
    Enrollment,
)
from pairs.models import Offer


def _cycle(cycle_id: int) -> Cycle:
    return get_object_or_404(Cycle, pk=cycle_id)


def _waiting_mentee(cycle: Cycle, pk: int) -> Enrollment:
    return get_object_or_404(Enrollment.objects.with_member().mentees(), pk=pk, cycle=cycle)


def _to_default_cycle(request: HttpRequest, view_name: str) -> HttpResponse:
    """Open `view_name` for the cycle taking opt-ins, else the latest; with no cycle, create one."""
    _, cycle = Cycle.objects.chosen(prefer="open")
    if cycle is None:
        messages.info(request, "There is no cycle yet: create one first.")
        return redirect("members:cycle-create")
    return redirect(view_name, cycle_id=cycle.pk)


def offer_made_message(offer: Offer) -> str:
    """What the committee reads once a pairing became an offer (cycles where the mentor accepts first)."""
    return (
        f"Offered {offer.mentee.member} to {offer.mentor.member}: the offer is on its way, and the pair is made "
        f"with its introductions when they accept (answer by {offer.answer_by:%B %-d, %Y})."
    )
