"""The signed links of a pair's beginning: the mentor's Accept and Decline of an offer, and
each side's "We have been in touch". The model is the unsubscribe link's (outbox/tokens.py):
Django's signing with a salt of its own, so that no other signed value of the site passes
for one; each names one action for one person, expires, and works once — the offer or the
pair says whether it was done already.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing

OFFER_SALT = "pairs.offer"
IN_TOUCH_SALT = "pairs.in-touch"
# The offer's own answer day is the real end (pairs.Offer.answer_by, at most 30 days); the
# signature stops a link kept for longer even if the offer were somehow reopened.
OFFER_MAX_AGE = dt.timedelta(days=31)
# First contact comes in the first weeks; after four months the pair's page is the place.
IN_TOUCH_MAX_AGE = dt.timedelta(days=120)
OFFER_ACTIONS = ("accept", "decline")


class BadLink(Exception):
    """The link is not one of ours, was altered, or has expired; the message says which."""


@dataclass(frozen=True)
class OfferLink:
    offer_id: int
    member_id: int
    action: str  # "accept" or "decline"


@dataclass(frozen=True)
class InTouchLink:
    pair_id: int
    member_id: int


def offer_token(*, offer_id: int, member_id: int, action: str) -> str:
    if action not in OFFER_ACTIONS:
        raise ValueError(f"An offer is answered by accepting or declining, not {action!r}.")
    return signing.dumps({"o": offer_id, "m": member_id, "a": action}, salt=OFFER_SALT)


def in_touch_token(*, pair_id: int, member_id: int) -> str:
    return signing.dumps({"p": pair_id, "m": member_id}, salt=IN_TOUCH_SALT)


def _load(token: str, *, salt: str, max_age: dt.timedelta, expired: str) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink(expired) from None
    except signing.BadSignature:
        raise BadLink(
            "This link is not complete or not valid (was it cut in two by your email program?). "
            "Copy the whole link from the email, or reply to the email to ask the committee."
        ) from None
    if not isinstance(data, dict):
        raise BadLink("This link is not valid. Reply to the email to ask the committee.")
    return data


def read_offer_token(token: str) -> OfferLink:
    data = _load(
        token,
        salt=OFFER_SALT,
        max_age=OFFER_MAX_AGE,
        expired="This link has expired. Reply to the email if you would still like to mentor: the committee will help.",
    )
    try:
        link = OfferLink(offer_id=int(data["o"]), member_id=int(data["m"]), action=str(data["a"]))
    except (KeyError, TypeError, ValueError):
        raise BadLink("This link is not valid. Reply to the email to ask the committee.") from None
    if link.action not in OFFER_ACTIONS:
        raise BadLink("This link is not valid. Reply to the email to ask the committee.")
    return link


def read_in_touch_token(token: str) -> InTouchLink:
    data = _load(
        token,
        salt=IN_TOUCH_SALT,
        max_age=IN_TOUCH_MAX_AGE,
        expired="This link has expired: sign in and log a check-in on your pair page instead.",
    )
    try:
        return InTouchLink(pair_id=int(data["p"]), member_id=int(data["m"]))
    except (KeyError, TypeError, ValueError):
        raise BadLink("This link is not valid: sign in and log a check-in on your pair page instead.") from None
