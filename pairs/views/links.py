"""The signed links of a pair's beginning, answered without signing in: the mentor's Accept
and Decline of an offer, and each side's "We have been in touch". The link is the proof: it
names one action for one person (pairs.tokens). Opening it only asks (mail programs open
links to scan them); the page's one button does it, once — pressed again, the page says
what was done and when. Nothing else of the site is shown to whoever holds the link.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ..models import DECLINE_REASON_MAX_CHARS, Offer, Pair
from ..services import contact, offers
from ..tokens import BadLink, offer_token, read_in_touch_token, read_offer_token


def _private(response: HttpResponse) -> HttpResponse:
    # The link is the member's proof: no search engine keeps it, and no Referer carries it to
    # another site. ("same-origin", not "no-referrer": with no referrer at all, the browser
    # posts the page's own form with "Origin: null", which CSRF protection rightly refuses.)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_http_methods(["GET", "POST"])
def offer_answer(request: HttpRequest, token: str) -> HttpResponse:
    """Whoever holds the mentor's signed link (no login): GET asks "accept?" (or "decline?",
    with room for a reason); POST answers, once."""
    context: dict = {"max_reason": DECLINE_REASON_MAX_CHARS}
    status = 200
    try:
        link = read_offer_token(token)
        # get(), not filter().first(): first() orders by pk, and Django then hashes each of the
        # joined tables' columns to place the ORDER BY (some 4 ms a request, more than the query).
        try:
            offer = Offer.objects.with_mentee().get(pk=link.offer_id, mentor__member_id=link.member_id)
        except Offer.DoesNotExist:
            raise BadLink(
                "This offer no longer exists. Reply to the email with any question: the committee will help."
            ) from None
        # The same mentor's Decline, offered beside Accept (the holder of one holds the other: both came in the email).
        decline = offer_token(offer_id=offer.pk, member_id=link.member_id, action="decline")
        context.update(link=link, offer=offer, mentee=offer.mentee.member, decline_token=decline)
        if request.method == "POST":
            if link.action == "accept":
                offers.offer_accept(offer_id=offer.pk, member_id=link.member_id)
                context["done"] = "accepted"
            else:
                context["reason"] = request.POST.get("reason", "")
                offers.offer_decline(offer_id=offer.pk, member_id=link.member_id, reason=context["reason"])
                context["done"] = "declined"
        else:
            context["already"] = offers.offer_state(offer)
    except BadLink as e:
        context["error"], status = str(e), 400
    except offers.OfferAlreadyAnswered as e:
        context["already"] = str(e)
    except offers.OfferError as e:
        context["refused"], status = str(e), 400
    return _private(render(request, "pairs/offer_answer.html", context, status=status))


@require_http_methods(["GET", "POST"])
def in_touch(request: HttpRequest, token: str) -> HttpResponse:
    """Whoever holds one side's signed link (no login): GET asks "have you been in touch?";
    POST marks the pair's first contact done, once for the pair."""
    context: dict = {}
    status = 200
    try:
        link = read_in_touch_token(token)
        pair = Pair.objects.with_members().filter(pk=link.pair_id).order_by().first()  # unordered: as offer_answer
        if pair is None or link.member_id not in pair.member_ids():
            raise BadLink("This pair no longer exists. Sign in to see your pairs.")
        member = pair.mentor.member if pair.mentor.member_id == link.member_id else pair.mentee.member
        context.update(pair=pair, other=pair.other_side(member))
        if request.method == "POST":
            contact.first_contact_confirm(pair_id=pair.pk, member_id=link.member_id)
            context["done"] = True
        else:
            context["already"] = contact.first_contact_state(pair)
            if context["already"] is None and not pair.is_active:
                raise contact.ContactError("This pair has ended: there is nothing to confirm.")
    except BadLink as e:
        context["error"], status = str(e), 400
    except contact.ContactAlreadyConfirmed as e:
        context["already"] = str(e)
    except contact.ContactError as e:
        context["error"], status = str(e), 400
    return _private(render(request, "pairs/in_touch.html", context, status=status))
